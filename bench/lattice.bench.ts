/**
 * Lattice benchmarks: E8P12.quantize and decodeRows throughput on 10^6 vectors (single thread),
 * side by side with the brute-force scan over all 65536 points (timed on a 2,000-vector subset and
 * extrapolated linearly: it costs the same per vector) and a plain grid-lookup decode; then the residual
 * codebooks and nearestE8Rows; then the distortion table (MSE per coordinate on 10^6 unit-Gaussian vectors
 * at optScale, and the best scale of a sweep on 2 * 10^5 vectors). Targets: E8P12.quantize at least 2 * 10^6
 * vectors/s (QuIP#'s own CPU path manages about 9,000), decodeRows at least 5 * 10^7 vectors/s.
 */
import { keep, measure, report, type Column, type Measurement } from './harness.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ScalarCodebook, nearestE8Rows, type Codebook } from '../src/lattice/index.js';
import { randomNormal } from '../src/random/index.js';
import { lloydMaxQuantizer } from '../src/lattice/gaussian.js';
import { bruteForceNearest, pointTable } from '../test/lattice-helpers.js';

const N = 1_000_000;

function throughput(n: number): Column {
  return { header: 'vectors / s', cell: (m: Measurement) => `${((n / m.ms) * 1e3 / 1e6).toFixed(2)} M` };
}

/** A measurement of `sub` vectors scaled to `n` (the work is the same for every vector). */
function extrapolate(m: Measurement, sub: number, n: number): Measurement {
  const f = n / sub;
  return { ...m, name: `${m.name} (${sub} vectors, x${f} extrapolated)`, ms: m.ms * f, medianMs: m.medianMs * f };
}

function quantizeBenchmark(): void {
  const X = randomNormal(8 * N, 1);
  for (let i = 0; i < X.length; i++) X[i] *= E8P12.optScale;
  const X32 = Float32Array.from(X);
  const opts = { warmup: 1, minTotalMs: 2000, minRuns: 3, maxRuns: 10 };
  const ours = measure('E8P12.quantize (f64 input)', () => keep(E8P12.quantize(X).codes), opts);
  const ours32 = measure('E8P12.quantize (f32 input)', () => keep(E8P12.quantize(X32).codes), opts);
  const sub = 2000;
  const table = pointTable(E8P12.grid());
  const Xs = X.subarray(0, 8 * sub);
  const brute = extrapolate(measure('brute force over 65536 points', () => keep(bruteForceNearest(table, Xs)), { warmup: 1, minRuns: 3, maxRuns: 3 }), sub, N);
  const e8 = measure('nearestE8Rows (lattice, unbounded)', () => keep(nearestE8Rows(X)), opts);
  const scalar = measure('ScalarCodebook(2, 8).quantize', () => keep(new ScalarCodebook(2, 8).quantize(X).codes), opts);
  report(`quantize, ${N} Gaussian vectors (x 1.03), allocation of codes and values included`, [ours, ours32, brute, e8, scalar], brute, [throughput(N)]);

  const rvq = [E8P12RVQ3B, E8P12RVQ4B].map((cb) => measure(`${cb.name}.quantize`, () => keep(cb.quantize(X).codes), opts));
  report(`residual codebooks, quantize ${N} vectors`, [ours, ...rvq], ours, [throughput(N)]);
}

function decodeBenchmark(): void {
  const codes = E8P12.quantize(randomNormal(8 * N, 2)).codes;
  const out32 = new Float32Array(8 * N);
  const out64 = new Float64Array(8 * N);
  const grid = E8P12.grid();
  const opts = { warmup: 2, minTotalMs: 1000, minRuns: 5, maxRuns: 50 };
  const ours32 = measure('E8P12.decodeRows -> Float32Array', () => keep(E8P12.decodeRows(codes, out32)), opts);
  const ours64 = measure('E8P12.decodeRows -> Float64Array', () => keep(E8P12.decodeRows(codes, out64)), opts);
  const lookup = measure('grid() row copy loop -> Float32Array', () => {
    for (let r = 0; r < N; r++) {
      const c = 8 * codes[r];
      for (let i = 0; i < 8; i++) out32[8 * r + i] = grid[c + i];
    }
    keep(out32);
  }, opts);
  const pairs = E8P12RVQ4B.quantize(randomNormal(8 * N, 3)).codes;
  const rvq4 = measure('E8P12RVQ4B.decodeRows -> Float32Array', () => keep(E8P12RVQ4B.decodeRows(pairs, out32)), opts);
  report(`decodeRows, ${N} codes (preallocated output)`, [ours32, ours64, lookup, rvq4], lookup, [throughput(N)]);
}

/** MSE per coordinate of x (unit Gaussian) quantized at `scale`: values / scale against x. */
function mse(cb: Codebook, x: Float64Array, scale: number): number {
  const { values } = cb.quantize(x.map((v) => v * scale));
  let se = 0;
  for (let i = 0; i < x.length; i++) se += (values[i] / scale - x[i]) ** 2;
  return se / x.length;
}

function distortionTable(): void {
  const X = randomNormal(8 * N, 2024);
  const sweepX = X.subarray(0, 8 * 200_000);
  const rows = ['| codebook | bits / weight | MSE at optScale (10^6 vectors) | optScale | sweep best scale | MSE there (2e5 vectors) |', '| --- | --- | --- | --- | --- | --- |'];
  for (const cb of [E8P12, E8P12RVQ3B, E8P12RVQ4B, new ScalarCodebook(2, 8), new ScalarCodebook(3, 8), new ScalarCodebook(4, 8)]) {
    let best = { scale: 0, d: Infinity };
    for (let k = 85; k <= 115; k++) {
      const d = mse(cb, sweepX, k / 100);
      if (d < best.d) best = { scale: k / 100, d };
    }
    rows.push(`| ${cb.name} | ${cb.bitsPerWeight} | ${mse(cb, X, cb.optScale).toFixed(5)} | ${cb.optScale} | ${best.scale.toFixed(2)} | ${best.d.toFixed(5)} |`);
  }
  rows.push(`| Lloyd-Max, 2 bits (exact, Lloyd's algorithm on N(0, 1)) | 2 | ${lloydMaxQuantizer(4).mse.toFixed(5)} | | | |`);
  console.log(`### distortion on unit-Gaussian input (rate-distortion bound at 2 bits: 1/16 = 0.0625)\n\n${rows.join('\n')}\n`);
}

export default function latticeBenchmarks(): void {
  quantizeBenchmark();
  decodeBenchmark();
  distortionTable();
}
