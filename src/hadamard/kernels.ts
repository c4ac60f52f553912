/**
 * The inner loops of the Hadamard transforms, for Float32Array and Float64Array data alike.
 *
 * They live in one self-contained factory, `hadamardKernels`, and each element kind gets its own compiled copy
 * (core/specialize.ts): float64 data runs the module's own instance, float32 data a copy rebuilt from the
 * factory's source, so each copy's loops only ever see one kind. Float32 data is therefore transformed in
 * place with no conversion: every pass computes in float64 registers and rounds once when it stores.
 *
 * The butterflies and the mixing loops are unrolled by hand, deliberately (radix 8, 4 and 2, eight columns per
 * step): their values must stay in locals for V8 to keep them in registers, so they repeat each other's shape.
 *
 * Nothing inside `hadamardKernels` may refer to a name defined outside it.
 */
import { type FloatArray, compiledCopy } from '../core/index.js';

/** How the four-Russians mixing of transform.ts is laid out (fixed per order n = m 2^k). */
export interface MixLayout {
  /** Order of the base matrix H_m (rows of X). */
  readonly m: number;
  /** 2^k, the length of a row of X. */
  readonly p: number;
  /** Columns of X per mixing step: min(mixWidth, p). */
  readonly width: number;
  /** G, the rows of X per group. */
  readonly groupBits: number;
  /** ceil(m / G). */
  readonly groups: number;
  /**
   * Signed sums of every group for one step, with the group's first row always added (the other half of the
   * sign patterns are their negatives): sums[((g << (G - 1)) + t) * width + j].
   */
  readonly sums: Float64Array;
}

/** For H or H^T: which signed sum each output row takes from each group, and with which sign. */
export interface PickTable {
  /** Row a's offsets into `sums` are pick[a * groups .. (a + 1) * groups): first the added ones, then the subtracted. */
  readonly pick: Int32Array;
  /** split[a]: index in `pick` where row a's subtracted offsets start. */
  readonly split: Int32Array;
}

export interface HadamardKernels {
  /**
   * In-place FWHT of x[off .. off + n), times `scale`; n a power of two (unchecked). With `guard` = 0 the
   * transform runs unchecked and returns -1. With a positive power of two `guard`, the first pass over every
   * element first checks its group of 2, 4 or 8 entries: when some x_i guard overflows (|x_i| > 2^1024 / guard)
   * or an entry is not finite, it stops before touching that group and returns the group's first index (see
   * FwhtSchedule for the state it leaves); otherwise it completes and returns -1. The checked and unchecked
   * runs compute the same values.
   */
  fwht(x: FloatArray, off: number, n: number, scale: number, guard: number): number;
  /**
   * True when x_i guard is finite for every i in [off, off + len): every entry finite and below 2^1024 / guard
   * (guard a power of two; a false alarm is possible close to the bound). A separate pass, for the Hadamard
   * transforms with m > 1, where checking inside the short row FWHTs cost more.
   */
  withinGuard(x: FloatArray, off: number, len: number, guard: number): boolean;
  /** For the columns x[base + r p .. + width) of the m rows: the signed sums of every group, into layout.sums. */
  buildSums(x: FloatArray, base: number, layout: MixLayout): void;
  /** Row a of those columns <- scale times the sums row a picks, added or subtracted (after buildSums). */
  mix(x: FloatArray, base: number, layout: MixLayout, table: PickTable, scale: number): void;
  /** Columns of X per mixing step when rows are long enough (layout.width = min(mixWidth, p)). */
  readonly mixWidth: number;
  /** How the FWHT of length n orders its stages (what a stopped checked run has done). */
  schedule(n: number): FwhtSchedule;
}

/**
 * The stage order of the FWHT of length n: the stages of span 1 .. block / 2 run block by block (blocks of
 * `block` = min(n, 4096) elements), the first `firstStages` of them (1, 2 or 3: one radix-2, -4 or -8 pass) as
 * the checked first pass over groups of 2^firstStages consecutive entries; then the stages of span
 * block .. n / 2 over the whole range. A checked run stopped at index s has done every block-local stage of the
 * blocks before s's block, the first pass of s's block below s, and nothing else.
 */
export interface FwhtSchedule {
  readonly block: number;
  readonly firstStages: number;
}

/** The kernels; self-contained (compiledCopy recompiles it from its source text). */
export function hadamardKernels(): HadamardKernels {
  /** Elements per cache block for the small FWHT stages (16 KiB of float32, 32 KiB of float64); 8^4, see cacheBlock. */
  const BLOCK = 4096;
  /** Columns of X mixed together: one cache line of float64, eight accumulators. */
  const WIDTH = 8;

  /**
   * One radix-8 butterfly: the stages of span h, 2h and 4h on x[i0 + j h], j = 0..7 (8 loads, 24 adds, 8 stores),
   * results times `scale`.
   */
  function butterfly8(x: FloatArray, i0: number, h: number, scale: number): void {
    const i1 = i0 + h;
    const i2 = i1 + h;
    const i3 = i2 + h;
    const i4 = i3 + h;
    const i5 = i4 + h;
    const i6 = i5 + h;
    const i7 = i6 + h;
    const x0 = x[i0];
    const x1 = x[i1];
    const x2 = x[i2];
    const x3 = x[i3];
    const x4 = x[i4];
    const x5 = x[i5];
    const x6 = x[i6];
    const x7 = x[i7];
    // span h
    const a0 = x0 + x1;
    const a1 = x0 - x1;
    const a2 = x2 + x3;
    const a3 = x2 - x3;
    const a4 = x4 + x5;
    const a5 = x4 - x5;
    const a6 = x6 + x7;
    const a7 = x6 - x7;
    // span 2h
    const b0 = a0 + a2;
    const b1 = a1 + a3;
    const b2 = a0 - a2;
    const b3 = a1 - a3;
    const b4 = a4 + a6;
    const b5 = a5 + a7;
    const b6 = a4 - a6;
    const b7 = a5 - a7;
    // span 4h
    x[i0] = (b0 + b4) * scale;
    x[i1] = (b1 + b5) * scale;
    x[i2] = (b2 + b6) * scale;
    x[i3] = (b3 + b7) * scale;
    x[i4] = (b0 - b4) * scale;
    x[i5] = (b1 - b5) * scale;
    x[i6] = (b2 - b6) * scale;
    x[i7] = (b3 - b7) * scale;
  }

  /** One radix-8 pass over x[off .. off + len), unscaled: the literal 1 folds away once V8 inlines butterfly8. */
  function radix8Pass(x: FloatArray, off: number, len: number, h: number): void {
    for (let s = off; s < off + len; s += 8 * h) for (let i0 = s; i0 < s + h; i0++) butterfly8(x, i0, h, 1);
  }

  /** One radix-8 pass with the results times `scale` (the last pass of a normalized transform). */
  function radix8PassScaled(x: FloatArray, off: number, len: number, h: number, scale: number): void {
    for (let s = off; s < off + len; s += 8 * h) for (let i0 = s; i0 < s + h; i0++) butterfly8(x, i0, h, scale);
  }

  /**
   * Stages 4 to 12 of one cache block, BLOCK = 4096 = 8^4 elements (the first pass, span 1, is the caller's):
   * radix-8 passes with constant spans, which V8 folds into the index arithmetic once it inlines them (7% faster
   * than passing the spans in a loop).
   */
  function cacheBlockTail(x: FloatArray, off: number, scale: number): void {
    radix8Pass(x, off, BLOCK, 8);
    radix8Pass(x, off, BLOCK, 64);
    radix8PassScaled(x, off, BLOCK, 512, scale);
  }

  /** One radix-4 butterfly: the stages of span h and 2h on x[i0 + j h], j = 0..3, results times `scale`. */
  function butterfly4(x: FloatArray, i0: number, h: number, scale: number): void {
    const i1 = i0 + h;
    const i2 = i1 + h;
    const i3 = i2 + h;
    const x0 = x[i0];
    const x1 = x[i1];
    const x2 = x[i2];
    const x3 = x[i3];
    const a = x0 + x1;
    const b = x0 - x1;
    const c = x2 + x3;
    const d = x2 - x3;
    x[i0] = (a + c) * scale;
    x[i1] = (b + d) * scale;
    x[i2] = (a - c) * scale;
    x[i3] = (b - d) * scale;
  }

  /** One radix-4 pass: fuses the stages of span h and 2h over x[off .. off + len), results times `scale`. */
  function radix4Pass(x: FloatArray, off: number, len: number, h: number, scale: number): void {
    for (let s = off; s < off + len; s += 4 * h) for (let i0 = s; i0 < s + h; i0++) butterfly4(x, i0, h, scale);
  }

  /** One radix-2 butterfly of span h at x[i], x[i + h], results times `scale`. */
  function butterfly2(x: FloatArray, i: number, h: number, scale: number): void {
    const u = x[i];
    const v = x[i + h];
    x[i] = (u + v) * scale;
    x[i + h] = (u - v) * scale;
  }

  /** One radix-2 pass of span h over x[off .. off + len), results times `scale`. */
  function radix2Pass(x: FloatArray, off: number, len: number, h: number, scale: number): void {
    for (let s = off; s < off + len; s += 2 * h) for (let i = s; i < s + h; i++) butterfly2(x, i, h, scale);
  }

  /**
   * The checked first pass (span 1) over x[off .. off + len) by radix-8 butterflies on consecutive groups of 8,
   * each group checked against `guard` before it is overwritten: the sum of its x_i guard is finite unless a
   * product overflows (|x_i| > 2^1024 / guard; guard is a power of two, so the products are exact below that)
   * or an entry is not finite (a sum of finite products overflows only near the bound: a false alarm). Returns
   * the first index of the first group that fails, or -1. (c - c !== 0 holds for infinite and NaN c. One small
   * function per radix: a single one for all three compiled to slower code.)
   */
  function checkedPass8(x: FloatArray, off: number, len: number, scale: number, guard: number): number {
    for (let i = off; i < off + len; i += 8) {
      const x0 = x[i];
      const x1 = x[i + 1];
      const x2 = x[i + 2];
      const x3 = x[i + 3];
      const x4 = x[i + 4];
      const x5 = x[i + 5];
      const x6 = x[i + 6];
      const x7 = x[i + 7];
      const c = x0 * guard + x1 * guard + (x2 * guard + x3 * guard) + (x4 * guard + x5 * guard + (x6 * guard + x7 * guard));
      if (c - c !== 0) return i;
      butterfly8(x, i, 1, scale);
    }
    return -1;
  }

  /** checkedPass8 for radix 4 (groups of 4). */
  function checkedPass4(x: FloatArray, off: number, len: number, scale: number, guard: number): number {
    for (let i = off; i < off + len; i += 4) {
      const c = x[i] * guard + x[i + 1] * guard + (x[i + 2] * guard + x[i + 3] * guard);
      if (c - c !== 0) return i;
      butterfly4(x, i, 1, scale);
    }
    return -1;
  }

  /** checkedPass8 for radix 2 (groups of 2). */
  function checkedPass2(x: FloatArray, off: number, len: number, scale: number, guard: number): number {
    for (let i = off; i < off + len; i += 2) {
      const c = x[i] * guard + x[i + 1] * guard;
      if (c - c !== 0) return i;
      butterfly2(x, i, 1, scale);
    }
    return -1;
  }

  /** See HadamardKernels.withinGuard: the x_i guard summed eight at a time, two sums carried across groups. */
  function withinGuard(x: FloatArray, off: number, len: number, guard: number): boolean {
    let a = 0;
    let b = 0;
    const end = off + len;
    const end8 = end - (len % 8);
    for (let i = off; i < end8; i += 8) {
      a += x[i] * guard + x[i + 1] * guard + (x[i + 2] * guard + x[i + 3] * guard);
      b += x[i + 4] * guard + x[i + 5] * guard + (x[i + 6] * guard + x[i + 7] * guard);
    }
    for (let i = end8; i < end; i++) a += x[i] * guard;
    const sum = a + b;
    return sum - sum === 0;
  }

  /**
   * The stages of span h, 2h, ... below `end` over x[off .. off + len): log2(end / h) stages split into
   * radix-8 passes plus one or two radix-4 passes when the count is not a multiple of three; the last pass
   * multiplies by `scale`.
   */
  function stages(x: FloatArray, off: number, len: number, h: number, end: number, scale: number): void {
    let count = Math.round(Math.log2(end / h));
    if (count === 1) {
      radix2Pass(x, off, len, h, scale);
      return;
    }
    for (let fours = count % 3 === 0 ? 0 : 3 - (count % 3); fours > 0; fours--, count -= 2, h *= 4) {
      radix4Pass(x, off, len, h, count === 2 ? scale : 1);
    }
    for (; count > 3; count -= 3, h *= 8) radix8Pass(x, off, len, h);
    if (count === 3) radix8PassScaled(x, off, len, h, scale);
  }

  /** log2 of the first pass's radix for n < BLOCK (the order `stages` runs its passes in): 1, 2 or 3; 0 for n = 1. */
  function firstStagesOf(n: number): number {
    const count = Math.round(Math.log2(n));
    return count <= 1 ? count : count % 3 === 0 ? 3 : 2;
  }

  /** See FwhtSchedule. */
  function schedule(n: number): FwhtSchedule {
    return n >= BLOCK ? { block: BLOCK, firstStages: 3 } : { block: n, firstStages: firstStagesOf(n) };
  }

  /** fwht for 1 < n < BLOCK: every stage at once, the first pass checked when `guard` is not 0. */
  function fwhtSmall(x: FloatArray, off: number, n: number, scale: number, guard: number): number {
    if (guard === 0) {
      stages(x, off, n, 1, n, scale);
      return -1;
    }
    const first = firstStagesOf(n);
    const firstScale = 2 ** first === n ? scale : 1;
    const stop =
      first === 3 ? checkedPass8(x, off, n, firstScale, guard) : first === 2 ? checkedPass4(x, off, n, firstScale, guard) : checkedPass2(x, off, n, firstScale, guard);
    if (stop < 0) stages(x, off, n, 2 ** first, n, scale);
    return stop;
  }

  /**
   * fwht for n >= BLOCK: blocks of BLOCK elements are transformed one at a time (all their stages while they sit
   * in cache; the first pass checked when `guard` is not 0), then the remaining stages run over the whole range.
   */
  function fwhtBlocked(x: FloatArray, off: number, n: number, scale: number, guard: number): number {
    const blockScale = n === BLOCK ? scale : 1;
    for (let b = off; b < off + n; b += BLOCK) {
      if (guard === 0) radix8Pass(x, b, BLOCK, 1);
      else {
        const stop = checkedPass8(x, b, BLOCK, 1, guard);
        if (stop >= 0) return stop;
      }
      cacheBlockTail(x, b, blockScale);
    }
    if (n > BLOCK) stages(x, off, n, BLOCK, n, scale);
    return -1;
  }

  /** See HadamardKernels.fwht. The checked first passes run the same butterflies in the same order as `stages`. */
  function fwht(x: FloatArray, off: number, n: number, scale: number, guard: number): number {
    // `| 0` keeps the index arithmetic in int32 even when a caller's integers are stored as doubles
    // (e.g. 2 ** k); double-typed indices make every pass several times slower
    off |= 0;
    n |= 0;
    if (n >= BLOCK) return fwhtBlocked(x, off, n, scale, guard);
    if (n > 1) return fwhtSmall(x, off, n, scale, guard);
    const c = x[off] * guard;
    if (guard !== 0 && c - c !== 0) return off;
    x[off] *= scale;
    return -1;
  }

  /**
   * One doubling step of the signed sums for WIDTH columns: for the `half` sums at sums[o ..], the sum
   * `half` places later becomes (sum - v) and the sum itself (sum + v), v = x[src .. src + 8).
   * Unrolled so the eight v stay in registers.
   */
  function doubleWide(sums: Float64Array, o: number, half: number, x: FloatArray, src: number): void {
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

  /** sums of group g: entry t = X[c0][cols] + sum_{j >= 1} (bit j - 1 of t ? -1 : +1) X[c0 + j][cols]. */
  function buildSums(x: FloatArray, base: number, { m, p, width: W, groupBits: G, sums }: MixLayout): void {
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

  /** X[a][cols] <- scale times the picked signed sums, for WIDTH columns in eight accumulators. */
  function mixWide(x: FloatArray, base: number, { m, p, groups, sums }: MixLayout, { pick, split }: PickTable, scale: number): void {
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
  function mixNarrow(x: FloatArray, base: number, { m, p, width, groups, sums }: MixLayout, { pick, split }: PickTable, scale: number): void {
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

  function mix(x: FloatArray, base: number, layout: MixLayout, table: PickTable, scale: number): void {
    if (layout.width === WIDTH) mixWide(x, base, layout, table, scale);
    else mixNarrow(x, base, layout, table, scale);
  }

  return { fwht, withinGuard, buildSums, mix, mixWidth: WIDTH, schedule };
}

const float64Kernels = hadamardKernels();
let float32Kernels: HadamardKernels | undefined;

/** Columns of X per mixing step when rows are long enough. */
export const MIX_WIDTH = float64Kernels.mixWidth;

/** The copy is used only if it transforms a small vector correctly (H_4 (1, 2, 3, 4) = (10, -2, -4, 0)). */
function transformsCorrectly(kernels: HadamardKernels): boolean {
  const x = Float32Array.of(1, 2, 3, 4);
  kernels.fwht(x, 0, 4, 1, 0);
  return x.join() === '10,-2,-4,0';
}

/** The kernels compiled for x's element kind (the float32 copy is compiled on first use). */
export function kernelsFor(x: FloatArray): HadamardKernels {
  if (x instanceof Float64Array) return float64Kernels;
  float32Kernels ??= compiledCopy(hadamardKernels, 'hadamard-float32', transformsCorrectly);
  return float32Kernels;
}
