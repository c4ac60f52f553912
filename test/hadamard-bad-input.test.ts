// Bad and extreme input for the Hadamard transforms: entries near the float range, non-finite entries,
// results beyond the range, bad options, and the shared base matrices.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fwht,
  fwhtInPlace,
  fwhtRowsInPlace,
  hadamardBase,
  hadamardMatrix,
  hadamardTransform,
  hadamardTransformInPlace,
  hadamardTransformRowsInPlace,
} from '../src/hadamard/index.js';
import { randomNormal } from '../src/random/index.js';
import { denseProduct, relErr, times } from './reference.js';

const FLOAT32_MAX = 3.4028234663852886e38;

/** Supported orders across every path: pure FWHT (radix-2, -4 and -8 first passes, blocked or not), and base orders mixed in. */
const ORDERS = [1, 2, 4, 8, 16, 64, 1024, 8192, 2 ** 14, 12, 20 * 8, 28 * 16, 172 * 4, 108 * 2];

describe('entries near the float64 range', () => {
  it('hadamardTransform(1e307 everywhere, normalize) is the exact finite answer (8e307 at 0), not Infinity', () => {
    const y = hadamardTransform(new Float64Array(64).fill(1e307), { normalize: true });
    expect(y[0]).toBeCloseTo(8e307, -293);
    for (let i = 1; i < 64; i++) expect(y[i]).toBe(0);
    // a base order mixed in: n = 688 = 172 * 4, y_0 = sqrt(688) 1e306 (every row of H_172 sums to 1 or the
    // first row is all ones up to sign: compare with the dense product instead)
    const x = new Float64Array(688).fill(1e306);
    const dense = denseProduct(hadamardMatrix(688), 688, x.map((v) => v / 1e306)).map((v) => (v * 1e306) / Math.sqrt(688));
    const z = hadamardTransform(x, { normalize: true });
    expect(z.every(Number.isFinite)).toBe(true);
    expect(relErr(z, dense)).toBeLessThan(1e-14);
  });

  it('2^e x transforms to 2^e (H x) bit for bit, also where the entries are too large for the unscaled sums', () => {
    // constant input, normalized: the unscaled partial sums reach n 2^(1023 - c/2) > 2^1024, the answer is 2^1023
    for (const c of [2, 6, 12, 16]) {
      const y = fwht(new Float64Array(2 ** c).fill(2 ** (1023 - c / 2)), { normalize: true });
      expect(y[0]).toBe(2 ** 1023);
      expect(y.subarray(1).every((v) => v === 0)).toBe(true);
    }
    // |x_i| in [1, 1.5): 2^e x with e = 1023 - ceil(log2 n) is above the bound of the unscaled path, and the
    // answer (at most 1.5 n 2^e) fits
    fc.assert(
      fc.property(fc.constantFrom(...ORDERS), fc.nat({ max: 2 ** 40 }), fc.boolean(), fc.boolean(), (n, seed, normalize, transpose) => {
        const x = Float64Array.from(randomNormal(n, seed, 0), (v, i) => (1 + Math.abs(v) / (2 + Math.abs(v))) * (i % 3 === 0 ? -1 : 1));
        const e = 1023 - Math.ceil(Math.log2(n));
        const big = times(x, e);
        const expected = times(hadamardTransform(x, { normalize, transpose }), e);
        expect(hadamardTransform(big, { normalize, transpose })).toEqual(expected);
        expect(hadamardTransformInPlace(big.slice(), { normalize, transpose })).toEqual(expected);
        if ((n & (n - 1)) === 0) expect(fwht(big, { normalize })).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('rows of different sizes in one matrix: each row takes its own path', () => {
    const n = 4096;
    const data = randomNormal(3 * n, 5, 0);
    const big = data.slice();
    big.fill(2 ** 1013, n, 2 * n); // the middle row: unscaled sums up to 2^1025, transform 2^1019 e_0
    fwhtRowsInPlace(data, 3, n, { normalize: true });
    fwhtRowsInPlace(big, 3, n, { normalize: true });
    expect(big.subarray(0, n)).toEqual(data.subarray(0, n));
    expect(big[n]).toBe(2 ** 1019);
    expect(big.subarray(n + 1, 2 * n).every((v) => v === 0)).toBe(true);
    expect(big.subarray(2 * n)).toEqual(data.subarray(2 * n));
  });

  it('a result beyond float64 is a RangeError naming the function and the overflowing entry', () => {
    expect(() => fwht(new Float64Array(64).fill(1e308))).toThrow(
      /fwht: x must be an input whose transform fits in a Float64Array \(every \|y_i\| <= 1\.7976931348623157e\+308\), got one whose transform overflows at index 0/,
    );
    expect(() => hadamardTransform(new Float64Array(12).fill(1e308))).toThrow(/hadamardTransform: x must be an input whose transform fits/);
    expect(() => fwhtRowsInPlace(new Float64Array(8).fill(-1e308), 2, 4)).toThrow(/fwhtRowsInPlace: data must be an input whose transform fits/);
    // normalized, an input of norm beyond float64 can overflow too: 2^20 entries of 1e306, y_0 = 2^10 1e306
    expect(() => fwht(new Float64Array(2 ** 20).fill(1e306), { normalize: true })).toThrow(RangeError);
  });
});

describe('entries near the float32 range', () => {
  it('normalized transforms of large float32 entries are finite and accurate (the unscaled sums would overflow)', () => {
    for (const n of [64, 4096, 2 ** 14, 12 * 16, 172 * 8]) {
      const x = Float32Array.from(randomNormal(n, n, 0), (v) => v * 2 ** 118);
      const reference = hadamardTransform(Float64Array.from(x), { normalize: true });
      const y = hadamardTransform(x, { normalize: true });
      expect(y).toBeInstanceOf(Float32Array);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(relErr(y, reference)).toBeLessThan(1e-6);
    }
    // 512 entries of 1e37: after two radix-8 passes the unscaled sums are 6.4e38 > 3.4e38, the answer 2.3e38
    const ones = fwht(new Float32Array(512).fill(1e37), { normalize: true });
    expect(ones[0]).toBe(Math.fround(Math.sqrt(512) * 1e37));
    expect(ones.subarray(1).every((v) => v === 0)).toBe(true);
  });

  it('a result beyond float32 is a RangeError', () => {
    expect(() => fwht(new Float32Array(8).fill(1e38))).toThrow(/fwht: x must be an input whose transform fits in a Float32Array \(every \|y_i\| <= 3\.4028234663852886e\+38\)/);
    expect(() => hadamardTransform(new Float32Array(12).fill(FLOAT32_MAX / 4))).toThrow(RangeError);
  });
});

describe('non-finite entries', () => {
  it('are RangeErrors naming the first bad index, for every path; the out-of-place forms leave x alone', () => {
    for (const n of [1, 2, 8, 64, 4096, 8192, 12, 172 * 4]) {
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        const x = randomNormal(n, n, 1);
        const at = n - 1;
        x[at] = bad;
        const before = x.slice();
        expect(() => hadamardTransform(x)).toThrow(new RegExp(`hadamardTransform: x must be finite everywhere, got ${bad} at index ${at}$`));
        expect(x).toEqual(before);
        expect(() => hadamardTransformInPlace(x, { normalize: true })).toThrow(new RegExp(`hadamardTransformInPlace: x must be finite everywhere, got ${bad} at index ${at}`));
        if ((n & (n - 1)) === 0) expect(() => fwht(Float32Array.from(before))).toThrow(new RegExp(`fwht: x must be finite everywhere, got ${bad} at index ${at}`));
      }
    }
  });

  it('rows: the index is the flat index into data, and earlier rows are done', () => {
    const data = randomNormal(4 * 16, 3, 0);
    data[2 * 16 + 5] = Number.NaN;
    const first = fwht(data.subarray(0, 16));
    expect(() => fwhtRowsInPlace(data, 4, 16)).toThrow(/fwhtRowsInPlace: data must be finite everywhere, got NaN at index 37/);
    expect(data.subarray(0, 16)).toEqual(first);
    const mixed = randomNormal(3 * 20, 3, 1);
    mixed[59] = -Infinity;
    expect(() => hadamardTransformRowsInPlace(mixed, 3, 20)).toThrow(/hadamardTransformRowsInPlace: data must be finite everywhere, got -Infinity at index 59/);
  });
});

describe('options', () => {
  it('must be an object of booleans', () => {
    const x = new Float64Array(4).fill(1);
    expect(() => fwht(x, { normalize: 'yes' } as never)).toThrow(/fwht: options\.normalize must be a boolean or undefined, got "yes"/);
    expect(() => fwhtInPlace(x, 1 as never)).toThrow(/fwhtInPlace: options must be an object \{ normalize\?, transpose\? \} or undefined, got 1/);
    expect(() => hadamardTransform(x, { transpose: 1 } as never)).toThrow(/hadamardTransform: options\.transpose must be a boolean or undefined, got 1/);
    expect(() => hadamardTransformRowsInPlace(x, 1, 4, null as never)).toThrow(TypeError);
    expect(x).toEqual(new Float64Array(4).fill(1));
  });
});

describe('out-of-place transforms', () => {
  it('leave their input alone', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    expect(Array.from(fwht(x))).toEqual([10, -2, -4, 0]);
    expect(Array.from(x)).toEqual([1, 2, 3, 4]);
    const y = new Float32Array(12).fill(1);
    hadamardTransform(y, { normalize: true });
    expect(y).toEqual(new Float32Array(12).fill(1));
  });
});

describe('hadamardBase', () => {
  it('returns a copy: changing it changes neither later results nor the transforms', () => {
    const H = hadamardBase(12);
    const original = H.slice();
    H.fill(0);
    expect(hadamardBase(12)).toEqual(original);
    const x = Float64Array.from({ length: 12 }, (_, i) => i - 5);
    expect(Array.from(hadamardTransform(x))).toEqual(Array.from(denseProduct(hadamardMatrix(12), 12, x)));
    expect(hadamardMatrix(12).subarray(0, 12)).toEqual(original.subarray(0, 12));
  });

  it('checks its argument', () => {
    expect(() => hadamardBase('12' as never)).toThrow(/hadamardBase: m must be an integer in \[1, 32768\], got "12"/);
    expect(() => hadamardBase(12.5)).toThrow(TypeError);
    expect(() => hadamardBase(7)).toThrow(/hadamardBase: m must be a base order .*got 7/);
    expect(() => hadamardBase(0)).toThrow(RangeError);
    expect(() => hadamardBase(2 ** 16)).toThrow(RangeError);
  });
});
