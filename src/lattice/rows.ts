/** Argument checks, output allocation and float64 row blocks shared by the lattice functions and codebooks. */
import { rangeError, typeError } from '../errors/index.js';
import { assertFinite, assertFloatArray, assertNoOverlap, type FloatArray } from '../core/index.js';

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

/** `out` after checking that it is a float array of n entries, or a new Float64Array(n) when omitted. */
export function floatOutput(fn: string, out: FloatArray | undefined, n: number): FloatArray {
  if (out === undefined) return new Float64Array(n);
  assertFloatArray(fn, 'out', out);
  if (out.length !== n) throw rangeError(fn, 'out', `of length ${n}`, `length ${out.length}`);
  return out;
}

/**
 * The output of a `decodeRows(codes, out?)`: as floatOutput, and a given `out` may not share memory with `codes`
 * (RangeError: decoding would overwrite codes not yet read).
 */
export function decodeOutput(fn: string, out: FloatArray | undefined, n: number, codes: Uint16Array): FloatArray {
  const result = floatOutput(fn, out, n);
  if (out !== undefined) assertNoOverlap(fn, 'out', result, 'codes', codes);
  return result;
}

/**
 * The output of a lattice decoder: `out` after checking that it is a Float64Array of n entries (lattice points of
 * large inputs need float64: in a Float32Array they would round or overflow), or a new Float64Array(n).
 */
export function latticeOutput(fn: string, out: Float64Array | undefined, n: number): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array)) throw typeError(fn, 'out', 'a Float64Array', out);
  if (out.length !== n) throw rangeError(fn, 'out', `of length ${n}`, `length ${out.length}`);
  return out;
}

/** Rows per block of `float64Block`. */
export const BLOCK_ROWS = 1024;

/**
 * Scratch for `float64Block` when quantizing the k x 8 matrix X: a Float64Array of min(k, BLOCK_ROWS) rows, or an
 * empty one when X is a Float64Array (its rows are read in place).
 */
export function blockScratch(X: FloatArray, k: number): Float64Array {
  return new Float64Array(X instanceof Float64Array ? 0 : 8 * Math.min(k, BLOCK_ROWS));
}

/**
 * Rows r0 .. r0 + n - 1 (n <= BLOCK_ROWS) of a k x 8 matrix as a Float64Array, so that the search code sees one
 * array type whatever the input type (and stays monomorphic, hence fast): a Float64Array X itself (row r0 + r at
 * 8 * (r0 + r)), or the rows of a Float32Array copied into `scratch` (from `blockScratch`; row r0 + r at 8 * r).
 * Callers find the first row at `8 * (rows === X ? r0 : 0)`.
 */
export function float64Block(X: FloatArray, r0: number, n: number, scratch: Float64Array): Float64Array {
  if (X instanceof Float64Array) return X;
  scratch.set(X.subarray(8 * r0, 8 * (r0 + n)));
  return scratch;
}
