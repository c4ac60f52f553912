/**
 * E8P12: QuIP#'s 2-bit E8 codebook (Tseng et al., ICML 2024, sec. 4.2): 65536 points of E8 + 1/4 or E8 - 1/4,
 * 8 weights per 16-bit code. See e8p12-table.ts for the code numbering.
 */
import { type FloatArray, assertInteger } from '../core/index.js';
import type { Codebook, QuantizeResult } from './codebook.js';
import {
  BALL_ROWS,
  NORM12_PATTERNS,
  buildAbsTable,
  buildShuffleTable,
  buildSignTable,
  parity8,
} from './e8p12-table.js';
import { checkCodes, checkRows, outputRows } from './rows.js';
import { compareAbsDifferences, compareSquaredDistances } from './exact.js';

const ROWS = buildAbsTable();
const SIGNS = buildSignTable();
/** +1/4 for even-parity sign bytes, -1/4 for odd. */
const SHIFTS = Float64Array.from({ length: 256 }, (_, s) => (parity8(s) ? -0.25 : 0.25));
const SIGN_BYTE = buildShuffleTable();
/** 1 when a row is stored with its last entry negated. */
const LAST_NEG = Uint8Array.from({ length: 256 }, (_, r) => (ROWS[8 * r + 7] < 0 ? 1 : 0));
const POW3 = Int32Array.from({ length: 8 }, (_, i) => 3 ** i);
/** Row of an absolute pattern keyed by sum_i d_i 3^i, |x_i| = d_i + 1/2 (-1 for patterns not in the table). */
const ROW_OF_KEY = new Int16Array(3 ** 8).fill(-1);
for (let r = 0; r < 256; r++) {
  let key = 0;
  for (let i = 0; i < 8; i++) key += (Math.abs(ROWS[8 * r + i]) - 0.5) * POW3[i];
  ROW_OF_KEY[key] = r;
}

/**
 * The ball rows are all permutations of 7 multisets {5/2^n5, 3/2^n3, 1/2^rest} with n3 + 3 n5 <= 4
 * (squared norm 2 + 2 n3 + 6 n5 <= 10).
 */
const MULTISET_N5 = Int32Array.of(0, 0, 0, 0, 0, 1, 1);
const MULTISET_N3 = Int32Array.of(0, 1, 2, 3, 4, 0, 1);
const MULTISETS = MULTISET_N5.length;
/** Coordinates of the three 1/2 entries of each norm-12 row. */
const HALF_AT = new Int32Array(3 * NORM12_PATTERNS.length);
NORM12_PATTERNS.forEach((p, m) => {
  let n = 0;
  for (let i = 0; i < 8; i++) if (p[i] === '1') HALF_AT[3 * m + n++] = i;
});

// Scratch state of the nearest-code search (single-threaded: no allocation per vector).
const XS = new Float64Array(8); // the input row (rescaled when huge)
const SG = new Float64Array(8); // sigma_i = sign(x_i - t), +1 at 0 (the coset point z in nearestCosetPoint)
const SX = new Float64Array(8); // sigma_i x_i
const U = new Float64Array(8); // |x_i - t|
const ORDER = new Int32Array(8); // coordinates by decreasing |x_i - t|
const RANK = new Int32Array(8); // inverse of ORDER
const PX = new Float64Array(6); // prefix sums of SX in ORDER (first 5)
const PS = new Float64Array(6); // prefix sums of SG in ORDER (first 5)
let bestE = Infinity;
let bestD = 0;
let bestCode = 0;
let negMask = 0; // bit i set when sigma_i = -1
/** sum |x_i| of the current row: the scale of every rounding error in its scores (see scoreSlack). */
let l1 = 0;
const ERR = new Float64Array(8); // |x_i - t - z_i| in nearestCosetPoint
const P = new Float64Array(8); // decoded candidates for the exact comparison
const Q = new Float64Array(8);

/** Rows above this max |x_i| are scaled by 2^-200 first (exact, and keeps every sum finite). */
const HUGE = 2 ** 1000;
/**
 * Rows below this max |x_i| skip the lattice shortcut: x_i - 1/4 would round away the differences that
 * decide between equally far points of the shortcut (the full search keeps them exactly).
 */
const TINY = 2 ** -20;

// Nearest point z of the coset D8 + 1/2 + t, per shift (index 0: t = +1/4, 1: t = -1/4).
const LAT_SCORE = new Float64Array(2); // ||x - z - t||^2
const LAT_ROW = new Int32Array(2); // table row of |z|, -1 when |z| is not a codebook pattern
const LAT_MASK = new Int32Array(2); // bit i set when z_i < 0

/**
 * Code of the E8P12 point nearest to x[off..off+7] (Euclidean; ties keep the first candidate found).
 *
 * Shortcut: the codebook for shift t is a subset of the coset D8 + 1/2 + t, so the nearest coset point
 * (Conway & Sloane's D_n decoder on half-integers) bounds every codebook point of that shift from below.
 * When the nearer of the two coset points is a codebook point, it is the answer; otherwise the structured
 * search (searchShift) runs for that shift; the other shift is then settled by its bound, by its own coset
 * point when that is a codebook point, or by a second structured search.
 */
export function nearestE8P12Code(x: Float64Array, off: number): number {
  let maxAbs = 0;
  let S = 0;
  let N2 = 0;
  let L1 = 0;
  for (let i = 0; i < 8; i++) {
    const v = x[off + i];
    const a = Math.abs(v);
    XS[i] = v;
    maxAbs = Math.max(maxAbs, a);
    S += v;
    N2 += v * v;
    L1 += a;
  }
  if (maxAbs > HUGE) {
    // Scaled by 2^-200 (exact but for underflowing coordinates) so that the sums stay finite.
    S = 0;
    N2 = 0;
    L1 = 0;
    for (let i = 0; i < 8; i++) {
      const v = (XS[i] *= 2 ** -200);
      S += v;
      N2 += v * v;
      L1 += Math.abs(v);
    }
  }
  l1 = L1;
  bestE = Infinity;
  bestD = 0;
  if (maxAbs < TINY) {
    searchShift(0.25, S);
    searchShift(-0.25, S);
    return bestCode;
  }
  nearestCosetPoint(0, 0.25);
  nearestCosetPoint(1, -0.25);
  const first = LAT_SCORE[1] < LAT_SCORE[0] ? 1 : 0;
  const second = 1 - first;
  // A codebook coset point clearly nearer than the other coset's nearest point is the answer (the scores have
  // rounding errors of a few ulps of |x_i| + 1/4; a near-tie goes on to the exact comparisons below).
  if (LAT_ROW[first] >= 0) {
    if (LAT_SCORE[second] - LAT_SCORE[first] > 2 ** -40 * (L1 + 8)) return latticeCode(first);
    consider(latticeCode(first));
  } else {
    searchShift(first === 0 ? 0.25 : -0.25, S);
  }
  // The other coset's nearest point bounds every codebook point of its shift from below.
  if (LAT_SCORE[second] - N2 > bestE + bestD + 1e-9 * (N2 + 16)) return bestCode;
  // And it is the best of its shift when it is a codebook point.
  if (LAT_ROW[second] >= 0) consider(latticeCode(second));
  else searchShift(second === 0 ? 0.25 : -0.25, S);
  return bestCode;
}

/**
 * Bound on the rounding error of a difference of two E + D scores of the current row (E is exact, each D has an
 * error of a few dozen ulps of sum |x_i|): differences within it are settled exactly (closer).
 */
function scoreSlack(): number {
  return 2 ** -40 * l1;
}

/** Whether the point of `code` is exactly nearer to XS than the point of `than` (false on exact ties). */
function closer(code: number, than: number): boolean {
  decodeE8P12Into(code, P, 0);
  decodeE8P12Into(than, Q, 0);
  return compareSquaredDistances(XS, P, Q) < 0;
}

/** Makes `code` the running best if it is nearer (scored E + D like searchShift's candidates; near-ties exactly). */
function consider(code: number): void {
  decodeE8P12Into(code, P, 0);
  let E = 0;
  let D = 0;
  for (let i = 0; i < 8; i++) {
    E += P[i] * P[i];
    D -= 2 * P[i] * XS[i];
  }
  const diff = E - bestE + (D - bestD);
  const slack = scoreSlack();
  if (diff < -slack || (diff <= slack && closer(code, bestCode))) {
    bestE = E;
    bestD = D;
    bestCode = code;
  }
}

/** Code of the nearest coset point found for shift index k (0: +1/4, 1: -1/4), a codebook point. */
function latticeCode(k: number): number {
  const row = LAT_ROW[k];
  return (row << 8) | (SIGN_BYTE[LAT_MASK[k] ^ (LAST_NEG[row] << 7)] ^ k);
}

/**
 * Nearest point z + t of the coset D8 + 1/2 + t to XS (Conway & Sloane 1982, D_n decoder on y = x - t
 * rounded to half-integers): z_i = floor(y_i) + 1/2; when sum z is odd, the coordinate with the largest
 * |y_i - z_i| moves to its other neighbour. Stores score, row and sign mask at index k.
 */
function nearestCosetPoint(k: number, t: number): void {
  let score = 0;
  let floorSum = 0;
  for (let i = 0; i < 8; i++) {
    const y = XS[i] - t; // rounded: every decision below is checked against XS and t exactly where it matters
    let f = Math.floor(y);
    if (f === y && XS[i] < f + t) f -= 1; // x - t just below an integer, rounded up onto it
    const d = y - f - 0.5;
    floorSum += f;
    score += d * d;
    SG[i] = f + 0.5; // z, reused as scratch
  }
  if ((floorSum & 1) !== 0) {
    // The coordinate with the largest |d| moves to its other neighbour. Only now find it (first on ties): its
    // data-dependent branches cost more than the rest of the loop, and half the inputs do not need it.
    let worst = 0;
    let worstErr = -1;
    for (let i = 0; i < 8; i++) {
      const e = Math.abs(XS[i] - t - SG[i]);
      ERR[i] = e;
      if (e > worstErr) {
        worstErr = e;
        worst = i;
      }
    }
    // |d| is rounded on the grid of x - t, which differs between coordinates (errors below 2^-52 (|x_i| + 1) each):
    // near-ties are ordered exactly.
    const near = worstErr - 2 ** -50 * (l1 + 1);
    let ties = 0;
    for (let i = 0; i < 8; i++) ties += +(ERR[i] >= near);
    if (ties > 1) worst = exactWorst(worst, near, t);
    score += 1 - 2 * ERR[worst]; // (1 - e)^2 - e^2
    SG[worst] += XS[worst] >= SG[worst] + t ? 1 : -1;
  }
  let key = 0;
  let mask = 0;
  let inRange = true;
  for (let i = 0; i < 8; i++) {
    const z = SG[i];
    const a = Math.abs(z);
    inRange = inRange && a < 3;
    key += (a - 0.5) * POW3[i];
    mask |= +(z < 0) << i;
  }
  LAT_SCORE[k] = score;
  LAT_ROW[k] = inRange ? ROW_OF_KEY[key] : -1;
  LAT_MASK[k] = mask;
}

/**
 * The coordinate with the exactly largest |x_i - t - z_i| (the first on exact ties) among those whose rounded
 * value ERR[i] is at least `near`, starting from `worst`.
 */
function exactWorst(worst: number, near: number, t: number): number {
  let best = worst;
  for (let i = 0; i < 8; i++) {
    if (i === best || ERR[i] < near) continue;
    const cmp = compareAbsDifferences(XS[i], SG[i] + t, XS[best], SG[best] + t);
    if (cmp > 0 || (cmp === 0 && i < best)) best = i;
  }
  return best;
}

/**
 * Whether coordinate j precedes i when |y_j| = |y_i| after rounding (y = x - t): on the same side of t ordered
 * exactly by sigma x, on opposite sides by the exact |x - t| (the positive side first on an exact tie).
 */
function tieBefore(j: number, i: number, t: number): number {
  if (SG[j] === SG[i]) return SX[j] > SX[i] ? 1 : 0;
  const cmp = compareAbsDifferences(XS[j], t, XS[i], t);
  return cmp > 0 || (cmp === 0 && SG[j] > SG[i]) ? 1 : 0;
}

/**
 * Structured search over the codebook points of shift t; improves the running best (bestE, bestD, bestCode).
 *
 * The score of a point c = sigma .* A + t (A an absolute row, sigma signs) is ||x - c||^2 - ||x||^2 = E + D
 * with the exact dyadic part E = ||A||^2 + 2 t sum(sigma A) + 1/2 and the data part
 * D = -2 (sum(sigma A x) + t sum(x)). Candidates are compared by (E1 - E2) + (D1 - D2), so decisions keep the
 * relative accuracy of x even for tiny inputs.
 *
 * With y = x - t, the best signs for a fixed A are sigma = sign(y); the codebook needs an even-sum point
 * (number of negatives = sum(A) mod 2), and when the parity is wrong the cheapest repair flips the
 * coordinate minimizing A_i |y_i| (cost 4 A_i |y_i|). The 227 ball rows are all permutations of 7 multisets;
 * the best assignment of each puts larger entries on larger |y_i| (rearrangement inequality), and a wrong
 * parity is then repaired at the smallest |y_i|, which always carries a 1/2. So the ball costs 7 evaluations
 * from prefix sums over |y| sorted; the 29 norm-12 rows are scored one by one, skipped when the
 * rearrangement bound shows none can win.
 */
function searchShift(t: number, S: number): void {
  let nNeg = 0;
  let mask = 0;
  for (let i = 0; i < 8; i++) {
    const y = XS[i] - t;
    const neg = +(y < 0);
    const s = 1 - 2 * neg;
    SG[i] = s;
    SX[i] = s * XS[i];
    U[i] = s * y;
    nNeg += neg;
    mask |= neg << i;
    RANK[i] = 0;
  }
  negMask = mask;
  // Ranks by decreasing |y| from the 28 pairwise comparisons (branch-free but for exact rounding ties).
  for (let i = 0; i < 7; i++) {
    const ui = U[i];
    let ri = RANK[i];
    for (let j = i + 1; j < 8; j++) {
      const uj = U[j];
      const jFirst = uj === ui ? tieBefore(j, i, t) : +(uj > ui);
      ri += jFirst;
      RANK[j] += 1 - jFirst;
    }
    RANK[i] = ri;
  }
  for (let i = 0; i < 8; i++) ORDER[RANK[i]] = i;
  // Prefix sums of sigma x and sigma over the 5 largest |y| (all the ball multisets need).
  let px = 0;
  let ps = 0;
  for (let r = 0; r < 5; r++) {
    const i = ORDER[r];
    px += SX[i];
    ps += SG[i];
    PX[r + 1] = px;
    PS[r + 1] = ps;
  }
  const Tx = SX[0] + SX[1] + SX[2] + SX[3] + SX[4] + SX[5] + SX[6] + SX[7];
  const Ts = 8 - 2 * nNeg;
  const last = ORDER[7];
  const oddNeg = nNeg & 1;
  const tS = t * S;
  const t2 = 2 * t;
  const slack = scoreSlack();
  let kind = -1;
  let flip = -1;

  for (let m = 0; m < MULTISETS; m++) {
    const n5 = MULTISET_N5[m];
    const n3 = MULTISET_N3[m];
    // sum(A sigma (.)) over the sorted assignment 5/2, 3/2, 1/2 = 1/2 total + prefix(n5) + prefix(n5 + n3).
    const repair = (n3 ^ oddNeg) & 1;
    const sa = 0.5 * Ts + PS[n5] + PS[n5 + n3] - repair * SG[last];
    const sx = 0.5 * Tx + PX[n5] + PX[n5 + n3] - repair * SX[last];
    const E = 2.5 + 2 * n3 + 6 * n5 + t2 * sa;
    const D = -2 * (sx + tS);
    const diff = E - bestE + (D - bestD);
    const f = repair ? last : -1;
    if (diff < -slack || (diff <= slack && closer(codeOf(m, f, t), kind >= 0 ? codeOf(kind, flip, t) : bestCode))) {
      bestE = E;
      bestD = D;
      kind = m;
      flip = f;
    }
  }

  // Norm-12 rows: score >= 12.5 - 2 t S - 2 (3/2 sum|y| - three smallest |y|) by rearrangement.
  const Usum = U[0] + U[1] + U[2] + U[3] + U[4] + U[5] + U[6] + U[7];
  const bound = 12.5 - 2 * tS - 3 * Usum + 2 * (U[ORDER[5]] + U[ORDER[6]] + U[last]);
  const boundSlack = 1e-9 * (16 + 3 * Usum + Math.abs(2 * tS));
  if (!(bound > bestE + bestD + boundSlack)) {
    const cs = 1.5 * Ts;
    const cx = 1.5 * Tx;
    const repair = oddNeg === 0; // norm-12 rows sum to 9: they need an odd number of negatives
    for (let m = 0; m < NORM12_PATTERNS.length; m++) {
      const a = HALF_AT[3 * m];
      const b = HALF_AT[3 * m + 1];
      const c = HALF_AT[3 * m + 2];
      let sa = cs - SG[a] - SG[b] - SG[c];
      let sx = cx - SX[a] - SX[b] - SX[c];
      let f = -1;
      if (repair) {
        let w = 1; // 2 |A_f|
        if (last === a || last === b || last === c) {
          f = last;
        } else {
          // Cheapest flip: 3/2 at the smallest |y| or 1/2 at the smallest |y| among the halves.
          const h = RANK[a] > RANK[b] ? (RANK[a] > RANK[c] ? a : c) : RANK[b] > RANK[c] ? b : c;
          const gap = 3 * U[last] - U[h]; // rounded: a near-tie is settled by comparing the two points exactly
          const flipLast =
            Math.abs(gap) > 2 ** -48 * (U[h] + 1) ? gap <= 0 : !closer(codeOf(MULTISETS + m, h, t), codeOf(MULTISETS + m, last, t));
          if (flipLast) {
            f = last;
            w = 3;
          } else {
            f = h;
          }
        }
        sa -= w * SG[f];
        sx -= w * SX[f];
      }
      const E = 12.5 + 2 * t * sa;
      const D = -2 * (sx + tS);
      const diff = E - bestE + (D - bestD);
      if (diff < -slack || (diff <= slack && closer(codeOf(MULTISETS + m, f, t), kind >= 0 ? codeOf(kind, flip, t) : bestCode))) {
        bestE = E;
        bestD = D;
        kind = MULTISETS + m;
        flip = f;
      }
    }
  }
  if (kind >= 0) bestCode = codeOf(kind, flip, t);
}

/** Code of the candidate `kind` (multiset index, or MULTISETS + norm-12 index) found for shift t. */
function codeOf(kind: number, flip: number, t: number): number {
  let row: number;
  if (kind < MULTISETS) {
    const n5 = MULTISET_N5[kind];
    const n53 = n5 + MULTISET_N3[kind];
    let key = 0;
    for (let r = 0; r < n53; r++) key += (r < n5 ? 2 : 1) * POW3[ORDER[r]];
    row = ROW_OF_KEY[key];
  } else {
    row = BALL_ROWS + kind - MULTISETS;
  }
  let mask = negMask ^ (LAST_NEG[row] << 7);
  if (flip >= 0) mask ^= 1 << flip;
  return (row << 8) | (SIGN_BYTE[mask] ^ (t < 0 ? 1 : 0));
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

/** Rows per block of `f64Block`. */
export const BLOCK_ROWS = 1024;
const block = new Float64Array(8 * BLOCK_ROWS);

/**
 * Rows r0 .. r0 + n - 1 (n <= BLOCK_ROWS) of a k x 8 matrix as a Float64Array, so the search code sees one array
 * type whatever the input type (and stays monomorphic, hence fast): a Float64Array X itself (row r0 + r at
 * 8 * (r0 + r)), or the rows of a Float32Array copied into a shared block (row r0 + r at 8 * r).
 * Callers find the first row at `8 * (rows === X ? r0 : 0)`.
 */
export function f64Block(X: FloatArray, r0: number, n: number): Float64Array {
  if (X instanceof Float64Array) return X;
  block.set(X.subarray(8 * r0, 8 * (r0 + n)));
  return block;
}

/** The E8P12 codebook type; use the `E8P12` instance. */
export class E8P12Codebook implements Codebook {
  readonly name = 'E8P12';
  readonly dim = 8;
  readonly bitsPerWeight = 2;
  /** Best scale for unit-variance Gaussian input (QuIP#'s value; our sweep: see docs/lattice.md). */
  readonly optScale = 1.03;
  readonly codeWords = 1;
  /** Number of codebook points, 2^16. */
  readonly size = 65536;
  private cachedGrid: Float32Array | undefined;

  /** The point of one code (integer in 0..65535) as 8 values. */
  decode<T extends FloatArray = Float64Array>(code: number, out?: T): T {
    assertInteger('E8P12.decode', 'code', code, 0, 65535);
    const result = outputRows('E8P12.decode', out, 8);
    decodeE8P12Into(code, result, 0);
    return result;
  }

  /** Points of k codes as a row-major k x 8 matrix. */
  decodeRows<T extends FloatArray = Float64Array>(codes: Uint16Array, out?: T): T {
    const k = checkCodes('E8P12.decodeRows', 'codes', codes, 1);
    const result = outputRows('E8P12.decodeRows', out, 8 * k);
    for (let r = 0; r < k; r++) decodeE8P12Into(codes[r], result, 8 * r);
    return result;
  }

  /** Exact nearest codebook point of every row of a row-major k x 8 matrix (see nearestE8P12Code). */
  quantize(X: FloatArray): QuantizeResult {
    const k = checkRows('E8P12.quantize', 'X', X, 8);
    const codes = new Uint16Array(k);
    const values = new Float64Array(8 * k);
    for (let r0 = 0; r0 < k; r0 += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, k - r0);
      const rows = f64Block(X, r0, n);
      const first = rows === X ? r0 : 0;
      for (let r = 0; r < n; r++) {
        const code = nearestE8P12Code(rows, 8 * (first + r));
        codes[r0 + r] = code;
        decodeE8P12Into(code, values, 8 * (r0 + r));
      }
    }
    return { codes, values };
  }

  /** All 65536 points, row = code, as a Float32Array(65536 * 8) (built on first call, then shared: do not modify). */
  grid(): Float32Array {
    if (!this.cachedGrid) {
      const g = new Float32Array(65536 * 8);
      for (let c = 0; c < 65536; c++) decodeE8P12Into(c, g, 8 * c);
      this.cachedGrid = g;
    }
    return this.cachedGrid;
  }
}

/** QuIP#'s E8P12 codebook: 2 bits per weight, one 16-bit code per 8 weights, codes bit-compatible with QuIP#. */
export const E8P12 = new E8P12Codebook();
