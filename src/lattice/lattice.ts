/**
 * Nearest points of the lattices D8 = {z in Z^8 : sum z even} and E8 = D8 U (D8 + 1/2), by Conway and
 * Sloane's decoding algorithm ("Fast quantizing and decoding algorithms for lattice quantizers and codes",
 * IEEE Trans. IT 28(2), 1982; Sphere Packings, Lattices and Groups, ch. 20 sec. 2).
 */
import { type FloatArray, assertFinite, assertFloatArray, assertLength, overlaps } from '../core/index.js';
import { checkRows, latticeOutput } from './rows.js';

/**
 * D_n decoder (Conway & Sloane 1982, Algorithm 2): f(x) rounds every coordinate to the nearest integer;
 * if sum f(x) is odd, the coordinate with the largest rounding error |x_k - f(x_k)| is rounded the wrong
 * way instead. Ties: Math.round (halves go up), the lowest k among equal errors, and an exact integer
 * x_k goes to x_k + 1. Reads x[off + 0..7] minus `shift`, writes out[o + 0..7] (which must not overlap x).
 */
function decodeD8(x: ArrayLike<number>, off: number, shift: number, out: Float64Array, o: number): void {
  let sum = 0;
  let worst = 0;
  let worstErr = -1;
  for (let i = 0; i < 8; i++) {
    const v = x[off + i] - shift;
    const r = Math.round(v);
    const err = Math.abs(v - r);
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
    out[o + i] = r;
    sum += r;
  }
  if ((sum & 1) !== 0) {
    const v = x[off + worst] - shift;
    out[o + worst] += v >= out[o + worst] ? 1 : -1;
  }
}

/** Squared distance between x[off..off+7] and y[o..o+7] + shift. */
function squaredDistance(x: ArrayLike<number>, off: number, y: ArrayLike<number>, o: number, shift: number): number {
  let d = 0;
  for (let i = 0; i < 8; i++) {
    const e = x[off + i] - (y[o + i] + shift);
    d += e * e;
  }
  return d;
}

/**
 * E8 decoder (Conway & Sloane 1982, sec. III): the closer of the nearest D8 point and the nearest point of
 * the coset D8 + 1/2; a tie goes to D8. Writes out[o..o+7] (which must not overlap x), using `coset` (8 entries).
 */
function decodeE8(x: ArrayLike<number>, off: number, out: Float64Array, o: number, coset: Float64Array): void {
  decodeD8(x, off, 0, out, o);
  decodeD8(x, off, 0.5, coset, 0);
  if (squaredDistance(x, off, coset, 0, 0.5) < squaredDistance(x, off, out, o, 0)) {
    for (let i = 0; i < 8; i++) out[o + i] = coset[i] + 0.5;
  }
}

function checkVector(fn: string, x: unknown): asserts x is FloatArray {
  assertFloatArray(fn, 'x', x);
  assertLength(fn, 'x', x, 8);
  assertFinite(fn, 'x', x);
}

/**
 * Nearest point of D8 = {z in Z^8 : sum z even} to x (Conway and Sloane's D_n decoder: round every coordinate,
 * and if the sum is odd re-round the coordinate with the largest rounding error; ties as in docs/lattice.md).
 * O(1). Into `out` when given (a Float64Array(8)), else a new Float64Array(8); `out` may be x itself or share
 * memory with it (x is read in full first). Throws TypeError unless x is a Float32Array/Float64Array (and out a
 * Float64Array), RangeError unless x has 8 finite entries and out length 8.
 *
 * @example nearestD8(Float64Array.of(1, 0.4, 0.1, 0, 0, 0, 0, 0)) // Float64Array [1, 1, 0, 0, 0, 0, 0, 0]
 */
export function nearestD8(x: FloatArray, out?: Float64Array): Float64Array {
  checkVector('nearestD8', x);
  const result = latticeOutput('nearestD8', out, 8);
  const point = new Float64Array(8);
  decodeD8(x, 0, 0, point, 0);
  result.set(point);
  return result;
}

/**
 * Nearest point of E8 = D8 U (D8 + 1/2) to x (the nearer of the nearest points of D8 and of D8 + 1/2; a tie goes
 * to D8). O(1). Into `out` when given (a Float64Array(8)), else a new Float64Array(8); `out` may be x itself or
 * share memory with it (x is read in full first). Throws TypeError unless x is a Float32Array/Float64Array (and
 * out a Float64Array), RangeError unless x has 8 finite entries and out length 8.
 *
 * @example nearestE8(Float64Array.of(0.6, 1.4, -2.3, 0.2, 2.6, 0.49, 1.7, -0.8)) // [0.5, 1.5, -2.5, 0.5, 2.5, 0.5, 1.5, -0.5]
 */
export function nearestE8(x: FloatArray, out?: Float64Array): Float64Array {
  checkVector('nearestE8', x);
  const result = latticeOutput('nearestE8', out, 8);
  const point = new Float64Array(8);
  decodeE8(x, 0, point, 0, new Float64Array(8));
  result.set(point);
  return result;
}

/**
 * `nearestE8` of every row of a row-major k x 8 matrix X (flat, length 8k), as a row-major k x 8 Float64Array;
 * O(k). Into `out` when given (a Float64Array(8k)), else a new one; `out` may be X itself or share memory with
 * it (X is then copied first). Throws TypeError unless X is a Float32Array/Float64Array (and out a Float64Array),
 * RangeError for a length not a multiple of 8, a non-finite entry, or an `out` of the wrong length.
 *
 * @example nearestE8Rows(Float64Array.of(0.1, 0, 0, 0, 0, 0, 0, 0, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4)) // 0 x 8, then 0.5 x 8
 */
export function nearestE8Rows(X: FloatArray, out?: Float64Array): Float64Array {
  const k = checkRows('nearestE8Rows', 'X', X, 8);
  const result = latticeOutput('nearestE8Rows', out, 8 * k);
  const rows = overlaps(X, result) ? X.slice() : X;
  const coset = new Float64Array(8);
  for (let r = 0; r < k; r++) decodeE8(rows, 8 * r, result, 8 * r, coset);
  return result;
}
