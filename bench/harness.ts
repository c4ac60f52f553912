/**
 * The shared benchmark harness: every bench/*.bench.ts file measures with `measure` and prints with `report`,
 * so figures from different primitives are taken the same way (warm-up, then the best of several timed runs).
 */

export interface Measurement {
  /** Label printed in the table, e.g. 'quipsharp fwhtRows' or 'fft.js'. */
  name: string;
  /** Best (minimum) wall time of one call, in milliseconds. */
  ms: number;
  /** Median wall time of one call, in milliseconds. */
  medianMs: number;
  /** Timed calls. */
  runs: number;
}

export interface MeasureOptions {
  /** Untimed calls before timing (JIT warm-up). Default 2. */
  warmup?: number;
  /** Keep timing until this much time has passed... Default 1000 ms. */
  minTotalMs?: number;
  /** ...and at least this many calls were timed. Default 5. */
  minRuns?: number;
  /** Never more than this many timed calls. Default 1000. */
  maxRuns?: number;
}

/** Times `fn` (one call = one unit of work) after a warm-up; reports best and median call time. */
export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Measurement {
  const { warmup = 2, minTotalMs = 1000, minRuns = 5, maxRuns = 1000 } = options;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  let total = 0;
  while (times.length < maxRuns && (times.length < minRuns || total < minTotalMs)) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  times.sort((a, b) => a - b);
  return { name, ms: times[0], medianMs: times[times.length >> 1], runs: times.length };
}

export interface Column {
  header: string;
  /** Cell text of one measurement. */
  cell: (m: Measurement) => string;
}

/**
 * Prints a table of measurements with a ratio column against `baseline` (baseline time / row time:
 * above 1 means the row is faster), plus any extra columns. Returns the printed text (for docs).
 */
export function report(title: string, rows: Measurement[], baseline: Measurement, extra: Column[] = []): string {
  const headers = ['', 'best ms', 'median ms', ...extra.map((c) => c.header), `speed vs ${baseline.name}`];
  const body = rows.map((m) => [
    m.name,
    m.ms.toFixed(3),
    m.medianMs.toFixed(3),
    ...extra.map((c) => c.cell(m)),
    `${(baseline.ms / m.ms).toFixed(2)}x`,
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const text = [
    `### ${title}`,
    '',
    line(headers),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...body.map(line),
    '',
  ].join('\n');
  console.log(text);
  return text;
}

/** Consumes a value so the JIT cannot drop the work that produced it. */
let sink = 0;
export function keep(x: ArrayLike<number> | number): void {
  sink += typeof x === 'number' ? x : x.length > 0 ? x[0] : 0;
}
export function sinkValue(): number {
  return sink;
}

/** {@link measure} for a call that returns a Promise: warm-up calls (plan compilation), then the best of timed runs. */
export async function measureAsync(name: string, fn: () => Promise<unknown>, options: MeasureOptions = {}): Promise<Measurement> {
  const { warmup = 1, minTotalMs = 1500, minRuns = 3, maxRuns = 20 } = options;
  for (let i = 0; i < warmup; i++) keep((await fn()) as ArrayLike<number>);
  const times: number[] = [];
  let total = 0;
  while (times.length < maxRuns && (times.length < minRuns || total < minTotalMs)) {
    const t0 = performance.now();
    keep((await fn()) as ArrayLike<number>);
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  times.sort((a, b) => a - b);
  return { name, ms: times[0], medianMs: times[times.length >> 1], runs: times.length };
}
