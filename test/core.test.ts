import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { assertSymmetric, matrixFromRowMajor, readMatrix, symmetrizeInPlace, transpose } from '../src/core/matrix.js';
import { assertFinite, assertInteger, isPowerOfTwo } from '../src/core/validate.js';
import { compiledCopy } from '../src/core/specialize.js';
import { describeValue, NotPositiveDefiniteError, NotSymmetricError } from '../src/errors/index.js';

const dims = fc.integer({ min: 1, max: 9 });

describe('readMatrix (the ndarray boundary)', () => {
  it('copies any strided float32/float64 view into row-major float64', () => {
    fc.assert(
      fc.property(dims, dims, fc.boolean(), fc.integer({ min: 0, max: 5 }), (r, c, f32, pad) => {
        const base = new (f32 ? Float32Array : Float64Array)(pad + r * c);
        for (let i = 0; i < base.length; i++) base[i] = i * 0.5 - 3;
        // a transposed view with an offset: element (i, j) lives at pad + j * r + i
        const view = ndarray(base, [r, c], [1, r], pad);
        const M = readMatrix('t', 'A', view);
        expect([M.rows, M.cols]).toEqual([r, c]);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(M.data[i * c + j]).toBe(base[pad + j * r + i]);
        // a copy: writing to it leaves the input alone
        M.data[0] = 1e9;
        expect(base[pad]).not.toBe(1e9);
      }),
    );
  });

  it('rejects what is not a finite non-empty 2-D float matrix', () => {
    expect(() => readMatrix('f', 'W', [[1, 2]])).toThrow(/f: W must be a 2-D ndarray over a Float32Array or Float64Array, got Array\(1\)/);
    expect(() => readMatrix('f', 'W', ndarray([1, 2, 3, 4], [2, 2]))).toThrow(TypeError);
    expect(() => readMatrix('f', 'W', ndarray(new Int32Array(4), [2, 2]))).toThrow(TypeError);
    expect(() => readMatrix('f', 'W', ndarray(new Float64Array(8), [2, 2, 2]))).toThrow(/f: W must be a 2-D ndarray, got shape \[2, 2, 2\]/);
    expect(() => readMatrix('f', 'W', ndarray(new Float64Array(0), [0, 3]))).toThrow(/non-empty/);
    expect(() => readMatrix('f', 'W', ndarray(new Float64Array([1, Number.NaN]), [1, 2]))).toThrow(
      /f: W must be finite everywhere, got NaN at index 1/,
    );
    expect(() => readMatrix('f', 'W', ndarray(new Float32Array([Infinity]), [1, 1]))).toThrow(RangeError);
  });
});

describe('matrix helpers', () => {
  it('matrixFromRowMajor wraps without copying and checks the length', () => {
    const d = new Float64Array(6);
    const M = matrixFromRowMajor(d, 2, 3);
    expect(M.shape).toEqual([2, 3]);
    expect(M.data).toBe(d);
    expect(() => matrixFromRowMajor(d, 4, 2)).toThrow(RangeError);
  });

  it('transpose agrees with the definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), (r, c) => {
        const A = Float64Array.from({ length: r * c }, (_, i) => i);
        const T = transpose(A, r, c);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(T[j * r + i]).toBe(A[i * c + j]);
      }),
      { numRuns: 50 },
    );
  });

  it('assertSymmetric accepts round-off, rejects real asymmetry and names the worst pair', () => {
    const A = new Float64Array([4, 1, 2, 1, 5, 3, 2, 3, 6]);
    expect(() => assertSymmetric('f', 'H', A, 3)).not.toThrow();
    A[5] += 5e-10; // relative asymmetry 5e-10 / 6 < 1e-10: accepted
    expect(() => assertSymmetric('f', 'H', A, 3)).not.toThrow();
    A[5] += 1e-3;
    let err: unknown;
    try {
      assertSymmetric('f', 'H', A, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotSymmetricError);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as NotSymmetricError).row).toBe(2);
    expect((err as NotSymmetricError).col).toBe(1);
    expect((err as Error).message).toMatch(/^f: H must be symmetric/);
  });

  it('symmetrizeInPlace makes a matrix exactly symmetric with the mean of the pair', () => {
    const A = new Float64Array([1, 2, 4, 3]);
    symmetrizeInPlace(A, 2);
    expect(Array.from(A)).toEqual([1, 3, 3, 3]);
  });
});

describe('validation helpers and errors', () => {
  it('assertFinite, assertInteger, isPowerOfTwo', () => {
    expect(() => assertFinite('f', 'x', [1, 2, -Infinity])).toThrow(/f: x must be finite everywhere, got -Infinity at index 2/);
    expect(() => assertInteger('f', 'k', 3.5, 0, 9)).toThrow(TypeError);
    expect(() => assertInteger('f', 'k', 10, 0, 9)).toThrow(/f: k must be an integer in \[0, 9\], got 10/);
    expect([1, 2, 1024, 2 ** 30].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 12, -4, 0.5, 2 ** 31].some(isPowerOfTwo)).toBe(false);
  });

  it('describes given values briefly', () => {
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue(5n)).toBe('5n');
    expect(describeValue(null)).toBe('null');
    expect(describeValue({})).toBe('an object');
    expect(describeValue('x'.repeat(100)).length).toBeLessThan(50);
  });

  it('NotPositiveDefiniteError carries the pivot and a hint', () => {
    const e = new NotPositiveDefiniteError('cholesky', 'H', 7, -0.5);
    expect(e).toBeInstanceOf(RangeError);
    expect(e.name).toBe('NotPositiveDefiniteError');
    expect(e.pivot).toBe(7);
    expect(e.message).toMatch(/cholesky: H must be symmetric positive definite, but pivot 7 is -0.5.*regularizeHessian/);
  });
});

/** A self-contained factory: a closure with state of its own, so separate copies are observable. */
function counterFactory() {
  let calls = 0;
  return {
    sumSquares(x: Float64Array): number {
      calls++;
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i] * x[i];
      return s;
    },
    calls: () => calls,
  };
}

const outsideName = 2;

describe('compiledCopy', () => {
  it('returns a separately compiled copy that computes the same', () => {
    const shared = counterFactory();
    const copy = compiledCopy(counterFactory, 'test-counter');
    expect(copy.sumSquares).not.toBe(shared.sumSquares);
    const x = Float64Array.from([1, 2, 3.5]);
    expect(copy.sumSquares(x)).toBe(shared.sumSquares(x));
    copy.sumSquares(x);
    expect([copy.calls(), shared.calls()]).toEqual([2, 1]);
  });

  it('compiles in the global scope, so a factory must not use module names', () => {
    const leaky = () => ({ get: () => outsideName });
    expect(leaky().get()).toBe(2);
    expect(() => compiledCopy(leaky, 'test-leaky').get()).toThrow(ReferenceError);
  });

  it('falls back to calling the factory where code generation is refused', () => {
    const leaky = () => ({ get: () => outsideName });
    vi.stubGlobal('Function', function refuse() {
      throw new EvalError('Code generation from strings disallowed for this context');
    });
    let fallback: ReturnType<typeof leaky>;
    try {
      fallback = compiledCopy(leaky, 'test-refused');
    } finally {
      vi.unstubAllGlobals();
    }
    // factory() itself, so the module name resolves
    expect(fallback.get()).toBe(2);
  });
});
