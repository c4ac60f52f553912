/**
 * The rounding of a prepared layer, for a range of its rows, and the per-row sums the report needs. Rows of W'
 * are independent in BlockLDLQ (every product sums in a fixed order that does not depend on how many rows are
 * rounded together), so any split of the rows across threads gives the same codes bit for bit; the per-row
 * sums are added in row order afterwards, so the report does not depend on the split either.
 */
import { matrixFromRowMajor } from '../core/index.js';
import type { Codebook } from '../lattice/index.js';
import { blockLDLQ, gemmAccumulate } from '../ldlq/index.js';
import type { PreparedLayer } from './prepare.js';
import { rowEnergies } from './energy.js';

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
export type RowsJob = Pick<PreparedLayer, 'm' | 'n' | 'U' | 'L' | 'D' | 'Hp'> & {
  tuneIters: number;
  /** The user's W (m x n) and H (n x n), for the energies; null where the caller computes them itself. */
  W: Float64Array | null;
  H: Float64Array | null;
};

/**
 * Rounds rows [r0, r1) of job.U with BlockLDLQ (buffered sweep, L given), writes their codes into `codes`
 * (row-major, all rows) and their sums into `sums` (indexed by row). `onBlocks(k)` reports k more rounded
 * column blocks (of (1 + tuneIters) n / g per row range).
 */
export function roundRows(
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
  const U = job.U.subarray(r0 * n, r1 * n);
  let last = 0;
  const result = blockLDLQ(matrixFromRowMajor(U.slice(), rows, n), tuneIters > 0 ? matrixFromRowMajor(job.Hp!, n, n) : null, codebook, {
    L: matrixFromRowMajor(job.L, n, n),
    tuneIters,
    returnRounded: true,
    onProgress: onBlocks && ((done) => (onBlocks(done - last), (last = done))),
  });
  const words = (n / g) * codebook.codeWords;
  codes.set(result.codes, r0 * words);
  const What = result.What.data;
  const R = new Float64Array(rows * n);
  for (let k = 0; k < R.length; k++) R[k] = U[k] - What[k];
  // tr(R H' R^T): from the rounding's own errors E = What - X when no tuning pass moved What (R L = -E),
  // else from R L directly.
  const E = tuneIters === 0 ? negatedErrors(What, result.rounded!.data) : timesUnitBlockLower(R, rows, n, job.L, g);
  blockQuadraticForms(E, rows, n, job.D, g, sums.loss, r0);
  for (let i = 0; i < rows; i++) {
    let r2 = 0;
    for (let k = i * n; k < (i + 1) * n; k++) r2 += R[k] * R[k];
    sums.residualSq[r0 + i] = r2;
  }
  if (job.W && job.H) rowEnergies(job.W, job.H, n, r0, r1, sums.energy);
}

/** X - What (= R L), elementwise. */
function negatedErrors(What: Float64Array, X: Float64Array): Float64Array {
  const out = new Float64Array(What.length);
  for (let k = 0; k < out.length; k++) out[k] = X[k] - What[k];
  return out;
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

/** out[r0 + i] = sum_k y_k D_k y_k^T for each row y of the rows x n matrix Y, D_k the g x g blocks. */
function blockQuadraticForms(Y: Float64Array, rows: number, n: number, D: Float64Array, g: number, out: Float64Array, r0: number): void {
  for (let i = 0; i < rows; i++) {
    let total = 0;
    for (let k = 0; k < n / g; k++) {
      const y = i * n + k * g;
      const d = k * g * g;
      for (let a = 0; a < g; a++) {
        let row = 0;
        for (let b = 0; b < g; b++) row += D[d + a * g + b] * Y[y + b];
        total += Y[y + a] * row;
      }
    }
    out[r0 + i] = total;
  }
}
