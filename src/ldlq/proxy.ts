/** The proxy loss QuIP / QuIP# minimize: tr((W - What) H (W - What)^T). */
import { describeMagnitude, exponentOf, log10Scaled, readMatrix, readSymmetricMatrix, timesPow2, type MatrixInput } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { gemmAccumulate } from './gemm.js';

/**
 * The proxy loss tr((W - What) H (W - What)^T) = sum_i r_i H r_i^T over the rows r_i of R = W - What, for W and
 * What m x n and H n x n symmetric (relative 1e-10).
 *
 * Cost: m n^2 multiply-adds (packed GEMM for R H), three m x n buffers. When that plain evaluation overflows
 * somewhere (possible once |R|^2 |H| n^2 nears 1.8e308, or |W - What| exceeds it), it is repeated on R and H scaled
 * by powers of two, so a loss within float64 is returned even when an intermediate sum of the plain evaluation is
 * not.
 *
 * Throws `RangeError` on mismatched shapes or non-finite entries and when the loss itself is beyond float64
 * (about 1.8e308), `NotSymmetricError` for an asymmetric H, `TypeError` for a non-ndarray.
 *
 * @example
 * proxyLoss(ndarray(new Float64Array([1, 2]), [1, 2]), ndarray(new Float64Array([1, 1]), [1, 2]), H); // = H[1][1]
 */
export function proxyLoss(W: MatrixInput, What: MatrixInput, H: MatrixInput): number {
  const fn = 'proxyLoss';
  const w = readMatrix(fn, 'W', W);
  const wh = readMatrix(fn, 'What', What);
  const { rows: m, cols: n } = w;
  if (wh.rows !== m || wh.cols !== n) throw rangeError(fn, 'What', `of shape [${m}, ${n}] (the shape of W)`, `shape [${wh.rows}, ${wh.cols}]`);
  const h = readSymmetricMatrix(fn, 'H', H, n);
  const R = w.data;
  for (let i = 0; i < R.length; i++) R[i] -= wh.data[i];
  const RH = new Float64Array(m * n);
  const loss = quadraticTrace(R, h.data, m, n, RH);
  // + and * keep an overflowed intermediate non-finite to the end, so a finite loss had none.
  if (Number.isFinite(loss)) return loss;

  // Scaled evaluation: R = R' 2^(eW + eR) and H = H' 2^eH with max |R'| and max |H'| in [1, 2). W - What itself
  // may have overflowed, so R' is formed from W and What scaled by 2^-eW, their largest entry's power of two.
  const Wd = readMatrix(fn, 'W', W).data; // R overwrote the first copy
  const eW = exponentOf(Math.max(maxAbs(Wd), maxAbs(wh.data)));
  for (let i = 0; i < R.length; i++) R[i] = timesPow2(Wd[i], -eW) - timesPow2(wh.data[i], -eW);
  const maxR = maxAbs(R);
  const maxH = maxAbs(h.data);
  if (maxR === 0 || maxH === 0) return 0;
  const eR = exponentOf(maxR);
  for (let i = 0; i < R.length; i++) R[i] = timesPow2(R[i], -eR);
  const eH = exponentOf(maxH);
  const Hd = h.data;
  for (let i = 0; i < Hd.length; i++) Hd[i] = timesPow2(Hd[i], -eH);
  const k = 2 * (eW + eR) + eH;
  const scaled = quadraticTrace(R, Hd, m, n, RH);
  const result = timesPow2(scaled, k);
  if (!Number.isFinite(result)) {
    throw rangeError(fn, 'the loss tr((W - What) H (W - What)^T)', 'within float64 (at most 1.8e308 in magnitude)', describeMagnitude(log10Scaled(scaled, k), scaled < 0));
  }
  return result;
}

/** sum_ij R_ij (R H)_ij for row-major R (m x n) and H (n x n), with RH (m x n) as scratch. */
function quadraticTrace(R: Float64Array, H: Float64Array, m: number, n: number, RH: Float64Array): number {
  RH.fill(0);
  gemmAccumulate(m, n, n, { data: R, offset: 0, ld: n, trans: false }, { data: H, offset: 0, ld: n, trans: false }, RH, 0, n);
  let loss = 0;
  for (let i = 0; i < R.length; i++) loss += R[i] * RH[i];
  return loss;
}

/** max_i |x_i|. */
function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
