/**
 * Keeping the Hadamard transforms inside the floating-point range.
 *
 * Every entry of H x is a signed sum of the n inputs, and so is every partial sum the fast transforms store, so
 * they stay below n max|x_i|. The fast paths check that max|x_i| is below 2^E / (2n) (2^E = 2^1024 for float64,
 * 2^128 for float32, the first power of two beyond the type's range; see guardFor), as the first FWHT pass loads
 * each entry (powers of two) or in a scan first (other orders): then nothing can overflow. An input above that
 * bound takes a slower path here, from where the check stopped: its entries are scaled by 2^-e, a power of two
 * (exact, except for entries so small that they underflow, far below the result's rounding error), transformed,
 * and scaled back by 2^e together with the 1/sqrt(n) of `normalize`. An entry of the result beyond the type's
 * range is then a true overflow of the exact answer, and a RangeError. A non-finite input entry is a
 * RangeError naming its index.
 */
import { rangeError } from '../errors/index.js';
import type { FloatArray } from '../core/index.js';
import type { FwhtSchedule } from './kernels.js';

/** E with 2^E the first power of two beyond the largest finite value of x's element type. */
function rangeExponent(x: FloatArray): number {
  return x instanceof Float32Array ? 128 : 1024;
}

/**
 * The guard of a transform of length n over x's element type: g = 2^(1024 - E + ceil(log2 n) + 1), so that the
 * float64 product x_i g overflows exactly when |x_i| exceeds 2^E / 2^(ceil(log2 n) + 1) <= 2^E / (2n).
 */
export function guardFor(x: FloatArray, n: number): number {
  return 2 ** (1024 - rangeExponent(x) + Math.ceil(Math.log2(n)) + 1);
}

/** Throws unless x[from .. to) is finite, naming the first bad index of x. */
function assertFiniteRange(fn: string, arg: string, x: FloatArray, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    if (x[i] - x[i] !== 0) throw rangeError(fn, arg, 'finite everywhere', `${x[i]} at index ${i}`);
  }
}

/**
 * Scales w[0 .. n) by 2^-e, the smallest power of two (e >= 0) with max|w_i| 2^-e 4n <= 2^E, so that no partial
 * sum of a transform of length n leaves the range 2^E. Returns 2^e.
 */
function downscale(w: FloatArray, n: number, E: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(w[i]));
  const e = max === 0 ? 0 : Math.max(0, Math.ceil(Math.log2(max) + Math.log2(n) + 2 - E));
  if (e === 0) return 1;
  const down = 2 ** -e;
  for (let i = 0; i < n; i++) w[i] *= down;
  return 2 ** e;
}

/** Throws a RangeError when x[off .. off + n), a finished transform, holds an entry beyond the type's range. */
function assertTransformFits(fn: string, arg: string, x: FloatArray, off: number, n: number): void {
  for (let i = off; i < off + n; i++) {
    if (x[i] - x[i] !== 0) {
      const type = x instanceof Float32Array ? 'Float32Array' : 'Float64Array';
      const max = x instanceof Float32Array ? 3.4028234663852886e38 : Number.MAX_VALUE;
      throw rangeError(fn, arg, `an input whose transform fits in a ${type} (every |y_i| <= ${max})`, `one whose transform overflows at index ${i}`);
    }
  }
}

/** One radix-2 stage of span h over w[lo .. hi) (lo and hi multiples of 2h). */
function stage(w: Float64Array, lo: number, hi: number, h: number): void {
  for (let s = lo; s < hi; s += 2 * h) {
    for (let i = s; i < s + h; i++) {
      const u = w[i];
      const v = w[i + h];
      w[i] = u + v;
      w[i + h] = u - v;
    }
  }
}

/**
 * Finishes the FWHT of x[off .. off + n) times `scale` that the checked kernel stopped at index `stop` (see
 * HadamardKernels.fwht and FwhtSchedule for what it has done by then). Everything before `stop` passed the
 * guard, so a non-finite entry at or after it is the input's first. The remaining stages run one at a time
 * in float64 (on x itself when it is a Float64Array: each add is rounded to float64 as the fast passes round it,
 * so the values are the fast path's, scaled by 2^-e), and the result is written back times scale 2^e.
 */
export function finishFwht(fn: string, arg: string, x: FloatArray, off: number, n: number, stop: number, scale: number, schedule: FwhtSchedule): void {
  assertFiniteRange(fn, arg, x, stop, off + n);
  const segment = x.subarray(off, off + n);
  const w = segment instanceof Float64Array ? segment : Float64Array.from(segment);
  const up = downscale(w, n, 1024);
  const { block, firstStages } = schedule;
  const s = stop - off;
  const b0 = s - (s % block);
  const firstSpan = 2 ** firstStages;
  for (let h = 1; h < firstSpan; h *= 2) stage(w, s, b0 + block, h);
  for (let h = firstSpan; h < block; h *= 2) stage(w, b0, b0 + block, h);
  for (let b = b0 + block; b < n; b += block) for (let h = 1; h < block; h *= 2) stage(w, b, b + block, h);
  for (let h = block; h < n; h *= 2) stage(w, 0, n, h);
  const f = scale * up;
  for (let i = 0; i < n; i++) segment[i] = w[i] * f;
  assertTransformFits(fn, arg, x, off, n);
}

/**
 * Runs `transform(scale')` on x[off .. off + n), which failed the guard and has not been touched: rejects a
 * non-finite entry, scales the segment down by 2^-e in its own type (the transform keeps its partial sums in
 * that type), transforms with scale' = scale 2^e, and checks the result.
 */
export function transformScaled(fn: string, arg: string, x: FloatArray, off: number, n: number, scale: number, transform: (scale: number) => void): void {
  assertFiniteRange(fn, arg, x, off, off + n);
  const up = downscale(x.subarray(off, off + n), n, rangeExponent(x));
  transform(scale * up);
  assertTransformFits(fn, arg, x, off, n);
}
