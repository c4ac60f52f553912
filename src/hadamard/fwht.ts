/**
 * Fast Walsh-Hadamard transform in natural (Sylvester) order:
 *   y[i] = sum_j (-1)^popcount(i & j) x[j],  n a power of two.
 * In place, O(n log n). Three butterfly stages are fused into one radix-8 pass, so each element is loaded
 * and stored once per three stages, and the stages whose span fits a cache block are run block by block.
 * The kernel runs on float64 only; Float32Array input goes through a reused scratch buffer (float64.ts).
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, assertInteger, isPowerOfTwo, type FloatArray } from '../core/validate.js';
import { applyAsFloat64 } from './float64.js';

export interface FwhtOptions {
  /** Scale by 1 / sqrt(n), making the transform orthogonal (and its own inverse). Default false. */
  normalize?: boolean;
}

/** Elements per cache block for the small stages (16 KiB of float32, 32 KiB of float64). */
const BLOCK = 4096;

/**
 * One radix-8 pass: fuses the stages of span h, 2h and 4h over x[off .. off + len) (8 loads, 24 adds, 8 stores),
 * multiplying the results by `scale` (1 except in the last pass of a normalized transform).
 */
function radix8Pass(x: Float64Array, off: number, len: number, h: number, scale: number): void {
  for (let s = off; s < off + len; s += 8 * h) {
    for (let i0 = s; i0 < s + h; i0++) {
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
  }
}

/** One radix-4 pass: fuses the stages of span h and 2h over x[off .. off + len), results times `scale`. */
function radix4Pass(x: Float64Array, off: number, len: number, h: number, scale: number): void {
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
function radix2Pass(x: Float64Array, off: number, len: number, h: number, scale: number): void {
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
function stages(x: Float64Array, off: number, len: number, h: number, end: number, scale: number): void {
  let count = Math.round(Math.log2(end / h));
  if (count === 1) {
    radix2Pass(x, off, len, h, scale);
    return;
  }
  for (let fours = count % 3 === 0 ? 0 : 3 - (count % 3); fours > 0; fours--, count -= 2, h *= 4) {
    radix4Pass(x, off, len, h, count === 2 ? scale : 1);
  }
  for (; count > 0; count -= 3, h *= 8) radix8Pass(x, off, len, h, count === 3 ? scale : 1);
}

/**
 * In-place FWHT of x[off .. off + n) times `scale`, n a power of two (unchecked), float64 only (see
 * float64.ts): blocks of BLOCK elements are transformed one at a time (all their stages while they sit in
 * cache), then the remaining stages run over the whole range.
 */
export function fwhtKernel(x: Float64Array, off: number, n: number, scale: number): void {
  // `| 0` keeps the index arithmetic in int32 even when a caller's integers are stored as doubles
  // (e.g. 2 ** k); double-typed indices make every pass several times slower
  off |= 0;
  n |= 0;
  if (n === 1) {
    x[off] *= scale;
    return;
  }
  const block = Math.min(n, BLOCK);
  for (let b = off; b < off + n; b += block) stages(x, b, block, 1, block, block === n ? scale : 1);
  if (block < n) stages(x, off, n, block, n, scale);
}

/**
 * In-place fast Walsh-Hadamard transform of a power-of-two-length Float32Array or Float64Array,
 * natural order: y[i] = sum_j (-1)^popcount(i & j) x[j]. With `normalize: true` the result is
 * scaled by 1/sqrt(n). Returns `x`.
 */
export function fwht<T extends FloatArray>(x: T, options: FwhtOptions = {}): T {
  assertFloatArray('fwht', 'x', x);
  if (!isPowerOfTwo(x.length)) {
    throw rangeError('fwht', 'x', 'of power-of-two length (1, 2, 4, ..., 2^30)', `length ${x.length}`);
  }
  applyAsFloat64(fwhtKernel, x, 0, x.length, 1, options.normalize ? 1 / Math.sqrt(x.length) : 1);
  return x;
}

/**
 * FWHT of every row of a row-major `rows x n` matrix stored in `data`, in place (n a power of two).
 * Returns `data`.
 */
export function fwhtRows<T extends FloatArray>(data: T, rows: number, n: number, options: FwhtOptions = {}): T {
  const fn = 'fwhtRows';
  assertFloatArray(fn, 'data', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  if (!isPowerOfTwo(n)) throw rangeError(fn, 'n', 'a power of two (1, 2, 4, ..., 2^30)', String(n));
  if (data.length !== rows * n) throw rangeError(fn, 'data', `of length rows * n = ${rows * n}`, `length ${data.length}`);
  const scale = options.normalize ? 1 / Math.sqrt(n) : 1;
  applyAsFloat64(fwhtKernel, data, 0, n, rows, scale);
  return data;
}
