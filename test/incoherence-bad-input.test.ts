// Bad and extreme input for incoherence processing: layers near the float64 range, the incoherence measure at
// both ends of the range, and error messages naming the function and argument the user gave.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import {
  incoherence,
  incoherenceProcess,
  incoherenceRFFT,
  incoherenceRHT,
  reverseIncoherence,
  rfftInverse,
  rfftTransform,
  rht,
  rhtInverse,
} from '../src/incoherence/index.js';
import { randomNormal, randomPhases, randomSigns } from '../src/random/index.js';
import type { IncoherenceProcessed } from '../src/incoherence/index.js';
import { symmetric, times } from './reference.js';

describe('vectors near the float64 range', () => {
  it('rht(1e307 everywhere) is finite (the exact result is at most 8e307), and so is rhtInverse', () => {
    const s = randomSigns(64, 1);
    const y = rht(new Float64Array(64).fill(1e307), s);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(Math.max(...y.map(Math.abs))).toBeLessThanOrEqual(8e307 * (1 + 1e-15));
    const x = rhtInverse(new Float64Array(64).fill(-1e307), s);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('2^e x maps to 2^e rht(x) bit for bit for rht, rhtInverse, rfftTransform and rfftInverse', () => {
    fc.assert(
      fc.property(fc.constantFrom(64, 1024, 12, 172 * 2), fc.nat({ max: 2 ** 40 }), (n, seed) => {
        const x = Float64Array.from(randomNormal(n, seed, 0), (v) => 1 + Math.abs(v) / (2 + Math.abs(v))); // in [1, 1.5)
        const e = 1023 - Math.ceil(Math.log2(n) / 2); // all entries of one sign: the unscaled sums overflow
        const s = randomSigns(n, seed, 1);
        const p = randomPhases(n / 2, seed, 2);
        expect(rht(times(x, e), s)).toEqual(times(rht(x, s), e));
        expect(rhtInverse(times(x, e), s)).toEqual(times(rhtInverse(x, s), e));
        expect(rfftTransform(times(x, e), p)).toEqual(times(rfftTransform(x, p), e));
        expect(rfftInverse(times(x, e), p)).toEqual(times(rfftInverse(x, p), e));
      }),
      { numRuns: 20 },
    );
  });

  it('rfftTransform(1e307 everywhere) is finite (orthogonal: |y| <= |x|)', () => {
    for (const n of [128, 86, 2048]) {
      const p = randomPhases(n / 2, 7, 2);
      const y = rfftTransform(new Float64Array(n).fill(1e307), p);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(rfftInverse(y, p).every((v) => Math.abs(v - 1e307) < 1e307 * 1e-12)).toBe(true);
    }
  });
});

describe('layers near the float64 range', () => {
  it('incoherenceRHT and incoherenceRFFT of 2^e W, 2^d H are 2^e W\', 2^d H\' exactly, also where the sums would overflow', () => {
    const [m, n] = [64, 128];
    const seed = 5;
    // |u| in [1, 1.5); W_ij = u_ij s_j with s = signsV, so the rows of W S_V sum to about 1.25 n (2^e times that
    // overflows unscaled) while W' stays below 2^1024; H_ij = s_i s_j u_ij, symmetric
    const u = (k: number, stream: number) => Float64Array.from(randomNormal(k, seed, stream), (v) => 1 + Math.abs(v) / (2 + Math.abs(v)));
    const s = randomSigns(n, seed, 1);
    const W = u(m * n, 4).map((v, idx) => v * s[idx % n]);
    const H = symmetric(n, seed).map((v) => 1 + Math.abs(v) / (2 + Math.abs(v)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] *= s[i] * s[j];
    const [e, d] = [1018, 1016];
    for (const processed of [incoherenceRHT, incoherenceRFFT]) {
      const small = processed(ndarray(W, [m, n]), ndarray(H, [n, n]), { seed });
      const big = processed(ndarray(times(W, e), [m, n]), ndarray(times(H, d), [n, n]), { seed });
      expect(big.W.data).toEqual(times(small.W.data, e));
      expect(big.H.data).toEqual(times(small.H.data, d));
    }
  });
});

describe('incoherence at both ends of the range', () => {
  it('is 1 for a constant matrix of any size, sqrt(2) for diag(1e308, 1e308) plus ones, and not undefined for tiny W', () => {
    for (const v of [1e200, 1e308, -1e-200, 1e-310, 5e-324]) {
      expect(incoherence(ndarray(new Float64Array(16).fill(v), [4, 4]))).toBeCloseTo(1, 14);
    }
    expect(incoherence(ndarray(Float64Array.of(1e308, 1, 1, 1e308), [2, 2]))).toBeCloseTo(Math.SQRT2, 14);
    const spike = new Float64Array(64);
    spike[10] = 1e-300;
    expect(incoherence(ndarray(spike, [8, 8]))).toBeCloseTo(8, 13);
  });
});

describe('error messages name the function called and the path of the argument', () => {
  const W = ndarray(randomNormal(8 * 12, 1, 0), [8, 12]);
  const H = ndarray(symmetric(12, 1), [12, 12]);

  it('incoherenceProcess without a seed', () => {
    expect(() => incoherenceProcess(W, H, {} as never)).toThrow(/^incoherenceProcess: options\.seed must be an integer/);
    const odd = ndarray(randomNormal(8 * 10, 1, 0), [8, 10]);
    expect(() => incoherenceProcess(odd, ndarray(symmetric(10, 1), [10, 10]), { seed: -1 })).toThrow(/^incoherenceProcess: options\.seed/);
    expect(() => incoherenceProcess(W, ndarray(symmetric(8, 1), [8, 8]), { method: 'rht', seed: 1 })).toThrow(/^incoherenceProcess: H must be of shape \[12, 12\]/);
  });

  it('reverseIncoherence names processed.signsU, processed.phasesV, ...', () => {
    const rht = incoherenceProcess(W, H, { method: 'rht', seed: 1 });
    if (rht.method !== 'rht') throw new Error('expected rht');
    expect(() => reverseIncoherence(rht.W, { ...rht, signsU: rht.signsV })).toThrow(
      /^reverseIncoherence: processed\.signsU must be of length 8 \(What\.shape\[0\]\), got length 12/,
    );
    expect(() => reverseIncoherence(rht.W, { ...rht, signsV: new Int8Array(12) })).toThrow(/^reverseIncoherence: processed\.signsV must be \+-1 everywhere/);
    const rfft = incoherenceProcess(W, H, { method: 'rfft', seed: 1 });
    if (rfft.method !== 'rfft') throw new Error('expected rfft');
    expect(() => reverseIncoherence(rfft.W, { ...rfft, phasesV: new Float64Array(2) })).toThrow(
      /^reverseIncoherence: processed\.phasesV must be of length 6 \(What\.shape\[1\] \/ 2\), got length 2/,
    );
    expect(() => reverseIncoherence(ndarray(new Float64Array(7 * 12), [7, 12]), rfft)).toThrow(/^reverseIncoherence: What\.shape\[0\] must be even/);
  });

  it('signs with a value other than +-1 are a RangeError (a value outside the domain, not a wrong type)', () => {
    const signs = randomSigns(12, 1);
    signs[7] = 2;
    expect(() => rht(new Float64Array(12), signs)).toThrow(RangeError);
    expect(() => rht(new Float64Array(12), signs)).toThrow(/^rht: signs must be \+-1 everywhere, got 2 at index 7$/);
  });

  it('reverseIncoherence without a processed object', () => {
    expect(() => reverseIncoherence(W, null as unknown as IncoherenceProcessed)).toThrow(TypeError);
    expect(() => reverseIncoherence(W, undefined as unknown as IncoherenceProcessed)).toThrow(
      /^reverseIncoherence: processed must be the result of incoherenceProcess \(\{ method, \.\.\. \}\), got undefined/,
    );
  });
});
