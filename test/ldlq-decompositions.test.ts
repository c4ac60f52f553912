import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { blockLDL, cholesky, choleskyInPlace, ldl, regularizeHessian } from '../src/ldlq/index.js';
import { NotPositiveDefiniteError, NotSymmetricError } from '../src/errors/index.js';
import { randomNormal } from '../src/random/index.js';
import { matrixFromRowMajor } from '../src/core/index.js';

/** Random SPD matrix Q diag(lambda) Q^T, lambda log-spaced from 1 to cond, Q from Gram-Schmidt (twice) on Gaussians. */
function randomSPD(n: number, cond: number, seed: number): Float64Array {
  const Q = randomNormal(n * n, seed, 7); // rows are the vectors
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += Q[i * n + k] * Q[j * n + k];
        for (let k = 0; k < n; k++) Q[i * n + k] -= d * Q[j * n + k];
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] ** 2;
      s = Math.sqrt(s);
      for (let k = 0; k < n; k++) Q[i * n + k] /= s;
    }
  }
  const lambda = Float64Array.from({ length: n }, (_, i) => (n === 1 ? 1 : cond ** (i / (n - 1))));
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[k * n + a] * lambda[k] * Q[k * n + b];
      H[a * n + b] = s;
      H[b * n + a] = s;
    }
  }
  return H;
}

const maxAbs = (A: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < A.length; i++) m = Math.max(m, Math.abs(A[i]));
  return m;
};

/** max |H - L D L^T| / max |H| with D given as a dense n x n matrix (row-major). */
function reconstructionError(H: Float64Array, L: Float64Array, D: Float64Array, n: number): number {
  const LD = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const l = L[i * n + k];
    if (l !== 0) for (let j = 0; j < n; j++) LD[i * n + j] += l * D[k * n + j];
  }
  let err = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += LD[i * n + k] * L[j * n + k];
    err = Math.max(err, Math.abs(s - H[i * n + j]));
  }
  return err / maxAbs(H);
}

/** blockdiag(D_0, D_1, ...) as a dense n x n matrix, from the stacked g x g blocks of blockLDL's D. */
function denseBlockDiag(D: Float64Array, n: number, g: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let k0 = 0; k0 < n; k0 += g) {
    for (let s = 0; s < g; s++) for (let t = 0; t < g; t++) out[(k0 + s) * n + k0 + t] = D[k0 * g + s * g + t];
  }
  return out;
}

/** The unblocked textbook Cholesky; returns the failing pivot index or the factor. */
function naiveCholesky(H: Float64Array, n: number): Float64Array | number {
  const C = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = H[j * n + j];
    for (let p = 0; p < j; p++) s -= C[j * n + p] ** 2;
    if (!(s > 0)) return j;
    C[j * n + j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = H[i * n + j];
      for (let p = 0; p < j; p++) t -= C[i * n + p] * C[j * n + p];
      C[i * n + j] = t / C[j * n + j];
    }
  }
  return C;
}

const M = (data: Float64Array, n: number) => matrixFromRowMajor(data, n, n);
const conds = fc.constantFrom(1, 10, 1e4, 1e8);
// sizes around the panel width (64) and the trailing row block (256) included
const sizes = fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(63, 64, 65, 129, 200, 257, 300));

describe('cholesky', () => {
  it('C C^T reconstructs H to 1e-12 relative, C lower triangular, positive diagonal', () => {
    fc.assert(
      fc.property(sizes, conds, fc.nat(1000), (n, cond, seed) => {
        const H = randomSPD(n, cond, seed);
        const C = cholesky(M(H.slice(), n));
        expect(C.shape).toEqual([n, n]);
        const c = C.data;
        let shapeOk = true;
        for (let i = 0; i < n; i++) {
          shapeOk &&= c[i * n + i] > 0;
          for (let j = i + 1; j < n; j++) shapeOk &&= c[i * n + j] === 0;
        }
        expect(shapeOk).toBe(true);
        expect(reconstructionError(H, c, new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? 1 : 0)), n)).toBeLessThan(1e-12);
      }),
      { numRuns: 25 },
    );
  });

  it('equals the unblocked textbook Cholesky bit for bit (the blocked updates subtract in the same order)', () => {
    fc.assert(
      fc.property(sizes, fc.constantFrom(10, 1e8), fc.nat(1000), (n, cond, seed) => {
        const H = randomSPD(n, cond, seed);
        const ref = naiveCholesky(H, n) as Float64Array;
        expect(cholesky(M(H, n)).data).toEqual(ref);
      }),
      { numRuns: 15 },
    );
  });

  it('reads any strided float32/float64 view; choleskyInPlace gives the same bits in place', () => {
    const n = 70;
    const H = randomSPD(n, 100, 3);
    const C = cholesky(M(H, n)).data;
    // transposed view (H is symmetric, so the same matrix)
    expect(cholesky(ndarray(H, [n, n], [1, n])).data).toEqual(C);
    const A = H.slice();
    expect(choleskyInPlace(A, n)).toBe(A);
    expect(A).toEqual(C);
    const H32 = Float32Array.from(H);
    const C32 = cholesky(ndarray(H32, [n, n])).data;
    expect(C32).toEqual(choleskyInPlace(Float64Array.from(H32), n));
  });

  it('reports the failing pivot of an indefinite matrix, with a hint to regularize', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 150 }), fc.nat(1000), fc.nat(), (n, seed, pick) => {
        // H = C C^T with pivot j of C zeroed out of the diagonal: H is PSD with pivot j exactly at 0 -> shift it negative
        const H = randomSPD(n, 10, seed);
        const j = pick % n;
        // make the leading (j+1) x (j+1) block indefinite: subtract twice its smallest Schur pivot from H_jj
        const ref = naiveCholesky(H, n) as Float64Array;
        H[j * n + j] -= 2 * ref[j * n + j] ** 2;
        expect(naiveCholesky(H, n)).toBe(j);
        let caught: unknown;
        try {
          cholesky(M(H, n));
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(NotPositiveDefiniteError);
        expect((caught as NotPositiveDefiniteError).pivot).toBe(j);
        expect((caught as Error).message).toMatch(/cholesky: H must be symmetric positive definite, but pivot \d+ is .*regularizeHessian/);
      }),
      { numRuns: 20 },
    );
  });

  it('rejects bad input', () => {
    const A = new Float64Array([2, 1, 0, 2]);
    expect(() => cholesky(M(A, 2))).toThrow(NotSymmetricError);
    expect(() => cholesky(M(new Float64Array([4, 2, 2 + 1e-9, 3]), 2))).toThrow(/cholesky: H must be symmetric/);
    expect(cholesky(M(new Float64Array([4, 2 + 1e-15, 2, 3]), 2)).data[2]).toBe(1); // within the relative tolerance
    expect(() => cholesky(ndarray(new Float64Array(6), [2, 3]))).toThrow(/cholesky: H must be square, got shape \[2, 3\]/);
    expect(() => cholesky(M(new Float64Array([1, Number.NaN, Number.NaN, 1]), 2))).toThrow(/cholesky: H must be finite everywhere/);
    expect(() => cholesky(M(new Float64Array([Infinity]), 1))).toThrow(RangeError);
    expect(() => cholesky([[1]] as never)).toThrow(TypeError);
    expect(() => cholesky(M(new Float64Array([0]), 1))).toThrow(NotPositiveDefiniteError);
    expect(() => choleskyInPlace(new Float32Array(4) as never, 2)).toThrow(/choleskyInPlace: A must be a Float64Array, got Float32Array\(4\)/);
    expect(() => choleskyInPlace(new Float64Array(4), 3)).toThrow(/choleskyInPlace: A must be of length 9 \(n \* n\), got length 4/);
    expect(() => choleskyInPlace(new Float64Array(4), 1.5)).toThrow(TypeError);
    expect(() => choleskyInPlace(new Float64Array([1, 0, 0, Number.NaN]), 2)).toThrow(/finite/);
    expect(() => choleskyInPlace(new Float64Array([1, 1, 0, 1]), 2)).toThrow(NotSymmetricError);
    expect(() => choleskyInPlace(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/choleskyInPlace: A must be symmetric positive definite, but pivot 1/);
  });
});

describe('ldl', () => {
  it('L diag(D) L^T reconstructs H (1e-12 relative), L unit lower triangular, D > 0', () => {
    fc.assert(
      fc.property(sizes, conds, fc.nat(1000), (n, cond, seed) => {
        const H = randomSPD(n, cond, seed);
        const { L, D } = ldl(M(H, n));
        expect(D).toBeInstanceOf(Float64Array);
        expect(D.length).toBe(n);
        const l = L.data;
        let shapeOk = true;
        for (let i = 0; i < n; i++) {
          shapeOk &&= D[i] > 0 && l[i * n + i] === 1;
          for (let j = i + 1; j < n; j++) shapeOk &&= l[i * n + j] === 0;
        }
        expect(shapeOk).toBe(true);
        const Dd = new Float64Array(n * n);
        for (let i = 0; i < n; i++) Dd[i * n + i] = D[i];
        expect(reconstructionError(H, l, Dd, n)).toBeLessThan(1e-12);
      }),
      { numRuns: 20 },
    );
  });

  it('rejects bad input', () => {
    expect(() => ldl(M(new Float64Array([1, 2, 3, 1]), 2))).toThrow(NotSymmetricError);
    expect(() => ldl(M(new Float64Array([1, 2, 2, 1]), 2))).toThrow(/ldl: H must be symmetric positive definite, but pivot 1/);
    expect(() => ldl(ndarray(new Float64Array(2), [1, 2]))).toThrow(/ldl: H must be square/);
    expect(() => ldl(M(new Float64Array([Number.NaN]), 1))).toThrow(/finite/);
    expect(() => ldl('H' as never)).toThrow(TypeError);
  });
});

describe('blockLDL', () => {
  const divisorCase = fc
    .tuple(fc.constantFrom(1, 2, 3, 4, 8), fc.integer({ min: 1, max: 24 }), conds, fc.nat(1000))
    .map(([g, blocks, cond, seed]) => ({ g, n: g * blocks, cond, seed }));

  it('L D L^T reconstructs H (1e-12 relative); L unit block-lower; D blocks SPD and equal to C_kk C_kk^T', () => {
    fc.assert(
      fc.property(divisorCase, ({ g, n, cond, seed }) => {
        const H = randomSPD(n, cond, seed);
        const { L, D } = blockLDL(M(H, n), g);
        expect(D).toBeInstanceOf(Float64Array);
        expect(D.length).toBe(n * g);
        const l = L.data;
        let shapeOk = true;
        for (let i = 0; i < n; i++) {
          const b = Math.floor(i / g);
          for (let j = b * g; j < n; j++) shapeOk &&= l[i * n + j] === (i === j ? 1 : 0);
        }
        expect(shapeOk).toBe(true);
        const C = cholesky(M(H, n)).data;
        for (let k = 0; k < n / g; k++) {
          const Dk = D.subarray(k * g * g, (k + 1) * g * g);
          for (let s = 0; s < g; s++) for (let t = 0; t < g; t++) {
            expect(Dk[s * g + t]).toBe(Dk[t * g + s]);
            let ref = 0;
            for (let q = 0; q < g; q++) ref += C[(k * g + s) * n + k * g + q] * C[(k * g + t) * n + k * g + q];
            expect(Math.abs(Dk[s * g + t] - ref)).toBeLessThanOrEqual(1e-14 * maxAbs(H));
          }
          expect(naiveCholesky(Dk, g)).toBeInstanceOf(Float64Array); // positive definite
        }
        expect(reconstructionError(H, l, denseBlockDiag(D, n, g), n)).toBeLessThan(1e-12);
      }),
      { numRuns: 30 },
    );
  });

  it('g = 1 is ldl (the same result, bit for bit), g = n gives L = I and D = H', () => {
    const n = 24;
    const H = randomSPD(n, 1e3, 5);
    const a = ldl(M(H, n));
    const b = blockLDL(M(H, n), 1);
    expect(b.L.data).toEqual(a.L.data);
    expect(b.D).toEqual(a.D);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    const c = blockLDL(M(H, n), n);
    for (let i = 0; i < n * n; i++) expect(c.L.data[i]).toBe(i % (n + 1) === 0 ? 1 : 0);
    expect(c.D.length).toBe(n * n);
    const err = maxAbs(c.D.map((v, i) => v - H[i]));
    expect(err).toBeLessThan(1e-13 * maxAbs(H));
  });

  it('rejects bad input', () => {
    const H = M(randomSPD(8, 10, 1), 8);
    expect(() => blockLDL(H, 3)).toThrow(/blockLDL: g must be a divisor of n = 8, got 3/);
    expect(() => blockLDL(H, 0)).toThrow(RangeError);
    expect(() => blockLDL(H, 16)).toThrow(RangeError);
    expect(() => blockLDL(H, 2.5)).toThrow(TypeError);
    expect(() => blockLDL(H, '2' as never)).toThrow(TypeError);
    expect(() => blockLDL(M(new Float64Array([1, 0, 1, 1]), 2), 1)).toThrow(NotSymmetricError);
    expect(() => blockLDL(M(new Float64Array([1, 2, 2, 1]), 2), 2)).toThrow(NotPositiveDefiniteError);
    expect(() => blockLDL(M(new Float64Array([1, 0, 0, Infinity]), 2), 2)).toThrow(/blockLDL: H must be finite/);
    expect(() => blockLDL(ndarray(new Float64Array(8), [2, 4]), 2)).toThrow(/blockLDL: H must be square/);
  });
});

describe('regularizeHessian', () => {
  it('is H / mean(diag H) + sigma I', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(1000), fc.constantFrom(0, 1e-2, 0.5), (n, seed, sigma) => {
        const H = randomSPD(n, 100, seed).map((v) => v * 37);
        let tr = 0;
        for (let i = 0; i < n; i++) tr += H[i * n + i];
        const R = regularizeHessian(M(H, n), sigma).data;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          expect(R[i * n + j]).toBeCloseTo(H[i * n + j] / (tr / n) + (i === j ? sigma : 0), 14);
        }
      }),
      { numRuns: 20 },
    );
    // default sigma is 1e-2; turns a singular PSD matrix into a factorable one
    const R = regularizeHessian(M(new Float64Array([1, 1, 1, 1]), 2));
    expect(Array.from(R.data)).toEqual([1.01, 1, 1, 1.01]);
    expect(() => cholesky(M(new Float64Array([1, 1, 1, 1]), 2))).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(R)).not.toThrow();
  });

  it('rejects bad input', () => {
    const H = M(new Float64Array([1, 0, 0, 1]), 2);
    expect(() => regularizeHessian(H, -1)).toThrow(/regularizeHessian: sigma must be a finite number >= 0, got -1/);
    expect(() => regularizeHessian(H, Number.NaN)).toThrow(RangeError);
    expect(() => regularizeHessian(H, '1' as never)).toThrow(TypeError);
    expect(() => regularizeHessian(M(new Float64Array([0, 0, 0, 0]), 2))).toThrow(/positive mean diagonal, got mean\(diag H\) = 0/);
    expect(() => regularizeHessian(M(new Float64Array([1, 2, 0, 1]), 2))).toThrow(NotSymmetricError);
    expect(() => regularizeHessian(ndarray(new Float64Array(2), [1, 2]))).toThrow(/must be square/);
  });
});
