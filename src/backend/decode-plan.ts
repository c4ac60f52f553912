/**
 * The device plans of E8P12 and residual-E8 decoding, from the 16-bit codes to float32 weights, bit exact with the
 * codebooks' `decodeRows(codes, Float32Array)`.
 *
 * E8P12 code c = 256 a + s gives weight j = ROW[a][j] SIGN[s][j] + SHIFT[s] (every value a multiple of 1/4 below
 * 3 in magnitude: exact in float32). A residual codebook reconstructs first + second / residualScale, which the CPU
 * rounds once to float32; the device looks that rounding up in a table COMBINED[q1][u] = fround(v1 + w_u / scale)
 * over the 23 quarter values v1 = (q1 - 12) / 4 of the first stage and the distinct values w_u of the second (the
 * same quarter values when it is E8P12; else the distinct entries of its grid, each grid entry stored as its u).
 * Tables are kernel constants; codes arrive as float32 (exact: they are below 2^16). Divisions by powers of two are
 * written as multiplications by their inverses (exact; WGSL's float division need not be correctly rounded).
 */
import type { GPU } from 'gpu.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { KernelThis } from './kernel-this.js';

/** The E8P12 decode tables: ROW (256 x 8), SIGN (256 x 8) and SHIFT (256), derived from a decode function. */
export interface E8P12Tables {
  ROW: Float32Array;
  SIGN: Float32Array;
  SHIFT: Float32Array;
}

/**
 * The tables from `decode` (E8P12.decode): code 256 a has sign byte 0 (no negation, shift +1/4), so its point is
 * ROW[a] + 1/4; row 0 is all 1/2, so the point of code s is SIGN[s] / 2 + SHIFT[s], SHIFT[s] = +-1/4 by parity.
 */
export function e8p12Tables(decode: (code: number) => Float64Array): E8P12Tables {
  const ROW = new Float32Array(256 * 8);
  const SIGN = new Float32Array(256 * 8);
  const SHIFT = new Float32Array(256);
  for (let a = 0; a < 256; a++) {
    const p = decode(a << 8);
    for (let j = 0; j < 8; j++) ROW[8 * a + j] = p[j] - 0.25;
  }
  for (let s = 0; s < 256; s++) {
    const p = decode(s);
    let parity = 0;
    for (let b = s; b > 0; b &= b - 1) parity ^= 1;
    SHIFT[s] = parity ? -0.25 : 0.25;
    for (let j = 0; j < 8; j++) SIGN[8 * s + j] = (p[j] - SHIFT[s]) / 0.5;
  }
  return { ROW, SIGN, SHIFT };
}

/** Offset of the quarter-value index: v = (q - 12) / 4 for q = 0..24 covers [-3, 3]. */
export const QUARTER_OFFSET = 12;
export const QUARTER_VALUES = 25;

/** Weight j of each row r (output i = 8 r + j) of E8P12 codes. */
function decodeE8P12(this: KernelThis<{ ROW: number[]; SIGN: number[]; SHIFT: number[] }>, codes: number[]): number {
  const i = this.thread.x;
  const r = Math.floor(i * 0.125);
  const j = i - 8 * r;
  const code = codes[r];
  const a = Math.floor(code * 0.00390625);
  const s = code - 256 * a;
  return this.constants.ROW[8 * a + j] * this.constants.SIGN[8 * s + j] + this.constants.SHIFT[s];
}

/** Weight j of row r of residual codes whose second stage is E8P12. */
function decodeResidualE8P12(this: KernelThis<{ ROW: number[]; SIGN: number[]; SHIFT: number[]; COMBINED: number[] }>, codes: number[]): number {
  const i = this.thread.x;
  const r = Math.floor(i * 0.125);
  const j = i - 8 * r;
  const c1 = codes[2 * r];
  const a1 = Math.floor(c1 * 0.00390625);
  const s1 = c1 - 256 * a1;
  const c2 = codes[2 * r + 1];
  const a2 = Math.floor(c2 * 0.00390625);
  const s2 = c2 - 256 * a2;
  const v1 = this.constants.ROW[8 * a1 + j] * this.constants.SIGN[8 * s1 + j] + this.constants.SHIFT[s1];
  const v2 = this.constants.ROW[8 * a2 + j] * this.constants.SIGN[8 * s2 + j] + this.constants.SHIFT[s2];
  return this.constants.COMBINED[(4 * v1 + 12) * 25 + (4 * v2 + 12)];
}

/** Weight j of row r of residual codes whose second stage is a table (GRID_VALUE[8 c + j] = u of its entry). */
function decodeResidualGrid(
  this: KernelThis<{ ROW: number[]; SIGN: number[]; SHIFT: number[]; COMBINED: number[]; GRID_VALUE: number[]; U: number }>,
  codes: number[],
): number {
  const i = this.thread.x;
  const r = Math.floor(i * 0.125);
  const j = i - 8 * r;
  const c1 = codes[2 * r];
  const a1 = Math.floor(c1 * 0.00390625);
  const s1 = c1 - 256 * a1;
  const v1 = this.constants.ROW[8 * a1 + j] * this.constants.SIGN[8 * s1 + j] + this.constants.SHIFT[s1];
  const u = this.constants.GRID_VALUE[8 * codes[2 * r + 1] + j];
  return this.constants.COMBINED[(4 * v1 + 12) * this.constants.U + u];
}

/** How a codebook decodes on a device. */
export type DecodeRecipe =
  | { kind: 'e8p12'; tables: E8P12Tables }
  | { kind: 'residual-e8p12'; tables: E8P12Tables; combined: Float32Array }
  | { kind: 'residual-grid'; tables: E8P12Tables; combined: Float32Array; gridValue: Float32Array; distinct: number };

/** The plan decoding `rows` code rows by `recipe`: one call takes the codes (a Float32Array) and resolves to 8 rows weights. */
export function buildDecodePlan(gpu: GPU, rows: number, recipe: DecodeRecipe): DevicePlan {
  const output = [8 * rows];
  const { ROW, SIGN, SHIFT } = recipe.tables;
  const kernel =
    recipe.kind === 'e8p12'
      ? gpu.createKernel(decodeE8P12, { output, constants: { ROW, SIGN, SHIFT } })
      : recipe.kind === 'residual-e8p12'
        ? gpu.createKernel(decodeResidualE8P12, { output, constants: { ROW, SIGN, SHIFT, COMBINED: recipe.combined } })
        : gpu.createKernel(decodeResidualGrid, {
            output,
            constants: { ROW, SIGN, SHIFT, COMBINED: recipe.combined, GRID_VALUE: recipe.gridValue, U: recipe.distinct },
          });
  return pipelinePlan(gpu, [kernel], (codes) => kernel(codes));
}
