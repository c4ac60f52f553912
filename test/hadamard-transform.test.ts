import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fwht,
  hadamardBase,
  hadamardFactorization,
  hadamardMatrix,
  hadamardTransform,
  hadamardTransformInPlace,
  hadamardTransformRows,
  hadamardTransformRowsInPlace,
} from '../src/hadamard/index.js';
import ndarray from 'ndarray';
import type { MatrixInput } from '../src/core/index.js';
import { randomNormal, randomUniform } from '../src/random/index.js';
import { denseProduct, integers, norm, relErr, walshSign } from './reference.js';

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
        for (let d = 0; d < p; d++) s += walshSign(b & d) * Hm[a * m + c] * x[c * p + d];
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
        expect(Array.from(hadamardTransform(x, { transpose }))).toEqual(Array.from(expected));
        expect(Array.from(hadamardTransform(Float32Array.from(x), { transpose }))).toEqual(Array.from(expected));
      }),
      { numRuns: 120 },
    );
  });

  it('follows the Kronecker order of QuIP#: with i = a 2^k + b, H_m mixes a and the FWHT mixes b', () => {
    for (const n of [24, 40, 56, 12 * 16, 172 * 2, 108 * 4, 116 * 8]) {
      const { m, k } = hadamardFactorization(n)!;
      const x = integers(n, n);
      expect(Array.from(hadamardTransform(x))).toEqual(Array.from(kroneckerDefinition(x, m, k)));
    }
  });

  it('equals fwht on powers of two', () => {
    for (let k = 0; k <= 12; k++) {
      const x = randomNormal(2 ** k, k, 0);
      expect(Array.from(hadamardTransform(x, { normalize: true }))).toEqual(Array.from(fwht(x, { normalize: true })));
    }
  });

  it('normalized, it preserves the norm and its transpose undoes it (1e-12 float64, 1e-6 float32)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDERS, 11008, 13824, 28 * 512), fc.nat({ max: 2 ** 40 }), (n, seed) => {
        const x = randomNormal(n, seed, 0);
        const y = hadamardTransform(x, { normalize: true });
        expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-12 * norm(x));
        expect(relErr(hadamardTransform(y, { normalize: true, transpose: true }), x)).toBeLessThan(1e-12);
        const x32 = Float32Array.from(x);
        const back = hadamardTransform(hadamardTransform(x32, { normalize: true }), { normalize: true, transpose: true });
        expect(relErr(back, x32)).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('an entry above the range bound anywhere: the transform runs scaled down by a power of two and scales back', () => {
    // y = H x_rest + s H e_j with s far above the bound 2^1024 / 2n (2^128 / 2n for float32) and the other entries
    // 2^10 times smaller: anything scaled inconsistently shows at 1e-4
    const orders = [12, 20 * 4, 28 * 16, 172 * 8, 108 * 64, 156 * 2];
    fc.assert(
      fc.property(fc.constantFrom(...orders), fc.nat(), fc.nat({ max: 2 ** 40 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, at, seed, normalize, transpose, f32) => {
        const j = at % n;
        const spike = f32 ? 2 ** 120 : 2 ** 1012;
        const source = randomNormal(n, seed, 0).map((v) => v * spike * 2 ** -10);
        const x = f32 ? Float32Array.from(source) : source.slice();
        x[j] = spike;
        const rest = Float64Array.from(x);
        rest[j] = 0;
        const expected = hadamardTransform(rest, { normalize, transpose });
        const H = hadamardMatrix(n);
        const scale = normalize ? 1 / Math.sqrt(n) : 1;
        for (let i = 0; i < n; i++) expected[i] += spike * scale * (transpose ? H[j * n + i] : H[i * n + j]);
        expect(relErr(hadamardTransformInPlace(x, { normalize, transpose }), expected)).toBeLessThan(f32 ? 1e-6 : 1e-13);
      }),
      { numRuns: 60 },
    );
  });

  it('is exact at the LLM orders 11008 = 172 * 64 and 13824 = 108 * 128: H^T H x = n x, and sampled rows of H x', () => {
    for (const n of [11008, 13824]) {
      const x = integers(n, n);
      const y = hadamardTransform(x);
      const back = hadamardTransform(y, { transpose: true });
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
        for (let j = 0; j < n; j++) s += walshSign(b & j % p) * Hm[a * m + Math.floor(j / p)] * x[j];
        expect(y[i]).toBe(s);
      }
    }
  });

  it('returns a new array and leaves x alone; hadamardTransformInPlace overwrites and returns x, with the same values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SMALL_ORDERS, 11008), fc.nat({ max: 2 ** 40 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, seed, normalize, transpose, f32) => {
        const source = randomNormal(n, seed, 0);
        const x = f32 ? Float32Array.from(source) : source;
        const before = x.slice();
        const y = hadamardTransform(x, { normalize, transpose });
        expect(y).not.toBe(x);
        expect(y.constructor).toBe(x.constructor);
        expect(x).toEqual(before);
        expect(hadamardTransformInPlace(x, { normalize, transpose })).toBe(x);
        expect(x).toEqual(y);
      }),
      { numRuns: 40 },
    );
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

describe('hadamardTransformRowsInPlace', () => {
  it('transforms every row like hadamardTransform, float64 and float32', () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 20, 40, 172, 96, 8, 11008), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, rows, normalize, transpose, f32) => {
        const source = randomNormal(rows * n, n + rows, 0);
        const data = f32 ? Float32Array.from(source) : source;
        const expected = data.slice();
        for (let r = 0; r < rows; r++) hadamardTransformInPlace(expected.subarray(r * n, (r + 1) * n), { normalize, transpose });
        expect(hadamardTransformRowsInPlace(data, rows, n, { normalize, transpose })).toBe(data);
        expect(Array.from(data)).toEqual(Array.from(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad input', () => {
    const fn = 'hadamardTransformRowsInPlace';
    expect(() => hadamardTransformRowsInPlace(new Float64Array(24), 2, 10)).toThrow(new RegExp(`${fn}: n must be a supported Hadamard order.*got 10; nearest supported: 8 and 12`));
    expect(() => hadamardTransformRowsInPlace(new Float64Array(24), 3, 12)).toThrow(/data must be of length rows \* n = 36, got length 24/);
    expect(() => hadamardTransformRowsInPlace(new Float64Array(24), 1.5, 12)).toThrow(TypeError);
    expect(() => hadamardTransformRowsInPlace(new Float64Array(24), -1, 12)).toThrow(RangeError);
    expect(() => hadamardTransformRowsInPlace(new Float64Array(24), 2, 12.5)).toThrow(TypeError);
    expect(() => hadamardTransformRowsInPlace({} as Float64Array, 2, 12)).toThrow(TypeError);
  });
});

describe('hadamardTransformRows (ndarray)', () => {
  it('equals the row-by-row transform of a dense copy, for strided views; X is not modified', () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 20, 172, 8, 24 * 4), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, rows, normalize, transpose, f32) => {
        const source = randomNormal(rows * n, n + rows, 1);
        const buffer = f32 ? Float32Array.from(source) : source;
        const X = ndarray(buffer, [rows, n], [1, rows]) as MatrixInput; // a transposed (column-major) view
        const dense = new Float64Array(rows * n);
        for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) dense[i * n + j] = X.get(i, j);
        const before = buffer.slice();
        const Y = hadamardTransformRows(X, { normalize, transpose });
        expect(Y.shape).toEqual([rows, n]);
        expect(Y.data).toBeInstanceOf(Float64Array);
        expect(Array.from(Y.data)).toEqual(Array.from(hadamardTransformRowsInPlace(dense, rows, n, { normalize, transpose })));
        expect(buffer).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad input, naming X', () => {
    expect(() => hadamardTransformRows(ndarray(new Float64Array(20), [2, 10]))).toThrow(
      /hadamardTransformRows: X\.shape\[1\] must be a supported Hadamard order.*got 10; nearest supported: 8 and 12/,
    );
    expect(() => hadamardTransformRows([[1]] as never)).toThrow(TypeError);
  });
});
