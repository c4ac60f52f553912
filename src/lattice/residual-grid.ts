/**
 * The 256-point second stage of E8P12RVQ3B ("E81B" in QuIP#): the 241 points of E8 with squared norm <= 2 and
 * 15 points +-2 e_i, numbered as QuIP# numbers them, and its exact nearest-point search in closed form.
 */
import { compareSquaredDistances } from './exact.js';
import { parity } from '../core/index.js';

/** Number of points. */
export const RESIDUAL_GRID_SIZE = 256;

/**
 * The grid, row-major 256 x 8, in QuIP#'s order: codes 0..112 the integer points of E8 with ||x||^2 <= 2 (the
 * origin and the 112 roots +-e_i +-e_j) in ascending lexicographic order (coordinate 0 first, -1 < 0 < 1; the
 * origin is code 56), codes 113..240 the 128 half-integer ones (+-1/2)^8 with an even number of minus signs in
 * ascending lexicographic order, codes 241..248 the points 2 e_0 .. 2 e_7 and codes 249..255 -2 e_0 .. -2 e_6.
 * Internal and read-only: users get copies (`ResidualE8Codebook.residualGrid()`).
 */
export const RESIDUAL_GRID: Float64Array = buildResidualGrid();

function buildResidualGrid(): Float64Array {
  const grid = new Float64Array(RESIDUAL_GRID_SIZE * 8);
  let n = 0;
  const point = new Float64Array(8);
  // Lexicographic enumeration of the coordinates in `values`, keeping points of even sum and squared norm <= 2.
  const visit = (values: readonly number[], i: number, sum: number, norm: number): void => {
    if (norm > 2) return;
    if (i === 8) {
      if (sum % 2 === 0) grid.set(point, 8 * n++);
      return;
    }
    for (const v of values) {
      point[i] = v;
      visit(values, i + 1, sum + v, norm + v * v);
    }
  };
  visit([-1, 0, 1], 0, 0, 0);
  visit([-0.5, 0.5], 0, 0, 0);
  for (const sign of [2, -2]) {
    for (let i = 0; i < (sign > 0 ? 8 : 7); i++) grid[8 * n++ + i] = sign;
  }
  if (n !== RESIDUAL_GRID_SIZE) throw new Error(`residual grid: expected ${RESIDUAL_GRID_SIZE} points, built ${n}`);
  return grid;
}

/** Code of the origin, and of the first half-integer and axis points. */
const ORIGIN = 56;
const AXIS_PLUS = 241;
const AXIS_MINUS = 249;

/**
 * ROOT_CODE[4 (8 i + j) + 2 a + b] (i < j): code of the root with sign (-1)^a at coordinate i and (-1)^b at j.
 * HALF_CODE[m]: code of the half-integer point with negative coordinates m (bit i = coordinate i; even parity).
 */
const ROOT_CODE = new Int16Array(4 * 64).fill(-1);
const HALF_CODE = new Int16Array(256).fill(-1);
for (let c = 0; c < RESIDUAL_GRID_SIZE; c++) {
  const p = RESIDUAL_GRID.subarray(8 * c, 8 * c + 8);
  let mask = 0;
  const nonzero: number[] = [];
  for (let i = 0; i < 8; i++) {
    if (p[i] < 0) mask |= 1 << i;
    if (p[i] !== 0) nonzero.push(i);
  }
  if (nonzero.length === 2 && Math.abs(p[nonzero[0]]) === 1) {
    const [i, j] = nonzero;
    ROOT_CODE[4 * (8 * i + j) + 2 * ((mask >> i) & 1) + ((mask >> j) & 1)] = c;
  } else if (nonzero.length === 8) {
    HALF_CODE[mask] = c;
  }
}
if (RESIDUAL_GRID[8 * ORIGIN] !== 0 || RESIDUAL_GRID[8 * AXIS_PLUS] !== 2 || RESIDUAL_GRID[8 * AXIS_MINUS] !== -2) {
  throw new Error('residual grid: unexpected layout');
}

/** Rows above this max |x_i| are searched scaled by HUGE_SCALE (so that every sum stays finite). */
const HUGE = 2 ** 1000;
const HUGE_SCALE = 2 ** -200;

/**
 * Two scores within this of each other are compared exactly. The data parts are -2 (|x_i| + |x_j|),
 * -(sum |x_i|) + 2 min |x_i| and -4 x_i, with rounding errors below 2u, 9u and 0 times sum |x_i| (u = 2^-53); a
 * difference of two, plus its own rounding, errs by less than 2^-48 sum |x_i|: the tolerance is 2^4 times that.
 * (Subnormal rows are summed exactly: sums of multiples of 2^-1074 below 2^-1022 do not round.)
 */
function residualScoreSlack(l1: number): number {
  return 2 ** -44 * l1;
}

/**
 * Exact nearest point of the residual grid (ties to the lowest code, as QuIP#'s argmax picks the first
 * maximum), with its scratch state; one object serves any number of rows, one at a time.
 */
export class ResidualGridSearch {
  /** The row (times HUGE_SCALE for huge rows), the row as given, and decoded candidates. */
  private readonly xs = new Float64Array(8);
  private readonly given = new Float64Array(8);
  private readonly p = new Float64Array(8);
  private readonly q = new Float64Array(8);
  /** The row the exact comparisons use: xs, or `given` for huge rows. */
  private exactRow = this.xs;
  /** The running best: score ||c||^2 - 2 x.c as exact norm part E (times the row scale) plus data part D. */
  private bestE = 0;
  private bestD = 0;
  private bestCode = ORIGIN;
  private slack = 0;

  /**
   * Code of the grid point nearest to x[off..off+7] (finite): the best of each family in closed form, compared by
   * their scores ||c||^2 - 2 x.c (near-ties exactly). Origin: 0. Roots +-e_i +-e_j: the two largest |x_i| with the
   * signs of x. Half-integer points: the signs of x, the smallest |x_i| flipped when the number of negatives is odd.
   * +-2 e_i: the largest of x_0 .. x_7, -x_0 .. -x_6. Within a family, equally good points go to the lowest code
   * by the rules of its numbering (a zero coordinate takes the sign that numbers lower).
   */
  nearest(x: ArrayLike<number>, off: number): number {
    const xs = this.xs;
    let maxAbs = 0;
    for (let i = 0; i < 8; i++) {
      const v = x[off + i];
      xs[i] = v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    const w = maxAbs > HUGE ? HUGE_SCALE : 1;
    this.exactRow = w === 1 ? xs : this.given;
    if (w !== 1) {
      // Scaled (exact but for coordinates that underflow) so that the sums stay finite; every score is scaled alike.
      this.given.set(xs);
      for (let i = 0; i < 8; i++) xs[i] *= w;
    }
    // The three largest |x_i| (a1 >= a2 >= a3; i1, i2 the first indices of a1, a2), the smallest |x_i| (iMin its last
    // index, minPositive the first with x_i > 0, or -1), sum |x_i|, the signs, max x_i and min x_i over i < 7.
    let i1 = 0;
    let i2 = 0;
    let a1 = -1;
    let a2 = -1;
    let a3 = -1;
    let aMin = Infinity;
    let iMin = 0;
    let minPositive = -1;
    let absSum = 0;
    let notPositive = 0; // bit i set when x_i <= 0: a zero takes the sign -1/2, which numbers lower
    let vMax = -Infinity;
    let iMax = 0;
    let vLow = Infinity;
    let iLow = 0;
    for (let i = 0; i < 8; i++) {
      const v = xs[i];
      const a = Math.abs(v);
      absSum += a;
      notPositive |= +!(v > 0) << i;
      if (a > a1) {
        a3 = a2;
        i2 = i1;
        a2 = a1;
        i1 = i;
        a1 = a;
      } else if (a > a2) {
        a3 = a2;
        i2 = i;
        a2 = a;
      } else if (a > a3) {
        a3 = a;
      }
      if (a < aMin) {
        aMin = a;
        iMin = i;
        minPositive = v > 0 ? i : -1;
      } else if (a === aMin) {
        iMin = i;
        if (minPositive < 0 && v > 0) minPositive = i;
      }
      if (v > vMax) {
        vMax = v;
        iMax = i;
      }
      if (i < 7 && v < vLow) {
        vLow = v;
        iLow = i;
      }
    }
    this.bestE = 0;
    this.bestD = 0;
    this.bestCode = ORIGIN;
    this.slack = residualScoreSlack(absSum);
    // Roots: unique when the two largest |x_i| are distinct from each other and from the rest (then nonzero).
    const root =
      a1 === a2 || a2 === a3
        ? this.lowestRoot(a1, a2)
        : ROOT_CODE[4 * (8 * Math.min(i1, i2) + Math.max(i1, i2)) + 2 * ((notPositive >> Math.min(i1, i2)) & 1) + ((notPositive >> Math.max(i1, i2)) & 1)];
    this.consider(root, 2 * w, -2 * (a1 + a2));
    // Half-integer points: a parity repair flips, among the smallest |x_i| (each costs 2 aMin), the first with
    // x_i > 0 (its -1/2 numbers lower), else the last (its +1/2 raises the code least).
    let halfMask = notPositive;
    let halfD = -absSum;
    if (parity(notPositive)) {
      halfMask ^= 1 << (minPositive >= 0 ? minPositive : iMin);
      halfD += 2 * aMin;
    }
    this.consider(HALF_CODE[halfMask], 2 * w, halfD);
    // Axes: +2 e_i (codes 241 + i) number below -2 e_i (249 + i), so they win ties.
    if (-vLow > vMax) this.consider(AXIS_MINUS + iLow, 4 * w, 4 * vLow);
    else this.consider(AXIS_PLUS + iMax, 4 * w, -4 * vMax);
    return this.bestCode;
  }

  /**
   * Lowest code among the roots of largest |x_i| + |x_j| = a1 + a2 when that pair is not unique: every pair of
   * coordinates with those two values and, at zero coordinates, both signs.
   */
  private lowestRoot(a1: number, a2: number): number {
    const xs = this.xs;
    let best = RESIDUAL_GRID_SIZE;
    for (let i = 0; i < 8; i++) {
      for (let j = i + 1; j < 8; j++) {
        const ai = Math.abs(xs[i]);
        const aj = Math.abs(xs[j]);
        if (!((ai === a1 && aj === a2) || (ai === a2 && aj === a1))) continue;
        for (let a = 0; a < 2; a++) {
          for (let b = 0; b < 2; b++) {
            // The sign of a nonzero coordinate is its own; a zero one may take either.
            if ((xs[i] !== 0 && a !== +(xs[i] < 0)) || (xs[j] !== 0 && b !== +(xs[j] < 0))) continue;
            best = Math.min(best, ROOT_CODE[4 * (8 * i + j) + 2 * a + b]);
          }
        }
      }
    }
    return best;
  }

  /** Makes `code` (score E + D) the running best if it is nearer, or exactly as near with a lower code. */
  private consider(code: number, E: number, D: number): void {
    const diff = E - this.bestE + (D - this.bestD);
    const slack = this.slack;
    if (diff > slack) return;
    if (diff >= -slack) {
      const cmp = this.compareExactly(code, this.bestCode);
      if (cmp > 0 || (cmp === 0 && code > this.bestCode)) return;
    }
    this.bestE = E;
    this.bestD = D;
    this.bestCode = code;
  }

  /** Sign of ||x - p||^2 - ||x - q||^2 for the points of codes c and d and the row as given, exactly. */
  private compareExactly(c: number, d: number): number {
    const { p, q } = this;
    p.set(RESIDUAL_GRID.subarray(8 * c, 8 * c + 8));
    q.set(RESIDUAL_GRID.subarray(8 * d, 8 * d + 8));
    return compareSquaredDistances(this.exactRow, p, q);
  }
}
