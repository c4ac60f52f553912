/**
 * QuIP#'s residual (two-stage) E8 codebooks (Tseng et al., ICML 2024, sec. 4.3): E8P12 on x, then a second
 * codebook on the residual times a scale s; reconstruction first + second / s.
 */
import type { FloatArray } from '../core/index.js';
import type { Codebook, QuantizeResult } from './codebook.js';
import { BLOCK_ROWS, decodeE8P12Into, f64Block, nearestE8P12Code } from './e8p12.js';
import { checkCodes, checkRows, outputRows } from './rows.js';

/**
 * The 256-point residual codebook of E8P12RVQ3B: the 241 points of E8 with squared norm <= 2 (origin and
 * the 240 roots) and the 15 points +-2 e_i except -2 e_8. Code numbering (ours; QuIP# does not fix one):
 *   0                      origin
 *   1 + 4 p + 2 a + b      +-e_i +-e_j, i < j, p = index of (i, j) in lexicographic order (0..27),
 *                          a = 1 when the e_i sign is negative, b likewise for e_j          (1..112)
 *   113 + (m >> 1)         (+-1/2)^8 with an even number of minus signs, m = 8-bit mask of the
 *                          negative coordinates (bit i = coordinate i; bit 0 follows from parity) (113..240)
 *   241 + 2 i + a          +-2 e_i, a = 1 for the negative sign (i = 7 only positive: 255)     (241..255)
 */
export const RESIDUAL_POINTS: Float64Array = buildResidualPoints();

function pairIndex(i: number, j: number): number {
  return (i * (15 - i)) / 2 + (j - i - 1);
}

function buildResidualPoints(): Float64Array {
  const P = new Float64Array(256 * 8);
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j < 8; j++) {
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          const c = 1 + 4 * pairIndex(i, j) + 2 * a + b;
          P[8 * c + i] = a ? -1 : 1;
          P[8 * c + j] = b ? -1 : 1;
        }
      }
    }
  }
  for (let h = 0; h < 128; h++) {
    const upper = h << 1;
    const m = upper | (popcount(upper) & 1); // bit 0 restores even parity
    for (let i = 0; i < 8; i++) P[8 * (113 + h) + i] = (m >> i) & 1 ? -0.5 : 0.5;
  }
  for (let c = 241; c < 256; c++) {
    const i = (c - 241) >> 1;
    P[8 * c + i] = (c - 241) & 1 ? -2 : 2;
  }
  return P;
}

function popcount(m: number): number {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
}

/**
 * Nearest residual codebook point to x[off..off+7]: the best of each family in closed form (score
 * ||c||^2 - 2 x.c, kept as exact norm plus data part): origin 0; roots +-e_i +-e_j: the two largest |x_i|
 * with matching signs; half roots: signs of x, the smallest |x_i| flipped when the number of negatives is odd;
 * +-2 e_i: the largest allowed sigma x_i. Ties keep the lower code.
 */
export function nearestResidualCode(x: ArrayLike<number>, off: number): number {
  // Largest and second largest |x_i| (lowest index first on ties), smallest |x_i| (lowest index).
  let i1 = -1;
  let i2 = -1;
  let a1 = -1;
  let a2 = -1;
  let iMin = 0;
  let aMin = Infinity;
  let absSum = 0;
  let negMask = 0;
  let iAxis = 0;
  let axisBest = -Infinity;
  for (let i = 0; i < 8; i++) {
    const v = x[off + i];
    const a = Math.abs(v);
    absSum += a;
    if (v < 0) negMask |= 1 << i;
    if (a > a1) {
      i2 = i1;
      a2 = a1;
      i1 = i;
      a1 = a;
    } else if (a > a2) {
      i2 = i;
      a2 = a;
    }
    if (a < aMin) {
      aMin = a;
      iMin = i;
    }
    // +-2 e_i: sigma x_i with sigma = sign(x_i); for i = 7 only +2 e_8 exists.
    const axis = i === 7 ? v : a;
    if (axis > axisBest) {
      axisBest = axis;
      iAxis = i;
    }
  }
  // Candidate scores ||c||^2 - 2 x.c as exact norm E plus data part D; compared by (E1 - E2) + (D1 - D2).
  let code = 0;
  let bestE = 0;
  let bestD = 0;
  const i = Math.min(i1, i2);
  const j = Math.max(i1, i2);
  let D = -2 * (a1 + a2);
  if (2 + D < 0) {
    bestE = 2;
    bestD = D;
    code = 1 + 4 * pairIndex(i, j) + 2 * ((negMask >> i) & 1) + ((negMask >> j) & 1);
  }
  let halfMask = negMask;
  D = -absSum;
  if (popcount(negMask) & 1) {
    halfMask ^= 1 << iMin;
    D += 2 * aMin;
  }
  if (2 - bestE + (D - bestD) < 0) {
    bestE = 2;
    bestD = D;
    code = 113 + (halfMask >> 1);
  }
  D = -4 * axisBest;
  if (4 - bestE + (D - bestD) < 0) code = 241 + 2 * iAxis + (iAxis === 7 ? 0 : (negMask >> iAxis) & 1);
  return code;
}

/** Second-stage codebook of a residual quantizer. */
export interface ResidualStage {
  /** Number of points (codes 0..size-1). */
  size: number;
  /** Code of the point nearest to x[off..off+7]. */
  nearest(x: Float64Array, off: number): number;
  /** Writes the point of `code` to out[o..o+7]. */
  decodeInto(code: number, out: FloatArray, o: number): void;
}

const E8P12_STAGE: ResidualStage = { size: 65536, nearest: nearestE8P12Code, decodeInto: decodeE8P12Into };
const RESIDUAL_STAGE: ResidualStage = {
  size: 256,
  nearest: nearestResidualCode,
  decodeInto(code, out, o) {
    for (let i = 0; i < 8; i++) out[o + i] = RESIDUAL_POINTS[8 * code + i];
  },
};

/**
 * Two-stage codebook: code word 0 is the E8P12 code of x, code word 1 the second-stage code of
 * (x - first) * residualScale; the reconstruction is first + second / residualScale. Greedy (each stage
 * nearest for its own input), as in QuIP#.
 */
export class ResidualE8Codebook implements Codebook {
  readonly dim = 8;
  readonly codeWords = 2;
  // Stage-1 point in [0, 8), scaled residual / stage-2 point in [8, 16).
  private readonly scratch = new Float64Array(16);

  constructor(
    readonly name: string,
    readonly bitsPerWeight: number,
    readonly optScale: number,
    /** The residual is multiplied by this before the second stage and divided by it in the reconstruction. */
    readonly residualScale: number,
    private readonly stage: ResidualStage,
  ) {}

  /** Greedy two-stage codes of every row of a row-major k x 8 matrix, and the reconstructed values. */
  quantize(X: FloatArray): QuantizeResult {
    const k = checkRows(`${this.name}.quantize`, 'X', X, 8);
    const { residualScale: s, stage, scratch } = this;
    const codes = new Uint16Array(2 * k);
    const values = new Float64Array(8 * k);
    for (let r0 = 0; r0 < k; r0 += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, k - r0);
      const rows = f64Block(X, r0, n);
      const first = rows === X ? r0 : 0;
      for (let r = 0; r < n; r++) {
        const o = 8 * (first + r);
        const c1 = nearestE8P12Code(rows, o);
        decodeE8P12Into(c1, scratch, 0);
        for (let i = 0; i < 8; i++) scratch[8 + i] = (rows[o + i] - scratch[i]) * s;
        const c2 = stage.nearest(scratch, 8);
        codes[2 * (r0 + r)] = c1;
        codes[2 * (r0 + r) + 1] = c2;
        this.reconstruct(c1, c2, values, 8 * (r0 + r));
      }
    }
    return { codes, values };
  }

  /** Reconstructions of k code pairs (code word 1 must be below the second stage's size). */
  decodeRows<T extends FloatArray = Float64Array>(codes: Uint16Array, out?: T): T {
    const fn = `${this.name}.decodeRows`;
    const k = checkCodes(fn, 'codes', codes, 2, [65535, this.stage.size - 1]);
    const result = outputRows(fn, out, 8 * k);
    for (let r = 0; r < k; r++) this.reconstruct(codes[2 * r], codes[2 * r + 1], result, 8 * r);
    return result;
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
export const E8P12RVQ4B = new ResidualE8Codebook('E8P12RVQ4B', 4, 1.03, 3.45, E8P12_STAGE);

/**
 * QuIP#'s 3-bit codebook: E8P12 then the 256-point RESIDUAL_POINTS codebook on the residual times 2.04
 * (a 16-bit and an 8-bit code per 8 weights; the 8-bit code takes the second Uint16 slot).
 */
export const E8P12RVQ3B = new ResidualE8Codebook('E8P12RVQ3B', 3, 0.98, 2.04, RESIDUAL_STAGE);
