/**
 * `npm run demo`: QuIP# on the embedded example layer (examples/example-layer.ts), end to end, with the public API only.
 *
 *   1. incoherence processing (RHT where both dimensions have a Hadamard order, RFFT otherwise),
 *   2. regularized proxy Hessian and its block LDL factorization (g = 8),
 *   3. BlockLDLQ rounding with E8P12 (2 bits), its residual variants (3, 4 bits) and the baselines,
 *   4. the way back: reverse incoherence, reconstruction error and the error on the layer's outputs.
 * Every number printed is deterministic (seeded).
 */
import {
  blockLDL,
  blockLDLQ,
  E8P12,
  E8P12RVQ3B,
  E8P12RVQ4B,
  incoherence,
  incoherenceProcess,
  matrixFromRowMajor,
  proxyLoss,
  regularizeHessian,
  reverseIncoherence,
  ScalarCodebook,
  type Codebook,
  type Matrix,
} from '../src/index.js';
import { exampleLayer } from './example-layer.js';

const M = 512;
const N = 1376; // 172 * 8: a Williamson-type Hadamard order, like LLaMA's 11008 = 172 * 64
const SAMPLES = 2048;
const SEED = 2024;

function rms(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s / a.length);
}

function scaled(A: Matrix, s: number): Matrix {
  const out = new Float64Array(A.data.length);
  for (let i = 0; i < out.length; i++) out[i] = A.data[i] * s;
  return matrixFromRowMajor(out, A.shape[0], A.shape[1]);
}

/** ||A - B||_F / ||A||_F. */
function relativeError(A: Float64Array, B: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < A.length; i++) {
    num += (A[i] - B[i]) ** 2;
    den += A[i] * A[i];
  }
  return Math.sqrt(num / den);
}

/** max diag(H) / mean diag(H): how unevenly the proxy Hessian weighs the input channels. */
function diagonalSpread(H: Matrix): number {
  const n = H.shape[0];
  let max = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    max = Math.max(max, H.data[i * n + i]);
    sum += H.data[i * n + i];
  }
  return (max * n) / sum;
}

function table(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`;
  console.log(line(headers));
  for (const r of rows) console.log(line(r));
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, (performance.now() - t0) / 1000];
}

console.log(`quipsharp demo: one ${M} x ${N} layer, proxy Hessian from ${SAMPLES} correlated activations (seed ${SEED})\n`);
const layer = exampleLayer(M, N, SAMPLES, SEED);

// 1. Incoherence processing (QuIP# Algorithms 3 and 4)
const [processed, tInc] = timed(() => incoherenceProcess(layer.W, layer.H, { method: 'auto', seed: SEED }));
console.log(`1. incoherence processing: method '${processed.method}' (${tInc.toFixed(2)} s)`);
table(
  ['', 'mu_W = max|W| / rms(W)', 'max diag(H) / mean diag(H)'],
  [
    ['original', incoherence(layer.W).toFixed(2), diagonalSpread(layer.H).toFixed(2)],
    ['processed', incoherence(processed.W).toFixed(2), diagonalSpread(processed.H).toFixed(2)],
  ],
);

// 2. Regularized Hessian, block LDL (g = 8)
const Hreg = regularizeHessian(processed.H, 1e-2);
const [{ L }, tLDL] = timed(() => blockLDL(Hreg, 8));
console.log(`\n2. H' / mean(diag H') + 0.01 I factored as L D L^T in blocks of 8 (${tLDL.toFixed(2)} s)`);

// 3. Rounding: the layer is scaled to unit RMS times the codebook's optScale, rounded, and scaled back.
const Wp = processed.W;
const reference = proxyLoss(Wp, matrixFromRowMajor(new Float64Array(M * N), M, N), processed.H);
function quantizeWith(codebook: Codebook, adaptive: boolean): { What: Matrix; seconds: number } {
  const s = rms(Wp.data) / codebook.optScale;
  const Ws = scaled(Wp, 1 / s);
  const [What, seconds] = timed(() => {
    if (adaptive) return blockLDLQ(Ws, null, codebook, { L }).What;
    const { values } = codebook.quantize(Ws.data); // nearest rounding, row by row
    return matrixFromRowMajor(values, M, N);
  });
  return { What: scaled(What, s), seconds };
}
const runs: Array<[string, Codebook, boolean]> = [
  ['2-bit scalar, nearest', new ScalarCodebook(2, 8), false],
  ['2-bit scalar, LDLQ', new ScalarCodebook(2, 8), true],
  ['E8P12 (2 bit), nearest', E8P12, false],
  ['E8P12 (2 bit), BlockLDLQ', E8P12, true],
  ['E8P12RVQ3B (3 bit), BlockLDLQ', E8P12RVQ3B, true],
  ['E8P12RVQ4B (4 bit), BlockLDLQ', E8P12RVQ4B, true],
];
console.log(
  `\n3. rounding W': proxy loss tr(dW H dW^T) / tr(W H W^T) (H = X^T X / N, so its square root is the relative error ` +
    `of the layer's outputs on the activations X) and weight error ||dW||_F / ||W||_F`,
);
const rows: string[][] = [];
let quip2bit: Matrix | undefined;
for (const [label, codebook, adaptive] of runs) {
  const { What, seconds } = quantizeWith(codebook, adaptive);
  if (codebook === E8P12 && adaptive) quip2bit = What;
  rows.push([
    label,
    String(codebook.bitsPerWeight),
    (proxyLoss(Wp, What, processed.H) / reference).toExponential(3),
    relativeError(Wp.data, What.data).toFixed(4),
    seconds.toFixed(2),
  ]);
}
table(['', 'bits', 'proxy loss', 'weight error', 'seconds'], rows);

// 4. Back to the original basis
const back = reverseIncoherence(quip2bit!, processed);
const codeBytes = ((M * N) / 8) * 2;
console.log(`\n4. the 2-bit BlockLDLQ layer mapped back to the original basis`);
console.log(`   weight error ||W - What||_F / ||W||_F = ${relativeError(layer.W.data, back.data).toFixed(4)}`);
console.log(
  `   proxy loss with the original H = ${(proxyLoss(layer.W, back, layer.H) / reference).toExponential(3)} ` +
    `(unchanged: the transforms are orthogonal)`,
);
console.log(`   codes: ${codeBytes} bytes (${((8 * codeBytes) / (M * N)).toFixed(2)} bits/weight), float16 weights: ${M * N * 2} bytes`);
