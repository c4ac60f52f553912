import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import {
  incoherenceProcess,
  incoherenceRFFT,
  reverseIncoherence,
  reverseIncoherenceRFFT,
  rfftInverse,
  rfftTransform,
} from '../src/incoherence/index.js';
import { incoherenceRHT } from '../src/incoherence/index.js';
import { randomNormal, randomPhases } from '../src/random/index.js';
import { NotSymmetricError } from '../src/errors/index.js';
import { matmul, maxAbsDiff, norm, symmetric, transposeOf } from './reference.js';

/**
 * The real n x n matrix of rfftTransform, column by column from the definition: e_c is z = e_j (c = 2j)
 * or i e_j (c = 2j + 1); y_a = e^{i phi_j} z_j e^{-2 pi i a j / k} / sqrt(k), k = n / 2.
 */
function rfftMatrix(phases: Float64Array): Float64Array {
  const k = phases.length;
  const n = 2 * k;
  const Q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const j = c >> 1;
    for (let a = 0; a < k; a++) {
      // angle of e^{i phi_j} e^{-2 pi i a j / k}, times i for odd columns
      const theta = phases[j] - (2 * Math.PI * ((a * j) % k)) / k + (c % 2 === 1 ? Math.PI / 2 : 0);
      Q[2 * a * n + c] = Math.cos(theta) / Math.sqrt(k);
      Q[(2 * a + 1) * n + c] = Math.sin(theta) / Math.sqrt(k);
    }
  }
  return Q;
}

function trace(A: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += A[i * n + i];
  return t;
}

const half = fc.integer({ min: 1, max: 40 });
const seed = fc.integer({ min: 0, max: 2 ** 31 });

describe('rfftTransform', () => {
  it('equals the product with the explicit matrix Q built from the DFT definition', () => {
    fc.assert(
      fc.property(half, seed, (k, sd) => {
        const n = 2 * k;
        const phases = randomPhases(k, sd, 2);
        const x = randomNormal(n, sd, 5);
        const Qx = matmul(rfftMatrix(phases), x, n, n, 1);
        expect(maxAbsDiff(rfftTransform(x, phases), Qx)).toBeLessThan(1e-13 * norm(x));
        // the inverse is Q^T
        expect(maxAbsDiff(rfftInverse(x, phases), matmul(transposeOf(rfftMatrix(phases), n, n), x, n, n, 1))).toBeLessThan(
          1e-13 * norm(x),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('is orthogonal: preserves norms, and rfftInverse undoes it (large and prime half-lengths too)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 700 }), fc.constantFrom(1021, 2752, 4096)), seed, (k, sd) => {
        const phases = randomPhases(k, sd, 3);
        const x = randomNormal(2 * k, sd, 4);
        const y = rfftTransform(x, phases);
        expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-12 * norm(x));
        expect(maxAbsDiff(rfftInverse(y, phases), x)).toBeLessThan(1e-12 * norm(x));
        expect(maxAbsDiff(rfftTransform(rfftInverse(x, phases), phases), x)).toBeLessThan(1e-12 * norm(x));
      }),
      { numRuns: 40 },
    );
  });

  it('returns a new array of the input type and leaves the input alone', () => {
    const phases = randomPhases(6, 1, 2);
    const x64 = randomNormal(12, 1, 0);
    const copy = x64.slice();
    const y64 = rfftTransform(x64, phases);
    expect(y64).toBeInstanceOf(Float64Array);
    expect(y64).not.toBe(x64);
    expect(x64).toEqual(copy);
    const x32 = Float32Array.from(x64);
    const y32 = rfftTransform(x32, phases);
    expect(y32).toBeInstanceOf(Float32Array);
    // computed in float64 and rounded once
    expect(y32).toEqual(Float32Array.from(rfftTransform(Float64Array.from(x32), phases)));
    expect(rfftInverse(y32, phases)).toBeInstanceOf(Float32Array);
  });

  it('is deterministic and depends on the phases', () => {
    const x = randomNormal(16, 3, 0);
    const a = rfftTransform(x, randomPhases(8, 9, 2));
    expect(rfftTransform(x, randomPhases(8, 9, 2))).toEqual(a);
    expect(maxAbsDiff(rfftTransform(x, randomPhases(8, 10, 2)), a)).toBeGreaterThan(1e-3);
  });

  it('rejects odd lengths, wrong phases and non-finite entries', () => {
    const p = randomPhases(2, 0, 2);
    expect(() => rfftTransform(new Float64Array(5), p)).toThrow(
      /rfftTransform: x.length must be even and >= 2 \(the RFFT pairs entries into complex numbers\), got 5/,
    );
    expect(() => rfftInverse(new Float64Array(0), p)).toThrow(/rfftInverse: y.length must be even and >= 2/);
    expect(() => rfftTransform(new Float64Array(6), p)).toThrow(
      /rfftTransform: phases must be of length 3 \(x.length \/ 2\), got length 2/,
    );
    expect(() => rfftTransform(new Float64Array(4), Float32Array.of(0, 1) as unknown as Float64Array)).toThrow(TypeError);
    expect(() => rfftTransform([1, 2] as unknown as Float64Array, p)).toThrow(TypeError);
    expect(() => rfftTransform(Float64Array.of(1, 2, Infinity, 0), p)).toThrow(
      /rfftTransform: x must be finite everywhere, got Infinity at index 2/,
    );
    expect(() => rfftInverse(new Float64Array(4), Float64Array.of(0, Number.NaN))).toThrow(
      /rfftInverse: phases must be finite everywhere, got NaN at index 1/,
    );
  });
});

const dim = fc.integer({ min: 1, max: 12 }).map((h) => 2 * h);

describe('incoherenceRFFT', () => {
  it('W\' = Q_U W Q_V^T and H\' = Q_V H Q_V^T with the seeded phases (streams 2 and 3)', () => {
    fc.assert(
      fc.property(dim, dim, seed, (m, n, sd) => {
        const W = randomNormal(m * n, sd, 0);
        const H = symmetric(n, sd);
        const out = incoherenceRFFT(ndarray(W, [m, n]), ndarray(H, [n, n]), { seed: sd });
        expect(out.phasesU).toEqual(randomPhases(m / 2, sd, 2));
        expect(out.phasesV).toEqual(randomPhases(n / 2, sd, 3));
        const QU = rfftMatrix(out.phasesU);
        const QV = rfftMatrix(out.phasesV);
        const Wp = matmul(matmul(QU, W, m, m, n), QV, m, n, n, true);
        const Hp = matmul(matmul(QV, H, n, n, n), QV, n, n, n, true);
        expect(out.W.shape).toEqual([m, n]);
        expect(maxAbsDiff(out.W.data, Wp)).toBeLessThan(1e-13 * norm(W));
        expect(maxAbsDiff(out.H.data, Hp)).toBeLessThan(1e-13 * norm(H));
      }),
      { numRuns: 30 },
    );
  });

  it('round trips W and keeps H\' exactly symmetric with the same trace and Frobenius norm', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), seed, (hm, hn, sd) => {
        const [m, n] = [2 * hm, 2 * hn];
        const W = randomNormal(m * n, sd, 0);
        const H = symmetric(n, sd);
        const out = incoherenceRFFT(ndarray(W, [m, n]), ndarray(H, [n, n]), { seed: sd });
        const back = reverseIncoherenceRFFT(out.W, out.phasesU, out.phasesV);
        expect(maxAbsDiff(back.data, W)).toBeLessThan(1e-12 * norm(W));
        const Hp = out.H.data;
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Hp[i * n + j]).toBe(Hp[j * n + i]);
        expect(Math.abs(trace(Hp, n) - trace(H, n))).toBeLessThan(1e-10 * norm(H));
        expect(Math.abs(norm(Hp) - norm(H))).toBeLessThan(1e-10 * norm(H));
      }),
      { numRuns: 30 },
    );
  });

  it('accepts strided float32 views and is deterministic', () => {
    const W = Float32Array.from(randomNormal(24, 4, 0));
    const view = ndarray(W, [4, 6], [1, 4]); // the transpose of a 6 x 4 row-major buffer
    const H = symmetric(6, 4);
    const a = incoherenceRFFT(view, ndarray(H, [6, 6]), { seed: 11n });
    const b = incoherenceRFFT(view, ndarray(H, [6, 6]), { seed: 11 });
    expect(a.W.data).toEqual(b.W.data);
    const dense = new Float64Array(24);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) dense[i * 6 + j] = W[j * 4 + i];
    expect(maxAbsDiff(reverseIncoherenceRFFT(a.W, a.phasesU, a.phasesV).data, dense)).toBeLessThan(1e-12 * norm(dense));
  });

  it('rejects odd dimensions, bad H, bad seeds and wrong phases', () => {
    const H4 = ndarray(symmetric(4, 0), [4, 4]);
    expect(() => incoherenceRFFT(ndarray(new Float64Array(12), [3, 4]), H4, { seed: 1 })).toThrow(
      /incoherenceRFFT: W.shape\[0\] must be even and >= 2 \(the RFFT pairs entries into complex numbers\), got 3/,
    );
    const H5 = ndarray(symmetric(5, 0), [5, 5]);
    expect(() => incoherenceRFFT(ndarray(new Float64Array(10), [2, 5]), H5, { seed: 1 })).toThrow(/W.shape\[1\] must be even/);
    expect(() => incoherenceRFFT(ndarray(new Float64Array(8), [2, 4]), ndarray(new Float64Array(9), [3, 3]), { seed: 1 })).toThrow(
      /incoherenceRFFT: H must be of shape \[4, 4\], got shape \[3, 3\]/,
    );
    const asym = symmetric(4, 0);
    asym[1] += 1;
    expect(() => incoherenceRFFT(ndarray(new Float64Array(8), [2, 4]), ndarray(asym, [4, 4]), { seed: 1 })).toThrow(NotSymmetricError);
    const bad = new Float64Array(8);
    bad[5] = Number.NaN;
    expect(() => incoherenceRFFT(ndarray(bad, [2, 4]), H4, { seed: 1 })).toThrow(/incoherenceRFFT: W must be finite everywhere, got NaN at index 5/);
    expect(() => incoherenceRFFT(ndarray(new Float64Array(8), [2, 4]), H4, { seed: -1 })).toThrow(/options.seed/);
    const What = ndarray(new Float64Array(8), [2, 4]);
    expect(() => reverseIncoherenceRFFT(What, new Float64Array(1), new Float64Array(3))).toThrow(
      /reverseIncoherenceRFFT: phasesV must be of length 2 \(What.shape\[1\] \/ 2\), got length 3/,
    );
    expect(() => reverseIncoherenceRFFT(What, new Float64Array(2), new Float64Array(2))).toThrow(/phasesU must be of length 1 \(What.shape\[0\] \/ 2\)/);
    expect(() => reverseIncoherenceRFFT(ndarray(new Float64Array(6), [2, 3]), new Float64Array(1), new Float64Array(1))).toThrow(
      /What.shape\[1\] must be even/,
    );
  });
});

describe('incoherenceProcess', () => {
  const W = (m: number, n: number) => ndarray(randomNormal(m * n, 5, 0), [m, n]);
  const H = (n: number) => ndarray(symmetric(n, 5), [n, n]);

  it("'auto' takes RHT when both dimensions are Hadamard orders, RFFT otherwise", () => {
    const rht = incoherenceProcess(W(8, 12), H(12), { method: 'auto', seed: 3 });
    expect(rht.method).toBe('rht');
    expect(rht.W.data).toEqual(incoherenceRHT(W(8, 12), H(12), { seed: 3 }).W.data);
    const rfft = incoherenceProcess(W(8, 10), H(10), { seed: 3 }); // 10 is not a Hadamard order
    expect(rfft.method).toBe('rfft');
    expect(rfft.W.data).toEqual(incoherenceRFFT(W(8, 10), H(10), { seed: 3 }).W.data);
    expect(incoherenceProcess(W(6, 8), H(8), { method: 'auto', seed: 3 }).method).toBe('rfft');
  });

  it('honours an explicit method and reverses either through reverseIncoherence', () => {
    for (const method of ['rht', 'rfft'] as const) {
      const out = incoherenceProcess(W(4, 8), H(8), { method, seed: 9 });
      expect(out.method).toBe(method);
      if (out.method === 'rht') expect(out.signsU).toHaveLength(4);
      else expect(out.phasesU).toHaveLength(2);
      const back = reverseIncoherence(out.W, out);
      expect(maxAbsDiff(back.data, W(4, 8).data)).toBeLessThan(1e-12 * norm(W(4, 8).data));
    }
  });

  it('explains what it cannot do', () => {
    expect(() => incoherenceProcess(W(4, 8), H(8), undefined as unknown as { seed: number })).toThrow(
      /incoherenceProcess: options must be an object \{ method\?, seed \}, got undefined/,
    );
    expect(() => incoherenceProcess(W(4, 8), H(8), { method: 'fft' as 'rht', seed: 1 })).toThrow(
      /incoherenceProcess: options.method must be 'rht', 'rfft' or 'auto', got "fft"/,
    );
    expect(() => incoherenceProcess(W(3, 8), H(8), { seed: 1 })).toThrow(
      /incoherenceProcess: W.shape\[0\] must be a supported Hadamard order or even \(for method 'auto'\), got 3/,
    );
    expect(() => incoherenceProcess(W(6, 8), H(8), { method: 'rht', seed: 1 })).toThrow(/^incoherenceProcess: W.shape\[0\] must be a supported Hadamard order/);
    expect(() => incoherenceProcess(W(4, 5), H(5), { method: 'rfft', seed: 1 })).toThrow(/^incoherenceProcess: W.shape\[1\] must be even/);
    expect(() => reverseIncoherence(W(4, 8), { method: 'none' } as unknown as Parameters<typeof reverseIncoherence>[1])).toThrow(
      /reverseIncoherence: processed.method must be 'rht' or 'rfft' \(the result of incoherenceProcess\), got "none"/,
    );
  });
});
