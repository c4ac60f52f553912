/**
 * Slow, explicit references for the lattice tests: brute-force nearest codebook point over an explicit
 * point list, and exact (BigInt) comparison of squared distances.
 */
import fc from 'fast-check';
import { randomNormal, randomUniform } from '../src/random/index.js';

/** Column-major copy of a k x 8 point list with squared norms, for the brute-force scan. */
export interface PointTable {
  k: number;
  cols: Float64Array[];
  norms: Float64Array;
}

export function pointTable(points: ArrayLike<number>): PointTable {
  const k = points.length / 8;
  const cols = Array.from({ length: 8 }, (_, i) => Float64Array.from({ length: k }, (_, c) => points[8 * c + i]));
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let i = 0; i < 8; i++) norms[c] += points[8 * c + i] ** 2;
  return { k, cols, norms };
}

/**
 * For each of the n rows of X (n x 8), the index of the point minimizing ||p||^2 - 2 x.p (= ||x - p||^2 - ||x||^2)
 * in float64, first index on ties. Scans the table once per 4 rows.
 */
export function bruteForceNearest(table: PointTable, X: ArrayLike<number>): Int32Array {
  const n = X.length / 8;
  const best = new Int32Array(n);
  const [g0, g1, g2, g3, g4, g5, g6, g7] = table.cols;
  const N = table.norms;
  const k = table.k;
  for (let r = 0; r < n; r += 4) {
    const x = new Float64Array(32);
    for (let q = 0; q < 4 && r + q < n; q++) for (let i = 0; i < 8; i++) x[8 * q + i] = -2 * X[8 * (r + q) + i];
    const [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7] = x;
    const [c0, c1, c2, c3, c4, c5, c6, c7, d0, d1, d2, d3, d4, d5, d6, d7] = x.subarray(16);
    let s0 = Infinity, s1 = Infinity, s2 = Infinity, s3 = Infinity;
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0;
    for (let c = 0; c < k; c++) {
      const p0 = g0[c], p1 = g1[c], p2 = g2[c], p3 = g3[c], p4 = g4[c], p5 = g5[c], p6 = g6[c], p7 = g7[c];
      const nc = N[c];
      const e0 = nc + (a0 * p0 + a1 * p1 + a2 * p2 + a3 * p3 + a4 * p4 + a5 * p5 + a6 * p6 + a7 * p7);
      const e1 = nc + (b0 * p0 + b1 * p1 + b2 * p2 + b3 * p3 + b4 * p4 + b5 * p5 + b6 * p6 + b7 * p7);
      const e2 = nc + (c0 * p0 + c1 * p1 + c2 * p2 + c3 * p3 + c4 * p4 + c5 * p5 + c6 * p6 + c7 * p7);
      const e3 = nc + (d0 * p0 + d1 * p1 + d2 * p2 + d3 * p3 + d4 * p4 + d5 * p5 + d6 * p6 + d7 * p7);
      if (e0 < s0) { s0 = e0; i0 = c; }
      if (e1 < s1) { s1 = e1; i1 = c; }
      if (e2 < s2) { s2 = e2; i2 = c; }
      if (e3 < s3) { s3 = e3; i3 = c; }
    }
    const found = [i0, i1, i2, i3];
    for (let q = 0; q < 4 && r + q < n; q++) best[r + q] = found[q];
  }
  return best;
}

const SCALE = 1100n; // every double times 2^1100 is an integer

/** x * 2^1100 as an exact BigInt (x a finite double). */
export function exactScaled(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  const v = mant << (SCALE + BigInt(exp));
  return hi >>> 31 ? -v : v;
}

/**
 * Sign of ||x - p||^2 - ||x - q||^2, exactly, for a row x (doubles) and points p, q whose coordinates are
 * multiples of 1/8 (E8P12 and residual-codebook points are).
 */
export function compareExact(x: ArrayLike<number>, off: number, p: ArrayLike<number>, q: ArrayLike<number>): number {
  // ||x-p||^2 - ||x-q||^2 = (||p||^2 - ||q||^2) - 2 x.(p - q); times 64 * 2^1100 to make every term an integer.
  let norms = 0n;
  let dot = 0n;
  for (let i = 0; i < 8; i++) {
    const p8 = BigInt(p[i] * 8);
    const q8 = BigInt(q[i] * 8);
    norms += p8 * p8 - q8 * q8;
    dot += exactScaled(x[off + i]) * (p8 - q8);
  }
  const diff = (norms << SCALE) - 16n * dot;
  return diff > 0n ? 1 : diff < 0n ? -1 : 0;
}

/**
 * For each row of X (n x 8), the lowest index among the points (rows of `points`, k x 8, coordinates multiples
 * of 1/8) at exactly the smallest distance: the float64 scores ||p||^2 - 2 x.p pick the candidates within a
 * generous rounding margin of the best, and exact (BigInt) comparisons decide among them. O(n k).
 */
export function exactNearestLowest(points: ArrayLike<number>, X: ArrayLike<number>): Int32Array {
  const k = points.length / 8;
  const n = X.length / 8;
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let i = 0; i < 8; i++) norms[c] += points[8 * c + i] ** 2;
  const result = new Int32Array(n);
  const scores = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    let l1 = 0;
    for (let i = 0; i < 8; i++) l1 += Math.abs(X[8 * r + i]);
    let min = Infinity;
    for (let c = 0; c < k; c++) {
      let s = norms[c];
      for (let i = 0; i < 8; i++) s -= 2 * X[8 * r + i] * points[8 * c + i];
      scores[c] = s;
      min = Math.min(min, s);
    }
    const margin = 2 ** -30 * (8 * l1 + 16);
    let best = -1;
    for (let c = 0; c < k; c++) {
      if (scores[c] > min + margin) continue;
      if (best < 0 || compareExact(X, 8 * r, Array.prototype.slice.call(points, 8 * c, 8 * c + 8), Array.prototype.slice.call(points, 8 * best, 8 * best + 8)) < 0) best = c;
    }
    result[r] = best;
  }
  return result;
}

/** Verdict of a quantizer against the brute force on n rows. */
export interface Agreement {
  /** Rows where the codes differ but the squared distances are exactly equal (ties). */
  ties: number;
  /**
   * Rows where the quantizer's point is exactly farther, but both squared distances evaluate to the same
   * float64 number sum (x_i - c_i)^2 (an exact tie broken only below float64 resolution of the distance).
   */
  float64Ties: number[];
  /** Rows where the quantizer's point is farther, even in float64. */
  worse: number[];
}

/**
 * Compares the quantizer's codes with brute-force codes row by row: a different code is accepted when its
 * point is exactly (BigInt arithmetic) at most as far from x as the brute-force point; otherwise it is a
 * float64 tie or a failure.
 */
export function agreement(X: ArrayLike<number>, ours: ArrayLike<number>, brute: ArrayLike<number>, points: ArrayLike<number>): Agreement {
  const result: Agreement = { ties: 0, float64Ties: [], worse: [] };
  const p = new Float64Array(8);
  const q = new Float64Array(8);
  for (let r = 0; r < brute.length; r++) {
    if (ours[r] === brute[r]) continue;
    let dp = 0;
    let dq = 0;
    for (let i = 0; i < 8; i++) {
      p[i] = points[8 * ours[r] + i];
      q[i] = points[8 * brute[r] + i];
      dp += (X[8 * r + i] - p[i]) ** 2;
      dq += (X[8 * r + i] - q[i]) ** 2;
    }
    const cmp = compareExact(X, 8 * r, p, q);
    if (cmp === 0) result.ties++;
    else if (cmp > 0 && dp === dq) result.float64Ties.push(r);
    else if (cmp > 0) result.worse.push(r);
  }
  return result;
}

/** Row-major n x 8 Gaussian rows times `scale` (seeded). */
export function gaussianRows(n: number, scale: number, seed: number, stream = 0): Float64Array {
  const X = randomNormal(8 * n, seed, stream);
  for (let i = 0; i < X.length; i++) X[i] *= scale;
  return X;
}

/** Row-major n x 8 rows uniform in [-half, half). */
export function uniformRows(n: number, half: number, seed: number, stream = 0): Float64Array {
  const X = randomUniform(8 * n, seed, stream);
  for (let i = 0; i < X.length; i++) X[i] = (2 * X[i] - 1) * half;
  return X;
}

/** Codebook points (rows of `points`) picked by `codes`, plus Gaussian noise of standard deviation sigma. */
export function nearPoints(points: ArrayLike<number>, codes: ArrayLike<number>, sigma: number, seed: number): Float64Array {
  const noise = randomNormal(8 * codes.length, seed, 1);
  const X = new Float64Array(8 * codes.length);
  for (let r = 0; r < codes.length; r++) for (let i = 0; i < 8; i++) X[8 * r + i] = points[8 * codes[r] + i] + sigma * noise[8 * r + i];
  return X;
}

/**
 * Points on or next to the bisector of two nearby codebook points: the midpoint of the points of codes[r]
 * and partners[r], moved by delta times a Gaussian direction (delta = 0: exact midpoints, ties).
 */
export function nearBisectors(points: ArrayLike<number>, codes: ArrayLike<number>, partners: ArrayLike<number>, delta: number, seed: number): Float64Array {
  const noise = randomNormal(8 * codes.length, seed, 2);
  const X = new Float64Array(8 * codes.length);
  for (let r = 0; r < codes.length; r++) {
    for (let i = 0; i < 8; i++) {
      X[8 * r + i] = (points[8 * codes[r] + i] + points[8 * partners[r] + i]) / 2 + delta * noise[8 * r + i];
    }
  }
  return X;
}

/** n random integers in [0, size) (seeded). */
export function randomCodes(n: number, size: number, seed: number): Int32Array {
  const u = randomUniform(n, seed, 3);
  return Int32Array.from(u, (v) => Math.floor(v * size));
}

/**
 * A coordinate for adversarial rows: an arbitrary double in [-5, 5] (fast-check reaches subnormals, signed zeros
 * and values one ulp off quarter-integers) or a point of the 1/8 grid, where exact ties between codebook points
 * abound. Mixed, they make near-ties only exact arithmetic orders (x - 1/4 rounded onto an integer, equal rounded
 * |x_i - t| on opposite sides of t, equal rounded scores of different points).
 */
export const adversarialCoordinate = fc.oneof(
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.integer({ min: -40, max: 40 }).map((k) => k / 8),
);
