/** QuIP#'s Hessian regularization H / mean(diag H) + sigma I, without overflow. */
import { matrixFromRowMajor, readSymmetricMatrix, type Matrix, type MatrixInput, assertFiniteNumber, describeMagnitude, exponentOf, log10Scaled, timesPow2 } from '../core/index.js';
import { rangeError } from '../errors/index.js';

/**
 * QuIP#'s Hessian regularization: H / mean(diag H) + sigma I (QuIP#'s default sigma is 1e-2), as a new n x n
 * matrix.
 *
 * The diagonal is summed scaled by the power of two 2^-e nearest its largest entry, and H 2^-e is divided by the
 * scaled mean: the same bits as the plain formula wherever that does not overflow, and the finite answer where it
 * would (diag(1e308, 1e308) gives 1.01 I).
 *
 * Cost: n^2 divisions, one n x n copy of H.
 *
 * Throws `RangeError` for a non-square, empty or non-finite H, for a mean diagonal that is not positive, for sigma
 * negative or not finite, and when an entry of the result is beyond float64 (an off-diagonal entry more than
 * 1.8e308 times the mean diagonal); `NotSymmetricError` when H is not symmetric (relative 1e-10); `TypeError` for a
 * non-ndarray H or a non-number sigma.
 *
 * @example
 * const R = regularizeHessian(ndarray(new Float64Array([2, 1, 1, 2]), [2, 2])); // R.data = [1.01, 0.5, 0.5, 1.01]
 */
export function regularizeHessian(H: MatrixInput, sigma = 1e-2): Matrix {
  const fn = 'regularizeHessian';
  const h = readSymmetricMatrix(fn, 'H', H);
  const n = h.rows;
  const A = h.data;
  assertFiniteNumber(fn, 'sigma', sigma);
  if (sigma < 0) throw rangeError(fn, 'sigma', 'a finite number >= 0', String(sigma));
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(A[i * n + i]));
  // mean(diag H) = mu 2^e with |H_ii 2^-e| < 2: the scaled sum cannot overflow.
  const e = maxDiag > 0 ? exponentOf(maxDiag) : 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += timesPow2(A[i * n + i], -e);
  const mu = sum / n;
  if (!(mu > 0)) {
    throw rangeError(fn, 'H', 'a matrix with a positive mean diagonal', `mean(diag H) = ${timesPow2(mu, e)}`);
  }
  // H_ij / mean(diag H) = (H_ij 2^-e) / mu, in one multiplication and one division while 2^-e is a float64
  // (unless the diagonal is subnormal: then f is NaN) and H_ij 2^-e does not overflow.
  const f = e >= -1023 ? 2 ** -e : Number.NaN;
  const beyond = (i: number, log10: number, negative: boolean) =>
    rangeError(fn, 'H', 'a matrix with H / mean(diag H) + sigma I within float64', `entry [${Math.floor(i / n)}][${i % n}] ${describeMagnitude(log10, negative)}`);
  for (let i = 0; i < A.length; i++) {
    const a = A[i];
    let q = (a * f) / mu;
    if (q - q !== 0) {
      q = scaledQuotient(a, mu, -e);
      if (q - q !== 0) throw beyond(i, log10Scaled(a, -e) - Math.log10(mu), a < 0);
    }
    A[i] = q;
  }
  for (let i = 0; i < A.length; i += n + 1) {
    const v = A[i] + sigma;
    if (v - v !== 0) throw beyond(i, log10Scaled(A[i] / 2 + sigma / 2, 1), false);
    A[i] = v;
  }
  return matrixFromRowMajor(A, n, n);
}

/** a 2^k / mu (mu in (0, 2), k >= -1023) without a spurious overflow of a 2^k: +-Infinity only beyond float64. */
function scaledQuotient(a: number, mu: number, k: number): number {
  const x = timesPow2(a, k);
  return Number.isFinite(x) ? x / mu : timesPow2(a / mu, k);
}
