/** How the command prints numbers, sizes, durations and tables. */

/** `[512, 1376]` as `512 x 1376` (out x in for a weight). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join(' x ');
}

/** A loss or error to 3 significant digits (`0.0123`, `1.23e-5`), `0` for zero, `-` when absent. */
export function significant(x: number | undefined | null): string {
  if (x === undefined || x === null) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? x.toPrecision(3) : x.toExponential(2);
}

/** A byte count with a decimal unit: `512 B`, `12.3 kB`, `4.56 GB`. */
export function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

/** Seconds as `0.42 s`, `12.3 s`, `3m05s`, `1h02m`. */
export function secondsText(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** A rate with an SI prefix: `1.23 M weights/s` for a word unit, `512 MB/s` for a symbol like `B`. */
export function rateText(perSecond: number, unit: string): string {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let v = perSecond;
  let p = 0;
  while (v >= 1000 && p < prefixes.length - 1) {
    v /= 1000;
    p++;
  }
  const digits = v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
  const prefix = prefixes[p] === '' || unit.length === 1 ? prefixes[p] : `${prefixes[p]} `;
  return `${digits} ${prefix}${unit}/s`;
}

/** A table column: its header and which side its cells line up on. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Rows of cells as an aligned plain-text table, a rule under the header and, when `footer` rows are given, a
 * rule above them (for totals). Every row must have one cell per column.
 *
 * @example formatTable([{ header: 'name' }, { header: 'n', align: 'right' }], [['a', '1']]) // 'name  n\n----  -\na     1\n'
 */
export function formatTable(columns: readonly Column[], rows: readonly string[][], footer: readonly string[][] = []): string {
  const all = [columns.map((c) => c.header), ...rows, ...footer];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (columns[i].align === 'right' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(all[0]), rule, ...rows.map(line)];
  if (footer.length > 0) out.push(rule, ...footer.map(line));
  return `${out.join('\n')}\n`;
}
