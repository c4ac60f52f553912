/**
 * The rounding of a prepared layer, for a range of its rows, and the per-row sums the report needs. Rows of W'
 * are independent in BlockLDLQ (every product sums in a fixed order that does not depend on how many rows are
 * rounded together), so any split of the rows across threads gives the same codes bit for bit; the per-row
 * sums are added in row order afterwards, so the report does not depend on the split either.
 */
import { matrixFromRowMajor } from '../core/index.js';
import type { Codebook } from '../lattice/index.js';
import { blockLDLQ, blockLDLQInPlaceSteps, gemmAccumulate, sweepProductCPU, type SweepProduct } from '../ldlq/index.js';
import type { PreparedLayer } from './prepare.js';

/** What the report needs per row, in the processed, codebook-scaled basis (multiply by scale^2 for W' units). */
export interface RowSums {
  /** sum_k e_k D_k e_k^T: row i's share of tr(R' H' R'^T) (R' = U - What, via R' L = -E). */
  loss: Float64Array;
  /** ||R'_i||^2. */
  residualSq: Float64Array;
  /** w_i^T H w_i with the user's W and H: row i's share of tr(W H W^T). */
  energy: Float64Array;
}

/** The input a rows job works on (flat row-major arrays; in a worker they view shared memory). */
export type RowsJob = Pick<PreparedLayer, 'm' | 'n' | 'U' | 'L' | 'D' | 'Hp'> & { tuneIters: number };

/**
 * Rounds rows [r0, r1) of job.U with BlockLDLQ (buffered sweep, L given), writes their codes into `codes`
 * (row-major, all rows) and their loss and residual into `sums` (indexed by row). Without tuning passes the rows
 * of job.U are overwritten with their residual R' = U - What (job.U is the caller's own copy), with no other
 * m x n array; with them, blockLDLQ works on copies. `onBlocks(k)` reports k more rounded column blocks (of
 * (1 + tuneIters) n / g per row range). Errors name `fn`.
 */
export function roundRows(
  fn: string,
  job: RowsJob,
  codebook: Codebook,
  r0: number,
  r1: number,
  codes: Uint16Array,
  sums: RowSums,
  onBlocks?: (k: number) => void,
): void {
  const { n, tuneIters } = job;
  const rows = r1 - r0;
  if (rows <= 0) return;
  const g = codebook.dim;
  const words = (n / g) * codebook.codeWords;
  const U = job.U.subarray(r0 * n, r1 * n);
  const onProgress = progressOf(onBlocks);
  if (tuneIters === 0) {
    const sweep = ldlqSweep(fn, job, codebook, r0, r1, codes, sums, onBlocks);
    for (const product of sweep.steps) sweepProductCPU(product);
    sweep.finish();
    return;
  }
  const result = blockLDLQ(matrixFromRowMajor(U.slice(), rows, n), matrixFromRowMajor(job.Hp!, n, n), codebook, {
    L: matrixFromRowMajor(job.L, n, n),
    tuneIters,
    onProgress,
  });
  codes.set(result.codes, r0 * words);
  const What = result.What.data;
  const R = new Float64Array(rows * n);
  for (let k = 0; k < R.length; k++) R[k] = U[k] - What[k];
  // A tuning pass moved What away from the LDLQ rounding, so tr(R H' R^T) comes from R L = -E directly.
  const E = timesUnitBlockLower(R, rows, n, job.L, g);
  sums.loss.fill(0, r0, r1);
  for (let k0 = 0; k0 < n; k0 += g) addBlockForms(E, null, rows, g, job.D, k0, sums.loss, r0, n);
  rowSquares(R, rows, n, sums.residualSq, r0);
}

/**
 * Rounds every row of job.U as {@link roundRows} does without tuning passes (job.tuneIters must be 0), with each
 * product of the sweep computed by `compute` (awaited when it returns a Promise; it must leave in X what
 * sweepProductCPU would, up to its own rounding): the path of a device backend. Errors name `fn`.
 */
export async function roundRowsWith(
  fn: string,
  job: RowsJob,
  codebook: Codebook,
  codes: Uint16Array,
  sums: RowSums,
  compute: (product: SweepProduct) => Promise<void> | void,
  onBlocks?: (k: number) => void,
): Promise<void> {
  if (job.m <= 0) return;
  const sweep = ldlqSweep(fn, job, codebook, 0, job.m, codes, sums, onBlocks);
  for (const product of sweep.steps) await compute(product);
  sweep.finish();
}

/** `onBlocks` as a BlockLDLQ onProgress(done): reports the blocks done since the last call. */
function progressOf(onBlocks: ((k: number) => void) | undefined): ((done: number) => void) | undefined {
  let last = 0;
  return onBlocks && ((done: number) => (onBlocks(done - last), (last = done)));
}

/**
 * The BlockLDLQ sweep (no tuning) of rows [r0, r1) of job.U, overwritten with their residual: its products, for
 * the caller to compute in order, and `finish()`, which stores the codes and the residual sums once they are done.
 * The loss sums are added as the blocks are rounded.
 */
function ldlqSweep(fn: string, job: RowsJob, codebook: Codebook, r0: number, r1: number, codes: Uint16Array, sums: RowSums, onBlocks?: (k: number) => void) {
  const { n } = job;
  const rows = r1 - r0;
  const g = codebook.dim;
  const U = job.U.subarray(r0 * n, r1 * n);
  sums.loss.fill(0, r0, r1);
  // E_k = What_k - X_k, row i's share of the loss summed over the blocks as they are rounded (last to first).
  const onBlock = (k0: number, X: Float64Array, P: Float64Array) => addBlockForms(X, P, rows, g, job.D, k0, sums.loss, r0);
  const { steps, codes: rowCodes } = blockLDLQInPlaceSteps(fn, U, rows, n, job.L, codebook, onBlock, progressOf(onBlocks));
  const finish = (): void => {
    codes.set(rowCodes, r0 * (n / g) * codebook.codeWords);
    rowSquares(U, rows, n, sums.residualSq, r0);
  };
  return { steps, finish };
}

/** out[r0 + i] = ||row i||^2 of the rows x n A. */
function rowSquares(A: Float64Array, rows: number, n: number, out: Float64Array, r0: number): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = i * n; k < (i + 1) * n; k++) s += A[k] * A[k];
    out[r0 + i] = s;
  }
}

/** A L for a rows x n A and the unit block-lower L (zero above its g x g diagonal blocks): m n^2 / 2 flops. */
function timesUnitBlockLower(A: Float64Array, rows: number, n: number, L: Float64Array, g: number): Float64Array {
  const out = new Float64Array(rows * n);
  const panel = Math.max(g, Math.round(256 / g) * g);
  for (let c0 = 0; c0 < n; c0 += panel) {
    const w = Math.min(panel, n - c0);
    // Columns c0..c0+w of A L take rows p >= c0 of L only.
    gemmAccumulate(rows, w, n - c0, { data: A, offset: c0, ld: n, trans: false }, { data: L, offset: c0 * n + c0, ld: n, trans: false }, out, c0, n);
  }
  return out;
}

/**
 * out[r0 + i] += y_i D_k y_i^T for block k (columns k0 .. k0+g) of each row, with y = Y - P (P given, both
 * rows x g) or y = Y[i, k0 .. k0+g) (P null, Y rows x ld), D_k the g x g block of D at k0 g.
 */
function addBlockForms(Y: Float64Array, P: Float64Array | null, rows: number, g: number, D: Float64Array, k0: number, out: Float64Array, r0: number, ld = g): void {
  const d = k0 * g;
  const y = new Float64Array(g);
  for (let i = 0; i < rows; i++) {
    const o = P ? i * g : i * ld + k0;
    for (let t = 0; t < g; t++) y[t] = P ? P[i * g + t] - Y[o + t] : Y[o + t];
    let total = 0;
    for (let a = 0; a < g; a++) {
      let row = 0;
      for (let b = 0; b < g; b++) row += D[d + a * g + b] * y[b];
      total += y[a] * row;
    }
    out[r0 + i] += total;
  }
}
