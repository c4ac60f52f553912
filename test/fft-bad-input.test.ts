// Bad and extreme input for the FFT: entries near the float64 range, transforms beyond it, bad options, and the
// in/out behaviour of every entry point.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createFFT, fft, fftInPlace } from '../src/fft/index.js';
import { randomNormal } from '../src/random/index.js';
import { times } from './reference.js';

/** Lengths over every engine path: N = 1, 2, 4 and the Stockham radices, the power-of-two engine (radix-2 and
 * radix-4 first stages, the fused 16-point pass), Rader, split Rader and Bluestein prime stages. */
const LENGTHS = [1, 2, 3, 4, 5, 8, 16, 64, 256, 1024, 2048, 4096, 12, 43, 97, 389, 1021, 5504, 6912];

describe('entries near the float64 range', () => {
  it('the inverse of 1e308 everywhere is 1e308 e_0 (finite), though the unscaled sums reach N 1e308', () => {
    for (const N of [2, 4, 8, 16, 64, 1024, 2048, 4096, 6, 43, 97, 1021]) {
      const { re, im } = fft(new Float64Array(N).fill(1e308), new Float64Array(N), { inverse: true });
      expect(re[0]).toBeCloseTo(1e308, -294);
      for (let k = 1; k < N; k++) expect(Math.abs(re[k])).toBeLessThan(1e308 * 1e-13);
      expect(im.every((v) => Math.abs(v) < 1e308 * 1e-13)).toBe(true);
    }
  });

  it('2^e x transforms to 2^e X bit for bit, forward and inverse, also above the bound of the unscaled path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LENGTHS), fc.nat({ max: 2 ** 40 }), fc.boolean(), (N, seed, inverse) => {
        const re = randomNormal(N, seed, 0);
        const im = randomNormal(N, seed, 1);
        // above the engines' guard bounds (2^1024 / 8N, 2^1024 / 16N^2), with room for growth up to 4N max|x|
        const e = 1020 - Math.ceil(Math.log2(N));
        const X = fft(re, im, { inverse });
        const Y = fft(times(re, e), times(im, e), { inverse });
        expect(Y.re).toEqual(times(X.re, e));
        expect(Y.im).toEqual(times(X.im, e));
        const plan = createFFT(N);
        const Z = inverse ? plan.inverseInPlace(times(re, e), times(im, e)) : plan.forwardInPlace(times(re, e), times(im, e));
        expect(Z).toEqual(Y);
      }),
      { numRuns: 60 },
    );
  });

  it('a transform beyond float64 is a RangeError naming the function', () => {
    for (const N of [8, 1024, 12, 1021]) {
      const re = new Float64Array(N).fill(1e308);
      expect(() => fft(re, new Float64Array(N))).toThrow(
        /^fft: re, im must be an input whose transform fits in float64 \(every \|X_k\| <= 1\.7976931348623157e\+308\), got one whose transform overflows$/,
      );
      expect(re.every((v) => v === 1e308)).toBe(true); // fft leaves its arguments alone
      expect(() => createFFT(N).forwardInPlace(re, new Float64Array(N))).toThrow(/FFTPlan\.forwardInPlace: re, im must be an input whose transform fits/);
    }
  });
});

describe('in and out', () => {
  it('fft and the plan methods without InPlace return new arrays and leave their arguments alone', () => {
    const re = Float64Array.of(1, 2, 3, 4);
    const im = Float64Array.of(0, 1, 0, 1);
    const X = fft(re, im);
    expect(X.re).not.toBe(re);
    expect(Array.from(re)).toEqual([1, 2, 3, 4]);
    expect(Array.from(im)).toEqual([0, 1, 0, 1]);
    expect(Array.from(X.re)).toEqual([10, -2, -2, -2]);
    const plan = createFFT(4);
    const Y = plan.forward(re, im);
    expect(Y).toEqual(X);
    expect(Array.from(re)).toEqual([1, 2, 3, 4]);
    plan.inverse(Y.re, Y.im);
    expect(Array.from(Y.re)).toEqual([10, -2, -2, -2]);
  });

  it('the InPlace forms overwrite and return the same arrays', () => {
    const re = Float64Array.of(1, 2, 3, 4);
    const im = new Float64Array(4);
    const out = fftInPlace(re, im);
    expect(out.re).toBe(re);
    expect(out.im).toBe(im);
    expect(Array.from(re)).toEqual([10, -2, -2, -2]);
    const back = createFFT(4).inverseInPlace(re, im);
    expect(back.re).toBe(re);
    expect(Array.from(re)).toEqual([1, 2, 3, 4]);
  });
});

describe('options', () => {
  it('must be an object whose inverse is a boolean', () => {
    const re = Float64Array.of(1, 2);
    const im = new Float64Array(2);
    expect(() => fft(re, im, { inverse: 'yes' } as never)).toThrow(/fft: options\.inverse must be a boolean or undefined, got "yes"/);
    expect(() => fftInPlace(re, im, 1 as never)).toThrow(/fftInPlace: options must be an object \{ inverse\? \} or undefined, got 1/);
    expect(() => fft(re, im, null as never)).toThrow(TypeError);
    expect(Array.from(re)).toEqual([1, 2]);
  });
});
