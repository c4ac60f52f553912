/**
 * The E8P12 absolute-value table and sign-byte tables in QuIP#'s code numbering (Tseng et al., "QuIP#: Even
 * Better LLM Quantization with Hadamard Incoherence and Lattice Codebooks", ICML 2024, sec. 4.2).
 *
 * A code c has row a = c >> 8 and sign byte s = c & 255. Row a is an absolute-value pattern with entries in
 * {1/2, 3/2, 5/2}; rows whose entries sum to an odd number are stored with the last entry negated, so every
 * stored row lies in D8 + 1/2 (even sum). The sign byte: p = parity(s), s' = s XOR p (even parity);
 * coordinate i is negated when bit SHUFFLE[i] of s' is set; the point is shifted by +1/4 (p = 0) or -1/4 (p = 1).
 */
import { parity } from '../core/index.js';

/** Bit of the even-parity sign byte that negates output coordinate i. */
export const SHUFFLE = [0, 4, 1, 5, 2, 6, 3, 7] as const;

/** Number of rows built from the ball ||x||^2 <= 10 (all of them, in ascending lexicographic order). */
export const BALL_ROWS = 227;

/**
 * Rows 227..255: 29 of the 56 patterns with five entries 3/2 and three 1/2 (squared norm 12), in QuIP#'s
 * order, written as 2|x_i|. This order follows no simple rule (row 248 breaks the nesting of its neighbours),
 * so it is data, taken from QuIP#'s reference table (the list of norm-12 points in its E8P12 codebook).
 */
export const NORM12_PATTERNS = [
  '31113333', '13113333', '11313333', '11133333', '33313311', '33313131', '33311331', '33313113',
  '33311313', '33311133', '33133311', '33133131', '33131331', '33133113', '33131313', '33131133',
  '31333311', '31333131', '31331331', '31333113', '31331313', '13331133', '13333311', '13333131',
  '13331331', '13333113', '13331313', '11331333', '33113331',
] as const;

/**
 * The 256 stored rows (row-major 256 x 8): rows 0..226 are every pattern in {1/2, 3/2, 5/2}^8 with squared
 * norm <= 10 in ascending lexicographic order (= the absolute-value patterns of D8-hat = {x in (Z + 1/2)^8 :
 * sum x even, ||x||^2 <= 10}), then the 29 norm-12 patterns; odd-sum rows have the last entry negated.
 */
export function buildAbsTable(): Float64Array {
  const rows = new Float64Array(256 * 8);
  let n = 0;
  const pattern = new Float64Array(8);
  // Lexicographic enumeration: coordinate 0 most significant, values 1/2 < 3/2 < 5/2.
  const visit = (i: number, norm: number): void => {
    if (i === 8) {
      storeRow(rows, n++, pattern);
      return;
    }
    for (const v of [0.5, 1.5, 2.5]) {
      if (norm + v * v > 10) break;
      pattern[i] = v;
      visit(i + 1, norm + v * v);
    }
  };
  visit(0, 0);
  if (n !== BALL_ROWS) throw new Error(`E8P12 table: expected ${BALL_ROWS} ball patterns, built ${n}`);
  for (const p of NORM12_PATTERNS) {
    for (let i = 0; i < 8; i++) pattern[i] = Number(p[i]) / 2;
    storeRow(rows, n++, pattern);
  }
  return rows;
}

function storeRow(rows: Float64Array, r: number, pattern: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += pattern[i];
  for (let i = 0; i < 8; i++) rows[8 * r + i] = pattern[i];
  if (sum % 2 === 1) rows[8 * r + 7] = -pattern[7];
}

/** SIGNS[8 s + i] = -1 when sign byte s negates coordinate i, else +1 (256 x 8). */
export function buildSignTable(): Float64Array {
  const signs = new Float64Array(256 * 8);
  for (let s = 0; s < 256; s++) {
    const even = s ^ parity(s);
    for (let i = 0; i < 8; i++) signs[8 * s + i] = (even >> SHUFFLE[i]) & 1 ? -1 : 1;
  }
  return signs;
}

/** SIGN_BYTE[m] = the even-parity sign byte s' whose bit SHUFFLE[i] is bit i of the negation mask m. */
export function buildShuffleTable(): Uint8Array {
  const table = new Uint8Array(256);
  for (let m = 0; m < 256; m++) {
    let s = 0;
    for (let i = 0; i < 8; i++) if ((m >> i) & 1) s |= 1 << SHUFFLE[i];
    table[m] = s;
  }
  return table;
}
