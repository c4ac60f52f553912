/**
 * The exact nearest-point search of E8P12 (no brute force): a search object holds all the scratch state of one
 * search, so every codebook instance (and every worker) has its own and nothing is shared between calls.
 */
import { BALL_ROWS, NORM12_PATTERNS } from './e8p12-table.js';
import { POW3, ROW_OF_KEY, decodeE8P12Into, e8p12Code } from './e8p12-code.js';
import { compareAbsDifferences, compareSquaredDistances } from './exact.js';

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

/** Rows above this max |x_i| are searched scaled by HUGE_SCALE (so that every sum stays finite). */
const HUGE = 2 ** 1000;
const HUGE_SCALE = 2 ** -200;
/**
 * Rows below this max |x_i| skip the coset shortcut: x_i - 1/4 would round away the differences that decide
 * between equally far points of the shortcut (the structured search keeps them exactly).
 */
const TINY = 2 ** -20;

/**
 * The shift-independent part ||A||^2 + 1/2 of the score of a ball multiset (see searchShift), times the row's
 * scale: index 0 for rows searched as given, 1 for huge rows (times HUGE_SCALE, exact).
 */
const BALL_E = [1, HUGE_SCALE].map((w) => Float64Array.from({ length: MULTISETS }, (_, m) => w * (2.5 + 2 * MULTISET_N3[m] + 6 * MULTISET_N5[m])));
/** The same for the norm-12 rows: 12 + 1/2. */
const NORM12_E = [12.5, 12.5 * HUGE_SCALE];

// Tolerances of the floating-point decisions. Error model: each operation on doubles rounds with relative error
// at most u = 2^-53; the coordinates of codebook points and the shifts are exact small dyadics. Each tolerance
// bounds, with a wide margin, the rounding error of the quantity it guards; a decision inside its tolerance is
// never taken from the rounded values: it is settled exactly (BigInt comparisons in exact.ts) or, for the
// one-sided bounds, by running the full search. A larger tolerance is therefore always safe (only slower).
// Subnormal inputs, whose products round in absolute rather than relative terms, are covered by the brute-force
// tests at scales down to 1e-320.

/**
 * Margin by which the nearest coset points' squared distances ||x - z - t||^2 must differ for the nearer to be
 * taken without further checks. Each distance is a sum of eight squares d_i^2 <= 1/4 (plus the parity repair
 * 1 - 2 e) with d_i from y_i = x_i - t, rounded by at most u (|x_i| + 1/4): its error is below
 * 4u (sum |x_i| + 10), so that of the difference below 2^-50 (l1 + 10); the tolerance is more than 2^9 times that.
 */
function cosetMargin(l1: number): number {
  return 2 ** -40 * (l1 + 8);
}

/**
 * Slack of the lower bound "the other coset's nearest point is farther than the best point found": it compares
 * ||x - z||^2 - ||x||^2 (two sums of squares, errors below 16u (||x||^2 + 2)) with an E + D score (error below
 * 2^-46 sum |x_i| <= 2^-46 (||x||^2 + 2)). 1e-9 (||x||^2 + 16) exceeds their sum by a factor above 2^15.
 */
function cosetBoundSlack(n2: number): number {
  return 1e-9 * (n2 + 16);
}

/**
 * Two E + D scores of one row within this of each other are compared exactly. E is exact; each D rounds at most
 * 16 partial sums, none larger in magnitude than 11/2 sum |x_i| (twice the largest coordinate 11/4 of a point),
 * so its error is below 88u sum |x_i| < 2^-46 l1, that of a difference of two scores below 2^-45 l1: the
 * tolerance 2^-40 l1 is 2^5 times that.
 */
function scoreSlack(l1: number): number {
  return 2 ** -40 * l1;
}

/**
 * Rounded rounding errors e_i = |x_i - t - z_i| of the D8 decoder within this of the largest are ordered exactly:
 * each is computed from y_i = x_i - t (error u (|x_i| + 1/4)) by one more subtraction (error u e_i <= u), so a
 * difference of two has error below 2u (l1 + 5/4) < 2^-51 (l1 + 1); the tolerance 2^-50 (l1 + 1) is twice that.
 */
function roundingErrorSlack(l1: number): number {
  return 2 ** -50 * (l1 + 1);
}

/**
 * Slack of the rearrangement bound on the norm-12 rows, 12.5 - 2 t S - 3 sum|y| + 2 (three smallest |y|): its
 * terms have errors below 16u (3 sum |y| + |2 t S| + 16), the best score's below 2^-46 l1 <= 2^-46 (sum |y| + 2);
 * 1e-9 (16 + 3 sum |y| + |2 t S|) exceeds their sum by a factor above 2^15.
 */
function norm12BoundSlack(uSum: number, tS: number): number {
  return 1e-9 * (16 + 3 * uSum + Math.abs(2 * tS));
}

/**
 * The norm-12 parity repair flips 3/2 at the smallest |y| (cost 3 |y_last|) or 1/2 at the smallest |y| among the
 * row's halves (cost |y_h|); their gap 3 |y_last| - |y_h| is computed from |y| values rounded by at most
 * u (|y_i| + 1/2) each, times 3 and one subtraction: error below 11u (|y_h| + 1) < 2^-49 (|y_h| + 1), since
 * |y_last| <= |y_h|. Gaps within 2^-48 (|y_h| + 1) are settled by comparing the two points exactly.
 */
function repairGapSlack(uh: number): number {
  return 2 ** -48 * (uh + 1);
}

/**
 * Exact nearest E8P12 point (Euclidean; ties keep the first candidate found) by the coset shortcut and the
 * structured search; see `nearest`. One object serves any number of rows, one at a time.
 */
export class E8P12Search {
  /** The row searched: the input, or the input times HUGE_SCALE for huge rows. */
  private readonly xs = new Float64Array(8);
  /** The input row as given, for the exact comparisons of huge rows (for the others `exactRow` is xs). */
  private readonly given = new Float64Array(8);
  private exactRow = this.xs;
  /** 0 for rows searched as given, 1 for rows scaled by HUGE_SCALE (indexes BALL_E, NORM12_E). */
  private scaled = 0;
  /** sum |xs_i|: the scale of every rounding error in the scores (see scoreSlack). */
  private l1 = 0;
  /** sigma_i = sign(x_i - t), +1 at 0; in nearestCosetPoint the coset point z. */
  private readonly sg = new Float64Array(8);
  /** sigma_i x_i. */
  private readonly sx = new Float64Array(8);
  /** |x_i - t|. */
  private readonly u = new Float64Array(8);
  /** Coordinates by decreasing |x_i - t|, and the inverse permutation. */
  private readonly order = new Int32Array(8);
  private readonly rank = new Int32Array(8);
  /** Prefix sums of sigma x and of sigma in `order` (the first 5). */
  private readonly px = new Float64Array(6);
  private readonly ps = new Float64Array(6);
  /** Bit i set when sigma_i = -1. */
  private negMask = 0;
  /** The running best: its score E + D (relative to ||x||^2) and code. */
  private bestE = Infinity;
  private bestD = 0;
  private bestCode = 0;
  /** |x_i - t - z_i| in nearestCosetPoint. */
  private readonly err = new Float64Array(8);
  /** Decoded candidates for the exact comparisons. */
  private readonly p = new Float64Array(8);
  private readonly q = new Float64Array(8);
  /** Nearest point z of the coset D8 + 1/2 + t per shift (index 0: t = +1/4, 1: t = -1/4): ||x - z - t||^2, */
  private readonly latScore = new Float64Array(2);
  /** the table row of |z| (-1 when |z| is not a codebook pattern), */
  private readonly latRow = new Int32Array(2);
  /** and the mask of its negative coordinates. */
  private readonly latMask = new Int32Array(2);

  /**
   * Code of the E8P12 point nearest to x[off..off+7] (finite).
   *
   * Shortcut: the codebook for shift t is a subset of the coset D8 + 1/2 + t, so the nearest coset point
   * (Conway & Sloane's D_n decoder on half-integers) bounds every codebook point of that shift from below.
   * When the nearer of the two coset points is a codebook point, it is the answer; otherwise the structured
   * search (searchShift) runs for that shift; the other shift is then settled by its bound, by its own coset
   * point when that is a codebook point, or by a second structured search. Tiny and huge rows skip the shortcut.
   */
  nearest(x: Float64Array, off: number): number {
    const xs = this.xs;
    let maxAbs = 0;
    let S = 0;
    let N2 = 0;
    let L1 = 0;
    for (let i = 0; i < 8; i++) {
      const v = x[off + i];
      const a = Math.abs(v);
      xs[i] = v;
      maxAbs = Math.max(maxAbs, a);
      S += v;
      N2 += v * v;
      L1 += a;
    }
    this.bestE = Infinity;
    this.bestD = 0;
    if (maxAbs > HUGE) return this.nearestHuge();
    this.l1 = L1;
    this.scaled = 0;
    this.exactRow = xs;
    if (maxAbs < TINY) {
      this.searchShift(0.25, S);
      this.searchShift(-0.25, S);
      return this.bestCode;
    }
    this.nearestCosetPoint(0, 0.25);
    this.nearestCosetPoint(1, -0.25);
    const latScore = this.latScore;
    const latRow = this.latRow;
    const first = latScore[1] < latScore[0] ? 1 : 0;
    const second = 1 - first;
    // A codebook coset point clearly nearer than the other coset's nearest point is the answer; a near-tie goes
    // on to the exact comparisons below.
    if (latRow[first] >= 0) {
      if (latScore[second] - latScore[first] > cosetMargin(L1)) return this.latticeCode(first);
      this.consider(this.latticeCode(first));
    } else {
      this.searchShift(first === 0 ? 0.25 : -0.25, S);
    }
    // The other coset's nearest point bounds every codebook point of its shift from below.
    if (latScore[second] - N2 > this.bestE + this.bestD + cosetBoundSlack(N2)) return this.bestCode;
    // And it is the best of its shift when it is a codebook point.
    if (latRow[second] >= 0) this.consider(this.latticeCode(second));
    else this.searchShift(second === 0 ? 0.25 : -0.25, S);
    return this.bestCode;
  }

  /**
   * Rows with max |x_i| > 2^1000: the structured search of both shifts on x times 2^-200 (exact but for
   * coordinates that underflow, and then every sum is finite), with every score scaled alike, w (||c||^2 - 2 x.c),
   * so that the ranking of the points is that of x itself; the exact comparisons use the row as given. (The coset
   * shortcut cannot be scaled: the lattice is not.)
   */
  private nearestHuge(): number {
    const { xs, given } = this;
    given.set(xs);
    let S = 0;
    let L1 = 0;
    for (let i = 0; i < 8; i++) {
      const v = (xs[i] *= HUGE_SCALE);
      S += v;
      L1 += Math.abs(v);
    }
    this.l1 = L1;
    this.scaled = 1;
    this.exactRow = given;
    this.searchShift(0.25, S);
    this.searchShift(-0.25, S);
    return this.bestCode;
  }

  /** Whether the point of `code` is exactly nearer to the row than the point of `than` (false on exact ties). */
  private closer(code: number, than: number): boolean {
    decodeE8P12Into(code, this.p, 0);
    decodeE8P12Into(than, this.q, 0);
    return compareSquaredDistances(this.exactRow, this.p, this.q) < 0;
  }

  /** Makes `code` the running best if it is nearer (scored E + D like searchShift's candidates; near-ties exactly). */
  private consider(code: number): void {
    const { p, xs } = this;
    decodeE8P12Into(code, p, 0);
    let E = 0;
    let D = 0;
    for (let i = 0; i < 8; i++) {
      E += p[i] * p[i];
      D -= 2 * p[i] * xs[i];
    }
    const diff = E - this.bestE + (D - this.bestD);
    const slack = scoreSlack(this.l1);
    if (diff < -slack || (diff <= slack && this.closer(code, this.bestCode))) {
      this.bestE = E;
      this.bestD = D;
      this.bestCode = code;
    }
  }

  /** Code of the nearest coset point found for shift index k (0: +1/4, 1: -1/4), a codebook point. */
  private latticeCode(k: number): number {
    return e8p12Code(this.latRow[k], this.latMask[k], k);
  }

  /**
   * Nearest point z + t of the coset D8 + 1/2 + t to the row (Conway & Sloane 1982, D_n decoder on y = x - t
   * rounded to half-integers): z_i = floor(y_i) + 1/2; when sum z is odd, the coordinate with the largest
   * |y_i - z_i| moves to its other neighbour. Stores score, row and sign mask at index k.
   */
  private nearestCosetPoint(k: number, t: number): void {
    const { xs, sg: z, err } = this;
    let score = 0;
    let floorSum = 0;
    for (let i = 0; i < 8; i++) {
      const y = xs[i] - t; // rounded: every decision below is checked against xs and t exactly where it matters
      let f = Math.floor(y);
      if (f === y && xs[i] < f + t) f -= 1; // x - t just below an integer, rounded up onto it
      const d = y - f - 0.5;
      floorSum += f;
      score += d * d;
      z[i] = f + 0.5;
    }
    if ((floorSum & 1) !== 0) {
      // The coordinate with the largest |d| moves to its other neighbour. Only now find it (first on ties): its
      // data-dependent branches cost more than the rest of the loop, and half the inputs do not need it.
      let worst = 0;
      let worstErr = -1;
      for (let i = 0; i < 8; i++) {
        const e = Math.abs(xs[i] - t - z[i]);
        err[i] = e;
        if (e > worstErr) {
          worstErr = e;
          worst = i;
        }
      }
      // The errors are rounded on the grid of x - t, which differs between coordinates: near-ties are ordered exactly.
      const near = worstErr - roundingErrorSlack(this.l1);
      let ties = 0;
      for (let i = 0; i < 8; i++) ties += +(err[i] >= near);
      if (ties > 1) worst = this.exactWorst(worst, near, t);
      score += 1 - 2 * err[worst]; // (1 - e)^2 - e^2
      z[worst] += xs[worst] >= z[worst] + t ? 1 : -1;
    }
    let key = 0;
    let mask = 0;
    let inRange = true;
    for (let i = 0; i < 8; i++) {
      const zi = z[i];
      const a = Math.abs(zi);
      inRange = inRange && a < 3;
      key += (a - 0.5) * POW3[i];
      mask |= +(zi < 0) << i;
    }
    this.latScore[k] = score;
    this.latRow[k] = inRange ? ROW_OF_KEY[key] : -1;
    this.latMask[k] = mask;
  }

  /**
   * The coordinate with the exactly largest |x_i - t - z_i| (the first on exact ties) among those whose rounded
   * value err[i] is at least `near`, starting from `worst`.
   */
  private exactWorst(worst: number, near: number, t: number): number {
    const { xs, sg: z, err } = this;
    let best = worst;
    for (let i = 0; i < 8; i++) {
      if (i === best || err[i] < near) continue;
      const cmp = compareAbsDifferences(xs[i], z[i] + t, xs[best], z[best] + t);
      if (cmp > 0 || (cmp === 0 && i < best)) best = i;
    }
    return best;
  }

  /**
   * Whether coordinate j precedes i when |y_j| = |y_i| after rounding (y = xs - tw): on the same side of tw
   * ordered exactly by sigma x, on opposite sides by the exact |xs - tw| (the positive side first on an exact tie).
   */
  private tieBefore(j: number, i: number, tw: number): number {
    const { sg, sx, xs } = this;
    if (sg[j] === sg[i]) return sx[j] > sx[i] ? 1 : 0;
    const cmp = compareAbsDifferences(xs[j], tw, xs[i], tw);
    return cmp > 0 || (cmp === 0 && sg[j] > sg[i]) ? 1 : 0;
  }

  /**
   * Structured search over the codebook points of shift t; improves the running best (bestE, bestD, bestCode).
   * `S` is the sum of the row's (scaled) coordinates.
   *
   * The score of a point c = sigma .* A + t (A an absolute row, sigma signs) is ||x - c||^2 - ||x||^2 = E + D
   * with the exact dyadic part E = ||A||^2 + 2 t sum(sigma A) + 1/2 and the data part
   * D = -2 (sum(sigma A x) + t sum(x)). Candidates are compared by (E1 - E2) + (D1 - D2), so decisions keep the
   * relative accuracy of x even for tiny inputs. For a huge row searched as w x, both parts are scaled by w
   * (E from the tables BALL_E, NORM12_E and 2 t w sum(sigma A); D from the scaled row).
   *
   * With y = x - t, the best signs for a fixed A are sigma = sign(y); the codebook needs an even-sum point
   * (number of negatives = sum(A) mod 2), and when the parity is wrong the cheapest repair flips the
   * coordinate minimizing A_i |y_i| (cost 4 A_i |y_i|). The 227 ball rows are all permutations of 7 multisets;
   * the best assignment of each puts larger entries on larger |y_i| (rearrangement inequality), and a wrong
   * parity is then repaired at the smallest |y_i|, which always carries a 1/2. So the ball costs 7 evaluations
   * from prefix sums over |y| sorted; the 29 norm-12 rows are scored one by one, skipped when the
   * rearrangement bound shows none can win.
   */
  private searchShift(t: number, S: number): void {
    const { xs, sg: SG, sx: SX, u: U, order: ORDER, rank: RANK, px: PX, ps: PS } = this;
    const tw = this.scaled ? t * HUGE_SCALE : t;
    let nNeg = 0;
    let mask = 0;
    for (let i = 0; i < 8; i++) {
      const y = xs[i] - tw;
      const neg = +(y < 0);
      const s = 1 - 2 * neg;
      SG[i] = s;
      SX[i] = s * xs[i];
      U[i] = s * y;
      nNeg += neg;
      mask |= neg << i;
      RANK[i] = 0;
    }
    this.negMask = mask;
    // Ranks by decreasing |y| from the 28 pairwise comparisons (branch-free but for exact rounding ties).
    for (let i = 0; i < 7; i++) {
      const ui = U[i];
      let ri = RANK[i];
      for (let j = i + 1; j < 8; j++) {
        const uj = U[j];
        const jFirst = uj === ui ? this.tieBefore(j, i, tw) : +(uj > ui);
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
    const t2w = 2 * tw;
    const ballE = BALL_E[this.scaled];
    const slack = scoreSlack(this.l1);
    let bestE = this.bestE;
    let bestD = this.bestD;
    let kind = -1;
    let flip = -1;

    for (let m = 0; m < MULTISETS; m++) {
      const n5 = MULTISET_N5[m];
      const n3 = MULTISET_N3[m];
      // sum(A sigma (.)) over the sorted assignment 5/2, 3/2, 1/2 = 1/2 total + prefix(n5) + prefix(n5 + n3).
      const repair = (n3 ^ oddNeg) & 1;
      const sa = 0.5 * Ts + PS[n5] + PS[n5 + n3] - repair * SG[last];
      const sx = 0.5 * Tx + PX[n5] + PX[n5 + n3] - repair * SX[last];
      const E = ballE[m] + t2w * sa;
      const D = -2 * (sx + tS);
      const diff = E - bestE + (D - bestD);
      const f = repair ? last : -1;
      if (diff < -slack || (diff <= slack && this.closer(this.codeOf(m, f, t), kind >= 0 ? this.codeOf(kind, flip, t) : this.bestCode))) {
        bestE = E;
        bestD = D;
        kind = m;
        flip = f;
      }
    }

    // Norm-12 rows: score >= 12.5 - 2 t S - 2 (3/2 sum|y| - three smallest |y|) by rearrangement.
    const e12 = NORM12_E[this.scaled];
    const Usum = U[0] + U[1] + U[2] + U[3] + U[4] + U[5] + U[6] + U[7];
    const bound = e12 - 2 * tS - 3 * Usum + 2 * (U[ORDER[5]] + U[ORDER[6]] + U[last]);
    if (!(bound > bestE + bestD + norm12BoundSlack(Usum, tS))) {
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
              Math.abs(gap) > repairGapSlack(U[h]) ? gap <= 0 : !this.closer(this.codeOf(MULTISETS + m, h, t), this.codeOf(MULTISETS + m, last, t));
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
        const E = e12 + t2w * sa;
        const D = -2 * (sx + tS);
        const diff = E - bestE + (D - bestD);
        if (diff < -slack || (diff <= slack && this.closer(this.codeOf(MULTISETS + m, f, t), kind >= 0 ? this.codeOf(kind, flip, t) : this.bestCode))) {
          bestE = E;
          bestD = D;
          kind = MULTISETS + m;
          flip = f;
        }
      }
    }
    if (kind >= 0) {
      this.bestE = bestE;
      this.bestD = bestD;
      this.bestCode = this.codeOf(kind, flip, t);
    }
  }

  /** Code of the candidate `kind` (multiset index, or MULTISETS + norm-12 index) found for shift t. */
  private codeOf(kind: number, flip: number, t: number): number {
    let row: number;
    if (kind < MULTISETS) {
      const n5 = MULTISET_N5[kind];
      const n53 = n5 + MULTISET_N3[kind];
      const order = this.order;
      let key = 0;
      for (let r = 0; r < n53; r++) key += (r < n5 ? 2 : 1) * POW3[order[r]];
      row = ROW_OF_KEY[key];
    } else {
      row = BALL_ROWS + kind - MULTISETS;
    }
    const mask = flip >= 0 ? this.negMask ^ (1 << flip) : this.negMask;
    return e8p12Code(row, mask, t < 0 ? 1 : 0);
  }
}
