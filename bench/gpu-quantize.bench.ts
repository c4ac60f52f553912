/**
 * quantizeLinear on the device backends beside the CPU path (`npm run bench -- gpu`): a 4096 x 4096 layer (another
 * size with QUIPSHARP_BENCH_QUANTIZE_SIZE=n) quantized with { backend: 'cpu', threads: 2 } and with each device
 * backend that runs here, with the codes compared (rows whose codes differ start at a float32 near-tie), and the
 * panel product alone with each kernel (WebGPU's WGSL and gpu.js kernels, webasm's gpu.js kernel). The WebGPU
 * adapter's description is printed with the figures: on a machine without a GPU it is a software one (lavapipe),
 * and the figures show the path and its overheads, not GPU speed. The file runs unchanged on a machine with a GPU.
 */
import { DeviceFeedback, disposeDevices, type FeedbackKernel } from '../src/backend/index.js';
import type { DeviceMode } from '../src/backend/index.js';
import { exampleLayer, quantizeLinear, type QuantizedLinear } from '../src/index.js';
import { deviceBackends } from './devices.js';
import { report, type Measurement } from './harness.js';

/** Rows of `a` whose codes differ from `b`'s (words per row `words`). */
function differingRows(a: Uint16Array, b: Uint16Array, rows: number, words: number): number {
  let count = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = i * words; k < (i + 1) * words; k++) {
      if (a[k] !== b[k]) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** One timed call (these take seconds to minutes: no repeats). */
async function once<T>(name: string, run: () => Promise<T>): Promise<{ m: Measurement; value: T }> {
  const t0 = performance.now();
  const value = await run();
  const ms = performance.now() - t0;
  return { m: { name, ms, medianMs: ms, runs: 1 }, value };
}

async function quantizeBenchmark(backends: DeviceMode[], size: number): Promise<void> {
  const { W, H } = exampleLayer(size, size, 2 * size, 1);
  // the CPU row first, while no WebGPU device is alive (Dawn's Node binding polls a live one on about one core)
  const cpu = await once('quantizeLinear cpu (threads 2)', () => quantizeLinear(W, H, { backend: 'cpu', threads: 2, seed: 1 }));
  // compile every device kernel, so the timed runs do not include it
  const small = exampleLayer(64, 512, 1024, 2);
  for (const backend of backends) await quantizeLinear(small.W, small.H, { backend });
  const rows: Measurement[] = [cpu.m];
  const cells = new Map<Measurement, { round: number; rows: number }>([[cpu.m, { round: cpu.value.report!.seconds.round, rows: 0 }]]);
  for (const backend of backends) {
    const run = await once(`quantizeLinear ${backend}`, () => quantizeLinear(W, H, { backend, seed: 1 }));
    const q: QuantizedLinear = run.value;
    rows.push(run.m);
    cells.set(run.m, { round: q.report!.seconds.round, rows: differingRows(cpu.value.codes, q.codes, size, q.codes.length / size) });
  }
  report(`quantizeLinear of a ${size} x ${size} layer (E8P12), seed 1`, rows, cpu.m, [
    { header: 'round stage s', cell: (m) => cells.get(m)!.round.toFixed(1) },
    { header: 'rows with other codes (near-ties)', cell: (m) => `${cells.get(m)!.rows} of ${size}` },
  ]);
}

/**
 * The first `count` panel products of a sweep over an m x n layer, as BlockLDLQ makes them: for p1 = n - 128,
 * n - 256, ..., X += A[:, p1..n) L[p1..n, p1 - 128..p1), each after the panel it follows is uploaded.
 */
async function sweepProducts(feedback: DeviceFeedback, A: Float64Array, L: Float64Array, m: number, n: number, count: number): Promise<number> {
  const w = 128;
  let macs = 0;
  for (let p1 = n - w; p1 >= n - count * w && p1 > 0; p1 -= w) {
    const X = new Float64Array(m * w);
    await feedback.compute({ m, n, A, L, X, w, p0: p1 - w, q0: p1, q1: n, c0: p1 - w, c1: p1, panelStart: true });
    macs += m * (n - p1) * w;
  }
  return macs;
}

async function productBenchmark(backends: DeviceMode[], size: number): Promise<void> {
  const m = size;
  const n = size;
  const A = Float64Array.from({ length: m * n }, (_, i) => Math.sin(i));
  const L = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const rows: Measurement[] = [];
  let macs = 0;
  const kernels = backends.flatMap((b): Array<[DeviceMode, FeedbackKernel]> => (b === 'webgpu' ? [[b, 'wgsl'], [b, 'gpu.js']] : [[b, 'gpu.js']]));
  for (const [mode, kernel] of kernels) {
    // a first product compiles the kernels; the first quarter of a second sweep is timed
    for (const timed of [false, true]) {
      const feedback = new DeviceFeedback(mode, m, n, kernel);
      try {
        if (!timed) await sweepProducts(feedback, A, L, m, n, 1);
        else {
          const run = await once(`${mode} ${kernel}`, () => sweepProducts(feedback, A, L, m, n, Math.max(1, Math.floor(n / 512))));
          macs = run.value;
          rows.push(run.m);
        }
      } finally {
        feedback.dispose();
      }
    }
  }
  report(`the panel products of the right quarter of a ${m} x ${n} sweep (uploads and readbacks included)`, rows, rows[0], [
    { header: 'GMAC / s', cell: (r) => ((macs / r.ms) * 1e3 / 1e9).toFixed(2) },
  ]);
}

export default async function main(): Promise<void> {
  const size = Number(process.env.QUIPSHARP_BENCH_QUANTIZE_SIZE ?? 4096);
  const backends = await deviceBackends();
  await productBenchmark(backends, size);
  // Dawn's Node binding polls a live WebGPU device on about one core: the CPU row must not run beside one
  await disposeDevices();
  await quantizeBenchmark(backends, size);
  await disposeDevices();
}
