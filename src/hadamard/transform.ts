/**
 * Hadamard transform of any supported order n = m * 2^k in O(n log n + n m):
 * with i = a * 2^k + b (the split of hadamardFactorization), x is viewed as an m x 2^k row-major matrix X,
 * and H_n x = H_m X S_{2^k}^T: a Walsh-Hadamard transform of every row, then the m x m base matrix
 * mixes the rows.
 *
 * The m x m part is the cost that dominates for m up to 172, so it uses the "four Russians" idea: the
 * base columns are cut into groups of G; for each group all 2^(G-1) signed sums x_c0 +- x_c1 +- ... are
 * formed once (each from a previous one with a single add), and every output row then adds one of them
 * with one sign. That turns m^2 vector adds into about (m / G)(2^(G-1) + m), G chosen per m.
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, type FloatArray } from '../core/validate.js';
import { fwhtKernel, type FwhtOptions } from './fwht.js';
import { hadamardBase, requireHadamardFactorization } from './orders.js';

export interface HadamardTransformOptions extends FwhtOptions {
  /** Apply H^T instead of H (the same for powers of two; Paley I base matrices are not symmetric). */
  transpose?: boolean;
}

/** Columns of the m x 2^k view processed together, so the signed sums stay in cache. */
const CHUNK = 256;

/** Per-orientation tables of the base mixing: group starts/sizes and, per (group, output row), sign and sum index. */
interface MixTables {
  groupStart: Int32Array;
  groupSize: Int32Array;
  /** For group g and output row a: (index of the signed sum) * 2 + (1 when it is subtracted). */
  pick: Int32Array;
}

class HadamardPlan {
  readonly p: number;
  private readonly tables: [MixTables | undefined, MixTables | undefined] = [undefined, undefined];
  /** Signed sums of one group: 2^(G-1) rows of CHUNK. */
  private readonly sums: Float64Array;
  /** The mixed output for one chunk of columns: m rows of CHUNK. */
  private readonly out: Float64Array;
  private readonly groupBits: number;

  constructor(
    readonly n: number,
    readonly m: number,
    k: number,
  ) {
    this.p = 2 ** k;
    this.groupBits = bestGroupSize(m);
    const w = Math.min(CHUNK, this.p);
    this.sums = new Float64Array(2 ** (this.groupBits - 1) * w);
    this.out = new Float64Array(m * w);
  }

  private mixTables(transpose: boolean): MixTables {
    const slot = transpose ? 1 : 0;
    const cached = this.tables[slot];
    if (cached) return cached;
    const { m, groupBits: G } = this;
    const Hm = hadamardBase(m);
    const entry = transpose ? (a: number, c: number) => Hm[c * m + a] : (a: number, c: number) => Hm[a * m + c];
    const groups = Math.ceil(m / G);
    const groupStart = new Int32Array(groups);
    const groupSize = new Int32Array(groups);
    const pick = new Int32Array(groups * m);
    for (let g = 0; g < groups; g++) {
      const c0 = g * G;
      groupStart[g] = c0;
      groupSize[g] = Math.min(G, m - c0);
      for (let a = 0; a < m; a++) {
        const lead = entry(a, c0);
        let index = 0;
        for (let j = 1; j < groupSize[g]; j++) if (entry(a, c0 + j) !== lead) index |= 1 << (j - 1);
        pick[g * m + a] = index * 2 + (lead < 0 ? 1 : 0);
      }
    }
    const t = { groupStart, groupSize, pick };
    this.tables[slot] = t;
    return t;
  }

  /** x[off .. off + n) <- scale * H x (or H^T x). */
  apply(x: FloatArray, off: number, transpose: boolean, scale: number): void {
    const { m, p } = this;
    for (let a = 0; a < m; a++) fwhtKernel(x, off + a * p, p);
    if (m === 1) {
      if (scale !== 1) for (let i = off; i < off + p; i++) x[i] *= scale;
      return;
    }
    const { groupStart, groupSize, pick } = this.mixTables(transpose);
    const { sums, out } = this;
    for (let b0 = 0; b0 < p; b0 += CHUNK) {
      const w = Math.min(CHUNK, p - b0);
      out.fill(0, 0, m * w);
      for (let g = 0; g < groupStart.length; g++) {
        // signed sums: sums[s] = x_c0 + sum_j (bit j-1 of s ? -1 : +1) x_cj, built by doubling
        const c0 = groupStart[g];
        let base = off + c0 * p + b0;
        for (let b = 0; b < w; b++) sums[b] = x[base + b];
        for (let j = 1, half = 1; j < groupSize[g]; j++, half *= 2) {
          base = off + (c0 + j) * p + b0;
          for (let s = 0; s < half; s++) {
            const src = s * w;
            const dst = (s + half) * w;
            for (let b = 0; b < w; b++) {
              const v = x[base + b];
              const u = sums[src + b];
              sums[dst + b] = u - v;
              sums[src + b] = u + v;
            }
          }
        }
        for (let a = 0; a < m; a++) {
          const code = pick[g * m + a];
          const src = (code >> 1) * w;
          const dst = a * w;
          if (code & 1) for (let b = 0; b < w; b++) out[dst + b] -= sums[src + b];
          else for (let b = 0; b < w; b++) out[dst + b] += sums[src + b];
        }
      }
      for (let a = 0; a < m; a++) {
        const dst = off + a * p + b0;
        for (let b = 0; b < w; b++) x[dst + b] = scale * out[a * w + b];
      }
    }
  }
}

/** Group size G minimizing ceil(m / G) (2^(G-1) + m) vector adds (G = 1 is the plain product). */
function bestGroupSize(m: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let G = 1; G <= 8; G++) {
    const cost = Math.ceil(m / G) * (2 ** (G - 1) + m);
    if (cost < bestCost) {
      bestCost = cost;
      best = G;
    }
  }
  return best;
}

const plans = new Map<number, HadamardPlan>();

/** The cached transform plan for order n (RangeError naming the nearest supported orders otherwise). */
function planFor(fn: string, arg: string, n: number): HadamardPlan {
  let plan = plans.get(n);
  if (!plan) {
    const { m, k } = requireHadamardFactorization(fn, arg, n);
    plan = new HadamardPlan(n, m, k);
    plans.set(n, plan);
  }
  return plan;
}

/**
 * In-place Hadamard transform x <- H_n x (or H_n^T x with `transpose`), H_n = hadamardMatrix(n), for any
 * supported order n = x.length; `normalize: true` scales by 1/sqrt(n) (orthogonal). Exact for integer input
 * (sums below 2^53, or 2^24 for Float32Array). Returns `x`.
 */
export function hadamardTransform<T extends FloatArray>(x: T, options: HadamardTransformOptions = {}): T {
  assertFloatArray('hadamardTransform', 'x', x);
  const n = x.length;
  const plan = planFor('hadamardTransform', 'x.length', n);
  plan.apply(x, 0, options.transpose === true, options.normalize ? 1 / Math.sqrt(n) : 1);
  return x;
}

/** hadamardTransform of every row of a row-major rows x n matrix, in place. Returns `data`. */
export function hadamardTransformRows<T extends FloatArray>(
  data: T,
  rows: number,
  n: number,
  options: HadamardTransformOptions = {},
): T {
  const fn = 'hadamardTransformRows';
  assertFloatArray(fn, 'data', data);
  const plan = planFor(fn, 'n', n);
  if (!Number.isInteger(rows) || rows < 0 || data.length !== rows * n) {
    throw rangeError(fn, 'data', `of length rows * n = ${rows} * ${n}`, `length ${data.length}`);
  }
  const scale = options.normalize ? 1 / Math.sqrt(n) : 1;
  for (let r = 0; r < rows; r++) plan.apply(data, r * n, options.transpose === true, scale);
  return data;
}
