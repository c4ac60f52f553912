/**
 * QuIP#'s residual (two-stage) E8 codebooks (Tseng et al., ICML 2024, sec. 4.3): E8P12 on x, then a second
 * codebook on the residual times a scale s; reconstruction first + second / s.
 */
import { type FloatArray, assertFiniteNumber, assertInteger } from '../core/index.js';
import { typeError } from '../errors/index.js';
import type { Codebook, QuantizeResult } from './codebook.js';
import { decodeE8P12Into } from './e8p12-code.js';
import { E8P12Search } from './e8p12-search.js';
import { RESIDUAL_GRID, RESIDUAL_GRID_SIZE, ResidualGridSearch } from './residual-grid.js';
import { BLOCK_ROWS, blockScratch, checkCodes, checkRows, decodeOutput, float64Block } from './rows.js';

/** Second-stage codebook of a residual quantizer. */
export interface ResidualStage {
  /** Number of points (codes 0..size-1). */
  readonly size: number;
  /** Code of the point nearest to x[off..off+7]. */
  nearest(x: Float64Array, off: number): number;
  /** Writes the point of `code` to out[o..o+7]. */
  decodeInto(code: number, out: FloatArray, o: number): void;
}

/** E8P12 as a second stage, with its own search state. */
function e8p12Stage(): ResidualStage {
  const search = new E8P12Search();
  return { size: 65536, nearest: (x, off) => search.nearest(x, off), decodeInto: decodeE8P12Into };
}

/** The 256-point grid of E8P12RVQ3B as a second stage, with its own search state. */
function residualGridStage(): ResidualStage {
  const search = new ResidualGridSearch();
  return {
    size: RESIDUAL_GRID_SIZE,
    nearest: (x, off) => search.nearest(x, off),
    decodeInto(code, out, o) {
      for (let i = 0; i < 8; i++) out[o + i] = RESIDUAL_GRID[8 * code + i];
    },
  };
}

/**
 * Residuals of rows beyond about 5e307 overflow when multiplied by residualScale; such rows search the residual
 * times this instead (the nearest point to that vector).
 */
const OVERFLOW_SCALE = 2 ** -200;

/**
 * Two-stage codebook: code word 0 is the E8P12 code of x, code word 1 the second-stage code of
 * (x - first) * residualScale; the reconstruction is first + second / residualScale. Greedy (each stage
 * nearest for its own input), as in QuIP#. Use the instances `E8P12RVQ3B` and `E8P12RVQ4B`; the constructor
 * builds others from any `ResidualStage` (checked for shape: a size in 1..65536 and the two functions; the
 * stage's codes are trusted), throwing TypeError/RangeError for a bad argument.
 *
 * @example
 * const { codes, values } = E8P12RVQ4B.quantize(X); // two code words per row of 8 values (4 bits per weight)
 */
export class ResidualE8Codebook implements Codebook {
  readonly dim = 8;
  readonly codeWords = 2;
  /** The first stage's search state (each instance has its own). */
  private readonly first = new E8P12Search();
  // Stage-1 point in [0, 8), scaled residual / stage-2 point in [8, 16).
  private readonly scratch = new Float64Array(16);

  /**
   * A residual codebook: E8P12 for the first stage, then `stage` on the residual times `residualScale`; `name`,
   * `bitsPerWeight` and `optScale` as the {@link Codebook} interface reports them. Throws TypeError/RangeError for
   * a bad argument (the stage's codes are trusted).
   */
  constructor(
    readonly name: string,
    readonly bitsPerWeight: number,
    readonly optScale: number,
    /** The residual is multiplied by this before the second stage and divided by it in the reconstruction. */
    readonly residualScale: number,
    private readonly stage: ResidualStage,
  ) {
    const fn = 'ResidualE8Codebook';
    if (typeof name !== 'string') throw typeError(fn, 'name', 'a string', name);
    assertFiniteNumber(fn, 'bitsPerWeight', bitsPerWeight, true);
    assertFiniteNumber(fn, 'optScale', optScale, true);
    assertFiniteNumber(fn, 'residualScale', residualScale, true);
    if (typeof stage !== 'object' || stage === null) throw typeError(fn, 'stage', 'a ResidualStage object', stage);
    assertInteger(fn, 'stage.size', stage.size, 1, 65536);
    if (typeof stage.nearest !== 'function') throw typeError(fn, 'stage.nearest', 'a function', stage.nearest);
    if (typeof stage.decodeInto !== 'function') throw typeError(fn, 'stage.decodeInto', 'a function', stage.decodeInto);
  }

  /**
   * Greedy two-stage codes of every row x of a row-major k x 8 matrix: codes[2r] the exactly nearest E8P12 code
   * of x (as `E8P12.quantize`), codes[2r + 1] the code of the second-stage point nearest to the float64 residual
   * (x - first) * residualScale (computed as QuIP# computes it; for E8P12RVQ3B exactly nearest, ties to the lowest
   * code), and values = decodeRows(codes). About 1 (RVQ3) or 1.5 (RVQ4) microseconds a row.
   * Throws TypeError unless X is a Float32Array/Float64Array, RangeError for a length not a multiple of 8 or a
   * non-finite entry.
   *
   * @example E8P12RVQ3B.quantize(new Float64Array(8)).codes // Uint16Array(2): the E8P12 code, then the grid code
   */
  quantize(X: FloatArray): QuantizeResult {
    const k = checkRows(`${this.name}.quantize`, 'X', X, 8);
    const { residualScale: s, stage, scratch, first: search } = this;
    const codes = new Uint16Array(2 * k);
    const values = new Float64Array(8 * k);
    const block = blockScratch(X, k);
    for (let r0 = 0; r0 < k; r0 += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, k - r0);
      const rows = float64Block(X, r0, n, block);
      const first = rows === X ? r0 : 0;
      for (let r = 0; r < n; r++) {
        const o = 8 * (first + r);
        const c1 = search.nearest(rows, o);
        decodeE8P12Into(c1, scratch, 0);
        let overflow = 0; // NaN once a residual is infinite
        for (let i = 0; i < 8; i++) {
          const v = (rows[o + i] - scratch[i]) * s;
          scratch[8 + i] = v;
          overflow += v - v;
        }
        if (overflow !== 0) for (let i = 0; i < 8; i++) scratch[8 + i] = (rows[o + i] - scratch[i]) * OVERFLOW_SCALE * s;
        const c2 = stage.nearest(scratch, 8);
        codes[2 * (r0 + r)] = c1;
        codes[2 * (r0 + r) + 1] = c2;
        this.reconstruct(c1, c2, values, 8 * (r0 + r));
      }
    }
    return { codes, values };
  }

  /**
   * Reconstructions of k code pairs as a row-major k x 8 matrix: row r = E8P12 point of codes[2r] + second-stage
   * point of codes[2r + 1] / residualScale; O(k). Into `out` when given (a Float32Array or Float64Array of length
   * 8k; a Float32Array rounds each value once), else a new Float64Array(8k). `out` may not share memory with
   * `codes` (RangeError: decoding would overwrite codes not yet read). Throws TypeError unless codes is a
   * Uint16Array, RangeError for an odd length, a second code word of `size` or more (256 for E8P12RVQ3B) or an
   * `out` of the wrong length.
   *
   * @example E8P12RVQ4B.decodeRows(Uint16Array.of(0, 0)) // 0.75 + 0.75 / 3.45 in each of the 8 entries
   */
  decodeRows(codes: Uint16Array): Float64Array;
  decodeRows<T extends FloatArray>(codes: Uint16Array, out: T): T;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray;
  decodeRows(codes: Uint16Array, out?: FloatArray): FloatArray {
    const fn = `${this.name}.decodeRows`;
    const k = checkCodes(fn, 'codes', codes, 2, [65535, this.stage.size - 1]);
    const result = decodeOutput(fn, out, 8 * k, codes);
    for (let r = 0; r < k; r++) this.reconstruct(codes[2 * r], codes[2 * r + 1], result, 8 * r);
    return result;
  }

  /**
   * The second stage's points, row = code, as a new Float64Array(size * 8) (a copy: modifying it changes nothing
   * else). For E8P12RVQ3B, QuIP#'s 256-point grid in QuIP#'s order (see docs/lattice.md); for E8P12RVQ4B, the
   * E8P12 grid (4 MB). O(size).
   *
   * @example E8P12RVQ3B.residualGrid().subarray(8 * 56, 8 * 57) // code 56: the origin
   */
  residualGrid(): Float64Array {
    const { stage } = this;
    const grid = new Float64Array(8 * stage.size);
    for (let c = 0; c < stage.size; c++) stage.decodeInto(c, grid, 8 * c);
    return grid;
  }

  /** first + second / residualScale into out[o..o+7]. */
  private reconstruct(c1: number, c2: number, out: FloatArray, o: number): void {
    const { scratch, stage, residualScale: s } = this;
    decodeE8P12Into(c1, scratch, 0);
    stage.decodeInto(c2, scratch, 8);
    for (let i = 0; i < 8; i++) out[o + i] = scratch[i] + scratch[8 + i] / s;
  }
}

/** QuIP#'s 4-bit codebook: E8P12 then E8P12 on the residual times 3.45 (two 16-bit codes per 8 weights). */
export const E8P12RVQ4B = new ResidualE8Codebook('E8P12RVQ4B', 4, 1.03, 3.45, e8p12Stage());

/**
 * QuIP#'s 3-bit codebook: E8P12 then QuIP#'s 256-point grid ("E81B", numbered as QuIP# numbers it) on the
 * residual times 2.04 (a 16-bit and an 8-bit code per 8 weights; the 8-bit code takes the second Uint16 slot).
 */
export const E8P12RVQ3B = new ResidualE8Codebook('E8P12RVQ3B', 3, 0.98, 2.04, residualGridStage());
