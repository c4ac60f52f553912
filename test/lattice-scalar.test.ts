import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScalarCodebook } from '../src/lattice/index.js';
import { lloydMaxQuantizer, normalCdf, optimalUniformStep, uniformQuantizerMse } from '../src/lattice/gaussian.js';
import { randomNormal } from '../src/random/index.js';

const finite = fc.double({ min: -20, max: 20, noNaN: true, noDefaultInfinity: true });

describe('gaussian helpers', () => {
  it('normalCdf matches reference values and symmetry', () => {
    // Reference values of Phi (Abramowitz & Stegun 26.2 / high-precision tables).
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300946, 15);
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => Math.abs(normalCdf(x) + normalCdf(-x) - 1) < 1e-15));
  });

  it('uniform quantizer MSE agrees with numerical integration, and the optimal steps match Max (1960)', () => {
    // Midpoint-rule integral of the squared rounding error against the density.
    const levels = 4;
    const step = 0.9;
    const grid = [-1.5, -0.5, 0.5, 1.5].map((v) => v * step);
    let integral = 0;
    const h = 1e-4;
    for (let x = -12 + h / 2; x < 12; x += h) {
      let best = Infinity;
      for (const y of grid) best = Math.min(best, (x - y) ** 2);
      integral += best * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) * h;
    }
    // Midpoint rule error at the kinks of the integrand is O(h^2) ~ 1e-9.
    expect(uniformQuantizerMse(levels, step)).toBeCloseTo(integral, 8);
    // Max, "Quantizing for minimum distortion" (1960), Table II (uniform output spacing / MSE).
    expect(optimalUniformStep(2)).toBeCloseTo(1.596, 3);
    expect(optimalUniformStep(4)).toBeCloseTo(0.9957, 4);
    expect(uniformQuantizerMse(4, optimalUniformStep(4))).toBeCloseTo(0.1188, 4);
    expect(optimalUniformStep(8)).toBeCloseTo(0.5860, 4);
    expect(uniformQuantizerMse(8, optimalUniformStep(8))).toBeCloseTo(0.03744, 5);
    // Stationarity: the step is a minimum.
    const s = optimalUniformStep(4);
    expect(uniformQuantizerMse(4, s)).toBeLessThan(uniformQuantizerMse(4, s * 1.001));
    expect(uniformQuantizerMse(4, s)).toBeLessThan(uniformQuantizerMse(4, s * 0.999));
  });
});

describe('Lloyd-Max reference (the non-uniform 2-bit baseline quoted by QuIP#)', () => {
  it('reproduces Max (1960): 4 levels +-0.4528, +-1.510, MSE 0.1175; 8 levels MSE 0.03455', () => {
    const q4 = lloydMaxQuantizer(4);
    expect(Array.from(q4.levels, (v) => Number(v.toFixed(4)))).toEqual([-1.5104, -0.4528, 0.4528, 1.5104]);
    expect(q4.mse).toBeCloseTo(0.11748, 5);
    expect(q4.mse).toBeLessThan(uniformQuantizerMse(4, optimalUniformStep(4)));
    expect(lloydMaxQuantizer(8).mse).toBeCloseTo(0.03455, 5);
  });
});

describe('ScalarCodebook', () => {
  it('has the documented shape', () => {
    const c2 = new ScalarCodebook(2);
    expect([c2.dim, c2.bitsPerWeight, c2.codeWords, c2.levels, c2.optScale]).toEqual([1, 2, 1, 4, 1]);
    expect(new ScalarCodebook(2, 8).codeWords).toBe(1);
    expect(new ScalarCodebook(3, 8).codeWords).toBe(2);
    expect(new ScalarCodebook(8, 8).codeWords).toBe(4);
  });

  for (const [bits, dim] of [[1, 1], [2, 1], [3, 1], [2, 8], [3, 8], [5, 8], [8, 8]] as const) {
    it(`${bits} bits, dim ${dim}: quantize picks the nearest grid point (brute force) and decode inverts it`, () => {
      const cb = new ScalarCodebook(bits, dim);
      const grid = Array.from({ length: cb.levels }, (_, j) => (j - (cb.levels - 1) / 2) * cb.step);
      fc.assert(
        fc.property(fc.array(finite, { minLength: dim, maxLength: dim * 5 }).filter((a) => a.length % dim === 0), (a) => {
          const X = Float64Array.from(a);
          const { codes, values } = cb.quantize(X);
          expect(codes.length).toBe((X.length / dim) * cb.codeWords);
          for (let i = 0; i < X.length; i++) {
            let best = Infinity;
            for (const y of grid) best = Math.min(best, Math.abs(y - X[i]));
            expect(Math.abs(values[i] - X[i])).toBe(best);
            expect(grid).toContain(values[i]);
          }
          expect(Array.from(cb.decodeRows(codes))).toEqual(Array.from(values));
          const f32 = cb.decodeRows(codes, new Float32Array(X.length));
          expect(Array.from(f32)).toEqual(Array.from(values, Math.fround));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('dim 8 packs level indices little-endian across code words', () => {
    const cb = new ScalarCodebook(3, 8);
    const X = new Float64Array(8);
    for (let i = 0; i < 8; i++) X[i] = (i - 3.5) * cb.step; // levels j = i
    const { codes } = cb.quantize(X);
    let bitsString = 0n;
    for (let i = 7; i >= 0; i--) bitsString = (bitsString << 3n) | BigInt(i);
    expect(codes[0]).toBe(Number(bitsString & 0xffffn));
    expect(codes[1]).toBe(Number(bitsString >> 16n));
  });

  it('Monte Carlo MSE on unit Gaussians matches the exact value', () => {
    const cb = new ScalarCodebook(2, 8);
    const X = randomNormal(200_000, 7);
    const { values } = cb.quantize(X);
    let se = 0;
    for (let i = 0; i < X.length; i++) se += (X[i] - values[i]) ** 2;
    // Standard error of the mean of the squared error is ~0.17/sqrt(2e5) = 4e-4.
    expect(Math.abs(se / X.length - cb.gaussianMse)).toBeLessThan(1.6e-3);
    expect(cb.gaussianMse).toBeCloseTo(0.11885, 5);
  });

  it('rejects bad arguments', () => {
    expect(() => new ScalarCodebook(0)).toThrow(RangeError);
    expect(() => new ScalarCodebook(2.5)).toThrow(TypeError);
    expect(() => new ScalarCodebook(2, 4)).toThrow(/dim must be 1 or 8/);
    const cb = new ScalarCodebook(2, 8);
    expect(() => cb.quantize(new Float64Array(7))).toThrow(/quantize: X must be a row-major k x 8 matrix/);
    expect(() => cb.quantize([1, 2] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => cb.quantize(Float64Array.of(0, 0, 0, NaN, 0, 0, 0, 0))).toThrow(/finite everywhere, got NaN at index 3/);
    expect(() => new ScalarCodebook(2).decodeRows(Uint16Array.of(4))).toThrow(/code words in \[0, 3\], got 4 at index 0/);
    expect(() => new ScalarCodebook(3, 8).decodeRows(Uint16Array.of(1))).toThrow(/length a multiple of 2/);
    expect(() => cb.decodeRows(Uint16Array.of(1), new Float64Array(7))).toThrow(/out must be of length 8/);
    expect(() => cb.decodeRows([1] as unknown as Uint16Array)).toThrow(TypeError);
  });
});
