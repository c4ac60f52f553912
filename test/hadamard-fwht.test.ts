import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fwht, fwhtRows } from '../src/hadamard/index.js';
import { hadamardKernels, kernelsFor } from '../src/hadamard/kernels.js';
import { randomNormal, randomUniform } from '../src/random/index.js';
import { integers, norm, relErr } from './reference.js';

/** Entry i of the definition y[i] = sum_j (-1)^popcount(i & j) x[j], in float64. */
function walshEntry(x: ArrayLike<number>, i: number): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    let v = i & j;
    let parity = 0;
    while (v) {
      parity ^= 1;
      v &= v - 1;
    }
    s += parity ? -x[j] : x[j];
  }
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
        const y = fwht(x.slice());
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
        expect(Array.from(fwht(x.slice()))).toEqual(Array.from(expected));
        expect(Array.from(fwht(Float32Array.from(x)))).toEqual(Array.from(expected));
      }
      // unnormalized twice is n x, exactly
      const twice = fwht(fwht(x.slice()));
      expect(Array.from(twice)).toEqual(Array.from(x, (v) => v * 2 ** k));
    }
  });

  it('beyond the dense range (2^12 .. 2^17, two-level blocking), sampled outputs equal the definition exactly', () => {
    for (let k = 12; k <= 17; k++) {
      const n = 2 ** k;
      const x = integers(n, k);
      const y = fwht(x.slice());
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
        expect(relErr(fwht(x.slice()), denseWalshHadamard(x))).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('normalize: preserves the norm and is its own inverse (1e-12 float64, 1e-6 float32)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), seed, (k, s) => {
        const x = randomNormal(2 ** k, s, 0);
        const y = fwht(x.slice(), { normalize: true });
        expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-12 * norm(x));
        expect(relErr(fwht(y, { normalize: true }), x)).toBeLessThan(1e-12);
        const x32 = Float32Array.from(x);
        const y32 = fwht(x32.slice(), { normalize: true });
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
      f32.fwht(undefined as unknown as Float32Array, 0, 8, 1);
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/quipsharp-hadamard-float32\.js/);
    const shared = hadamardKernels();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), seed, fc.boolean(), (k, s, normalize) => {
        const x = Float32Array.from(randomNormal(2 ** k, s, 0));
        const expected = x.slice();
        shared.fwht(expected, 0, x.length, normalize ? 1 / Math.sqrt(x.length) : 1);
        expect(fwht(x, { normalize })).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('normalize scales the unnormalized transform by 1/sqrt(n)', () => {
    const x = randomNormal(64, 5, 0);
    const plain = fwht(x.slice());
    expect(relErr(fwht(x.slice(), { normalize: true }), plain.map((v) => v / 8))).toBeLessThan(1e-15);
  });

  it('works in place, returns its argument and keeps the array type', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const y = fwht(x);
    expect(y).toBe(x);
    expect(Array.from(x)).toEqual([10, -2, -4, 0]);
    const z = new Float64Array([5]);
    expect(fwht(z, { normalize: true })[0]).toBe(5);
  });

  it('handles a 2^20 vector (round trip)', () => {
    const x = randomNormal(2 ** 20, 9, 0);
    const y = fwht(fwht(x.slice(), { normalize: true }), { normalize: true });
    expect(relErr(y, x)).toBeLessThan(1e-12);
  });

  it('rejects bad input with the function and argument named', () => {
    expect(() => fwht([1, 2] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => fwht(new Int32Array(4) as unknown as Float64Array)).toThrow(/fwht: x must be a Float32Array or Float64Array, got Int32Array\(4\)/);
    expect(() => fwht(new Float64Array(12))).toThrow(RangeError);
    expect(() => fwht(new Float64Array(12))).toThrow(/fwht: x must be of power-of-two length .*got length 12/);
    expect(() => fwht(new Float64Array(0))).toThrow(/got length 0/);
    expect(() => fwht(new Float64Array(3))).toThrow(RangeError);
  });
});

describe('fwhtRows', () => {
  it('transforms every row like fwht, for both array types and normalize', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 5 }), seed, fc.boolean(), (k, rows, s, normalize) => {
        const n = 2 ** k;
        const data = randomNormal(rows * n, s, 0);
        const expected = data.slice();
        for (let r = 0; r < rows; r++) fwht(expected.subarray(r * n, (r + 1) * n), { normalize });
        expect(Array.from(fwhtRows(data.slice(), rows, n, { normalize }))).toEqual(Array.from(expected));
        const data32 = Float32Array.from(data);
        const expected32 = data32.slice();
        for (let r = 0; r < rows; r++) fwht(expected32.subarray(r * n, (r + 1) * n), { normalize });
        expect(Array.from(fwhtRows(data32, rows, n, { normalize }))).toEqual(Array.from(expected32));
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with the dense definition row by row on many short float32 rows', () => {
    const n = 16;
    const rows = 5000;
    const data = Float32Array.from(integers(rows * n, 3));
    const out = fwhtRows(data.slice(), rows, n);
    for (const r of [0, 1, 2047, 2048, 4999]) {
      expect(Array.from(out.subarray(r * n, (r + 1) * n))).toEqual(Array.from(denseWalshHadamard(data.subarray(r * n, (r + 1) * n))));
    }
  });

  it('rejects bad input', () => {
    expect(() => fwhtRows(new Float64Array(8), 2, 3)).toThrow(/fwhtRows: n must be a power of two.*got 3/);
    expect(() => fwhtRows(new Float64Array(8), 3, 4)).toThrow(/fwhtRows: data must be of length rows \* n = 12, got length 8/);
    expect(() => fwhtRows(new Float64Array(8), 2.5, 4)).toThrow(TypeError);
    expect(() => fwhtRows(new Float64Array(8), -2, 4)).toThrow(RangeError);
    expect(() => fwhtRows(new Uint8Array(8) as unknown as Float64Array, 2, 4)).toThrow(TypeError);
    expect(() => fwhtRows(new Float64Array(0), 0, 0)).toThrow(RangeError);
    expect(fwhtRows(new Float64Array(0), 0, 4).length).toBe(0);
  });
});
