/**
 * Slow, explicit reference computations shared by the tests: the definitions the fast code is checked against.
 * Everything here is written for clarity, not speed, in float64.
 */
import { randomNormal, randomUniform } from '../src/random/streams.js';

/** max_i |a_i - b_i| / max(||b||_inf, tiny). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-300);
}

/** max_i |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** (-1)^popcount(v) for a non-negative integer v, by clearing the lowest set bit until none is left. */
export function walshSign(v: number): number {
  let sign = 1;
  for (; v !== 0; v &= v - 1) sign = -sign;
  return sign;
}

/** x times the power of two 2^e, entry by entry, as a new array of x's type (exact while nothing under- or overflows). */
export function times<T extends Float32Array | Float64Array>(x: T, e: number): T {
  return x.map((v) => v * 2 ** e) as T;
}

/** Euclidean norm. */
export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** n seeded integers in [-1000, 1000], as float64. */
export function integers(n: number, seed: number): Float64Array {
  return Float64Array.from(randomUniform(n, seed, 0), (u) => Math.floor(u * 2001) - 1000);
}

/** C = A B (or A B^T) for row-major A (r x s) and B (s x t, or t x s when transposed), by the dot-product definition. */
export function matmul(A: ArrayLike<number>, B: ArrayLike<number>, r: number, s: number, t: number, transposeB = false): Float64Array {
  const C = new Float64Array(r * t);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < t; j++) {
      let acc = 0;
      for (let l = 0; l < s; l++) acc += A[i * s + l] * (transposeB ? B[j * s + l] : B[l * t + j]);
      C[i * t + j] = acc;
    }
  }
  return C;
}

/** The transpose of a row-major r x c matrix. */
export function transposeOf(A: ArrayLike<number>, r: number, c: number): Float64Array {
  const T = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) T[j * r + i] = A[i * c + j];
  return T;
}

/** A seeded symmetric n x n matrix with Gaussian entries, exactly symmetric. */
export function symmetric(n: number, seed: number): Float64Array {
  const A = randomNormal(n * n, seed, 7);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  return A;
}

/** y = H x (or H^T x) for a dense row-major n x n +-1 matrix. */
export function denseProduct(H: Int8Array, n: number, x: ArrayLike<number>, transpose = false): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += (transpose ? H[j * n + i] : H[i * n + j]) * x[j];
    y[i] = s;
  }
  return y;
}
