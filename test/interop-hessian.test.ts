import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { readTorchFile } from '../src/io/torch.js';
import {
  denseToQuipSharpHessian,
  quipSharpHessianToDense,
  regularizeQuipSharpHessian,
} from '../src/interop/index.js';
import { NotSymmetricError } from '../src/errors/index.js';
import { b64, sampleBytes, sampleJson, type B64Array } from './interop-samples.js';

const layer = sampleJson<{ H: B64Array; hessian_file: { flatH: B64Array; mu: B64Array; n: number; ct: number } }>('layer_B2.json');

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("QuIP#'s Hessian files", () => {
  it("B2_hessian.pt, expanded, mu mu^T added and regularized in float32, is bit for bit the H QuIP#'s quantize received", () => {
    const file = readTorchFile(sampleBytes('B2_hessian.pt')) as Record<string, unknown>;
    const dense = quipSharpHessianToDense(file);
    expect(dense.shape).toEqual([256, 256]);
    const H = regularizeQuipSharpHessian(dense, 1e-2);
    expect(maxAbsDiff(H.data, b64(layer.H, 'float64'))).toBe(0);
    // The same from the JSON copy of the fields, given as plain Float32Arrays.
    const { flatH, mu, n } = layer.hessian_file;
    const fromJson = quipSharpHessianToDense({ flatH: b64(flatH, 'float32'), mu: b64(mu, 'float32'), n });
    expect(fromJson.data).toEqual(dense.data);
  });

  it('the dense matrix is flatH (lower triangle, row by row) plus mu mu^T, each entry a float32', () => {
    // n = 3: flatH = (0,0), (1,0), (1,1), (2,0), (2,1), (2,2)
    const flatH = Float32Array.of(1, 2, 3, 4, 5, 6);
    const mu = Float32Array.of(0.5, -1, 0.1);
    const H = quipSharpHessianToDense({ flatH, mu, n: 3 });
    const f = Math.fround;
    const expected = [
      [1 + 0.25, 2 - 0.5, f(4 + f(f(0.1) * 0.5))],
      [2 - 0.5, 3 + 1, f(5 - f(0.1))],
      [f(4 + f(f(0.1) * 0.5)), f(5 - f(0.1)), f(6 + f(f(0.1) * f(0.1)))],
    ];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H.get(i, j)).toBe(expected[i][j]);
  });

  it('denseToQuipSharpHessian inverts it (to float32 rounding), on random inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, ct, seed) => {
        // Samples x_t with a mean offset: H = E[x x^T], mu = E[x].
        const x = Float64Array.from({ length: n * ct }, (_, i) => Math.sin(seed + 1.3 * i) * 3 + (i % n) * 0.25);
        const mu = new Float64Array(n);
        const H = new Float64Array(n * n);
        for (let t = 0; t < ct; t++) {
          for (let i = 0; i < n; i++) {
            mu[i] += x[t * n + i] / ct;
            for (let j = 0; j < n; j++) H[i * n + j] += (x[t * n + i] * x[t * n + j]) / ct;
          }
        }
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[j * n + i] = H[i * n + j];
        const file = denseToQuipSharpHessian(ndarray(H, [n, n]), mu, ct);
        expect(file.n).toBe(n);
        expect(file.ct).toBe(ct);
        expect(file.flatH.length).toBe((n * (n + 1)) / 2);
        expect(file.mu).toEqual(Float32Array.from(mu));
        for (let i = 0, k = 0; i < n; i++) for (let j = 0; j <= i; j++, k++) expect(file.flatH[k]).toBe(Math.fround(H[i * n + j] - mu[i] * mu[j]));
        const back = quipSharpHessianToDense(file);
        let scale = 0;
        for (const v of H) scale = Math.max(scale, Math.abs(v));
        expect(maxAbsDiff(back.data, H)).toBeLessThanOrEqual(scale * 2 ** -21);
      }),
      { numRuns: 60 },
    );
  });

  it('regularizeQuipSharpHessian: H / mean(diag H) + sigmaReg I in float32; its argument checks', () => {
    const H = regularizeQuipSharpHessian(ndarray(Float64Array.of(2, 1, 1, 4), [2, 2]), 0.5);
    const f = Math.fround;
    expect([...H.data]).toEqual([f(f(2 / 3) + 0.5), f(1 / 3), f(1 / 3), f(f(4 / 3) + 0.5)]);
    expect(regularizeQuipSharpHessian(ndarray(Float64Array.of(3), [1, 1])).get(0, 0)).toBe(Math.fround(1 + Math.fround(0.01)));
    expect(() => regularizeQuipSharpHessian(ndarray(Float64Array.of(-1, 0, 0, -1), [2, 2]))).toThrow(
      new RangeError('regularizeQuipSharpHessian: H must be a matrix whose diagonal has a positive float32 mean, got mean -1'),
    );
    expect(() => regularizeQuipSharpHessian(ndarray(Float64Array.of(1, 2, 0, 1), [2, 2]))).toThrow(NotSymmetricError);
    expect(() => regularizeQuipSharpHessian(ndarray(Float64Array.of(1), [1, 1]), -1)).toThrow(RangeError);
    expect(() => regularizeQuipSharpHessian(ndarray(Float64Array.of(1), [1, 1]), NaN)).toThrow(RangeError);
  });

  it('checks the file fields and the dense arguments', () => {
    const ok = { flatH: new Float32Array(3), mu: new Float32Array(2), n: 2 };
    expect(() => quipSharpHessianToDense({ ...ok, n: 3 })).toThrow(
      new RangeError('quipSharpHessianToDense: file.flatH must be of length 6, got length 3'),
    );
    expect(() => quipSharpHessianToDense({ ...ok, flatH: new Float64Array(3) as unknown as Float32Array })).toThrow(
      new TypeError('quipSharpHessianToDense: file.flatH must be a Float32Array or an F32 tensor, got Float64Array(3)'),
    );
    expect(() => quipSharpHessianToDense({ ...ok, mu: { dtype: 'F64', shape: [2], data: new Float64Array(2) } })).toThrow(
      new RangeError("quipSharpHessianToDense: file.mu.dtype must be 'F32', got 'F64'"),
    );
    expect(() => quipSharpHessianToDense({ ...ok, mu: { dtype: 'F32', shape: [3], data: new Float32Array(3) } })).toThrow(
      new RangeError('quipSharpHessianToDense: file.mu.shape must be [2], got [3]'),
    );
    expect(() => quipSharpHessianToDense({ ...ok, flatH: Float32Array.of(1, NaN, 1) })).toThrow(
      new RangeError('quipSharpHessianToDense: file.flatH must be finite everywhere, got NaN at index 1'),
    );
    expect(() => quipSharpHessianToDense({ ...ok, n: 0 })).toThrow(RangeError);
    expect(() => quipSharpHessianToDense(null as unknown as Record<string, unknown>)).toThrow(TypeError);
    const I = ndarray(Float64Array.of(1, 0, 0, 1), [2, 2]);
    expect(() => denseToQuipSharpHessian(I, new Float64Array(3), 1)).toThrow(
      new RangeError('denseToQuipSharpHessian: mu must be of length 2 (the size of H), got length 3'),
    );
    expect(() => denseToQuipSharpHessian(I, new Float64Array(2), 0)).toThrow(RangeError);
    expect(() => denseToQuipSharpHessian(I, [0, 0] as unknown as Float64Array, 1)).toThrow(TypeError);
    expect(() => denseToQuipSharpHessian(ndarray(Float64Array.of(1e300, 0, 0, 1), [2, 2]), new Float64Array(2), 1)).toThrow(
      new RangeError('denseToQuipSharpHessian: H - mu mu^T (in float32) must be finite everywhere, got Infinity at index 0'),
    );
  });
});
