/**
 * The one interface every vector codebook implements, so BlockLDLQ (src/ldlq) can round with any of them.
 *
 * A codebook maps a vector of `dim` reals to `codeWords` 16-bit code words (one Uint16 slot each;
 * an 8-bit residual code also takes a slot) and back. Inputs and outputs are flat row-major
 * typed arrays: k vectors are a k x dim matrix.
 */
import type { FloatArray } from '../core/index.js';

/** What `Codebook.quantize` returns for k vectors: their codes and the decoded points. */
export interface QuantizeResult {
  /** k * codeWords code words; vector r owns codes[r * codeWords .. r * codeWords + codeWords - 1]. */
  codes: Uint16Array;
  /** k x dim decoded values (the codebook point chosen for each row). */
  values: Float64Array;
}

/**
 * A vector codebook, as BlockLDLQ and quantizeLinear use it: quantize rows of `dim` values to `codeWords`
 * 16-bit code words each, and decode them back. The built-in ones are `E8P12`, `E8P12RVQ3B`, `E8P12RVQ4B` and
 * `ScalarCodebook`; a user-defined object with these members works too (on the calling thread only).
 *
 * @example
 * const { codes, values } = E8P12.quantize(X); // X: k x 8 row-major
 * E8P12.decodeRows(codes) // equals values
 */
export interface Codebook {
  /** Short identifier, e.g. 'E8P12'. */
  readonly name: string;
  /** Vector length g quantized jointly (8 for the E8 codebooks, 1 or 8 for the scalar baseline). */
  readonly dim: number;
  /** Storage rate: bits per weight. */
  readonly bitsPerWeight: number;
  /** Scale at which unit-variance Gaussian input is quantized best: the pipeline divides W by rms(W) / optScale. */
  readonly optScale: number;
  /** 16-bit code words per vector. */
  readonly codeWords: number;
  /** Nearest codebook point of each row of a row-major k x dim matrix (X is not modified). */
  quantize(X: FloatArray): QuantizeResult;
  /**
   * Decodes k * codeWords codes into a row-major k x dim matrix: a new Float64Array, or `out` (a float array of
   * length k * dim) filled and returned. `out` may not share memory with `codes` (RangeError).
   */
  decodeRows(codes: Uint16Array): Float64Array;
  decodeRows<T extends FloatArray>(codes: Uint16Array, out: T): T;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray;
}
