/**
 * Incoherence processing on a layer with outliers: QuIP#'s randomized Hadamard transform (RHT) spreads a few
 * large weights over every entry, W' = U W V^T and H' = V H V^T (U, V orthogonal: random signs, then a
 * Hadamard transform), so that rounding them costs little. Printed before and after: the largest |W_ij|, QuIP's
 * incoherence mu_W = max |W_ij| sqrt(m n) / ||W||_F (max |W_ij| over the RMS weight: 1 when all entries are
 * equal in size, sqrt(m n) for a single non-zero), and H's largest diagonal entry over its mean (loud input
 * channels). Then the exact inverse.
 *
 *   npx tsx examples/incoherence.ts
 */
import ndarray from 'ndarray';
import { HessianAccumulator, incoherence, incoherenceProcess, randomNormal, reverseIncoherence, type Matrix } from 'quipsharp';

const m = 512;
const n = 1024;

// A Gaussian layer with 0.5% of its weights 25 times larger ...
const Wdata = randomNormal(m * n, 1, 0);
const pick = randomNormal(m * n, 1, 1);
for (let i = 0; i < Wdata.length; i++) if (Math.abs(pick[i]) > 2.807) Wdata[i] *= 25; // P(|z| > 2.807) = 0.5%
const W = ndarray(Wdata, [m, n]);
// ... and inputs whose channels 0..3 are 40 times louder than the others: H = (1/N) sum_r x_r x_r^T.
const N = 2048;
const X = randomNormal(N * n, 1, 2);
for (let r = 0; r < N; r++) for (let j = 0; j < 4; j++) X[r * n + j] *= 40;
const H = new HessianAccumulator(n).add(X).hessian();

function describe(label: string, w: Matrix, h: Matrix): void {
  let maxW = 0;
  for (const v of w.data) maxW = Math.max(maxW, Math.abs(v));
  let maxDiag = 0;
  let meanDiag = 0;
  for (let j = 0; j < n; j++) {
    maxDiag = Math.max(maxDiag, h.get(j, j));
    meanDiag += h.get(j, j) / n;
  }
  const cells = [maxW.toFixed(2), incoherence(w).toFixed(2), (maxDiag / meanDiag).toFixed(2)];
  console.log(`${label.padEnd(8)}${cells.map((c) => c.padStart(12)).join('')}`);
}

const processed = incoherenceProcess(W, H, { method: 'rht', seed: 0 });
console.log(`a ${m} x ${n} layer with outlier weights, 4 loud input channels; RHT, seed 0`);
console.log(`${''.padEnd(8)}${['max|W_ij|', 'mu_W', 'maxH/meanH'].map((c) => c.padStart(12)).join('')}`);
describe('before', W, H);
describe('after', processed.W, processed.H);
console.log(`(a Gaussian ${m} x ${n} matrix has mu_W about sqrt(2 ln(m n)) = ${Math.sqrt(2 * Math.log(m * n)).toFixed(2)})`);

// Exactly invertible: U^T W' V is W again, up to round-off.
const back = reverseIncoherence(processed.W, processed);
let err = 0;
for (let i = 0; i < m * n; i++) err = Math.max(err, Math.abs(back.data[i] - Wdata[i]));
console.log(`reverseIncoherence(W') vs W: max abs difference ${err.toExponential(2)}`);
