// The in-place internals quantize/ runs on its own copies: BlockLDLQ overwriting W with the residual, and the
// block LDL with QuIP#'s retry rebuilding H' from the upper triangle a failed attempt leaves untouched.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockLDL, blockLDLQ, blockLDLQInPlaceSteps, blockLDLWithRetryInPlace, regularizeHessian, sweepProductCPU } from '../src/ldlq/index.js';
import { E8P12, E8P12RVQ3B, ScalarCodebook } from '../src/lattice/index.js';
import { NotPositiveDefiniteError } from '../src/errors/index.js';
import { randomNormal } from '../src/random/index.js';
import { matrixFromRowMajor } from '../src/core/index.js';

const mat = (data: Float64Array, rows: number, cols: number) => matrixFromRowMajor(data, rows, cols);

/** A regularized proxy Hessian of 2n correlated samples (row-major n x n). */
function hessian(n: number, seed: number): Float64Array {
  const X = randomNormal(2 * n * n, seed, 5);
  for (let k = 1; k < X.length; k++) X[k] += 0.6 * X[k - 1];
  const H = new Float64Array(n * n);
  for (let t = 0; t < 2 * n; t++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H[a * n + b] += X[t * n + a] * X[t * n + b];
  return regularizeHessian(mat(H, n, n), 1e-2).data;
}

describe('blockLDLQInPlaceSteps with sweepProductCPU', () => {
  it('gives blockLDLQ\'s codes bit for bit and leaves exactly W - What in A, with each block\'s inputs and points', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(E8P12, E8P12RVQ3B, new ScalarCodebook(2, 1), new ScalarCodebook(2, 8)),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 1000 }),
        (cb, m, blocks, seed) => {
          const g = cb.dim;
          const n = blocks * g;
          const W = randomNormal(m * n, seed, 1);
          const H = hessian(n, seed);
          const { L } = blockLDL(mat(H, n, n), g);
          const ref = blockLDLQ(mat(W, m, n), mat(H, n, n), cb, { returnRounded: true });
          const A = W.slice();
          const seen: number[] = [];
          const inputs = new Float64Array(m * n);
          const points = new Float64Array(m * n);
          const { steps, codes } = blockLDLQInPlaceSteps('test', A, m, n, L.data, cb, (k0, X, P) => {
            seen.push(k0);
            for (let i = 0; i < m; i++) {
              for (let t = 0; t < g; t++) {
                inputs[i * n + k0 + t] = X[i * g + t];
                points[i * n + k0 + t] = P[i * g + t];
              }
            }
          });
          for (const product of steps) sweepProductCPU(product);
          expect(codes).toEqual(ref.codes);
          expect(seen).toEqual(Array.from({ length: blocks }, (_, k) => (blocks - 1 - k) * g));
          expect(inputs).toEqual(ref.rounded!.data);
          expect(points).toEqual(ref.What.data);
          expect(A).toEqual(W.map((w, k) => w - ref.What.data[k]));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('blockLDLWithRetryInPlace', () => {
  const n = 24;
  const g = 8;
  const sigma = 1e-2;
  /** A rank-6 Gram matrix minus 1.5 sigma I: smallest eigenvalue -1.5 sigma (not SPD), and 7.5 sigma after + 9 sigma I. */
  function nearlySingular(): Float64Array {
    const F = randomNormal(6 * n, 3, 1);
    const H = new Float64Array(n * n);
    for (let t = 0; t < 6; t++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H[a * n + b] += F[t * n + a] * F[t * n + b];
    for (let i = 0; i < n; i++) H[i * n + i] -= 1.5 * sigma;
    return H;
  }

  it('factors an SPD matrix as blockLDL does, without a retry', () => {
    const H = hessian(n, 4);
    const ref = blockLDL(mat(H, n, n), g);
    const A = H.slice();
    const r = blockLDLWithRetryInPlace(A, n, g, sigma, 'f', 'H');
    expect(r.retries).toBe(0);
    expect(r.sigmaReg).toBe(sigma);
    expect(A).toEqual(ref.L.data);
    expect(r.D).toEqual(ref.D);
  });

  it('retries on A + 9 sigma I rebuilt from the untouched upper triangle: the factors of that matrix, bit for bit', () => {
    const H = nearlySingular();
    expect(() => blockLDL(mat(H, n, n), g)).toThrow(NotPositiveDefiniteError);
    const shifted = H.slice();
    for (let i = 0; i < n; i++) shifted[i * n + i] += 9 * sigma;
    const ref = blockLDL(mat(shifted, n, n), g);
    const A = H.slice();
    const r = blockLDLWithRetryInPlace(A, n, g, sigma, 'f', 'H');
    expect(r.retries).toBe(1);
    expect(r.sigmaReg).toBe(10 * sigma);
    expect(A).toEqual(ref.L.data);
    expect(r.D).toEqual(ref.D);
  });

  it('names the function, the argument with the retried sigma, and the pivot when the retry fails too', () => {
    const H = nearlySingular();
    expect(() => blockLDLWithRetryInPlace(H.slice(), n, g, 0, 'quantizeLinear', 'H')).toThrow(
      /quantizeLinear: H \(regularized with sigmaReg = 0 after a retry\) must be symmetric positive definite, but pivot \d+/,
    );
  });
});
