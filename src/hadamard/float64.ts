/**
 * Runs float64-only kernels on Float32Array or Float64Array data. V8 compiles each loop for the element
 * types it has seen there, and a loop fed both kinds runs about twice as slow as one fed a single kind.
 * So the Hadamard kernels only ever see Float64Array: float32 data is widened into a reused scratch
 * buffer a batch of segments at a time (native conversion via TypedArray.set), transformed, and rounded
 * back once (which is also more accurate than rounding after every stage).
 */
import type { FloatArray } from '../core/validate.js';

/** An in-place transform of t[off .. off + n), with the result multiplied by `scale`. */
export type Float64Kernel = (t: Float64Array, off: number, n: number, scale: number) => void;

/** Float32 elements widened per batch (256 KiB of float64, or one segment when segments are longer). */
const BATCH = 32768;

let scratch = new Float64Array(0);

/**
 * Applies `kernel` (with `scale`) to the `count` consecutive segments x[off + s n .. off + (s + 1) n).
 * Float64Array data is transformed in place. Float32Array data costs two subarray views per batch, and a
 * new scratch buffer only when it must grow.
 */
export function applyAsFloat64(kernel: Float64Kernel, x: FloatArray, off: number, n: number, count: number, scale: number): void {
  if (x instanceof Float64Array) {
    for (let s = 0; s < count; s++) kernel(x, off + s * n, n, scale);
    return;
  }
  const perBatch = Math.max(1, Math.floor(BATCH / n));
  if (scratch.length < perBatch * n) scratch = new Float64Array(perBatch * n);
  const t = scratch;
  for (let s0 = 0; s0 < count; s0 += perBatch) {
    const len = Math.min(perBatch, count - s0) * n;
    const start = off + s0 * n;
    t.set(x.subarray(start, start + len));
    for (let o = 0; o < len; o += n) kernel(t, o, n, scale);
    x.set(t.subarray(0, len), start);
  }
}
