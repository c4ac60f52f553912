/**
 * The scalar baseline: each coordinate rounded independently to a uniform grid of 2^bits levels,
 * the grid step chosen to minimize the MSE on N(0, 1) input.
 */
import { type FloatArray, assertInteger } from '../core/index.js';
import { describeValue, rangeError } from '../errors/index.js';
import type { Codebook, QuantizeResult } from './codebook.js';
import { optimalUniformStep, uniformQuantizerMse } from './gaussian.js';
import { checkCodes, checkRows, decodeOutput } from './rows.js';

/**
 * Uniform scalar quantizer per coordinate with levels (j - (L - 1)/2) * step, j = 0..L-1, L = 2^bits
 * (for 2 bits the half-integer grid {-1.5, -0.5, 0.5, 1.5} * step). `step` minimizes the exact MSE on N(0, 1)
 * (golden-section search on the closed-form cell integrals; 0.99569 for 2 bits, MSE 0.11885, Max 1960), so
 * `optScale` is 1: the grid is already scaled for unit-variance input.
 *
 * Codes: level index j of each coordinate. dim 1: one code word per vector (j itself). dim 8: the 8 level
 * indices are packed little-endian into an 8 * bits bit string (coordinate i in bits [i * bits, (i + 1) * bits)),
 * stored in ceil(8 * bits / 16) code words, word w holding bits [16 w, 16 w + 16). Ties (x exactly midway
 * between two levels) round to the higher level.
 *
 * @example
 * const q = await quantizeLinear(W, H, { codebook: new ScalarCodebook(2, 8), seed: 0 }); // the 2-bit scalar baseline
 * new ScalarCodebook(2).gaussianMse // 0.11885: MSE per coordinate on N(0, 1)
 */
export class ScalarCodebook implements Codebook {
  readonly name: string;
  readonly bitsPerWeight: number;
  readonly optScale = 1;
  readonly codeWords: number;
  /** Number of levels, 2^bits. */
  readonly levels: number;
  /** Grid spacing (MSE-optimal for N(0, 1)). */
  readonly step: number;
  /** Exact MSE per coordinate on N(0, 1) input. */
  readonly gaussianMse: number;
  private readonly grid: Float64Array;

  /**
   * `bits` in 1..8 per coordinate; `dim` 1 or 8 coordinates per vector. Throws TypeError for a non-integer bits,
   * RangeError for bits outside 1..8 or dim not 1 or 8.
   *
   * @example new ScalarCodebook(2, 8) // 2 bits per weight, one 16-bit code per 8 weights
   */
  constructor(bits: number, readonly dim = 1) {
    assertInteger('ScalarCodebook', 'bits', bits, 1, 8);
    if (dim !== 1 && dim !== 8) throw rangeError('ScalarCodebook', 'dim', '1 or 8', describeValue(dim));
    this.bitsPerWeight = bits;
    this.levels = 2 ** bits;
    this.codeWords = Math.ceil((dim * bits) / 16);
    this.name = `Scalar${bits}b${dim === 8 ? 'x8' : ''}`;
    this.step = optimalUniformStep(this.levels);
    this.gaussianMse = uniformQuantizerMse(this.levels, this.step);
    this.grid = new Float64Array(this.levels);
    for (let j = 0; j < this.levels; j++) this.grid[j] = (j - (this.levels - 1) / 2) * this.step;
  }

  /**
   * Nearest grid point of every coordinate of a row-major k x dim matrix (exact: a rounded division, then settled
   * against the neighbouring levels by exact distances; midpoints go to the higher level): the codes (see the
   * class comment) and values = decodeRows(codes). O(k dim). Throws TypeError unless X is a
   * Float32Array/Float64Array, RangeError for a length not a multiple of dim or a non-finite entry.
   *
   * @example new ScalarCodebook(2).quantize(Float64Array.of(-2, 0.1)).codes // Uint16Array [0, 2]
   */
  quantize(X: FloatArray): QuantizeResult {
    const k = checkRows('ScalarCodebook.quantize', 'X', X, this.dim);
    const { dim, levels, step, grid, codeWords } = this;
    const bits = this.bitsPerWeight;
    const codes = new Uint16Array(k * codeWords);
    const values = new Float64Array(X.length);
    const offset = (levels - 1) / 2;
    for (let r = 0; r < k; r++) {
      let bitPos = r * codeWords * 16;
      for (let i = 0; i < dim; i++) {
        const x = X[r * dim + i];
        let j = Math.floor(x / step + offset + 0.5);
        j = j < 0 ? 0 : j >= levels ? levels - 1 : j;
        // The division may round across a midpoint: settle against the neighbours by exact distances.
        if (j + 1 < levels && Math.abs(x - grid[j + 1]) <= Math.abs(x - grid[j])) j++;
        else if (j > 0 && Math.abs(x - grid[j - 1]) < Math.abs(x - grid[j])) j--;
        values[r * dim + i] = grid[j];
        writeBits(codes, bitPos, bits, j);
        bitPos += bits;
      }
    }
    return { codes, values };
  }

  /**
   * Grid values of k * codeWords codes (see the class comment for the packing) as a row-major k x dim matrix;
   * O(k dim). Into `out` when given (a Float32Array or Float64Array of length k dim), else a new Float64Array.
   * `out` may not share memory with `codes` (RangeError: decoding would overwrite codes not yet read). Throws
   * TypeError unless codes is a Uint16Array, RangeError for a length not a multiple of codeWords, a dim-1 code of
   * 2^bits or more, or an `out` of the wrong length.
   *
   * @example new ScalarCodebook(2).decodeRows(Uint16Array.of(0, 3)) // [-1.5 step, 1.5 step]
   */
  decodeRows(codes: Uint16Array): Float64Array;
  decodeRows<T extends FloatArray>(codes: Uint16Array, out: T): T;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray {
    const fn = 'ScalarCodebook.decodeRows';
    const { dim, codeWords, grid } = this;
    const bits = this.bitsPerWeight;
    // Only dim 1 can hold a word beyond the grid; packed dim-8 words use every bit.
    const k = checkCodes(fn, 'codes', codes, codeWords, dim === 1 ? [this.levels - 1] : undefined);
    const result = decodeOutput(fn, out, k * dim, codes);
    for (let r = 0; r < k; r++) {
      let bitPos = r * codeWords * 16;
      for (let i = 0; i < dim; i++) {
        result[r * dim + i] = grid[readBits(codes, bitPos, bits)];
        bitPos += bits;
      }
    }
    return result;
  }
}

/** Writes the low `bits` bits of v at bit offset `pos` of a little-endian 16-bit word array (bits <= 8). */
function writeBits(words: Uint16Array, pos: number, bits: number, v: number): void {
  const w = pos >>> 4;
  const s = pos & 15;
  words[w] |= v << s;
  if (s + bits > 16) words[w + 1] |= v >>> (16 - s);
}

/** Reads `bits` bits (<= 8) at bit offset `pos` of a little-endian 16-bit word array. */
function readBits(words: Uint16Array, pos: number, bits: number): number {
  const w = pos >>> 4;
  const s = pos & 15;
  let v = words[w] >>> s;
  if (s + bits > 16) v |= words[w + 1] << (16 - s);
  return v & ((1 << bits) - 1);
}
