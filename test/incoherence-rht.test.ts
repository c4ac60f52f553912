import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { hadamardMatrix } from '../src/hadamard/index.js';
import { incoherence, incoherenceRHT, reverseIncoherenceRHT, rht, rhtInverse } from '../src/incoherence/index.js';
import { randomNormal, randomSigns } from '../src/random/index.js';
import { NotSymmetricError } from '../src/errors/index.js';
import type { Matrix } from '../src/core/matrix.js';
import { matmul, relErr, symmetric, transposeOf } from './reference.js';

/** V S: column j of V times s_j. */
function timesSigns(V: Int8Array, n: number, s: Int8Array): Float64Array {
  return Float64Array.from(V, (v, idx) => v * s[idx % n]);
}

function dataOf(M: Matrix): Float64Array {
  expect(M.data).toBeInstanceOf(Float64Array);
  expect(M.stride).toEqual([M.shape[1], 1]);
  return M.data;
}

const ORDERS = [1, 2, 4, 8, 12, 20, 24, 28, 40];

describe('rht / rhtInverse', () => {
  it('rht(x, s) = V diag(s) x / sqrt(n) with V = hadamardMatrix(n), and rhtInverse undoes it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDERS, 52, 116, 172), fc.nat({ max: 2 ** 40 }), (n, seed) => {
        const x = randomNormal(n, seed, 0);
        const s = randomSigns(n, seed, 1);
        const V = hadamardMatrix(n);
        const expected = matmul(timesSigns(V, n, s), x, n, n, 1).map((v) => v / Math.sqrt(n));
        const y = rht(x, s);
        expect(relErr(y, expected)).toBeLessThan(1e-12);
        expect(relErr(rhtInverse(y, s), x)).toBeLessThan(1e-12);
        // rhtInverse(y) = diag(s) V^T y / sqrt(n), checked densely too
        const inv = matmul(transposeOf(timesSigns(V, n, s), n, n), y, n, n, 1).map((v) => v / Math.sqrt(n));
        expect(relErr(rhtInverse(y, s), inv)).toBeLessThan(1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the array type, leaves its input alone, and round trips float32 to 1e-6', () => {
    const x = Float32Array.from(randomNormal(28, 3, 0));
    const copy = x.slice();
    const s = randomSigns(28, 3, 0);
    const y = rht(x, s);
    expect(y).toBeInstanceOf(Float32Array);
    expect(y).not.toBe(x);
    expect(x).toEqual(copy);
    expect(relErr(rhtInverse(y, s), x)).toBeLessThan(1e-6);
  });

  it('rejects mismatched or malformed signs, unsupported lengths and non-finite entries', () => {
    const x = new Float64Array(12).fill(1);
    expect(() => rht(x, randomSigns(8, 1))).toThrow(/rht: signs must be of length 12/);
    expect(() => rhtInverse(x, randomSigns(16, 1))).toThrow(/rhtInverse: signs must be of length 12 \(y\.length\), got length 16/);
    expect(() => rht(x, new Int8Array(12))).toThrow(/rht: signs must be \+-1 everywhere, got 0 at index 0/);
    expect(() => rht(x, new Float64Array(12).fill(1) as unknown as Int8Array)).toThrow(TypeError);
    expect(() => rht(new Float64Array(10), randomSigns(10, 1))).toThrow(/rht: x\.length must be a supported Hadamard order.*got 10; nearest supported: 8 and 12/);
    const bad = x.slice();
    bad[3] = NaN;
    expect(() => rht(bad, randomSigns(12, 1))).toThrow(/rht: x must be finite everywhere, got NaN at index 3/);
    bad[3] = Infinity;
    expect(() => rhtInverse(bad, randomSigns(12, 1))).toThrow(/rhtInverse: y must be finite everywhere, got Infinity at index 3/);
    expect(() => rht([1, 2] as unknown as Float64Array, randomSigns(2, 1))).toThrow(TypeError);
    expect(() => rhtInverse(new Float64Array(6), randomSigns(6, 1))).toThrow(/rhtInverse: y\.length must be a supported Hadamard order/);
  });
});

describe('incoherenceRHT / reverseIncoherenceRHT', () => {
  it("matches the dense formulas W' = (V_m S_U) W (S_V V_n^T) / sqrt(mn), H' = (V_n S_V) H (S_V V_n^T) / n", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDERS), fc.constantFrom(...ORDERS), fc.nat({ max: 2 ** 40 }), (m, n, seed) => {
        const W = randomNormal(m * n, seed, 3);
        const H = symmetric(n, seed);
        const out = incoherenceRHT(ndarray(W, [m, n]), ndarray(H, [n, n]), { seed });
        const signsU = randomSigns(m, seed, 0);
        const signsV = randomSigns(n, seed, 1);
        expect(out.signsU).toEqual(signsU);
        expect(out.signsV).toEqual(signsV);
        const left = timesSigns(hadamardMatrix(m), m, signsU); // V_m S_U
        const VS = timesSigns(hadamardMatrix(n), n, signsV); // V_n S_V
        const right = transposeOf(VS, n, n); // S_V V_n^T
        const Wexp = matmul(matmul(left, W, m, m, n), right, m, n, n).map((v) => v / Math.sqrt(m * n));
        const Hexp = matmul(matmul(VS, H, n, n, n), right, n, n, n).map((v) => v / n);
        expect(out.W.shape).toEqual([m, n]);
        expect(out.H.shape).toEqual([n, n]);
        expect(relErr(dataOf(out.W), Wexp)).toBeLessThan(1e-12);
        expect(relErr(dataOf(out.H), Hexp)).toBeLessThan(1e-12);
      }),
      { numRuns: 50 },
    );
  });

  it("H' is exactly symmetric, and the round trip restores W (1e-12)", () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 24, 40, 52, 116), fc.constantFrom(20, 28, 64, 108, 172), fc.nat({ max: 2 ** 40 }), (m, n, seed) => {
        const W = randomNormal(m * n, seed, 3);
        const out = incoherenceRHT(ndarray(W, [m, n]), ndarray(symmetric(n, seed), [n, n]), { seed });
        const Hp = dataOf(out.H);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Hp[i * n + j]).toBe(Hp[j * n + i]);
        const back = reverseIncoherenceRHT(out.W, out.signsU, out.signsV);
        expect(back.shape).toEqual([m, n]);
        expect(relErr(dataOf(back), W)).toBeLessThan(1e-12);
      }),
      { numRuns: 15 },
    );
  });

  it('accepts strided float32 views, is deterministic, and takes bigint seeds', () => {
    const m = 12;
    const n = 20;
    const Wt = Float32Array.from(randomNormal(m * n, 1, 0));
    const view = ndarray(Wt, [m, n], [1, m]); // a transposed (column-major) view
    const dense = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dense[i * n + j] = view.get(i, j);
    const H = ndarray(symmetric(n, 2), [n, n]);
    const a = incoherenceRHT(view, H, { seed: 77 });
    const b = incoherenceRHT(ndarray(dense, [m, n]), H, { seed: 77 });
    expect(Array.from(a.W.data)).toEqual(Array.from(b.W.data));
    expect(Array.from(incoherenceRHT(view, H, { seed: 77n }).W.data)).toEqual(Array.from(a.W.data));
    expect(Array.from(incoherenceRHT(view, H, { seed: 78 }).W.data)).not.toEqual(Array.from(a.W.data));
  });

  it('lowers the incoherence of a matrix with outliers', () => {
    const m = 64;
    const n = 172;
    const W = randomNormal(m * n, 5, 0);
    for (const idx of [3, 500, 7000]) W[idx] = 80; // a few large outlier weights
    const before = incoherence(ndarray(W, [m, n]));
    const out = incoherenceRHT(ndarray(W, [m, n]), ndarray(symmetric(n, 5), [n, n]), { seed: 1 });
    const after = incoherence(out.W);
    expect(before).toBeGreaterThan(20);
    expect(after).toBeLessThan(6);
  });

  it('rejects bad input', () => {
    const W = ndarray(randomNormal(12 * 20, 1, 0), [12, 20]);
    const H = ndarray(symmetric(20, 1), [20, 20]);
    expect(() => incoherenceRHT(W, H, { seed: -1 })).toThrow(/incoherenceRHT: options\.seed must be an integer in \[0, 2\^53 - 1\].*got -1/);
    expect(() => incoherenceRHT(W, H, { seed: 1.5 })).toThrow(TypeError);
    expect(() => incoherenceRHT(W, H, { seed: -1n })).toThrow(RangeError);
    expect(() => incoherenceRHT(W, H, {} as { seed: number })).toThrow(/options\.seed must be/);
    expect(() => incoherenceRHT(W, H, undefined as unknown as { seed: number })).toThrow(/options\.seed must be/);
    expect(() => incoherenceRHT(W, ndarray(symmetric(12, 1), [12, 12]), { seed: 1 })).toThrow(/incoherenceRHT: H must be of shape \[20, 20\], got shape \[12, 12\]/);
    const asym = symmetric(20, 1);
    asym[1] += 1;
    expect(() => incoherenceRHT(W, ndarray(asym, [20, 20]), { seed: 1 })).toThrow(NotSymmetricError);
    const nan = randomNormal(12 * 20, 1, 0);
    nan[7] = NaN;
    expect(() => incoherenceRHT(ndarray(nan, [12, 20]), H, { seed: 1 })).toThrow(/incoherenceRHT: W must be finite everywhere, got NaN at index 7/);
    const W10 = ndarray(new Float64Array(10 * 20).fill(1), [10, 20]);
    expect(() => incoherenceRHT(W10, H, { seed: 1 })).toThrow(/incoherenceRHT: W\.shape\[0\] must be a supported Hadamard order.*got 10; nearest supported: 8 and 12/);
    expect(() => incoherenceRHT([[1]] as never, H, { seed: 1 })).toThrow(TypeError);

    const out = incoherenceRHT(W, H, { seed: 1 });
    expect(() => reverseIncoherenceRHT(out.W, out.signsV, out.signsV)).toThrow(/reverseIncoherenceRHT: signsU must be of length 12 \(What\.shape\[0\]\), got length 20/);
    expect(() => reverseIncoherenceRHT(out.W, out.signsU, out.signsU)).toThrow(/reverseIncoherenceRHT: signsV must be of length 20 \(What\.shape\[1\]\), got length 12/);
    expect(() => reverseIncoherenceRHT(out.W, out.signsU, new Int8Array(20))).toThrow(/reverseIncoherenceRHT: signsV must be \+-1 everywhere/);
    expect(() => reverseIncoherenceRHT(ndarray(new Float64Array(10 * 20), [10, 20]), new Int8Array(10).fill(1), out.signsV)).toThrow(
      /reverseIncoherenceRHT: What\.shape\[0\] must be a supported Hadamard order/,
    );
    const bad = new Float64Array(out.W.data);
    bad[0] = Infinity;
    expect(() => reverseIncoherenceRHT(ndarray(bad, [12, 20]), out.signsU, out.signsV)).toThrow(/What must be finite everywhere/);
  });
});

describe('incoherence', () => {
  it('is max|W_ij| sqrt(mn) / ||W||_F, between 1 and sqrt(mn)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.nat({ max: 2 ** 40 }), (m, n, seed) => {
        const W = randomNormal(m * n, seed, 0);
        let max = 0;
        let sq = 0;
        for (const v of W) {
          max = Math.max(max, Math.abs(v));
          sq += v * v;
        }
        const mu = incoherence(ndarray(W, [m, n]));
        expect(Math.abs(mu - (max * Math.sqrt(m * n)) / Math.sqrt(sq))).toBeLessThan(1e-12 * mu);
        expect(mu).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(mu).toBeLessThanOrEqual(Math.sqrt(m * n) * (1 + 1e-12));
      }),
      { numRuns: 60 },
    );
    expect(incoherence(ndarray(new Float64Array(6).fill(-2), [2, 3]))).toBeCloseTo(1, 14);
    const spike = new Float64Array(16);
    spike[5] = 3;
    expect(incoherence(ndarray(spike, [4, 4]))).toBeCloseTo(4, 14);
  });

  it('rejects an all-zero matrix, non-finite entries and non-matrices', () => {
    expect(() => incoherence(ndarray(new Float64Array(4), [2, 2]))).toThrow(/incoherence: W must be not all zero/);
    expect(() => incoherence(ndarray(Float64Array.of(1, NaN), [1, 2]))).toThrow(/incoherence: W must be finite everywhere/);
    expect(() => incoherence(new Float64Array(4) as never)).toThrow(TypeError);
  });
});
