/**
 * tr(W H W^T), the denominator of the relative proxy loss, with the user's W (m x n) and H (n x n, symmetric):
 * sum_i w_i^T H w_i computed from H's lower triangle only, m n^2 / 2 multiply-adds (plus m n P for the diagonal
 * blocks). For column panel P = [c0, c1) of width at most P, with Z = W[:, c0..] H[c0.., P] and
 * D = W[:, P] H[P, P],
 *   w^T H w = sum_P sum_{k in P} w_k (2 Z_k - D_k),
 * since Z counts every pair (j, k) with k in P and j >= c0 once (the diagonal block both ways) and a symmetric
 * form counts each off-diagonal pair twice. Rows are summed in order, so the value is a fixed function of W and H.
 */
import { rangeError } from '../errors/index.js';
import { gemmAccumulate } from '../ldlq/index.js';

const PANEL = 128;

export function layerEnergy(fn: string, W: Float64Array, H: Float64Array, m: number, n: number): number {
  const Z = new Float64Array(m * PANEL);
  const D = new Float64Array(m * PANEL);
  const perRow = new Float64Array(m);
  for (let c0 = 0; c0 < n; c0 += PANEL) {
    const w = Math.min(PANEL, n - c0);
    Z.fill(0);
    D.fill(0);
    gemmAccumulate(m, w, n - c0, { data: W, offset: c0, ld: n, trans: false }, { data: H, offset: c0 * n + c0, ld: n, trans: false }, Z, 0, PANEL);
    gemmAccumulate(m, w, w, { data: W, offset: c0, ld: n, trans: false }, { data: H, offset: c0 * n + c0, ld: n, trans: false }, D, 0, PANEL);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < w; k++) s += W[i * n + c0 + k] * (2 * Z[i * PANEL + k] - D[i * PANEL + k]);
      perRow[i] += s;
    }
  }
  let energy = 0;
  for (let i = 0; i < m; i++) energy += perRow[i];
  if (!Number.isFinite(energy)) throw rangeError(fn, 'W', 'a layer whose tr(W H W^T) is within float64 range', 'beyond 1.8e308');
  return energy;
}
