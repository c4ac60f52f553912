/** Argument checks and output allocation shared by every codebook's `quantize` / `decodeRows`. */
import { rangeError, typeError } from '../errors/index.js';
import { assertFinite, assertFloatArray, type FloatArray } from '../core/index.js';

/**
 * Validates a row-major k x dim matrix of finite reals and returns k.
 * Throws TypeError for a non-float array, RangeError for a length not a multiple of dim or a non-finite entry.
 */
export function checkRows(fn: string, arg: string, X: unknown, dim: number): number {
  assertFloatArray(fn, arg, X);
  if (X.length % dim !== 0) {
    throw rangeError(fn, arg, `a row-major k x ${dim} matrix (length a multiple of ${dim})`, `length ${X.length}`);
  }
  assertFinite(fn, arg, X);
  return X.length / dim;
}

/**
 * Validates a Uint16Array of k * codeWords codes and returns k. `maxCode[w]` bounds code word w of each
 * vector (inclusive); omitted when every 16-bit value is a valid code.
 */
export function checkCodes(fn: string, arg: string, codes: unknown, codeWords: number, maxCode?: readonly number[]): number {
  if (!(codes instanceof Uint16Array)) throw typeError(fn, arg, 'a Uint16Array', codes);
  if (codes.length % codeWords !== 0) {
    throw rangeError(fn, arg, `k * ${codeWords} code words (length a multiple of ${codeWords})`, `length ${codes.length}`);
  }
  if (maxCode) {
    for (let i = 0; i < codes.length; i++) {
      const max = maxCode[i % codeWords];
      if (codes[i] > max) throw rangeError(fn, arg, `code words in [0, ${max}]`, `${codes[i]} at index ${i}`);
    }
  }
  return codes.length / codeWords;
}

/** Returns `out` after checking it holds n floats, or a new Float64Array(n) when omitted. */
export function outputRows<T extends FloatArray = Float64Array>(fn: string, out: T | undefined, n: number): T {
  if (out === undefined) return new Float64Array(n) as T;
  assertFloatArray(fn, 'out', out);
  if (out.length !== n) throw rangeError(fn, 'out', `of length ${n}`, `length ${out.length}`);
  return out;
}
