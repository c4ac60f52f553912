/**
 * The plan of the Hadamard transform of one order n = m * 2^k, in O(n log n + n m): with i = a * 2^k + b (the
 * split of hadamardFactorization), x is viewed as an m x 2^k row-major matrix X, and
 * H_n x = (H_m (x) H_{2^k}) x = H_m X H_{2^k}^T: a Walsh-Hadamard transform of every row of X, then the
 * m x m base matrix mixes the rows (for m = 1, the FWHT alone).
 *
 * The m x m mixing dominates for m up to 172, so it uses the "four Russians" idea (Arlazarov, Dinic, Kronrod,
 * Faradzev 1970): the m rows of X are cut into groups of G; for each group the 2^(G-1) signed sums
 * x_c0 +- x_c1 +- ... are formed once (each with a single add from a previous one; the other half of the sign
 * patterns are their negatives), and every output row adds or subtracts one of them per group. That turns m^2
 * vector adds into about (m / G)(2^(G-1) + m), with G chosen per m. The columns of X are processed eight at a
 * time (one cache line of float64), so each output row accumulates in eight registers. The loops are in
 * kernels.ts; this file plans them (group size, pick tables) and runs them, with the range checks of range.ts.
 */
import type { FloatArray } from '../core/index.js';
import { kernelsFor, MIX_WIDTH, type HadamardKernels, type MixLayout, type PickTable } from './kernels.js';
import { baseMatrix, requireHadamardFactorization } from './orders.js';
import { finishFwht, guardFor, transformScaled } from './range.js';

/**
 * Group size G minimizing the mixing cost (m / G)(2 * 2^(G-1) + m): per group 2^(G-1) signed sums, each a load
 * and two stores (weighted 2), and m output adds (G = 1 is the plain product). Measured flat within 10% for
 * G = 5..7 at m = 172; larger tables fall out of cache.
 */
function bestGroupBits(m: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let G = 1; G <= 8; G++) {
    const cost = Math.ceil(m / G) * (2 ** G + m);
    if (cost < bestCost) {
      bestCost = cost;
      best = G;
    }
  }
  return best;
}

export class HadamardPlan implements MixLayout {
  readonly n: number;
  readonly p: number;
  readonly width: number;
  readonly groupBits: number;
  readonly groups: number;
  readonly sums: Float64Array;
  private readonly tables: [PickTable | undefined, PickTable | undefined] = [undefined, undefined];

  constructor(
    readonly m: number,
    k: number,
  ) {
    this.p = 2 ** k;
    this.n = m * this.p;
    this.width = Math.min(MIX_WIDTH, this.p);
    this.groupBits = bestGroupBits(m);
    this.groups = Math.ceil(m / this.groupBits);
    this.sums = new Float64Array(m === 1 ? 0 : (this.groups << (this.groupBits - 1)) * this.width);
  }

  /**
   * The pick table of H (or H^T). Row a's sign pattern on group g has bit j set when entry (a, c0 + j) is -1;
   * with bit 0 clear the row adds sum t = pattern >> 1, otherwise it subtracts sum t = ~pattern >> 1.
   */
  private pickTable(transpose: boolean): PickTable {
    const slot = transpose ? 1 : 0;
    const cached = this.tables[slot];
    if (cached) return cached;
    const { m, groups, groupBits: G, width } = this;
    const Hm = baseMatrix(m);
    const pick = new Int32Array(m * groups);
    const split = new Int32Array(m);
    for (let a = 0; a < m; a++) {
      const added: number[] = [];
      const subtracted: number[] = [];
      for (let g = 0; g < groups; g++) {
        const size = Math.min(G, m - g * G);
        let pattern = 0;
        for (let j = 0; j < size; j++) {
          const c = g * G + j;
          if ((transpose ? Hm[c * m + a] : Hm[a * m + c]) < 0) pattern |= 1 << j;
        }
        const negate = (pattern & 1) === 1;
        const t = (negate ? ~pattern & ((1 << size) - 1) : pattern) >> 1;
        (negate ? subtracted : added).push(((g << (G - 1)) + t) * width);
      }
      pick.set([...added, ...subtracted], a * groups);
      split[a] = a * groups + added.length;
    }
    const table = { pick, split };
    this.tables[slot] = table;
    return table;
  }

  /** x[seg .. seg + n) <- scale H x (or scale H^T x), m > 1, unchecked: the FWHTs of the m rows of X, then the mixing. */
  private mixSegment(kernels: HadamardKernels, x: FloatArray, seg: number, table: PickTable, scale: number): void {
    const { m, p, width } = this;
    for (let a = 0; a < m; a++) kernels.fwht(x, seg + a * p, p, 1, 0);
    for (let b = 0; b < p; b += width) {
      kernels.buildSums(x, seg + b, this);
      kernels.mix(x, seg + b, this, table, scale);
    }
  }

  /**
   * Each of the `count` segments x[s n .. (s + 1) n) <- scale H x (or scale H^T x), scale = 1/sqrt(n) with
   * `normalize`. Every segment's entries are checked against the range bound (range.ts): for m = 1 by the FWHT's
   * first pass as it loads them, for m > 1 by a scan before the segment is touched (the short row FWHTs made
   * an in-pass check dearer); a segment above the bound takes the scaled path. Errors name `fn` and `arg`; on
   * one, earlier segments are done and the bad one may be partly transformed (m = 1).
   */
  apply(fn: string, arg: string, x: FloatArray, count: number, transpose: boolean, normalize: boolean): void {
    const n = this.n;
    const scale = normalize ? 1 / Math.sqrt(n) : 1;
    const kernels = kernelsFor(x);
    const guard = guardFor(x, n);
    if (this.m === 1) {
      for (let seg = 0; seg < count * n; seg += n) {
        const stop = kernels.fwht(x, seg, n, scale, guard);
        if (stop >= 0) finishFwht(fn, arg, x, seg, n, stop, scale, kernels.schedule(n));
      }
      return;
    }
    const table = this.pickTable(transpose);
    for (let seg = 0; seg < count * n; seg += n) {
      if (kernels.withinGuard(x, seg, n, guard)) this.mixSegment(kernels, x, seg, table, scale);
      else transformScaled(fn, arg, x, seg, n, scale, (s) => this.mixSegment(kernels, x, seg, table, s));
    }
  }
}

const plans = new Map<number, HadamardPlan>();

/** The cached transform plan for order n (RangeError naming the nearest supported orders otherwise). */
export function planFor(fn: string, arg: string, n: number): HadamardPlan {
  let plan = plans.get(n);
  if (!plan) {
    const { m, k } = requireHadamardFactorization(fn, arg, n);
    plan = new HadamardPlan(m, k);
    plans.set(n, plan);
  }
  return plan;
}
