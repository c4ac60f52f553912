/**
 * `npm run demo`: QuIP# on the embedded example layer, end to end, with the public API only: quantizeLinear on
 * every core with each codebook (and the baselines), the report it returns, and compressed inference with
 * matvec checked against the materialized W_hat. Every number printed is deterministic (seeded); the seconds
 * are not.
 */
import {
  exampleLayer,
  incoherence,
  incoherenceProcess,
  quantizeLinear,
  randomNormal,
  ScalarCodebook,
  type QuantizeLinearOptions,
} from '../src/index.js';

const M = 512;
const N = 1376; // 172 * 8: a Hadamard order that is not a power of two, like LLaMA's 11008 = 172 * 64
const SAMPLES = 2048;
const SEED = 2024;

function table(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`;
  console.log(line(headers));
  for (const r of rows) console.log(line(r));
}

console.log(`quipsharp demo: one ${M} x ${N} layer, proxy Hessian from ${SAMPLES} correlated activations (seed ${SEED})\n`);
const { W, H } = exampleLayer(M, N, SAMPLES, SEED);

const processed = incoherenceProcess(W, H, { seed: SEED });
console.log(`1. incoherence processing ('${processed.method}'): mu_W = max|W_ij| sqrt(m n) / ||W||_F`);
console.log(`   original ${incoherence(W).toFixed(2)}, processed ${incoherence(processed.W).toFixed(2)}\n`);

console.log('2. quantizeLinear (all cores): relative proxy loss tr(dW H dW^T) / tr(W H W^T), weight error ||dW||_F / ||W||_F');
const runs: Array<[string, QuantizeLinearOptions]> = [
  ['2-bit scalar, no incoherence', { codebook: new ScalarCodebook(2, 8), incoherence: 'none' }],
  ['2-bit scalar, incoherence + LDLQ', { codebook: new ScalarCodebook(2, 8) }],
  ['E8P12, no incoherence', { incoherence: 'none' }],
  ['E8P12 (QuIP# 2 bit)', {}],
  ['E8P12RVQ3B (3 bit)', { codebook: 'e8p12-rvq3' }],
  ['E8P12RVQ4B (4 bit)', { codebook: 'e8p12-rvq4' }],
];
const rows: string[][] = [];
let twoBit;
for (const [label, options] of runs) {
  const q = await quantizeLinear(W, H, { seed: SEED, ...options });
  const r = q.report!;
  if (label.startsWith('E8P12 (QuIP#')) twoBit = q;
  rows.push([label, r.bitsPerWeight.toFixed(3), r.relativeProxyLoss.toExponential(3), r.weightError.toFixed(4), `${r.threads}`, r.seconds.total.toFixed(2)]);
}
table(['', 'bits/weight', 'proxy loss', 'weight error', 'threads', 'seconds'], rows);

const q = twoBit!;
const x = Float32Array.from(randomNormal(N, 7));
const t0 = performance.now();
const y = q.matvec(x);
const ms = performance.now() - t0;
const Wq = q.dequantize().data;
let worst = 0;
let scale = 0;
for (let i = 0; i < M; i++) {
  let dense = 0;
  for (let j = 0; j < N; j++) dense += Wq[i * N + j] * x[j];
  worst = Math.max(worst, Math.abs(dense - y[i]));
  scale = Math.max(scale, Math.abs(dense));
}
console.log(`\n3. compressed inference: y = W_hat x from the codes (${q.codes.byteLength} bytes of codes, float16 weights would be ${M * N * 2})`);
console.log(`   matvec in ${ms.toFixed(2)} ms; max |y - W_hat x| / max |W_hat x| = ${(worst / scale).toExponential(2)} (float32 input)`);
