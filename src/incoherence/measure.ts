/** QuIP's incoherence measure of a weight matrix. */
import { readMatrix, type MatrixInput } from '../core/index.js';
import { rangeError } from '../errors/index.js';

/**
 * QuIP's incoherence of W (m x n): mu = max |W_ij| sqrt(m n) / ||W||_F, between 1 (all entries of equal
 * magnitude) and sqrt(m n) (a single nonzero). W is any 2-D view over a Float32Array or Float64Array. O(mn).
 * Computed on W / max|W_ij|, so that no square overflows or underflows whatever the entries' size.
 *
 * Throws TypeError for a non-matrix, RangeError for a non-finite entry or an all-zero W.
 *
 * @example incoherence(ndarray(Float64Array.of(3, 0, 0, 0), [2, 2])) // 2 = sqrt(4): a single nonzero
 */
export function incoherence(W: MatrixInput): number {
  const fn = 'incoherence';
  const { data, rows, cols } = readMatrix(fn, 'W', W);
  let max = 0;
  for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]));
  if (max === 0) throw rangeError(fn, 'W', 'not all zero (incoherence is undefined for W = 0)', 'an all-zero matrix');
  // sum of (W_ij / max)^2: between 1 and m n, so its square root cannot leave the range
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] / max;
    sq += v * v;
  }
  return Math.sqrt(rows * cols) / Math.sqrt(sq);
}
