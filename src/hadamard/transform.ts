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
 * time (one cache line of float64), so each output row accumulates in eight registers.
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, assertInteger, type FloatArray } from '../core/validate.js';
import { fwhtKernel, type FwhtOptions } from './fwht.js';
import { applyAsFloat64, type Float64Kernel } from './float64.js';
import { hadamardBase, requireHadamardFactorization } from './orders.js';

export interface HadamardTransformOptions extends FwhtOptions {
  /** Apply H^T instead of H (the same for powers of two; Paley I base matrices are not symmetric). */
  transpose?: boolean;
}

/** Columns of X mixed together (the unrolled accumulators of mixWide). */
const WIDTH = 8;

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

/**
 * One doubling step of the signed sums for WIDTH columns: for the `half` sums at sums[o ..], the sum
 * `half` places later becomes (sum - v) and the sum itself (sum + v), v = x[src .. src + 8).
 * Unrolled so the eight v stay in registers.
 */
function doubleWide(sums: Float64Array, o: number, half: number, x: Float64Array, src: number): void {
  const v0 = x[src];
  const v1 = x[src + 1];
  const v2 = x[src + 2];
  const v3 = x[src + 3];
  const v4 = x[src + 4];
  const v5 = x[src + 5];
  const v6 = x[src + 6];
  const v7 = x[src + 7];
  const span = half * WIDTH;
  for (let lo = o; lo < o + span; lo += WIDTH) {
    const hi = lo + span;
    const u0 = sums[lo];
    const u1 = sums[lo + 1];
    const u2 = sums[lo + 2];
    const u3 = sums[lo + 3];
    const u4 = sums[lo + 4];
    const u5 = sums[lo + 5];
    const u6 = sums[lo + 6];
    const u7 = sums[lo + 7];
    sums[lo] = u0 + v0;
    sums[lo + 1] = u1 + v1;
    sums[lo + 2] = u2 + v2;
    sums[lo + 3] = u3 + v3;
    sums[lo + 4] = u4 + v4;
    sums[lo + 5] = u5 + v5;
    sums[lo + 6] = u6 + v6;
    sums[lo + 7] = u7 + v7;
    sums[hi] = u0 - v0;
    sums[hi + 1] = u1 - v1;
    sums[hi + 2] = u2 - v2;
    sums[hi + 3] = u3 - v3;
    sums[hi + 4] = u4 - v4;
    sums[hi + 5] = u5 - v5;
    sums[hi + 6] = u6 - v6;
    sums[hi + 7] = u7 - v7;
  }
}

/** Per orientation (H or H^T): which signed sum each output row takes from each group, and with which sign. */
interface PickTable {
  /** Row a's offsets into `sums` are pick[a * groups .. (a + 1) * groups): first the added ones, then the subtracted. */
  pick: Int32Array;
  /** split[a]: index in `pick` where row a's subtracted offsets start. */
  split: Int32Array;
}

class HadamardPlan {
  /** 2^k, the length of a row of X. */
  private readonly p: number;
  /** Columns of X per mixing step: min(WIDTH, p). */
  private readonly width: number;
  private readonly groupBits: number;
  private readonly groups: number;
  /**
   * Signed sums of every group for one step, with the group's first row always added (the other half of the
   * sign patterns are their negatives): sums[((g << (G - 1)) + t) * width + j].
   */
  private readonly sums: Float64Array;
  private readonly tables: [PickTable | undefined, PickTable | undefined] = [undefined, undefined];
  /** The transform as kernels over float64 data: H and H^T. */
  readonly kernels: [Float64Kernel, Float64Kernel];

  constructor(
    private readonly m: number,
    k: number,
  ) {
    this.p = 2 ** k;
    this.width = Math.min(WIDTH, this.p);
    this.groupBits = bestGroupBits(m);
    this.groups = Math.ceil(m / this.groupBits);
    this.sums = new Float64Array(m === 1 ? 0 : (this.groups << (this.groupBits - 1)) * this.width);
    this.kernels = [
      (t, off, _n, scale) => this.apply(t, off, false, scale),
      (t, off, _n, scale) => this.apply(t, off, true, scale),
    ];
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

  /** x[off .. off + n) <- scale H x (or scale H^T x). */
  private apply(x: Float64Array, off: number, transpose: boolean, scale: number): void {
    off |= 0;
    const { m, p, width } = this;
    if (m === 1) {
      fwhtKernel(x, off, p, scale);
      return;
    }
    for (let a = 0; a < m; a++) fwhtKernel(x, off + a * p, p, 1);
    const table = this.pickTable(transpose);
    for (let b = 0; b < p; b += width) {
      this.buildSums(x, off + b);
      if (width === WIDTH) this.mixWide(x, off + b, table, scale);
      else this.mixNarrow(x, off + b, table, scale);
    }
  }

  /** sums of group g: entry t = X[c0][cols] + sum_{j >= 1} (bit j - 1 of t ? -1 : +1) X[c0 + j][cols]. */
  private buildSums(x: Float64Array, base: number): void {
    const { m, p, width: W, groupBits: G, sums } = this;
    for (let g = 0, c0 = 0; c0 < m; g++, c0 += G) {
      const o = (g << (G - 1)) * W;
      let src = base + c0 * p;
      for (let j = 0; j < W; j++) sums[o + j] = x[src + j];
      const size = Math.min(G, m - c0);
      for (let c = 1, half = 1; c < size; c++, half *= 2) {
        // doubling: the sums with bit c - 1 set are the ones without it, minus row c0 + c
        src = base + (c0 + c) * p;
        if (W === WIDTH) doubleWide(sums, o, half, x, src);
        else {
          for (let lo = o; lo < o + half * W; lo++) {
            const u = sums[lo];
            const v = x[src + ((lo - o) % W)];
            sums[lo] = u + v;
            sums[lo + half * W] = u - v;
          }
        }
      }
    }
  }

  /** X[a][cols] <- scale times the picked signed sums, added and subtracted, for WIDTH columns in eight accumulators. */
  private mixWide(x: Float64Array, base: number, { pick, split }: PickTable, scale: number): void {
    const { m, p, groups, sums } = this;
    for (let a = 0; a < m; a++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      const mid = split[a];
      for (let g = a * groups; g < mid; g++) {
        const o = pick[g];
        s0 += sums[o];
        s1 += sums[o + 1];
        s2 += sums[o + 2];
        s3 += sums[o + 3];
        s4 += sums[o + 4];
        s5 += sums[o + 5];
        s6 += sums[o + 6];
        s7 += sums[o + 7];
      }
      for (let g = mid; g < (a + 1) * groups; g++) {
        const o = pick[g];
        s0 -= sums[o];
        s1 -= sums[o + 1];
        s2 -= sums[o + 2];
        s3 -= sums[o + 3];
        s4 -= sums[o + 4];
        s5 -= sums[o + 5];
        s6 -= sums[o + 6];
        s7 -= sums[o + 7];
      }
      const d = base + a * p;
      x[d] = s0 * scale;
      x[d + 1] = s1 * scale;
      x[d + 2] = s2 * scale;
      x[d + 3] = s3 * scale;
      x[d + 4] = s4 * scale;
      x[d + 5] = s5 * scale;
      x[d + 6] = s6 * scale;
      x[d + 7] = s7 * scale;
    }
  }

  /** mixWide for rows of X shorter than WIDTH (p = 1, 2, 4). */
  private mixNarrow(x: Float64Array, base: number, { pick, split }: PickTable, scale: number): void {
    const { m, p, width, groups, sums } = this;
    for (let a = 0; a < m; a++) {
      for (let j = 0; j < width; j++) {
        let acc = 0;
        for (let g = a * groups; g < (a + 1) * groups; g++) {
          acc += g < split[a] ? sums[pick[g] + j] : -sums[pick[g] + j];
        }
        x[base + a * p + j] = acc * scale;
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
 * whose sums stay below 2^53 (float32 results are rounded once, so they are exact below 2^24).
 * Returns `x`.
 */
export function hadamardTransform<T extends FloatArray>(x: T, options: HadamardTransformOptions = {}): T {
  assertFloatArray('hadamardTransform', 'x', x);
  const n = x.length;
  const plan = planFor('hadamardTransform', 'x.length', n);
  applyAsFloat64(plan.kernels[options.transpose ? 1 : 0], x, 0, n, 1, options.normalize ? 1 / Math.sqrt(n) : 1);
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
  applyAsFloat64(plan.kernels[options.transpose ? 1 : 0], data, 0, n, rows, options.normalize ? 1 / Math.sqrt(n) : 1);
  return data;
}
