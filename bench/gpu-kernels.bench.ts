/**
 * Device backends beside the CPU path (`npm run bench -- gpu`): each device kernel on each backend that runs here,
 * with the CPU functions as the baseline, and the WebGPU adapter's description. Figures include the upload of the
 * inputs and the readback of the results (what a caller of the async functions waits for). On a machine without a
 * GPU the WebGPU adapter is a software one (lavapipe): those figures show the path and its overheads, not GPU speed.
 * The same file runs unchanged on a machine with a real GPU.
 */
import { decodeRowsAsync, disposeDevices, fwhtRowsAsync, randomSignsAsync } from '../src/backend/index.js';
import type { BackendName } from '../src/backend/index.js';
import { fwhtRowsInPlace } from '../src/hadamard/index.js';
import { E8P12, E8P12RVQ4B } from '../src/lattice/index.js';
import { releaseNodeWebGPU } from '../src/node/webgpu.js';
import { randomSigns } from '../src/random/index.js';
import { deviceBackends } from './devices.js';
import { keep, measure, report, type Column, type Measurement, measureAsync } from './harness.js';

function rate(count: number, unit: string): Column {
  return { header: `${unit} / s`, cell: (m) => `${((count / m.ms) * 1e3 / 1e6).toFixed(1)} M` };
}

async function fwhtBenchmark(backends: BackendName[]): Promise<void> {
  const rows = 4096;
  const n = 4096;
  const x = Float32Array.from({ length: rows * n }, (_, i) => Math.sin(i));
  const cpu = measure('fwhtRowsInPlace (CPU, on a copy)', () => keep(fwhtRowsInPlace(x.slice(), rows, n, { normalize: true })), { warmup: 1, minRuns: 3, maxRuns: 10 });
  const rowsOut: Measurement[] = [cpu];
  for (const backend of backends) rowsOut.push(await measureAsync(`fwhtRowsAsync ${backend}`, () => fwhtRowsAsync(x, rows, n, { backend, normalize: true })));
  report(`FWHT of the rows of a ${rows} x ${n} float32 matrix (normalized)`, rowsOut, cpu, [rate(rows * n, 'entries')]);
}

async function decodeBenchmark(backends: BackendName[]): Promise<void> {
  // a 4096 x 4096 2-bit layer: 2^21 E8P12 codes (2^24 weights)
  const k = (4096 * 4096) / 8;
  const codes = Uint16Array.from({ length: k }, (_, i) => Math.imul(i, 2654435761) >>> 16);
  const out = new Float32Array(8 * k);
  const cpu = measure('E8P12.decodeRows (CPU, into a Float32Array)', () => keep(E8P12.decodeRows(codes, out)), { warmup: 1, minRuns: 3, maxRuns: 10 });
  const rowsOut: Measurement[] = [cpu];
  for (const backend of backends) rowsOut.push(await measureAsync(`decodeRowsAsync(E8P12) ${backend}`, () => decodeRowsAsync(E8P12, codes, { backend })));
  report('decode of a 4096 x 4096 2-bit layer (2^21 E8P12 codes to 2^24 float32 weights)', rowsOut, cpu, [rate(8 * k, 'weights')]);

  const pairs = Uint16Array.from({ length: 2 * (k >> 2) }, (_, i) => Math.imul(i, 2246822519) >>> 16);
  const out4 = new Float32Array(8 * (k >> 2));
  const cpu4 = measure('E8P12RVQ4B.decodeRows (CPU)', () => keep(E8P12RVQ4B.decodeRows(pairs, out4)), { warmup: 1, minRuns: 3, maxRuns: 10 });
  const rows4: Measurement[] = [cpu4];
  for (const backend of backends) rows4.push(await measureAsync(`decodeRowsAsync(E8P12RVQ4B) ${backend}`, () => decodeRowsAsync(E8P12RVQ4B, pairs, { backend })));
  report('decode of a 2048 x 2048 4-bit layer (2^19 E8P12RVQ4B code pairs)', rows4, cpu4, [rate(8 * (k >> 2), 'weights')]);
}

async function signsBenchmark(backends: BackendName[]): Promise<void> {
  const n = 1 << 22;
  const cpu = measure('randomSigns (CPU)', () => keep(randomSigns(n, 42, 1)), { warmup: 1, minRuns: 3, maxRuns: 10 });
  const rowsOut: Measurement[] = [cpu];
  for (const backend of backends) rowsOut.push(await measureAsync(`randomSignsAsync ${backend}`, () => randomSignsAsync(n, 42, 1, { backend })));
  report(`Philox random signs, n = 2^22`, rowsOut, cpu, [rate(n, 'signs')]);
}

export default async function gpuBenchmarks(): Promise<void> {
  console.log('Device backends (figures include upload and readback):\n');
  const backends = await deviceBackends();
  await fwhtBenchmark(backends);
  await decodeBenchmark(backends);
  await signsBenchmark(backends);
  await disposeDevices();
  await releaseNodeWebGPU(); // Dawn keeps Node running while navigator.gpu is referenced
}
