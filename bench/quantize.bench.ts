/**
 * Layer benchmarks: quantizeLinear on a 4096 x 4096 layer on one and on two threads (per-stage split), the
 * LLaMA-2-7B MLP pair 4096 x 11008 and 11008 x 4096 (time and peak memory, each in a process of its own), and
 * compressed inference: QuantizedLinear.matvec and matmul (batch 16) of a 4096 x 4096 2-bit layer beside a dense
 * Float32Array matrix-vector and matrix-matrix product of the same layer, as GB/s of weight data read.
 *
 * `npm run bench -- quantize` runs it all; `npm run bench -- quantize matvec` only the inference part,
 * `... quantize layer` only the 4096 x 4096 layer and its inference, `... quantize mlp` only the MLP pair,
 * `... quantize tune` the tuneIters comparison and `... quantize hessian` HessianAccumulator on its two kernels.
 * Each figure is the median of several runs with their spread (min..max).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { measure } from './harness.js';
import { exampleLayer, HessianAccumulator, matrixFromRowMajor, quantizeLinear, quantizeLinearSync, randomNormal, type Matrix, type QuantizedLinear } from '../src/index.js';
import { useSimdGemm } from '../src/ldlq/gemm.js';

/** A reproducible SPD proxy Hessian: diag(1 + d^2) plus 16 rank-one factors (cheap to build at n = 11008). */
export function syntheticHessian(n: number, seed: number): Matrix {
  const r = 16;
  const F = randomNormal(r * n, seed);
  const d = randomNormal(n, seed + 1);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1 + d[i] * d[i];
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < n; i++) {
      const a = F[k * n + i];
      const row = i * n;
      for (let j = 0; j < n; j++) H[row + j] += a * F[k * n + j];
    }
  }
  return matrixFromRowMajor(H, n, n);
}

function layer(m: number, n: number): { W: Matrix; H: Matrix } {
  return { W: matrixFromRowMajor(randomNormal(m * n, 1), m, n), H: syntheticHessian(n, 2) };
}

function spread(times: number[]): string {
  const s = times.slice().sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(2)} (${s[0].toFixed(2)}..${s[s.length - 1].toFixed(2)})`;
}

/** A dense row-major Float32Array matrix-vector product, unrolled by 8 (the peer of matvec). */
function denseMatvec(A: Float32Array, m: number, n: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let j = 0; j < n; j += 8) {
      s0 += A[o + j] * x[j];
      s1 += A[o + j + 1] * x[j + 1];
      s2 += A[o + j + 2] * x[j + 2];
      s3 += A[o + j + 3] * x[j + 3];
      s4 += A[o + j + 4] * x[j + 4];
      s5 += A[o + j + 5] * x[j + 5];
      s6 += A[o + j + 6] * x[j + 6];
      s7 += A[o + j + 7] * x[j + 7];
    }
    y[i] = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  }
}

/** Y (B x m) = X (B x n) A^T for a dense Float32Array A, 4 rows of A at a time against every batch row. */
function denseMatmul(A: Float32Array, m: number, n: number, X: Float32Array, B: number, Y: Float32Array): void {
  for (let i = 0; i < m; i += 4) {
    const a0 = i * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
    for (let b = 0; b < B; b++) {
      const xo = b * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < n; j++) {
        const x = X[xo + j];
        s0 += A[a0 + j] * x;
        s1 += A[a1 + j] * x;
        s2 += A[a2 + j] * x;
        s3 += A[a3 + j] * x;
      }
      Y[b * m + i] = s0;
      Y[b * m + i + 1] = s1;
      Y[b * m + i + 2] = s2;
      Y[b * m + i + 3] = s3;
    }
  }
}

function inference(q: QuantizedLinear): void {
  const { outFeatures: m, inFeatures: n } = q;
  const A = Float32Array.from(q.dequantize().data);
  const x = Float32Array.from(randomNormal(n, 3));
  const y = new Float32Array(m);
  const opts = { warmup: 3, minTotalMs: 3000, minRuns: 15, maxRuns: 200 };
  const times = (f: () => void) => {
    const t: number[] = [];
    const r = measure('', () => {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }, opts);
    return { t, best: r.ms };
  };
  const dense = times(() => denseMatvec(A, m, n, x, y));
  const ours = times(() => q.matvec(x, y));
  const codeBytes = q.codes.byteLength;
  const denseBytes = A.byteLength;
  const med = (t: number[]) => t.slice().sort((a, b) => a - b)[t.length >> 1];
  console.log(`### matvec, ${m} x ${n} E8P12 layer, float32 input (transforms included)\n`);
  console.log('| | ms median (min..max) | weight bytes | GB/s of weight data |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| dense Float32Array matvec | ${spread(dense.t)} | ${denseBytes} | ${(denseBytes / med(dense.t) / 1e6).toFixed(2)} |`);
  console.log(`| QuantizedLinear.matvec | ${spread(ours.t)} | ${codeBytes} | ${(codeBytes / med(ours.t) / 1e6).toFixed(2)} |`);
  console.log(`\nmatvec time / dense time: ${(med(ours.t) / med(dense.t)).toFixed(2)} (target <= 1.5), reading ${(denseBytes / codeBytes).toFixed(0)}x fewer weight bytes\n`);

  const B = 16;
  const X = Float32Array.from(randomNormal(B * n, 4));
  const Y = new Float32Array(B * m);
  const Xm = matrixFromRowMajor(Float64Array.from(X), B, n);
  const denseB = times(() => denseMatmul(A, m, n, X, B, Y));
  const oursB = times(() => q.matmul(Xm));
  console.log(`### matmul, batch ${B}\n`);
  console.log('| | ms median (min..max) |');
  console.log('| --- | --- |');
  console.log(`| dense Float32Array batched product | ${spread(denseB.t)} |`);
  console.log(`| QuantizedLinear.matmul | ${spread(oursB.t)} |`);
  console.log(`\nmatmul time / dense time: ${(med(oursB.t) / med(denseB.t)).toFixed(2)} (target <= 1.5)\n`);
}

async function quantize4096(): Promise<QuantizedLinear> {
  const { W, H } = layer(4096, 4096);
  const runs = 3;
  const rows: string[] = [];
  let q!: QuantizedLinear;
  const totals: Record<string, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < runs; r++) {
    for (const threads of [1, 2]) {
      q = threads === 1 && r === 0 ? quantizeLinearSync(W, H, { seed: 1 }) : await quantizeLinear(W, H, { seed: 1, threads });
      const s = q.report!.seconds;
      totals[threads].push(s.total);
      rows.push(`| ${threads} | ${r + 1} | ${s.total.toFixed(1)} | ${s.incoherence.toFixed(1)} | ${s.factorize.toFixed(1)} | ${s.round.toFixed(1)} | ${s.report.toFixed(1)} |`);
    }
  }
  console.log('### quantizeLinear, 4096 x 4096, E8P12 (run 1 of threads 1 is quantizeLinearSync)\n');
  console.log('| threads | run | total s | incoherence s | factorize s | round s | report s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  const med = (t: number[]) => t.slice().sort((a, b) => a - b)[t.length >> 1];
  console.log(`\nmedian (min..max): 1 thread ${spread(totals[1])} s, 2 threads ${spread(totals[2])} s; speed-up ${(med(totals[1]) / med(totals[2])).toFixed(2)}x\n`);
  return q;
}

/** quantizeLinear m x n in a child process of its own, for its peak resident memory. */
function mlpLayer(m: number, n: number, threads: number): string {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', String(m), String(n), String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return out.trim();
}

async function child(m: number, n: number, threads: number): Promise<void> {
  const { W, H } = layer(m, n);
  const q = await quantizeLinear(W, H, { seed: 1, threads });
  const peak = process.resourceUsage().maxRSS * 1024; // bytes (maxRSS is in KiB)
  const bound = (4 * n * n + 4 * m * n) * 8 + 256 * 2 ** 20;
  const s = q.report!.seconds;
  console.log(`| ${m} x ${n} | ${threads} | ${s.total.toFixed(1)} | ${s.factorize.toFixed(1)} | ${s.round.toFixed(1)} | ${(peak / 2 ** 30).toFixed(2)} | ${(bound / 2 ** 30).toFixed(2)} |`);
}

/** tuneIters 0 against QuIP#'s 10 on the example layers: relative proxy loss and time. */
function tuning(): void {
  console.log('### tuneIters 0 vs 10 (QuIP#\'s scripts), example layers, E8P12\n');
  console.log('| layer | tuneIters | relative proxy loss | seconds |');
  console.log('| --- | --- | --- | --- |');
  for (const [m, n] of [[512, 512], [512, 1376], [1376, 512]]) {
    const { W, H } = exampleLayer(m, n, 2048, 2024);
    for (const tuneIters of [0, 10]) {
      const q = quantizeLinearSync(W, H, { seed: 1, tuneIters });
      console.log(`| ${m} x ${n} | ${tuneIters} | ${q.report!.relativeProxyLoss.toExponential(4)} | ${q.report!.seconds.total.toFixed(1)} |`);
    }
  }
  console.log('');
}

/** HessianAccumulator.add of 4096 rows of 4096 features on the SIMD tile kernel and on the scalar one (same sums). */
function hessianAccumulation(): void {
  const n = 4096;
  const rows = 4096;
  const X = Float32Array.from(randomNormal(rows * n, 3));
  const macs = (rows * n * n) / 2;
  console.log(`### HessianAccumulator.add, ${rows} rows of ${n} features (n^2 N / 2 multiply-adds)\n`);
  console.log('| kernel | s median (min..max) | GMAC/s |');
  console.log('| --- | --- | --- |');
  const seconds: Record<string, number> = {};
  for (const [name, simd] of [['WebAssembly SIMD', true], ['scalar JavaScript', false]] as const) {
    useSimdGemm(simd);
    const t: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      new HessianAccumulator(n).add(X);
      t.push((performance.now() - t0) / 1e3);
    }
    useSimdGemm(true);
    const sorted = t.slice().sort((a, b) => a - b);
    seconds[name] = sorted[1];
    console.log(`| ${name} | ${sorted[1].toFixed(2)} (${sorted[0].toFixed(2)}..${sorted[2].toFixed(2)}) | ${(macs / sorted[1] / 1e9).toFixed(2)} |`);
  }
  console.log(`\nSIMD kernel: ${(seconds['scalar JavaScript'] / seconds['WebAssembly SIMD']).toFixed(2)}x the scalar one\n`);
}

export default async function run(): Promise<void> {
  const only = process.argv.slice(2);
  if (only.includes('tune')) return tuning();
  if (only.includes('hessian')) return hessianAccumulation();
  if (only.includes('matvec')) {
    const { W, H } = layer(4096, 4096);
    inference(quantizeLinearSync(W, H, { seed: 1 }));
    return;
  }
  const mlpOnly = only.includes('mlp');
  if (!mlpOnly) inference(await quantize4096());
  if (only.includes('layer')) return;
  console.log('### quantizeLinear, the LLaMA-2-7B MLP pair (each in its own process, all cores)\n');
  console.log('| shape | threads | total s | factorize s | round s | peak RSS GiB | bound 4 n^2 + 4 m n doubles + 256 MiB, GiB |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(mlpLayer(4096, 11008, 2));
  console.log(mlpLayer(11008, 4096, 2));
  console.log('');
}

if (process.argv[2] === 'child') await child(+process.argv[3], +process.argv[4], +process.argv[5]);
