/**
 * The Hadamard transform of any supported order n = m * 2^k (see plan.ts for the algorithm and orders.ts for
 * the orders): the public functions, each a thin wrapper checking its arguments under its own name.
 */
import type { FloatArray, Matrix, MatrixInput } from '../core/index.js';
import type { HadamardTransformOptions } from './options.js';
import { planFor } from './plan.js';
import { transformMatrixRows, transformRowsInPlace, transformVector } from './entry.js';

/**
 * y = H_n x (or H_n^T x with `transpose: true`), H_n = hadamardMatrix(n), for any supported order n = x.length,
 * without forming H_n: O(n log n + n m) for n = m 2^k. `normalize: true` scales by 1/sqrt(n) (orthogonal).
 * Returns a new array of x's type; x is not modified.
 *
 * Exact for integer input with sum |x_i| below 2^53 (below 2^24 for a Float32Array, whose passes round as they
 * store). Entries of any finite size are handled: above 2^1024 / (2n) (2^128 / (2n) for float32) the transform
 * runs on x scaled by a power of two and scales back.
 *
 * Throws TypeError unless x is a Float32Array or Float64Array, or for a bad `options`; RangeError for an
 * unsupported length (naming the nearest supported orders), a non-finite entry (naming its index), or a result
 * beyond the array type's range.
 *
 * @example hadamardTransform(new Float64Array(12).fill(1), { normalize: true }) // H_12 1 / sqrt(12)
 */
export function hadamardTransform<T extends FloatArray>(x: T, options?: HadamardTransformOptions): T {
  return transformVector('hadamardTransform', x, options, false, planFor);
}

/**
 * {@link hadamardTransform} in place: overwrites x with its transform and returns x (no allocation, after the
 * first call for an order, which builds its plan). On a RangeError for a non-finite entry or an overflowing
 * result, x may be left partly transformed.
 *
 * @example hadamardTransformInPlace(x, { normalize: true, transpose: true }) // x <- H^T x / sqrt(n)
 */
export function hadamardTransformInPlace<T extends FloatArray>(x: T, options?: HadamardTransformOptions): T {
  return transformVector('hadamardTransformInPlace', x, options, true, planFor);
}

/**
 * The Hadamard transform of every row of the matrix X (rows x n, n a supported order; any 2-D ndarray view over a
 * Float32Array or Float64Array), as a new contiguous row-major float64 matrix: row i is H_n X_i (or H_n^T X_i).
 * X is not modified. Cost: rows times hadamardTransform's, plus one copy of X. Throws as {@link hadamardTransform}
 * does, and for a non-finite entry of X.
 *
 * @example hadamardTransformRows(W, { normalize: true }) // W H^T / sqrt(n), row by row
 */
export function hadamardTransformRows(X: MatrixInput, options?: HadamardTransformOptions): Matrix {
  return transformMatrixRows('hadamardTransformRows', X, options, planFor);
}

/**
 * The fast path for flat data: {@link hadamardTransformInPlace} of every row of the row-major rows x n matrix
 * stored in `data` (length rows * n), in place; returns `data`, allocating nothing per row. Throws as
 * hadamardTransformInPlace does, and
 * RangeError when data.length !== rows * n or rows is not a non-negative integer.
 *
 * @example hadamardTransformRowsInPlace(data, 64, 11008, { normalize: true })
 */
export function hadamardTransformRowsInPlace<T extends FloatArray>(data: T, rows: number, n: number, options?: HadamardTransformOptions): T {
  return transformRowsInPlace('hadamardTransformRowsInPlace', data, rows, n, options, planFor);
}
