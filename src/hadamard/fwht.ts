/**
 * Fast Walsh-Hadamard transform in natural (Sylvester) order:
 *   y[i] = sum_j (-1)^popcount(i & j) x[j],  n a power of two.
 * In place, O(n log n), no allocation. The loops are in kernels.ts: three butterfly stages fused into one
 * radix-8 pass (each element loaded and stored once per three stages), the stages whose span fits a cache block
 * run block by block, and float32 and float64 data each run a copy of the loops compiled for them alone.
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, assertInteger, isPowerOfTwo, type FloatArray } from '../core/index.js';
import { kernelsFor } from './kernels.js';

export interface FwhtOptions {
  /** Scale by 1 / sqrt(n), making the transform orthogonal (and its own inverse). Default false. */
  normalize?: boolean;
}

/**
 * In-place fast Walsh-Hadamard transform of a power-of-two-length Float32Array or Float64Array,
 * natural order: y[i] = sum_j (-1)^popcount(i & j) x[j]. With `normalize: true` the result is
 * scaled by 1/sqrt(n). Returns `x`.
 */
export function fwht<T extends FloatArray>(x: T, options: FwhtOptions = {}): T {
  assertFloatArray('fwht', 'x', x);
  if (!isPowerOfTwo(x.length)) {
    throw rangeError('fwht', 'x', 'of power-of-two length (1, 2, 4, ..., 2^30)', `length ${x.length}`);
  }
  kernelsFor(x).fwht(x, 0, x.length, options.normalize ? 1 / Math.sqrt(x.length) : 1);
  return x;
}

/**
 * FWHT of every row of a row-major `rows x n` matrix stored in `data`, in place (n a power of two).
 * Returns `data`.
 */
export function fwhtRows<T extends FloatArray>(data: T, rows: number, n: number, options: FwhtOptions = {}): T {
  const fn = 'fwhtRows';
  assertFloatArray(fn, 'data', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  if (!isPowerOfTwo(n)) throw rangeError(fn, 'n', 'a power of two (1, 2, 4, ..., 2^30)', String(n));
  if (data.length !== rows * n) throw rangeError(fn, 'data', `of length rows * n = ${rows * n}`, `length ${data.length}`);
  const scale = options.normalize ? 1 / Math.sqrt(n) : 1;
  const kernels = kernelsFor(data);
  for (let r = 0; r < rows; r++) kernels.fwht(data, r * n, n, scale);
  return data;
}
