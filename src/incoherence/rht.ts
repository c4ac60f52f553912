/**
 * The randomized Hadamard transform of QuIP# (Algorithm 3): x -> V S x / sqrt(n), S = diag(signs),
 * V = hadamardMatrix(n) applied fast. Orthogonal; rhtInverse undoes it exactly up to round-off.
 */
import { assertLength, type FloatArray } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { planFor, requireHadamardFactorization } from '../hadamard/index.js';
import { randomSigns } from '../random/index.js';
import { mapVector, type Processing } from './conjugate.js';

/** Throws unless argument `arg` is an Int8Array of n entries, each +-1 (`why` explains n in the message). */
export function checkSigns(fn: string, arg: string, signs: unknown, n: number, why: string): asserts signs is Int8Array {
  if (!(signs instanceof Int8Array)) throw typeError(fn, arg, 'an Int8Array of +-1 (e.g. from randomSigns)', signs);
  assertLength(fn, arg, signs, n, why);
  for (let i = 0; i < n; i++) {
    if (signs[i] !== 1 && signs[i] !== -1) throw rangeError(fn, arg, '+-1 everywhere', `${signs[i]} at index ${i}`);
  }
}

/** A[i][j] *= s[j] for the row-major rows x cols matrix A. */
function scaleColumns(A: FloatArray, rows: number, cols: number, s: Int8Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) A[i * cols + j] *= s[j];
}

/**
 * Every row x of the row-major rows x n matrix `data` <- V S x / sqrt(n), or with `inverse` S V^T x / sqrt(n),
 * in place (n a supported order, signs checked by the caller). Errors name `fn` and `arg`: a non-finite entry,
 * or a result beyond the array type's range (entries of any finite size are otherwise handled; see hadamard/).
 */
export function signedHadamardRows(fn: string, arg: string, data: FloatArray, rows: number, n: number, signs: Int8Array, inverse: boolean): void {
  const plan = planFor(fn, arg, n);
  if (!inverse) scaleColumns(data, rows, n, signs);
  plan.apply(fn, arg, data, rows, inverse, true);
  if (inverse) scaleColumns(data, rows, n, signs);
}

/** The RHT as a Processing: sign vectors from streams 0 and 1, rows mapped by V S / sqrt(d). */
export const RHT: Processing<Int8Array> = {
  requireDimension: (fn, arg, d) => {
    requireHadamardFactorization(fn, arg, d);
  },
  draw: (d, seed, stream) => randomSigns(d, seed, stream),
  checkParameters: (fn, arg, signs, d, dimArg) => checkSigns(fn, arg, signs, d, ` (${dimArg})`),
  rowMap: (fn, signs, inverse) => (data, rows, n, arg) => signedHadamardRows(fn, arg, data, rows, n, signs, inverse),
  streams: [0, 1],
};

/**
 * The randomized Hadamard transform y = V diag(signs) x / sqrt(n), V = hadamardMatrix(n) applied fast
 * (O(n log n + n m) for n = m 2^k), as a new array of x's type; x is not modified. Orthogonal.
 * Throws TypeError for a non-float x or signs that are not an Int8Array of +-1; RangeError for an unsupported
 * length, signs of another length, a non-finite entry, or a result beyond the array type's range.
 *
 * @example const y = rht(x, randomSigns(x.length, 42, 1)); rhtInverse(y, randomSigns(x.length, 42, 1)) // = x
 */
export function rht<T extends FloatArray>(x: T, signs: Int8Array): T {
  return mapVector('rht', 'x', x, signs, 'signs', RHT, false);
}

/**
 * x = diag(signs) V^T y / sqrt(n), the inverse (= transpose) of {@link rht}, as a new array of y's type; y is
 * not modified. Cost as rht's. Throws as rht does.
 *
 * @example rhtInverse(rht(x, s), s) // x, up to round-off
 */
export function rhtInverse<T extends FloatArray>(y: T, signs: Int8Array): T {
  return mapVector('rhtInverse', 'y', y, signs, 'signs', RHT, true);
}
