import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import type { MatrixInput } from '../src/core/index.js';
import { fwht, fwhtInPlace, fwhtRows, fwhtRowsInPlace } from '../src/hadamard/index.js';
import { hadamardKernels, kernelsFor } from '../src/hadamard/kernels.js';
import { randomNormal, randomUniform } from '../src/random/index.js';
import { integers, norm, relErr, walshSign } from './reference.js';

/** Entry i of the definition y[i] = sum_j (-1)^popcount(i & j) x[j], in float64. */
function walshEntry(x: ArrayLike<number>, i: number): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += walshSign(i & j) * x[j];
  return s;
}

/** The whole definition, O(n^2). */
function denseWalshHadamard(x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => walshEntry(x, i));
}

const logN = fc.integer({ min: 0, max: 10 });
const seed = fc.nat({ max: 2 ** 40 });
describe('fwht', () => {
  it('agrees with the dense definition y[i] = sum_j (-1)^popcount(i & j) x[j] (float64, 1e-12 relative)', () => {
    fc.assert(
      fc.property(logN, seed, (k, s) => {
        const x = randomNormal(2 ** k, s, 0);
        const expected = denseWalshHadamard(x);
        const y = fwht(x);
        expect(relErr(y, expected)).toBeLessThan(1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('is exact on integer input, float64 and float32 (every stage and block size up to 2^14)', () => {
    for (let k = 0; k <= 14; k++) {
      const x = integers(2 ** k, k);
      // dense reference only up to 2^11 (O(n^2)); above that, the exact inverse law below
      if (k <= 11) {
        const expected = denseWalshHadamard(x);
        expect(Array.from(fwht(x))).toEqual(Array.from(expected));
        expect(Array.from(fwht(Float32Array.from(x)))).toEqual(Array.from(expected));
      }
      // unnormalized twice is n x, exactly
      const twice = fwht(fwht(x));
      expect(Array.from(twice)).toEqual(Array.from(x, (v) => v * 2 ** k));
    }
  });

  it('beyond the dense range (2^12 .. 2^17, two-level blocking), sampled outputs equal the definition exactly', () => {
    for (let k = 12; k <= 17; k++) {
      const n = 2 ** k;
      const x = integers(n, k);
      const y = fwht(x);
      for (const u of randomUniform(24, k, 1)) {
        const i = Math.floor(u * n);
        expect(y[i]).toBe(walshEntry(x, i));
      }
    }
  });

  it('float32 agrees with the float64 definition to float32 precision', () => {
    fc.assert(
      fc.property(logN, seed, (k, s) => {
        const x = Float32Array.from(randomNormal(2 ** k, s, 0));
        expect(relErr(fwht(x), denseWalshHadamard(x))).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('normalize: preserves the norm and is its own inverse (1e-12 float64, 1e-6 float32)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), seed, (k, s) => {
        const x = randomNormal(2 ** k, s, 0);
        const y = fwht(x, { normalize: true });
        expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-12 * norm(x));
        expect(relErr(fwht(y, { normalize: true }), x)).toBeLessThan(1e-12);
        const x32 = Float32Array.from(x);
        const y32 = fwht(x32, { normalize: true });
        expect(Math.abs(norm(y32) - norm(x32))).toBeLessThan(1e-6 * norm(x32));
        expect(relErr(fwht(y32, { normalize: true }), x32)).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('float32 runs its own compiled copy of the loops, bit-identical to the shared ones', () => {
    const f32 = kernelsFor(new Float32Array(1));
    expect(f32).not.toBe(kernelsFor(new Float64Array(1)));
    expect(kernelsFor(new Float32Array(2))).toBe(f32); // compiled once
    // compiled from source (not the shared fallback): its frames carry the copy's sourceURL
    let stack = '';
    try {
      f32.fwht(undefined as unknown as Float32Array, 0, 8, 1, 0);
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/quipsharp-hadamard-float32\.js/);
    const shared = hadamardKernels();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), seed, fc.boolean(), (k, s, normalize) => {
        const x = Float32Array.from(randomNormal(2 ** k, s, 0));
        const expected = x.slice();
        shared.fwht(expected, 0, x.length, normalize ? 1 / Math.sqrt(x.length) : 1, 0);
        expect(fwht(x, { normalize })).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('normalize scales the unnormalized transform by 1/sqrt(n)', () => {
    const x = randomNormal(64, 5, 0);
    const plain = fwht(x);
    expect(relErr(fwht(x, { normalize: true }), plain.map((v) => v / 8))).toBeLessThan(1e-15);
  });

  it('returns a new array of the input type and leaves the input alone; fwhtInPlace overwrites and returns x', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const y = fwht(x);
    expect(y).not.toBe(x);
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([10, -2, -4, 0]);
    expect(Array.from(x)).toEqual([1, 2, 3, 4]);
    expect(fwhtInPlace(x)).toBe(x);
    expect(Array.from(x)).toEqual([10, -2, -4, 0]);
    const z = new Float64Array([5]);
    expect(fwht(z, { normalize: true })[0]).toBe(5);
    expect(fwhtInPlace(z, { normalize: true })).toBe(z);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 13 }), seed, fc.boolean(), (k, s, normalize) => {
        const v = randomNormal(2 ** k, s, 0);
        expect(fwhtInPlace(v.slice(), { normalize })).toEqual(fwht(v, { normalize }));
      }),
      { numRuns: 30 },
    );
  });

  it('an entry above the range bound at any position: the checked first pass stops there and the rest is finished scaled', () => {
    // y = H x_rest + s H e_j, with s = 2^1015 (2^120 for float32) far above the bound 2^1024 / 2n (2^128 / 2n)
    // and the other entries 2^10 times smaller: a stage missed or repeated after the stop shows at 1e-4
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 4096, 8192, 2 ** 14), fc.nat(), seed, fc.boolean(), fc.boolean(), (n, at, s, normalize, f32) => {
        const j = at % n;
        const spike = f32 ? 2 ** 120 : 2 ** 1015;
        const small = randomNormal(n, s, 0).map((v) => v * spike * 2 ** -10);
        const x = f32 ? Float32Array.from(small) : small.slice();
        x[j] = spike;
        const rest = Float64Array.from(x);
        rest[j] = 0;
        const expected = fwht(rest, { normalize });
        const scale = normalize ? 1 / Math.sqrt(n) : 1;
        for (let i = 0; i < n; i++) expected[i] += walshSign(i & j) * spike * scale;
        const y = fwhtInPlace(x, { normalize });
        expect(relErr(y, expected)).toBeLessThan(f32 ? 1e-6 : 1e-15);
      }),
      { numRuns: 80 },
    );
  });

  it('handles a 2^20 vector (round trip)', () => {
    const x = randomNormal(2 ** 20, 9, 0);
    const y = fwht(fwht(x, { normalize: true }), { normalize: true });
    expect(relErr(y, x)).toBeLessThan(1e-12);
  });

  it('rejects bad input with the function and argument named', () => {
    expect(() => fwht([1, 2] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => fwht(new Int32Array(4) as unknown as Float64Array)).toThrow(/fwht: x must be a Float32Array or Float64Array, got Int32Array\(4\)/);
    expect(() => fwht(new Float64Array(12))).toThrow(RangeError);
    expect(() => fwht(new Float64Array(12))).toThrow(/fwht: x\.length must be a power of two \(1, 2, 4, \.\.\., 2\^30\), got 12/);
    expect(() => fwhtInPlace(new Float64Array(0))).toThrow(/fwhtInPlace: x\.length must be a power of two .*got 0/);
    expect(() => fwht(new Float64Array(3))).toThrow(RangeError);
  });
});

describe('fwhtRowsInPlace', () => {
  it('transforms every row like fwht, for both array types and normalize', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 5 }), seed, fc.boolean(), (k, rows, s, normalize) => {
        const n = 2 ** k;
        const data = randomNormal(rows * n, s, 0);
        const expected = data.slice();
        for (let r = 0; r < rows; r++) fwhtInPlace(expected.subarray(r * n, (r + 1) * n), { normalize });
        expect(Array.from(fwhtRowsInPlace(data.slice(), rows, n, { normalize }))).toEqual(Array.from(expected));
        const data32 = Float32Array.from(data);
        const expected32 = data32.slice();
        for (let r = 0; r < rows; r++) fwhtInPlace(expected32.subarray(r * n, (r + 1) * n), { normalize });
        expect(fwhtRowsInPlace(data32, rows, n, { normalize })).toBe(data32);
        expect(Array.from(data32)).toEqual(Array.from(expected32));
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with the dense definition row by row on many short float32 rows', () => {
    const n = 16;
    const rows = 5000;
    const data = Float32Array.from(integers(rows * n, 3));
    const out = fwhtRowsInPlace(data.slice(), rows, n);
    for (const r of [0, 1, 2047, 2048, 4999]) {
      expect(Array.from(out.subarray(r * n, (r + 1) * n))).toEqual(Array.from(denseWalshHadamard(data.subarray(r * n, (r + 1) * n))));
    }
  });

  it('rejects bad input', () => {
    expect(() => fwhtRowsInPlace(new Float64Array(8), 2, 3)).toThrow(/fwhtRowsInPlace: n must be a power of two.*got 3/);
    expect(() => fwhtRowsInPlace(new Float64Array(8), 3, 4)).toThrow(/fwhtRowsInPlace: data must be of length rows \* n = 12, got length 8/);
    expect(() => fwhtRowsInPlace(new Float64Array(8), 2.5, 4)).toThrow(TypeError);
    expect(() => fwhtRowsInPlace(new Float64Array(8), -2, 4)).toThrow(RangeError);
    expect(() => fwhtRowsInPlace(new Uint8Array(8) as unknown as Float64Array, 2, 4)).toThrow(TypeError);
    expect(() => fwhtRowsInPlace(new Float64Array(0), 0, 0)).toThrow(RangeError);
    expect(fwhtRowsInPlace(new Float64Array(0), 0, 4).length).toBe(0);
  });
});

describe('fwhtRows (ndarray)', () => {
  it('equals fwhtRowsInPlace on a dense float64 copy, for strided float32 and float64 views; X is not modified', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 5 }), seed, fc.boolean(), fc.boolean(), (k, rows, s, normalize, f32) => {
        const n = 2 ** k;
        const source = randomNormal(rows * n, s, 0);
        const buffer = f32 ? Float32Array.from(source) : source;
        // column-major storage: the view X = buffer^T is rows x n with strides [1, rows]
        const X = ndarray(buffer, [rows, n], [1, rows]) as MatrixInput;
        const dense = new Float64Array(rows * n);
        for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) dense[i * n + j] = X.get(i, j);
        const before = buffer.slice();
        const Y = fwhtRows(X, { normalize });
        expect(Y.shape).toEqual([rows, n]);
        expect(Y.stride).toEqual([n, 1]);
        expect(Y.data).toBeInstanceOf(Float64Array);
        expect(Array.from(Y.data)).toEqual(Array.from(fwhtRowsInPlace(dense, rows, n, { normalize })));
        expect(buffer).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad input, naming X', () => {
    expect(() => fwhtRows(ndarray(new Float64Array(6), [2, 3]))).toThrow(/fwhtRows: X\.shape\[1\] must be a power of two.*got 3/);
    expect(() => fwhtRows(new Float64Array(4) as never)).toThrow(/fwhtRows: X must be a 2-D ndarray/);
    expect(() => fwhtRows(ndarray(Float64Array.of(1, NaN), [1, 2]))).toThrow(/fwhtRows: X must be finite everywhere, got NaN at index 1/);
  });
});
