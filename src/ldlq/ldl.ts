/**
 * LDL and block LDL decompositions, derived from the Cholesky factor C (H = C C^T):
 *
 *   B = blockdiag(C_11, ..., C_KK) (the g x g diagonal blocks of C),  L = C B^-1,  D = B B^T,
 *   so L D L^T = C B^-1 B B^T B^-T C^T = C C^T = H,
 *
 * L unit block-lower triangular (identity g x g diagonal blocks) and D_k = C_kk C_kk^T symmetric positive
 * definite. g = 1 is the scalar LDL: L = C diag(C_jj)^-1, D_j = C_jj^2.
 */
import {
  allFinite,
  matrixFromRowMajor,
  readSymmetricMatrix,
  type Matrix,
  type MatrixInput,
  assertInteger,
} from '../core/index.js';
import { NotPositiveDefiniteError, rangeError } from '../errors/index.js';
import { choleskyFactor } from './cholesky.js';

/**
 * Result of {@link ldl}: H = L diag(D) L^T. The same shape as {@link BlockLDLResult} with g = 1 (`ldl(H)` and
 * `blockLDL(H, 1)` are equal, bit for bit).
 */
export interface LDLResult {
  /** n x n unit lower triangular. */
  L: Matrix;
  /** The n pivots, all positive: D[j] = C_jj^2. */
  D: Float64Array;
}

/**
 * Result of {@link blockLDL}: H = L blockdiag(D_0, ..., D_{n/g - 1}) L^T.
 *
 * D holds the n / g diagonal blocks one after another, each row-major g x g: entry (s, t) of block k is
 * `D[k * g * g + s * g + t]`. `matrixFromRowMajor(D.subarray(k * g * g, (k + 1) * g * g), g, g)` views block k as
 * a matrix without copying. For g = 1 this is the pivot vector of {@link ldl}.
 */
export interface BlockLDLResult {
  /** n x n unit block-lower triangular: g x g identity diagonal blocks, zero above them. */
  L: Matrix;
  /** The n / g diagonal blocks D_k = C_kk C_kk^T (symmetric positive definite), stacked: length n * g. */
  D: Float64Array;
}

/**
 * L D L^T factorization with scalar pivots: L = C diag(C_jj)^-1, D_j = C_jj^2 for the Cholesky factor C
 * (H = C C^T). Equal to `blockLDL(H, 1)`.
 *
 * Cost: n^3 / 3 multiply-adds (the Cholesky factorization) plus n^2 / 2 divisions; one n x n copy of H.
 *
 * Errors as {@link cholesky} (function name 'ldl'), plus `RangeError` when an entry of L or D is beyond float64
 * (L_ij = C_ij / C_jj overflows only for a subnormal pivot D_j below larger entries; D only when a diagonal entry
 * of H is within a rounding error of 1.8e308).
 *
 * @example
 * const { L, D } = ldl(ndarray(new Float64Array([4, 2, 2, 5]), [2, 2])); // L.data = [1, 0, 0.5, 1], D = [4, 4]
 */
export function ldl(H: MatrixInput): LDLResult {
  return factorBlockLDL('ldl', H, 1);
}

/**
 * Block L D L^T factorization with g x g blocks (g must divide n): with B = blockdiag(C_11, ..., C_KK) the
 * diagonal blocks of the Cholesky factor C, L = C B^-1 and D = B B^T, so L D L^T = C C^T = H. `blockLDL(H, 1)`
 * is {@link ldl}.
 *
 * Cost: n^3 / 3 multiply-adds (the Cholesky factorization) plus about n^2 g / 2 for L; one n x n copy of H.
 *
 * Errors as {@link ldl} (function name 'blockLDL'; L = C B^-1 overflows only under a nearly singular pivot block),
 * plus `TypeError` / `RangeError` when g is not an integer in [1, n] dividing n.
 *
 * @example
 * const { L, D } = blockLDL(H, 8); // block k of D: D.subarray(64 k, 64 (k + 1)), row-major 8 x 8
 */
export function blockLDL(H: MatrixInput, g: number): BlockLDLResult {
  return factorBlockLDL('blockLDL', H, g);
}

/** Validates H (square, symmetric, finite) and g and factors H for the public function `fn`. */
function factorBlockLDL(fn: string, H: unknown, g: unknown): BlockLDLResult {
  const h = readSymmetricMatrix(fn, 'H', H);
  const n = h.rows;
  checkBlockSize(fn, 'g', g, n);
  const D = blockLDLInPlace(h.data, n, g, fn, 'H');
  return { L: matrixFromRowMajor(h.data, n, n), D };
}

/**
 * Overwrites A (row-major n x n, square, symmetric and finite, g dividing n) with the L of its block LDL and returns
 * the diagonal blocks of D one after another (block k at k g^2, row-major g x g). Errors name `fn` and `arg`.
 */
export function blockLDLInPlace(A: Float64Array, n: number, g: number, fn: string, arg: string): Float64Array {
  choleskyFactor(A, n, { fn, arg });
  const D = blockLDLFromCholesky(A, n, g);
  // L = C B^-1 overflows only under a nearly singular pivot block, D only when some H_ii is within a rounding
  // error of the float64 maximum: in both cases the exact result is beyond float64, or at its edge.
  if (!allFinite(A) || !allFinite(D)) throw factorOverflow(fn, arg, A, D, n, g);
  return D;
}

/**
 * blockLDLInPlace of A = H' = V (H / mu + sigma I) V^T, retried once with 10 x sigma (internal, for quantize/):
 * the retry factors A + 9 sigma I = V (H / mu + 10 sigma I) V^T (V orthogonal). A failed attempt leaves A's strict
 * upper triangle untouched (choleskyFactor), so A is rebuilt from it (A must be exactly symmetric) and its saved
 * diagonal, with no copy of H'. A second failure throws NotPositiveDefiniteError naming `fn`, `arg` and the pivot.
 */
export function blockLDLWithRetryInPlace(A: Float64Array, n: number, g: number, sigma: number, fn: string, arg: string): { D: Float64Array; sigmaReg: number; retries: number } {
  const diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) diagonal[i] = A[i * n + i];
  try {
    return { D: blockLDLInPlace(A, n, g, fn, arg), sigmaReg: sigma, retries: 0 };
  } catch (e) {
    if (!(e instanceof NotPositiveDefiniteError)) throw e;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
    A[i * n + i] = diagonal[i] + 9 * sigma;
  }
  try {
    return { D: blockLDLInPlace(A, n, g, fn, arg), sigmaReg: 10 * sigma, retries: 1 };
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new NotPositiveDefiniteError(fn, `${arg} (regularized with sigmaReg = ${10 * sigma} after a retry)`, e.pivot, e.pivotValue);
    throw e;
  }
}

/** The RangeError for a block LDL whose L or D does not fit in float64, naming the first entry beyond it. */
function factorOverflow(fn: string, arg: string, L: Float64Array, D: Float64Array, n: number, g: number): RangeError {
  const expected = 'a matrix whose L D L^T factors fit in float64';
  const badL = L.findIndex((v) => !Number.isFinite(v));
  if (badL >= 0) {
    const i = Math.floor(badL / n);
    const j = badL % n;
    const pivot = j - (j % g);
    return rangeError(fn, arg, expected, `|L[${i}][${j}]| beyond 1.8e308 (the pivot block at ${pivot}..${pivot + g - 1} is nearly singular)`);
  }
  const badD = D.findIndex((v) => !Number.isFinite(v));
  const k = Math.floor(badD / (g * g));
  return rangeError(fn, arg, expected, `an entry of D_${k} beyond 1.8e308 (diagonal entries too close to the float64 maximum)`);
}

/** Throws unless g is an integer in [1, n] that divides n. */
function checkBlockSize(fn: string, arg: string, g: unknown, n: number): asserts g is number {
  assertInteger(fn, arg, g, 1, n);
  if (n % g !== 0) throw rangeError(fn, arg, `a divisor of n = ${n}`, String(g));
}

/**
 * Turns the Cholesky factor C (row-major n x n, lower) into L = C B^-1 in place and returns the blocks of
 * D = B B^T (block k at k g^2). Row by row (contiguous memory), each segment x of row i in a block column left of
 * i's own block solves y C_kk = x by back substitution.
 */
function blockLDLFromCholesky(C: Float64Array, n: number, g: number): Float64Array {
  const B = new Float64Array(n * g); // the diagonal blocks C_kk, block k at k g^2
  for (let k0 = 0; k0 < n; k0 += g) {
    for (let s = 0; s < g; s++) for (let t = 0; t < g; t++) B[k0 * g + s * g + t] = C[(k0 + s) * n + k0 + t];
  }
  for (let i = g; i < n; i++) {
    const own = i - (i % g);
    for (let k0 = 0; k0 < own; k0 += g) {
      const ri = i * n + k0;
      const bk = k0 * g;
      for (let t = g - 1; t >= 0; t--) {
        let acc = C[ri + t];
        for (let s = t + 1; s < g; s++) acc -= C[ri + s] * B[bk + s * g + t];
        C[ri + t] = acc / B[bk + t * g + t];
      }
    }
  }
  const D = new Float64Array(n * g);
  for (let k0 = 0; k0 < n; k0 += g) {
    const bk = k0 * g;
    for (let s = 0; s < g; s++) {
      for (let t = 0; t < g; t++) {
        let acc = 0;
        for (let q = 0; q <= Math.min(s, t); q++) acc += B[bk + s * g + q] * B[bk + t * g + q];
        D[bk + s * g + t] = acc;
      }
      // the diagonal block of L is the identity
      for (let t = 0; t < g; t++) C[(k0 + s) * n + k0 + t] = s === t ? 1 : 0;
    }
  }
  return D;
}
