/**
 * The inner loops of the Hadamard transforms, for Float32Array and Float64Array data alike.
 *
 * They live in one self-contained factory, `hadamardKernels`, and each element kind gets its own compiled copy
 * (core/specialize.ts): float64 data runs the module's own instance, float32 data a copy rebuilt from the
 * factory's source, so each copy's loops only ever see one kind. Float32 data is therefore transformed in
 * place with no conversion: every pass computes in float64 registers and rounds once when it stores.
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
  /** In-place FWHT of x[off .. off + n), times `scale`; n a power of two (unchecked). */
  fwht(x: FloatArray, off: number, n: number, scale: number): void;
  /** For the columns x[base + r p .. + width) of the m rows: the signed sums of every group, into layout.sums. */
  buildSums(x: FloatArray, base: number, layout: MixLayout): void;
  /** Row a of those columns <- scale times the sums row a picks, added or subtracted (after buildSums). */
  mix(x: FloatArray, base: number, layout: MixLayout, table: PickTable, scale: number): void;
  /** Columns of X per mixing step when rows are long enough (layout.width = min(mixWidth, p)). */
  readonly mixWidth: number;
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
   * The 12 stages of one cache block, BLOCK = 4096 = 8^4 elements: four radix-8 passes with constant spans, which
   * V8 folds into the index arithmetic once it inlines them (7% faster than passing the spans in a loop).
   */
  function cacheBlock(x: FloatArray, off: number, scale: number): void {
    radix8Pass(x, off, BLOCK, 1);
    radix8Pass(x, off, BLOCK, 8);
    radix8Pass(x, off, BLOCK, 64);
    radix8PassScaled(x, off, BLOCK, 512, scale);
  }

  /** One radix-4 pass: fuses the stages of span h and 2h over x[off .. off + len), results times `scale`. */
  function radix4Pass(x: FloatArray, off: number, len: number, h: number, scale: number): void {
    for (let s = off; s < off + len; s += 4 * h) {
      for (let i0 = s; i0 < s + h; i0++) {
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
    }
  }

  /** One radix-2 pass of span h over x[off .. off + len), results times `scale`. */
  function radix2Pass(x: FloatArray, off: number, len: number, h: number, scale: number): void {
    for (let s = off; s < off + len; s += 2 * h) {
      for (let i = s; i < s + h; i++) {
        const u = x[i];
        const v = x[i + h];
        x[i] = (u + v) * scale;
        x[i + h] = (u - v) * scale;
      }
    }
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

  /**
   * Blocks of BLOCK elements are transformed one at a time (all their stages while they sit in cache), then the
   * remaining stages run over the whole range; n below BLOCK runs all its stages at once.
   */
  function fwht(x: FloatArray, off: number, n: number, scale: number): void {
    // `| 0` keeps the index arithmetic in int32 even when a caller's integers are stored as doubles
    // (e.g. 2 ** k); double-typed indices make every pass several times slower
    off |= 0;
    n |= 0;
    if (n === 1) {
      x[off] *= scale;
      return;
    }
    const block = Math.min(n, BLOCK);
    if (block === BLOCK) for (let b = off; b < off + n; b += block) cacheBlock(x, b, block === n ? scale : 1);
    else stages(x, off, n, 1, n, scale);
    if (block < n) stages(x, off, n, block, n, scale);
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

  return { fwht, buildSums, mix, mixWidth: WIDTH };
}

const float64Kernels = hadamardKernels();
let float32Kernels: HadamardKernels | undefined;

/** Columns of X per mixing step when rows are long enough. */
export const MIX_WIDTH = float64Kernels.mixWidth;

/** The copy is used only if it transforms a small vector correctly (H_4 (1, 2, 3, 4) = (10, -2, -4, 0)). */
function transformsCorrectly(kernels: HadamardKernels): boolean {
  const x = Float32Array.of(1, 2, 3, 4);
  kernels.fwht(x, 0, 4, 1);
  return x.join() === '10,-2,-4,0';
}

/** The kernels compiled for x's element kind (the float32 copy is compiled on first use). */
export function kernelsFor(x: FloatArray): HadamardKernels {
  if (x instanceof Float64Array) return float64Kernels;
  float32Kernels ??= compiledCopy(hadamardKernels, 'hadamard-float32', transformsCorrectly);
  return float32Kernels;
}
