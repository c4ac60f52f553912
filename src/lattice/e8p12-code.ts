/**
 * The built E8P12 tables (read-only after module load) and the two directions between a code and its point:
 * `decodeE8P12Into` (code -> 8 values) and `e8p12Code` (row, negation mask, shift -> code). The numbering is
 * QuIP#'s; see e8p12-table.ts.
 */
import type { FloatArray } from '../core/index.js';
import { buildAbsTable, buildShuffleTable, buildSignTable } from './e8p12-table.js';
import { parity } from '../core/index.js';

/** The 256 stored rows, row-major 256 x 8 (odd-sum rows with the last entry negated). */
const ROWS = buildAbsTable();
/** SIGNS[8 s + i]: -1 when sign byte s negates coordinate i, else +1. */
const SIGNS = buildSignTable();
/** +1/4 for even-parity sign bytes, -1/4 for odd. */
const SHIFTS = Float64Array.from({ length: 256 }, (_, s) => (parity(s) ? -0.25 : 0.25));
/** SIGN_BYTE[m]: the even-parity sign byte negating the coordinates of mask m. */
const SIGN_BYTE = buildShuffleTable();
/** 1 when a row is stored with its last entry negated. */
const LAST_NEG = Uint8Array.from({ length: 256 }, (_, r) => (ROWS[8 * r + 7] < 0 ? 1 : 0));

/** POW3[i] = 3^i: absolute patterns are keyed by sum_i d_i 3^i, |x_i| = d_i + 1/2 (d_i in 0, 1, 2). */
export const POW3 = Int32Array.from({ length: 8 }, (_, i) => 3 ** i);

/** Row of the absolute pattern with key sum_i d_i 3^i (-1 for patterns not in the table). */
export const ROW_OF_KEY = new Int16Array(3 ** 8).fill(-1);
for (let r = 0; r < 256; r++) {
  let key = 0;
  for (let i = 0; i < 8; i++) key += (Math.abs(ROWS[8 * r + i]) - 0.5) * POW3[i];
  ROW_OF_KEY[key] = r;
}

/**
 * Code of the point sigma .* |row| + t: `row` in 0..255, `mask` the 8-bit mask of its negative coordinates
 * (bit i set when sigma_i = -1; its parity must match the row's), `odd` 1 for t = -1/4, 0 for t = +1/4.
 */
export function e8p12Code(row: number, mask: number, odd: number): number {
  return (row << 8) | (SIGN_BYTE[mask ^ (LAST_NEG[row] << 7)] ^ odd);
}

/** Writes the point of `code` (0..65535, unchecked) to out[o..o+7]. */
export function decodeE8P12Into(code: number, out: FloatArray, o: number): void {
  const a = (code >>> 8) << 3;
  const s = code & 255;
  const sg = s << 3;
  const t = SHIFTS[s];
  // Unrolled: this is the whole of decodeRows.
  out[o] = ROWS[a] * SIGNS[sg] + t;
  out[o + 1] = ROWS[a + 1] * SIGNS[sg + 1] + t;
  out[o + 2] = ROWS[a + 2] * SIGNS[sg + 2] + t;
  out[o + 3] = ROWS[a + 3] * SIGNS[sg + 3] + t;
  out[o + 4] = ROWS[a + 4] * SIGNS[sg + 4] + t;
  out[o + 5] = ROWS[a + 5] * SIGNS[sg + 5] + t;
  out[o + 6] = ROWS[a + 6] * SIGNS[sg + 6] + t;
  out[o + 7] = ROWS[a + 7] * SIGNS[sg + 7] + t;
}
