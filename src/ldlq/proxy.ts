/** The proxy loss QuIP / QuIP# minimize: tr((W - What) H (W - What)^T). */
import { assertSquare, assertSymmetric, readMatrix, type MatrixInput } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { gemmAccumulate } from './gemm.js';

/**
 * tr((W - What) H (W - What)^T) for W, What m x n and H n x n symmetric (relative 1e-10).
 * Throws `RangeError` on mismatched shapes or non-finite entries, `NotSymmetricError` for an asymmetric H.
 */
export function proxyLoss(W: MatrixInput, What: MatrixInput, H: MatrixInput): number {
  const fn = 'proxyLoss';
  const w = readMatrix(fn, 'W', W);
  const wh = readMatrix(fn, 'What', What);
  const { rows: m, cols: n } = w;
  if (wh.rows !== m || wh.cols !== n) throw rangeError(fn, 'What', `of shape [${m}, ${n}] (the shape of W)`, `shape [${wh.rows}, ${wh.cols}]`);
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h, n);
  assertSymmetric(fn, 'H', h.data, n);
  const R = w.data;
  for (let i = 0; i < R.length; i++) R[i] -= wh.data[i];
  const RH = new Float64Array(m * n);
  gemmAccumulate(m, n, n, { data: R, offset: 0, ld: n, trans: false }, { data: h.data, offset: 0, ld: n, trans: false }, RH, 0, n);
  let loss = 0;
  for (let i = 0; i < R.length; i++) loss += R[i] * RH[i];
  return loss;
}
