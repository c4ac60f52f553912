import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createFFT, fft, fftInPlace } from '../src/fft/index.js';
import { randomNormal } from '../src/random/index.js';
import { RaderDFT, RaderSplitDFT } from '../src/fft/rader.js';
import { primitiveRoot } from '../src/core/numbers.js';
import { DirectDFT } from '../src/fft/smalldft.js';
import { planCore } from '../src/fft/plan.js';
import type { SmallDFT } from '../src/fft/stages.js';

/** Naive O(N^2) DFT with each root e^{-2 pi i m / N} computed directly from m = (n k) mod N. */
function naiveDFT(re: Float64Array, im: Float64Array, inverse = false): [Float64Array, Float64Array] {
  const N = re.length;
  const c = new Float64Array(N);
  const s = new Float64Array(N);
  for (let m = 0; m < N; m++) {
    c[m] = Math.cos((2 * Math.PI * m) / N);
    s[m] = (inverse ? 1 : -1) * Math.sin((2 * Math.PI * m) / N);
  }
  const outRe = new Float64Array(N);
  const outIm = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    let sr = 0;
    let si = 0;
    for (let n = 0, m = 0; n < N; n++, m = (m + k) % N) {
      sr += re[n] * c[m] - im[n] * s[m];
      si += re[n] * s[m] + im[n] * c[m];
    }
    outRe[k] = inverse ? sr / N : sr;
    outIm[k] = inverse ? si / N : si;
  }
  return [outRe, outIm];
}

function signal(N: number, seed: number): [Float64Array, Float64Array] {
  return [randomNormal(N, seed, 0), randomNormal(N, seed, 1)];
}

function norm(re: Float64Array, im: Float64Array): number {
  let s = 0;
  for (let i = 0; i < re.length; i++) s += re[i] * re[i] + im[i] * im[i];
  return Math.sqrt(s);
}

/** max_i |a_i - b_i| over complex entries. */
function maxDiff(ar: Float64Array, ai: Float64Array, br: Float64Array, bi: Float64Array): number {
  let d = 0;
  for (let i = 0; i < ar.length; i++) d = Math.max(d, Math.hypot(ar[i] - br[i], ai[i] - bi[i]));
  return d;
}

/**
 * The documented bound is max error < 1e-12 N ||x||; the transforms do far better, so the tests hold them to
 * 1e-14 N ||x|| (the naive reference itself is accurate to about 1e-17 N ||x||).
 */
function expectMatchesNaive(N: number, seed: number): void {
  const [re, im] = signal(N, seed);
  const [er, ei] = naiveDFT(re, im);
  const { re: xr, im: xi } = fft(re, im);
  expect(maxDiff(xr, xi, er, ei)).toBeLessThan(1e-14 * N * norm(re, im));
}

const length = fc.integer({ min: 1, max: 600 });
const seed = fc.integer({ min: 0, max: 2 ** 31 });

describe('fft agrees with the naive DFT', () => {
  it('for random lengths 1..600 (forward and inverse)', () => {
    fc.assert(
      fc.property(length, seed, (N, sd) => {
        expectMatchesNaive(N, sd);
        const [re, im] = signal(N, sd + 1);
        const [er, ei] = naiveDFT(re, im, true);
        fftInPlace(re, im, { inverse: true });
        expect(maxDiff(re, im, er, ei)).toBeLessThan(1e-14 * norm(er, ei) * N + 1e-300);
      }),
      { numRuns: 60 },
    );
  });

  it('for every length 1..130 (each radix, prime and Bluestein path)', () => {
    for (let N = 1; N <= 130; N++) expectMatchesNaive(N, N);
  });

  it.each([256, 1024, 1021, 4093, 4096, 5504, 6912, 2 * 1021, 3 * 5 * 7 * 11])('for N = %i', (N) => {
    expectMatchesNaive(N, 7);
  });

  it('matches hand-computed transforms', () => {
    const { re, im } = fft(Float64Array.of(1, 2, 3), new Float64Array(3));
    // X_1 = 1 + 2 w + 3 w^2 with w = e^{-2 pi i / 3}: -1.5 + i sqrt(3)/2
    expect(re[0]).toBeCloseTo(6, 15);
    expect(re[1]).toBeCloseTo(-1.5, 14);
    expect(im[1]).toBeCloseTo(Math.sqrt(3) / 2, 14);
    const one = Float64Array.of(5);
    const zero = Float64Array.of(-2);
    fftInPlace(one, zero);
    expect([one[0], zero[0]]).toEqual([5, -2]);
  });
});

describe('fft laws', () => {
  it('inverse(forward(x)) = x within 1e-12 relative', () => {
    fc.assert(
      fc.property(fc.oneof(length, fc.constantFrom(1021, 4093, 5504, 6912, 8192)), seed, (N, sd) => {
        const [re, im] = signal(N, sd);
        const X = fft(re, im);
        const { re: xr, im: xi } = fft(X.re, X.im, { inverse: true });
        expect(maxDiff(xr, xi, re, im)).toBeLessThan(1e-12 * norm(re, im));
      }),
      { numRuns: 40 },
    );
  });

  it('Parseval: ||X||^2 = N ||x||^2', () => {
    fc.assert(
      fc.property(length, seed, (N, sd) => {
        const [re, im] = signal(N, sd);
        const before = norm(re, im) ** 2;
        fftInPlace(re, im);
        expect(Math.abs(norm(re, im) ** 2 - N * before)).toBeLessThan(1e-12 * N * before);
      }),
      { numRuns: 60 },
    );
  });

  it('createFFT plans reproduce fft() bit for bit, repeatedly, out of place and in place', () => {
    fc.assert(
      fc.property(length, seed, (N, sd) => {
        const plan = createFFT(N);
        expect(plan.size).toBe(N);
        const [re, im] = signal(N, sd);
        const before = [re.slice(), im.slice()];
        const a = fft(re, im);
        const b = plan.forward(re, im);
        expect([re, im]).toEqual(before); // the out-of-place forms leave their arguments alone
        expect(b).toEqual(a);
        const c = [re.slice(), im.slice()] as const;
        const d = plan.forwardInPlace(c[0], c[1]);
        expect(d.re).toBe(c[0]);
        expect(d.im).toBe(c[1]);
        expect(d).toEqual(a);
        const ai = fft(a.re, a.im, { inverse: true });
        expect(createFFT(N).inverse(a.re, a.im)).toEqual(ai);
        const e = fftInPlace(c[0], c[1], { inverse: true });
        expect(e.re).toBe(c[0]);
        expect(e).toEqual(ai);
        const f = [a.re.slice(), a.im.slice()] as const;
        expect(plan.inverseInPlace(f[0], f[1])).toEqual(ai);
      }),
      { numRuns: 30 },
    );
  });
});

describe('fft rejects bad input', () => {
  const ok = () => new Float64Array(4);
  it('wrong types and lengths', () => {
    expect(() => fft(new Float32Array(4) as unknown as Float64Array, ok())).toThrow(/fft: re must be a Float64Array, got Float32Array\(4\)/);
    expect(() => fft(ok(), [0, 0, 0, 0] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => fft(ok(), new Float64Array(3))).toThrow(/fft: im must be of the length of re \(4\), got length 3/);
    expect(() => fft(new Float64Array(0), new Float64Array(0))).toThrow(/fft: re must be of length 1 to 2\^27, got length 0/);
    expect(() => createFFT(8).forward(ok(), ok())).toThrow(/FFTPlan.forward: re must be of length 8 \(the plan size\), got length 4/);
    expect(() => createFFT(8).forwardInPlace(ok(), ok())).toThrow(/FFTPlan.forwardInPlace: re must be of length 8/);
    expect(() => createFFT(4).inverse(ok(), new Float64Array(5))).toThrow(RangeError);
    expect(() => createFFT(4).inverseInPlace(ok(), new Float64Array(5))).toThrow(/FFTPlan.inverseInPlace: im must be of the length of re/);
    const shared = new Float64Array(6);
    expect(() => fft(shared, shared)).toThrow(/fft: im must be memory separate from re, got an array overlapping re/);
    expect(() => fftInPlace(shared.subarray(0, 3), shared.subarray(2, 5))).toThrow(/fftInPlace: im must be memory separate from re/);
    const halves = [shared.subarray(0, 3), shared.subarray(3, 6)] as const;
    expect(() => fftInPlace(halves[0], halves[1])).not.toThrow();
  });

  it('non-finite entries', () => {
    const re = ok();
    re[2] = Number.NaN;
    expect(() => fft(re, ok())).toThrow(/fft: re must be finite everywhere, got NaN at index 2/);
    const im = ok();
    im[3] = -Infinity;
    expect(() => fft(ok(), im, { inverse: true })).toThrow(/fft: im must be finite everywhere, got -Infinity at index 3/);
    expect(() => createFFT(4).forward(ok(), im)).toThrow(/FFTPlan.forward: im must be finite/);
    expect(() => fftInPlace(re, ok())).toThrow(/fftInPlace: re must be finite everywhere, got NaN at index 2/);
  });

  it('rejected input is left untouched, at every size path (the check rides on the first stage)', () => {
    for (const N of [5, 8, 64, 1024, 4096, 6912]) {
      const [re, im] = signal(N, N);
      re[N - 1] = Number.NaN;
      const before = [re.slice(), im.slice()];
      expect(() => fftInPlace(re, im)).toThrow(new RegExp(`fftInPlace: re must be finite everywhere, got NaN at index ${N - 1}`));
      expect(Array.from(re)).toEqual(Array.from(before[0]));
      expect(im).toEqual(before[1]);
    }
  });

  it('bad plan sizes', () => {
    expect(() => createFFT(0)).toThrow(/createFFT: N must be an integer in \[1, 134217728\], got 0/);
    expect(() => createFFT(2.5)).toThrow(TypeError);
    expect(() => createFFT(2 ** 28)).toThrow(RangeError);
  });
});

describe('prime-length kernels', () => {
  /** Runs a SmallDFT of length p on a random signal and compares with the naive DFT. */
  function expectKernelMatchesNaive(dft: SmallDFT, p: number, seed: number): void {
    const [re, im] = signal(p, seed);
    const [er, ei] = naiveDFT(re, im);
    for (let i = 0; i < p; i++) {
      dft.re[i] = re[i];
      dft.im[i] = im[i];
    }
    dft.run();
    expect(maxDiff(Float64Array.from(dft.re), Float64Array.from(dft.im), er, ei)).toBeLessThan(1e-14 * p * norm(re, im));
  }

  it('primitiveRoot returns a generator of (Z/p)^* (order exactly p - 1)', () => {
    const expected: [number, number][] = [[3, 2], [5, 2], [7, 3], [43, 3], [97, 5], [257, 3], [7681, 17], [65537, 3]];
    for (const [p, g] of expected) {
      expect(primitiveRoot(p)).toBe(g);
      let x = 1;
      let order = 0;
      do {
        x = (x * g) % p;
        order++;
      } while (x !== 1);
      expect(order).toBe(p - 1);
    }
    // near the largest supported size, where the products of residues exceed 2^53 without the split
    const big = 134217689; // the largest prime below 2^27
    const g = primitiveRoot(big);
    expect(g).toBeGreaterThan(1);
    expect(g).toBeLessThan(big);
  });

  it('RaderDFT agrees with the naive DFT for small and mid-sized primes', () => {
    for (const p of [3, 5, 7, 11, 13, 43, 53, 97, 101, 257]) expectKernelMatchesNaive(new RaderDFT(p, planCore(p - 1)), p, p);
  });

  it('RaderSplitDFT agrees with the naive DFT for the primes of its form', () => {
    const primes = [7, 31, 43, 67, 79, 103, 139, 283];
    for (const p of primes) {
      expect(RaderSplitDFT.applies(p)).toBe(true);
      expectKernelMatchesNaive(new RaderSplitDFT(p), p, p + 2);
    }
    // (p - 1) / 2 even (13, 61), a multiple of 9 (19, 37), or not a multiple of 3 (5, 11, 41)
    for (const p of [5, 11, 13, 19, 37, 41, 61]) expect(RaderSplitDFT.applies(p)).toBe(false);
  });

  it('DirectDFT agrees with the naive DFT for every odd prime up to 89 (blocks of four outputs and the remainder)', () => {
    for (const p of [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89]) {
      expectKernelMatchesNaive(new DirectDFT(p), p, p + 1);
    }
  });

  // RaderDFT: 97, 193, 337, 641, 769, 2017; RaderSplitDFT: 43, 139, 283; Bluestein: 389, 421
  it.each([97, 2 * 97, 3 * 97 * 4, 4 * 193, 337, 641, 769, 2017, 43 * 43, 2 * 139, 3 * 283, 389, 2 * 389, 421])('fft for N = %i', (N) => {
    expectMatchesNaive(N, 11);
  });
});
