/**
 * Aliasing checks for functions with an `out` argument. Two typed arrays overlap when they view the same
 * ArrayBuffer (or SharedArrayBuffer) and their byte ranges intersect; `out === input` is the simplest case.
 */
import { rangeError } from '../errors/index.js';

/** True when the byte ranges of `a` and `b` share at least one byte of one buffer. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  const a0 = a.byteOffset;
  const b0 = b.byteOffset;
  return a0 < b0 + b.byteLength && b0 < a0 + a.byteLength && a.byteLength > 0 && b.byteLength > 0;
}

/** Throws `RangeError` when `out` (argument `outArg`) overlaps `input` (argument `inArg`) in memory. */
export function assertNoOverlap(fn: string, outArg: string, out: ArrayBufferView, inArg: string, input: ArrayBufferView): void {
  if (overlaps(out, input)) {
    throw rangeError(fn, outArg, `memory that does not overlap ${inArg} (it may not alias its input)`, `a view sharing bytes with ${inArg}`);
  }
}
