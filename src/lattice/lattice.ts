/**
 * Nearest points of the lattices D8 = {z in Z^8 : sum z even} and E8 = D8 U (D8 + 1/2), by Conway and
 * Sloane's decoding algorithm ("Fast quantizing and decoding algorithms for lattice quantizers and codes",
 * IEEE Trans. IT 28(2), 1982; Sphere Packings, Lattices and Groups, ch. 20 sec. 2).
 */
import { type FloatArray, assertFinite, assertFloatArray, assertLength } from '../core/index.js';
import { checkRows, outputRows } from './rows.js';

const scratch = new Float64Array(8);

/**
 * D_n decoder (Conway & Sloane 1982, Algorithm 2): f(x) rounds every coordinate to the nearest integer;
 * if sum f(x) is odd, the coordinate with the largest rounding error |x_k - f(x_k)| is rounded the wrong
 * way instead. Ties: Math.round (halves go up), the lowest k among equal errors, and an exact integer
 * x_k goes to x_k + 1. Reads x[off + 0..7] minus `shift`, writes out[o + 0..7].
 */
function decodeD8(x: ArrayLike<number>, off: number, shift: number, out: FloatArray, o: number): void {
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
 * the coset D8 + 1/2; a tie goes to D8.
 */
function decodeE8(x: ArrayLike<number>, off: number, out: FloatArray, o: number): void {
  decodeD8(x, off, 0, out, o);
  decodeD8(x, off, 0.5, scratch, 0);
  if (squaredDistance(x, off, scratch, 0, 0.5) < squaredDistance(x, off, out, o, 0)) {
    for (let i = 0; i < 8; i++) out[o + i] = scratch[i] + 0.5;
  }
}

function checkVector(fn: string, x: unknown): asserts x is FloatArray {
  assertFloatArray(fn, 'x', x);
  assertLength(fn, 'x', x, 8);
  assertFinite(fn, 'x', x);
}

/** Nearest point of D8 (integer vectors with even coordinate sum) to a finite Float64Array/Float32Array(8). */
export function nearestD8(x: FloatArray, out?: Float64Array): Float64Array {
  checkVector('nearestD8', x);
  const result = outputRows('nearestD8', out, 8);
  decodeD8(x, 0, 0, result, 0);
  return result;
}

/** Nearest point of E8 = D8 U (D8 + 1/2) to a finite Float64Array/Float32Array(8). */
export function nearestE8(x: FloatArray, out?: Float64Array): Float64Array {
  checkVector('nearestE8', x);
  const result = outputRows('nearestE8', out, 8);
  decodeE8(x, 0, result, 0);
  return result;
}

/** Nearest E8 point of every row of a row-major k x 8 matrix (flat, length 8k); returns k x 8 row-major. */
export function nearestE8Rows(X: FloatArray, out?: Float64Array): Float64Array {
  const k = checkRows('nearestE8Rows', 'X', X, 8);
  const result = outputRows('nearestE8Rows', out, 8 * k);
  for (let r = 0; r < k; r++) decodeE8(X, 8 * r, result, 8 * r);
  return result;
}
