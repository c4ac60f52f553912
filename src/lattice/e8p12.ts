/**
 * E8P12: QuIP#'s 2-bit E8 codebook (Tseng et al., ICML 2024, sec. 4.2): 65536 points of E8 + 1/4 or E8 - 1/4,
 * 8 weights per 16-bit code. See e8p12-table.ts for the code numbering, e8p12-search.ts for the search.
 */
import { type FloatArray, assertInteger } from '../core/index.js';
import type { Codebook, QuantizeResult } from './codebook.js';
import { decodeE8P12Into } from './e8p12-code.js';
import { E8P12Search } from './e8p12-search.js';
import { BLOCK_ROWS, blockScratch, checkCodes, checkRows, decodeOutput, float64Block, floatOutput } from './rows.js';

/** The whole codebook, row = code, built on first use (never handed out: `grid()` returns copies). */
let sharedGrid: Float32Array | undefined;

function fullGrid(): Float32Array {
  if (!sharedGrid) {
    const g = new Float32Array(65536 * 8);
    for (let c = 0; c < 65536; c++) decodeE8P12Into(c, g, 8 * c);
    sharedGrid = g;
  }
  return sharedGrid;
}

/**
 * The E8P12 codebook type; use the `E8P12` instance (or `new E8P12Codebook()`, an equivalent one).
 *
 * @example
 * E8P12.quantize(X).codes // one code per row of 8 values; E8P12 is an instance of this class
 */
export class E8P12Codebook implements Codebook {
  readonly name = 'E8P12';
  readonly dim = 8;
  readonly bitsPerWeight = 2;
  /** Best scale for unit-variance Gaussian input (QuIP#'s value; our sweep: see docs/lattice.md). */
  readonly optScale = 1.03;
  readonly codeWords = 1;
  /** Number of codebook points, 2^16. */
  readonly size = 65536;
  /** This instance's search state (each instance has its own). */
  private readonly search = new E8P12Search();

  /**
   * The point of one code as 8 values: `E8P12.decode(c)[i]` = sigma_i |row_{c >> 8}|_i + t (see docs/lattice.md
   * for the numbering). Into `out` when given (any float array of length 8), else a new Float64Array(8).
   * Throws TypeError for a non-integer code, RangeError outside [0, 65535] or for an `out` of the wrong length.
   *
   * @example E8P12.decode(0) // Float64Array [0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75]
   */
  decode(code: number): Float64Array;
  decode<T extends FloatArray>(code: number, out: T): T;
  decode(code: number, out?: FloatArray): FloatArray;
  decode(code: number, out?: FloatArray): FloatArray {
    assertInteger('E8P12.decode', 'code', code, 0, 65535);
    const result = floatOutput('E8P12.decode', out, 8);
    decodeE8P12Into(code, result, 0);
    return result;
  }

  /**
   * Points of k codes as a row-major k x 8 matrix (row r = decode(codes[r])); O(k). Into `out` when given (a
   * Float32Array or Float64Array of length 8k; E8P12 values are exact in both), else a new Float64Array(8k).
   * `out` may not share memory with `codes` (RangeError: decoding would overwrite codes not yet read).
   * Throws TypeError unless codes is a Uint16Array, RangeError for an `out` of the wrong length.
   *
   * @example E8P12.decodeRows(Uint16Array.of(0, 1)) // 16 values: the points of codes 0 and 1
   */
  decodeRows(codes: Uint16Array): Float64Array;
  decodeRows<T extends FloatArray>(codes: Uint16Array, out: T): T;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray {
    const k = checkCodes('E8P12.decodeRows', 'codes', codes, 1);
    const result = decodeOutput('E8P12.decodeRows', out, 8 * k, codes);
    for (let r = 0; r < k; r++) decodeE8P12Into(codes[r], result, 8 * r);
    return result;
  }

  /**
   * Exactly nearest codebook point (Euclidean, in exact arithmetic on the input doubles; ties to the first
   * candidate of a fixed search order) of every row of a row-major k x 8 matrix: codes[r] and
   * values[8r .. 8r + 7] = decode(codes[r]). Codes are bit-compatible with QuIP#. About 0.5 microseconds a row
   * (no brute force; see docs/lattice.md). Throws TypeError unless X is a Float32Array/Float64Array, RangeError
   * for a length not a multiple of 8 or a non-finite entry.
   *
   * @example E8P12.quantize(Float64Array.of(0.7, 0.8, 0.7, 0.8, 0.7, 0.8, 0.7, 0.8)).codes // Uint16Array [0]
   */
  quantize(X: FloatArray): QuantizeResult {
    const k = checkRows('E8P12.quantize', 'X', X, 8);
    const search = this.search;
    const codes = new Uint16Array(k);
    const values = new Float64Array(8 * k);
    const scratch = blockScratch(X, k);
    for (let r0 = 0; r0 < k; r0 += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, k - r0);
      const rows = float64Block(X, r0, n, scratch);
      const first = rows === X ? r0 : 0;
      for (let r = 0; r < n; r++) {
        const code = search.nearest(rows, 8 * (first + r));
        codes[r0 + r] = code;
        decodeE8P12Into(code, values, 8 * (r0 + r));
      }
    }
    return { codes, values };
  }

  /**
   * All 65536 points, row = code, as a new Float32Array(65536 * 8) (a copy of a table built on first call:
   * modifying it changes nothing else). 2 MB; O(65536 * 8) per call.
   *
   * @example E8P12.grid().subarray(8, 16) // the point of code 1, as E8P12.decode(1)
   */
  grid(): Float32Array {
    return fullGrid().slice();
  }
}

/** QuIP#'s E8P12 codebook: 2 bits per weight, one 16-bit code per 8 weights, codes bit-compatible with QuIP#. */
export const E8P12 = new E8P12Codebook();
