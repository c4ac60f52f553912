import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nearestD8, nearestE8, nearestE8Rows } from '../src/lattice/index.js';

/**
 * Brute force over a local neighbourhood: the nearest D8 point has every coordinate within 1 of round(x_i)
 * (Conway-Sloane: f(x) or f(x) with one coordinate rounded the wrong way), so scan the 3^8 integer points
 * round(x) + {-1, 0, 1}^8 with even sum (and the same for the coset D8 + 1/2 on x - 1/2).
 */
function bruteD8(x: ArrayLike<number>, shift = 0): { point: Float64Array; dist: number } {
  const base = Array.from({ length: 8 }, (_, i) => Math.round(x[i] - shift));
  let best = { point: new Float64Array(8), dist: Infinity };
  const z = new Float64Array(8);
  for (let m = 0; m < 3 ** 8; m++) {
    let sum = 0;
    let dist = 0;
    for (let i = 0, t = m; i < 8; i++, t = Math.floor(t / 3)) {
      z[i] = base[i] + (t % 3) - 1;
      sum += z[i];
      dist += (x[i] - z[i] - shift) ** 2;
    }
    if (sum % 2 === 0 && dist < best.dist) best = { point: z.map((v) => v + shift), dist };
  }
  return best;
}

const sqDist = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < 8; i++) d += (x[i] - y[i]) ** 2;
  return d;
};

// Coordinates on a 1/8 grid (exact ties are common: halves, quarters) or arbitrary doubles.
const gridCoord = fc.integer({ min: -40, max: 40 }).map((k) => k / 8);
const realCoord = fc.double({ min: -6, max: 6, noNaN: true });
const vector = fc.oneof(fc.array(gridCoord, { minLength: 8, maxLength: 8 }), fc.array(realCoord, { minLength: 8, maxLength: 8 })).map((a) => Float64Array.from(a));

describe('nearestD8 / nearestE8', () => {
  it('nearestD8 returns an even-sum integer point as near as the brute force', () => {
    fc.assert(
      fc.property(vector, (x) => {
        const y = nearestD8(x);
        expect(y.every(Number.isInteger)).toBe(true);
        expect(Math.abs(y.reduce((a, v) => a + v, 0) % 2)).toBe(0);
        expect(sqDist(x, y)).toBe(bruteD8(x).dist);
      }),
      { numRuns: 300 },
    );
  });

  it('nearestE8 returns an E8 point as near as the brute force over both cosets', () => {
    fc.assert(
      fc.property(vector, (x) => {
        const y = nearestE8(x);
        const half = Number.isInteger(y[0] - 0.5);
        expect(y.every((v) => Number.isInteger(half ? v - 0.5 : v))).toBe(true);
        expect(Math.abs(y.reduce((a, v) => a + v, 0) % 2)).toBe(0);
        const best = Math.min(bruteD8(x).dist, bruteD8(x, 0.5).dist);
        // Exact on the 1/8 grid; for arbitrary doubles the two sums may round differently by an ulp or so.
        expect(Math.abs(sqDist(x, y) - best)).toBeLessThanOrEqual(1e-15 * (1 + best));
      }),
      { numRuns: 300 },
    );
  });

  it('is symmetric: even sign flips (E8) and any sign flip (D8) commute with decoding up to ties', () => {
    const flips = fc.array(fc.boolean(), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(vector, flips, (x, f) => {
        const flip = (v: Float64Array) => v.map((a, i) => (f[i] ? -a : a));
        const fx = flip(x);
        expect(sqDist(fx, nearestD8(fx))).toBe(sqDist(fx, flip(nearestD8(x))));
        if (f.filter(Boolean).length % 2 === 0) {
          const y = nearestE8(fx);
          const z = flip(nearestE8(x));
          expect(Math.abs(sqDist(fx, y) - sqDist(fx, z))).toBeLessThanOrEqual(1e-15 * (1 + sqDist(fx, y)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('breaks ties deterministically, lattice points are fixed, and rows agree with single vectors', () => {
    const x = new Float64Array(8).fill(0.5); // equidistant from many D8 and E8 points
    expect(Array.from(nearestD8(x))).toEqual(Array.from(nearestD8(x)));
    expect(Array.from(nearestE8(x))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(nearestD8(Float64Array.of(1, 1, 0, 0, 0, 0, 0, 0)))).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    // Odd sum: the largest rounding error (0.4 at index 1) is rounded the other way.
    expect(Array.from(nearestD8(Float64Array.of(1, 0.4, 0.1, 0, 0, 0, 0, 0)))).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    fc.assert(
      fc.property(fc.array(vector, { minLength: 1, maxLength: 6 }), (rows) => {
        const X = new Float64Array(8 * rows.length);
        rows.forEach((r, k) => X.set(r, 8 * k));
        const Y = nearestE8Rows(X);
        rows.forEach((r, k) => expect(Array.from(Y.subarray(8 * k, 8 * k + 8))).toEqual(Array.from(nearestE8(r))));
        expect(Array.from(nearestE8Rows(Float32Array.from(X)))).toEqual(Array.from(nearestE8Rows(Float64Array.from(Float32Array.from(X)))));
      }),
      { numRuns: 100 },
    );
  });

  it('rejects bad input', () => {
    expect(() => nearestD8(new Float64Array(7))).toThrow(/nearestD8: x must be of length 8, got length 7/);
    expect(() => nearestE8(Float64Array.of(0, 0, 0, NaN, 0, 0, 0, 0))).toThrow(/nearestE8: x must be finite everywhere, got NaN at index 3/);
    expect(() => nearestE8([0, 0, 0, 0, 0, 0, 0, 0] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => nearestE8Rows(new Float64Array(12))).toThrow(/nearestE8Rows: X must be a row-major k x 8 matrix/);
    expect(() => nearestE8Rows(new Float64Array(8), new Float64Array(4))).toThrow(/out must be of length 8/);
  });
});
