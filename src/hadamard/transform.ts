/**
 * Hadamard transform of any supported order n = m * 2^k in O(n log n + n m): with i = a * 2^k + b (the
 * split of hadamardFactorization), x is viewed as an m x 2^k row-major matrix X, and
 * H_n x = (H_m (x) H_{2^k}) x = H_m X H_{2^k}^T: a Walsh-Hadamard transform of every row of X, then the
 * m x m base matrix mixes the rows.
 *
 * The m x m mixing dominates for m up to 172, so it uses the "four Russians" idea (Arlazarov, Dinic, Kronrod,
 * Faradzev 1970): the m rows of X are cut into groups of G; for each group the 2^(G-1) signed sums
 * x_c0 +- x_c1 +- ... are formed once (each with a single add from a previous one; the other half of the sign
 * patterns are their negatives), and every output row adds or subtracts one of them per group. That turns m^2
 * vector adds into about (m / G)(2^(G-1) + m), with G chosen per m. The columns of X are processed eight at a
 * time (one cache line of float64), so each output row accumulates in eight registers. The loops are in
 * kernels.ts; this file plans them (group size, pick tables) and runs them.
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, assertInteger, type FloatArray } from '../core/index.js';
import type { FwhtOptions } from './fwht.js';
import { kernelsFor, MIX_WIDTH, type MixLayout, type PickTable } from './kernels.js';
import { hadamardBase, requireHadamardFactorization } from './orders.js';

export interface HadamardTransformOptions extends FwhtOptions {
  /** Apply H^T instead of H (the same for powers of two; Paley I base matrices are not symmetric). */
  transpose?: boolean;
}

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

class HadamardPlan implements MixLayout {
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
    const Hm = hadamardBase(m);
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

  /** Each of the `count` segments x[s n .. (s + 1) n) <- scale H x (or scale H^T x), n = m p. */
  apply(x: FloatArray, count: number, transpose: boolean, scale: number): void {
    const { m, p, width } = this;
    const kernels = kernelsFor(x);
    if (m === 1) {
      for (let s = 0; s < count; s++) kernels.fwht(x, s * p, p, scale);
      return;
    }
    const table = this.pickTable(transpose);
    for (let s = 0, seg = 0; s < count; s++, seg += m * p) {
      for (let a = 0; a < m; a++) kernels.fwht(x, seg + a * p, p, 1);
      for (let b = 0; b < p; b += width) {
        kernels.buildSums(x, seg + b, this);
        kernels.mix(x, seg + b, this, table, scale);
      }
    }
  }
}

const plans = new Map<number, HadamardPlan>();

/** The cached transform plan for order n (RangeError naming the nearest supported orders otherwise). */
function planFor(fn: string, arg: string, n: number): HadamardPlan {
  let plan = plans.get(n);
  if (!plan) {
    const { m, k } = requireHadamardFactorization(fn, arg, n);
    plan = new HadamardPlan(m, k);
    plans.set(n, plan);
  }
  return plan;
}

/**
 * In-place Hadamard transform x <- H_n x (or H_n^T x with `transpose`), H_n = hadamardMatrix(n), for any
 * supported order n = x.length; `normalize: true` scales by 1/sqrt(n) (orthogonal). Exact for integer input
 * with sum |x_i| below 2^53 (below 2^24 for a Float32Array, whose passes round as they store).
 * Returns `x`.
 */
export function hadamardTransform<T extends FloatArray>(x: T, options: HadamardTransformOptions = {}): T {
  assertFloatArray('hadamardTransform', 'x', x);
  const n = x.length;
  const plan = planFor('hadamardTransform', 'x.length', n);
  plan.apply(x, 1, options.transpose === true, options.normalize ? 1 / Math.sqrt(n) : 1);
  return x;
}

/** hadamardTransform of every row of a row-major `rows x n` matrix stored in `data`, in place. Returns `data`. */
export function hadamardTransformRows<T extends FloatArray>(
  data: T,
  rows: number,
  n: number,
  options: HadamardTransformOptions = {},
): T {
  const fn = 'hadamardTransformRows';
  assertFloatArray(fn, 'data', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  const plan = planFor(fn, 'n', n);
  if (data.length !== rows * n) throw rangeError(fn, 'data', `of length rows * n = ${rows * n}`, `length ${data.length}`);
  plan.apply(data, rows, options.transpose === true, options.normalize ? 1 / Math.sqrt(n) : 1);
  return data;
}
