/**
 * Fast Walsh-Hadamard transform in natural (Sylvester) order:
 *   y[i] = sum_j (-1)^popcount(i & j) x[j],  n a power of two.
 * O(n log n), no allocation in the InPlace forms. The loops are in kernels.ts: three butterfly stages fused into
 * one radix-8 pass (each element loaded and stored once per three stages), the stages whose span fits a cache
 * block run block by block, and float32 and float64 data each run a copy of the loops compiled for them alone.
 */
import { isPowerOfTwo, type FloatArray, type Matrix, type MatrixInput } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import type { FwhtOptions } from './options.js';
import { planFor, type HadamardPlan } from './plan.js';
import { transformMatrixRows, transformRowsInPlace, transformVector } from './entry.js';

/** The FWHT plan of length n (a RangeError naming `arg` unless n is a power of two up to 2^30). */
function fwhtPlan(fn: string, arg: string, n: number): HadamardPlan {
  if (!isPowerOfTwo(n)) throw rangeError(fn, arg, 'a power of two (1, 2, 4, ..., 2^30)', String(n));
  return planFor(fn, arg, n);
}

/**
 * The fast Walsh-Hadamard transform of x (a Float32Array or Float64Array of power-of-two length n), natural
 * order: y[i] = sum_j (-1)^popcount(i & j) x[j], or y / sqrt(n) with `normalize: true` (then orthogonal and its
 * own inverse). Returns a new array of x's type; x is not modified. O(n log n).
 *
 * Exact on integer input while sum |x_j| stays below 2^53 (2^24 for a Float32Array, whose passes round as they
 * store). Entries of any finite size are handled: when max |x_j| exceeds 2^1024 / (2n) (2^128 / (2n) for
 * float32) the transform is computed on x scaled by a power of two and scaled back.
 *
 * Throws TypeError unless x is a Float32Array or Float64Array, or for a bad `options`; RangeError for a length
 * that is not a power of two, a non-finite entry (naming its index), or a result beyond the array type's range.
 *
 * @example fwht(Float64Array.of(1, 2, 3, 4)) // Float64Array [10, -2, -4, 0]
 */
export function fwht<T extends FloatArray>(x: T, options?: FwhtOptions): T {
  return transformVector('fwht', x, options, false, fwhtPlan);
}

/**
 * {@link fwht} in place: overwrites x with its transform and returns x (no allocation). On a RangeError for a
 * non-finite entry or an overflowing result, x is left partly transformed.
 *
 * @example const x = Float32Array.of(1, 2, 3, 4); fwhtInPlace(x, { normalize: true }); // x = [5, -1, -2, 0]
 */
export function fwhtInPlace<T extends FloatArray>(x: T, options?: FwhtOptions): T {
  return transformVector('fwhtInPlace', x, options, true, fwhtPlan);
}

/**
 * The FWHT of every row of the matrix X (rows x n, n a power of two; any 2-D ndarray view over a Float32Array or
 * Float64Array), as a new contiguous row-major float64 matrix. X is not modified. O(rows n log n).
 * Throws as {@link fwht} does, and for a non-finite entry of X.
 *
 * @example fwhtRows(ndarray(Float64Array.of(1, 1, 1, -1), [2, 2])) // rows [2, 0] and [0, 2]
 */
export function fwhtRows(X: MatrixInput, options?: FwhtOptions): Matrix {
  return transformMatrixRows('fwhtRows', X, options, fwhtPlan);
}

/**
 * The fast path for flat data: the FWHT of every row of the row-major rows x n matrix stored in `data`
 * (length rows * n, n a power of two), in place; returns `data`. No allocation. Throws as {@link fwhtInPlace}
 * does, and RangeError when data.length !== rows * n or rows is not a non-negative integer.
 *
 * @example fwhtRowsInPlace(data, 4096, 4096, { normalize: true }) // a 4096 x 4096 matrix, row by row
 */
export function fwhtRowsInPlace<T extends FloatArray>(data: T, rows: number, n: number, options?: FwhtOptions): T {
  return transformRowsInPlace('fwhtRowsInPlace', data, rows, n, options, fwhtPlan);
}
