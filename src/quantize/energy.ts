/**
 * tr(W H W^T), the denominator of the relative proxy loss, with the user's W (m x n) and H (n x n, symmetric):
 * sum_i w_i^T H w_i computed from H's lower triangle only, m n^2 / 2 multiply-adds (plus m n P / 2 for the
 * diagonal blocks). For column panel P = [c0, c1) of width at most P, with Z = W[:, c1..] H[c1.., P] (the part
 * strictly below the panel) and D = W[:, P] H[P, P],
 *   w^T H w = sum_P sum_{k in P} w_k (2 Z_k + D_k),
 * since a symmetric form counts each pair (j, k) with j outside the panel twice and the diagonal block once.
 * Every row's value is a fixed function of that row and H (the GEMM sums each entry in a fixed order whatever the
 * number of rows), so rows can be split across threads and the per-row values summed in row order afterwards.
 */
import { rangeError } from '../errors/index.js';
import { gemmAccumulate } from '../ldlq/index.js';

const PANEL = 128;

/** out[i] = w_i^T H w_i for rows i in [r0, r1) of the row-major m x n W. */
export function rowEnergies(W: Float64Array, H: Float64Array, n: number, r0: number, r1: number, out: Float64Array): void {
  const rows = r1 - r0;
  if (rows <= 0) return;
  const Z = new Float64Array(rows * PANEL);
  const D = new Float64Array(rows * PANEL);
  out.fill(0, r0, r1);
  for (let c0 = 0; c0 < n; c0 += PANEL) {
    const w = Math.min(PANEL, n - c0);
    Z.fill(0);
    D.fill(0);
    const c1 = c0 + w;
    gemmAccumulate(rows, w, n - c1, { data: W, offset: r0 * n + c1, ld: n, trans: false }, { data: H, offset: c1 * n + c0, ld: n, trans: false }, Z, 0, PANEL);
    gemmAccumulate(rows, w, w, { data: W, offset: r0 * n + c0, ld: n, trans: false }, { data: H, offset: c0 * n + c0, ld: n, trans: false }, D, 0, PANEL);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let k = 0; k < w; k++) s += W[(r0 + i) * n + c0 + k] * (2 * Z[i * PANEL + k] + D[i * PANEL + k]);
      out[r0 + i] += s;
    }
  }
}

/**
 * Rows per claimed chunk between workers: every chunk packs H's panels again (n^2 / 2 moves, against the chunk's
 * rows n^2 / 2 multiply-adds) and runs GEMMs of only its rows, so larger chunks are faster (64-row chunks
 * measured about 25% slower than one call for all 4096 rows of a 4096 x 4096 layer); 256 rows keep that near 5%.
 */
export const ENERGY_CHUNK_ROWS = 256;

/**
 * Row energies of the m x n W, a chunk of `chunk` rows at a time, claimed from the shared counter control[0] (the
 * next unclaimed row) until every row is claimed or, with `yieldOnStop`, until control[1] is raised. Any number of
 * threads may claim from one counter: each row's value is the same whoever computes it, in chunks of any size.
 * `onChunk()` after each chunk.
 */
export function claimRowEnergies(
  W: Float64Array,
  H: Float64Array,
  m: number,
  n: number,
  control: Int32Array,
  out: Float64Array,
  yieldOnStop: boolean,
  onChunk?: () => void,
  chunk = ENERGY_CHUNK_ROWS,
): void {
  for (;;) {
    if (yieldOnStop && Atomics.load(control, 1) !== 0) return;
    const r0 = Atomics.add(control, 0, chunk);
    if (r0 >= m) return;
    rowEnergies(W, H, n, r0, Math.min(m, r0 + chunk), out);
    onChunk?.();
  }
}

/** tr(W H W^T) = the sum of the row energies in row order; RangeError beyond float64. */
export function totalEnergy(fn: string, perRow: Float64Array): number {
  let energy = 0;
  for (let i = 0; i < perRow.length; i++) energy += perRow[i];
  if (!Number.isFinite(energy)) throw rangeError(fn, 'W', 'a layer whose tr(W H W^T) is within float64 range', 'beyond 1.8e308');
  return energy;
}
