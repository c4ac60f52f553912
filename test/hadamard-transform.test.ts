import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fwht,
  hadamardBase,
  hadamardFactorization,
  hadamardMatrix,
  hadamardTransform,
  hadamardTransformRows,
} from '../src/hadamard/index.js';
import { randomNormal, randomUniform } from '../src/random/index.js';
import { denseProduct, integers, norm, relErr } from './reference.js';

const REQUIRED_M = [1, 12, 20, 28, 36, 40, 44, 52, 60, 108, 116, 124, 140, 156, 172];

/**
 * The Kronecker definition written out: with i = a 2^k + b and j = c 2^k + d,
 * y[i] = sum_{c,d} H_m[a][c] (-1)^popcount(b & d) x[c 2^k + d].
 */
function kroneckerDefinition(x: ArrayLike<number>, m: number, k: number): Float64Array {
  const p = 2 ** k;
  const Hm = hadamardBase(m);
  const y = new Float64Array(m * p);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < p; b++) {
      let s = 0;
      for (let c = 0; c < m; c++) {
        for (let d = 0; d < p; d++) {
          let v = b & d;
          let parity = 0;
          while (v) {
            parity ^= 1;
            v &= v - 1;
          }
          s += (parity ? -1 : 1) * Hm[a * m + c] * x[c * p + d];
        }
      }
      y[a * p + b] = s;
    }
  }
  return y;
}

/** Orders m 2^k for every required m and 2^k = 1 .. 16 (every width path of the mixing: 1, 2, 4, 8). */
const SMALL_ORDERS = REQUIRED_M.flatMap((m) => [1, 2, 4, 8, 16].map((p) => m * p));

describe('hadamardTransform', () => {
  it('equals multiplication by hadamardMatrix(n) (and its transpose), exactly on integer input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDERS), fc.nat({ max: 2 ** 40 }), fc.boolean(), (n, seed, transpose) => {
        const x = integers(n, seed);
        const expected = denseProduct(hadamardMatrix(n), n, x, transpose);
        expect(Array.from(hadamardTransform(x.slice(), { transpose }))).toEqual(Array.from(expected));
        expect(Array.from(hadamardTransform(Float32Array.from(x), { transpose }))).toEqual(Array.from(expected));
      }),
      { numRuns: 120 },
    );
  });

  it('follows the Kronecker order of QuIP#: with i = a 2^k + b, H_m mixes a and the FWHT mixes b', () => {
    for (const n of [24, 40, 56, 12 * 16, 172 * 2, 108 * 4, 116 * 8]) {
      const { m, k } = hadamardFactorization(n)!;
      const x = integers(n, n);
      expect(Array.from(hadamardTransform(x.slice()))).toEqual(Array.from(kroneckerDefinition(x, m, k)));
    }
  });

  it('equals fwht on powers of two', () => {
    for (let k = 0; k <= 12; k++) {
      const x = randomNormal(2 ** k, k, 0);
      expect(Array.from(hadamardTransform(x.slice(), { normalize: true }))).toEqual(Array.from(fwht(x.slice(), { normalize: true })));
    }
  });

  it('normalized, it preserves the norm and its transpose undoes it (1e-12 float64, 1e-6 float32)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDERS, 11008, 13824, 28 * 512), fc.nat({ max: 2 ** 40 }), (n, seed) => {
        const x = randomNormal(n, seed, 0);
        const y = hadamardTransform(x.slice(), { normalize: true });
        expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-12 * norm(x));
        expect(relErr(hadamardTransform(y, { normalize: true, transpose: true }), x)).toBeLessThan(1e-12);
        const x32 = Float32Array.from(x);
        const back = hadamardTransform(hadamardTransform(x32.slice(), { normalize: true }), { normalize: true, transpose: true });
        expect(relErr(back, x32)).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('is exact at the LLM orders 11008 = 172 * 64 and 13824 = 108 * 128: H^T H x = n x, and sampled rows of H x', () => {
    for (const n of [11008, 13824]) {
      const x = integers(n, n);
      const y = hadamardTransform(x.slice());
      const back = hadamardTransform(y.slice(), { transpose: true });
      expect(Array.from(back)).toEqual(Array.from(x, (v) => v * n));
      // a few entries of y against the Kronecker definition
      const { m, k } = hadamardFactorization(n)!;
      const p = 2 ** k;
      const Hm = hadamardBase(m);
      for (const u of randomUniform(8, n, 1)) {
        const i = Math.floor(u * n);
        const a = Math.floor(i / p);
        const b = i % p;
        let s = 0;
        for (let j = 0; j < n; j++) {
          let v = b & j % p;
          let parity = 0;
          while (v) {
            parity ^= 1;
            v &= v - 1;
          }
          s += (parity ? -1 : 1) * Hm[a * m + Math.floor(j / p)] * x[j];
        }
        expect(y[i]).toBe(s);
      }
    }
  });

  it('works in place and returns its argument', () => {
    const x = new Float64Array(12).fill(1);
    expect(hadamardTransform(x)).toBe(x);
  });

  it('rejects unsupported lengths naming the nearest supported orders, and non-float arrays', () => {
    expect(() => hadamardTransform(new Float64Array(668))).toThrow(RangeError);
    expect(() => hadamardTransform(new Float64Array(668))).toThrow(
      /hadamardTransform: x\.length must be a supported Hadamard order.*got 668; nearest supported: 664 and 672/,
    );
    expect(() => hadamardTransform(new Float64Array(6))).toThrow(/got 6; nearest supported: 4 and 8/);
    expect(() => hadamardTransform(new Float64Array(0))).toThrow(RangeError);
    expect(() => hadamardTransform([1, 1] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => hadamardTransform(new Int16Array(12) as unknown as Float64Array)).toThrow(/got Int16Array\(12\)/);
  });
});

describe('hadamardTransformRows', () => {
  it('transforms every row like hadamardTransform, float64 and float32', () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 20, 40, 172, 96, 8, 11008), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, rows, normalize, transpose, f32) => {
        const source = randomNormal(rows * n, n + rows, 0);
        const data = f32 ? Float32Array.from(source) : source;
        const expected = data.slice();
        for (let r = 0; r < rows; r++) hadamardTransform(expected.subarray(r * n, (r + 1) * n), { normalize, transpose });
        expect(Array.from(hadamardTransformRows(data, rows, n, { normalize, transpose }))).toEqual(Array.from(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad input', () => {
    expect(() => hadamardTransformRows(new Float64Array(24), 2, 10)).toThrow(/hadamardTransformRows: n must be a supported Hadamard order.*got 10; nearest supported: 8 and 12/);
    expect(() => hadamardTransformRows(new Float64Array(24), 3, 12)).toThrow(/data must be of length rows \* n = 36, got length 24/);
    expect(() => hadamardTransformRows(new Float64Array(24), 1.5, 12)).toThrow(TypeError);
    expect(() => hadamardTransformRows(new Float64Array(24), -1, 12)).toThrow(RangeError);
    expect(() => hadamardTransformRows(new Float64Array(24), 2, 12.5)).toThrow(TypeError);
    expect(() => hadamardTransformRows({} as Float64Array, 2, 12)).toThrow(TypeError);
  });
});
