/** Argument checks shared by every module. Each throws with the standard message (see errors/). */
import { rangeError, typeError } from '../errors/index.js';

/** The floating-point typed arrays the library reads and writes: vectors, and the data of matrix views. */
export type FloatArray = Float32Array | Float64Array;

export function isFloatArray(x: unknown): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/** Throws `TypeError` unless `x` is a Float32Array or Float64Array. */
export function assertFloatArray(fn: string, arg: string, x: unknown): asserts x is FloatArray {
  if (!isFloatArray(x)) throw typeError(fn, arg, 'a Float32Array or Float64Array', x);
}

/** Throws `RangeError` unless `x.length === n`. */
export function assertLength(fn: string, arg: string, x: ArrayLike<unknown>, n: number, why = ''): void {
  if (x.length !== n) throw rangeError(fn, arg, `of length ${n}${why}`, `length ${x.length}`);
}

/** Throws `RangeError` naming the first non-finite entry. */
export function assertFinite(fn: string, arg: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // v - v is NaN exactly for NaN and +-Infinity
    if (v - v !== 0) throw rangeError(fn, arg, 'finite everywhere', `${v} at index ${i}`);
  }
}

/** Throws `TypeError` for a non-integer and `RangeError` outside [min, max]. */
export function assertInteger(fn: string, arg: string, v: unknown, min: number, max: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(fn, arg, `an integer in [${min}, ${max}]`, v);
  if (v < min || v > max) throw rangeError(fn, arg, `an integer in [${min}, ${max}]`, String(v));
}

/** Throws `RangeError` unless `v` is a finite number (and optionally > 0). */
export function assertFiniteNumber(fn: string, arg: string, v: unknown, positive = false): asserts v is number {
  if (typeof v !== 'number') throw typeError(fn, arg, positive ? 'a finite positive number' : 'a finite number', v);
  if (!Number.isFinite(v) || (positive && !(v > 0))) {
    throw rangeError(fn, arg, positive ? 'a finite positive number' : 'a finite number', String(v));
  }
}

/** True when n is a positive power of two (1, 2, 4, ...). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}
