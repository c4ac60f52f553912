import { assertFinite } from './validate.js';

/**
 * True when every entry of x is finite, branch-free: x_i * 0 is NaN exactly when x_i is NaN or
 * +-Infinity, so the sums below stay 0 unless some entry is not finite. Four partial sums keep the
 * additions independent.
 */
export function allFinite(x: ArrayLike<number>): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const n4 = x.length - (x.length % 4);
  for (let i = 0; i < n4; i += 4) {
    a += x[i] * 0;
    b += x[i + 1] * 0;
    c += x[i + 2] * 0;
    d += x[i + 3] * 0;
  }
  for (let i = n4; i < x.length; i++) a += x[i] * 0;
  return a + b + c + d === 0;
}

/** assertFinite with the fast {@link allFinite} pass first; the slow scan only names the first bad index. */
export function assertFiniteFast(fn: string, arg: string, x: ArrayLike<number>): void {
  if (!allFinite(x)) assertFinite(fn, arg, x);
}
