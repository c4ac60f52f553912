/**
 * Hadamard benchmarks: fwhtRowsInPlace on 4096 x 4096 float32, fwhtInPlace on one 2^20 vector, and
 * hadamardTransformInPlace at the LLM orders 11008 = 172 * 64 and 13824 = 108 * 128, side by side with
 * a straightforward radix-2 FWHT loop and fft.js (complex FFT of the same n). The targets: fwhtRowsInPlace at
 * least 3x fft.js and 2x the radix-2 loop; hadamardTransform per element within 1.5x of fwht at the power of
 * two around it (not reachable exactly; see docs/performance.md#hadamard-transforms).
 * Times are reported as ns per element per stage: ms * 1e6 / (rows * n * log2 n). fft.js transforms one
 * input array `rows` times (it stays in cache); the FWHTs run in place over the whole matrix.
 */
import FFT from 'fft.js';
import { keep, measure, report, type Column, type Measurement } from './harness.js';
import { fwhtInPlace, fwhtRowsInPlace, hadamardTransformInPlace } from '../src/hadamard/index.js';
import { randomNormal } from '../src/random/index.js';
import type { FloatArray } from '../src/core/validate.js';

/** The textbook normalized radix-2 FWHT: one pass per stage, no fusion or blocking, then the 1/sqrt(n) scale. */
function naiveFwht(x: FloatArray, off: number, n: number): void {
  for (let h = 1; h < n; h *= 2) {
    for (let i = off; i < off + n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const u = x[j];
        const v = x[j + h];
        x[j] = u + v;
        x[j + h] = u - v;
      }
    }
  }
  const s = 1 / Math.sqrt(n);
  for (let i = off; i < off + n; i++) x[i] *= s;
}

/** Every transform is normalized, so repeated runs on the same data neither overflow nor go subnormal. */
const normalized = { normalize: true };

function perElementStage(rows: number, n: number): Column {
  const work = rows * n * Math.log2(n);
  return { header: 'ns / element / stage', cell: (m: Measurement) => ((m.ms * 1e6) / work).toFixed(3) };
}

/** Complex FFT of size n, `count` times on one input (fft.js's layout: interleaved re/im in a plain Array). */
function fftPeer(n: number, count: number): () => void {
  const f = new FFT(n);
  const input = f.createComplexArray() as number[];
  const out = f.createComplexArray() as number[];
  const re = randomNormal(n, 7, 0);
  for (let i = 0; i < n; i++) input[2 * i] = re[i];
  return () => {
    for (let r = 0; r < count; r++) f.transform(out, input);
    keep(out[0]);
  };
}

function rowsBenchmark(): void {
  const rows = 4096;
  const n = 4096;
  const a = Float32Array.from(randomNormal(rows * n, 1, 0));
  const b = a.slice();
  const opts = { warmup: 1, minTotalMs: 1500, minRuns: 3, maxRuns: 20 };
  const ours = measure('quipsharp fwhtRowsInPlace (f32)', () => keep(fwhtRowsInPlace(a, rows, n, normalized)), opts);
  const naive = measure('radix-2 loop (f32)', () => {
    for (let r = 0; r < rows; r++) naiveFwht(b, r * n, n);
    keep(b);
  }, opts);
  const fft = measure('fft.js complex FFT x4096', fftPeer(n, rows), opts);
  report(`fwhtRowsInPlace, ${rows} x ${n} Float32Array`, [ours, naive, fft], ours, [perElementStage(rows, n)]);
}

function vectorBenchmark(): void {
  const n = 2 ** 20;
  const src = randomNormal(n, 2, 0);
  const x32 = Float32Array.from(src);
  const x64 = src.slice();
  const y32 = Float32Array.from(src);
  const opts = { warmup: 2, minTotalMs: 1000, minRuns: 5, maxRuns: 200 };
  const rows = [
    measure('quipsharp fwhtInPlace (f32)', () => keep(fwhtInPlace(x32, normalized)), opts),
    measure('quipsharp fwhtInPlace (f64)', () => keep(fwhtInPlace(x64, normalized)), opts),
    measure('radix-2 loop (f32)', () => {
      naiveFwht(y32, 0, n);
      keep(y32);
    }, opts),
    measure('fft.js complex FFT', fftPeer(n, 1), opts),
  ];
  report(`fwhtInPlace, one vector of 2^20`, rows, rows[0], [perElementStage(1, n)]);
}

/** n from a row name ending in `n=<size>`. */
function sizeOf(m: Measurement): number {
  return Number(m.name.slice(m.name.indexOf('n=') + 2));
}

const nsPerElement: Column = { header: 'ns / element', cell: (m) => ((m.ms * 1e6) / sizeOf(m)).toFixed(2) };

function orderBenchmark(): void {
  const opts = { warmup: 3, minTotalMs: 600, minRuns: 10, maxRuns: 2000 };
  for (const n of [11008, 13824]) {
    const below = 2 ** Math.floor(Math.log2(n));
    const rows = [n, below, 2 * below].map((size) => {
      const x = randomNormal(size, 3, 0);
      return size === n
        ? measure(`hadamardTransformInPlace n=${size}`, () => keep(hadamardTransformInPlace(x, normalized)), opts)
        : measure(`fwhtInPlace n=${size}`, () => keep(fwhtInPlace(x, normalized)), opts);
    });
    const perElementOf = (m: Measurement) => m.ms / sizeOf(m);
    const relative: Column = {
      header: 'hadamardTransformInPlace per-element time / this row\'s',
      cell: (m) => (perElementOf(rows[0]) / perElementOf(m)).toFixed(2),
    };
    report(`hadamardTransformInPlace at n = ${n} (Float64Array) and fwhtInPlace at the neighbouring powers of two`, rows, rows[0], [
      nsPerElement,
      relative,
    ]);
  }
}

export default function hadamardBench(): void {
  rowsBenchmark();
  vectorBenchmark();
  orderBenchmark();
}
