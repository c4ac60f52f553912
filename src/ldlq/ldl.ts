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
  assertSquare,
  assertSymmetric,
  matrixFromRowMajor,
  readMatrix,
  type Matrix,
  type MatrixInput,
  assertFiniteNumber,
  assertInteger,
} from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { choleskyFactor } from './cholesky.js';

/** Result of {@link ldl}: H = L diag(D) L^T. */
export interface LDLResult {
  /** n x n unit lower triangular. */
  L: Matrix;
  /** The n pivots, all positive. */
  D: Float64Array;
}

/** Result of {@link blockLDL}: H = L D L^T with D = blockdiag(D[0], ..., D[n/g - 1]). */
export interface BlockLDLResult {
  /** n x n unit block-lower triangular: g x g identity diagonal blocks, zero above them. */
  L: Matrix;
  /** The n / g diagonal blocks of D, each a g x g symmetric positive definite matrix (D[k] = C_kk C_kk^T). */
  D: Matrix[];
}

/** L D L^T factorization with scalar pivots. Errors as {@link cholesky} (function name 'ldl'). */
export function ldl(H: MatrixInput): LDLResult {
  const { L, D, n } = factorBlockLDL('ldl', H, 1);
  return { L: matrixFromRowMajor(L, n, n), D };
}

/**
 * Block L D L^T factorization with g x g blocks (g must divide n). Errors as {@link cholesky} (function name
 * 'blockLDL'), plus `RangeError` when g is not an integer in [1, n] dividing n.
 */
export function blockLDL(H: MatrixInput, g: number): BlockLDLResult {
  const { L, D, n } = factorBlockLDL('blockLDL', H, g);
  const blocks: Matrix[] = [];
  for (let k = 0; k < n / g; k++) blocks.push(matrixFromRowMajor(D.slice(k * g * g, (k + 1) * g * g), g, g));
  return { L: matrixFromRowMajor(L, n, n), D: blocks };
}

/**
 * Validates H (square, symmetric, finite) and g, and returns L (row-major n x n) and the diagonal blocks of D
 * stored one after another (block k at k g^2, row-major g x g).
 */
function factorBlockLDL(fn: string, H: unknown, g: unknown): { L: Float64Array; D: Float64Array; n: number } {
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h);
  const n = h.rows;
  checkBlockSize(fn, 'g', g, n);
  assertSymmetric(fn, 'H', h.data, n);
  const D = blockLDLInPlace(h.data, n, g, fn, 'H');
  return { L: h.data, D, n };
}

/**
 * Overwrites A (row-major n x n, square, symmetric and finite, g dividing n) with the L of its block LDL and returns
 * the diagonal blocks of D one after another (block k at k g^2, row-major g x g).
 */
export function blockLDLInPlace(A: Float64Array, n: number, g: number, fn: string, arg: string): Float64Array {
  choleskyFactor(A, n, fn, arg);
  return blockLDLFromCholesky(A, n, g);
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

/**
 * QuIP#'s Hessian regularization: H / mean(diag H) + sigma I (QuIP#'s default sigma is 1e-2), as a new matrix.
 * H must be square, finite, symmetric (relative 1e-10) with a positive mean diagonal; sigma finite and >= 0.
 */
export function regularizeHessian(H: MatrixInput, sigma = 1e-2): Matrix {
  const fn = 'regularizeHessian';
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h);
  const n = h.rows;
  assertSymmetric(fn, 'H', h.data, n);
  assertFiniteNumber(fn, 'sigma', sigma);
  if (sigma < 0) throw rangeError(fn, 'sigma', 'a finite number >= 0', String(sigma));
  let trace = 0;
  for (let i = 0; i < n; i++) trace += h.data[i * n + i];
  const mean = trace / n;
  if (!(mean > 0)) throw rangeError(fn, 'H', 'a matrix with a positive mean diagonal', `mean(diag H) = ${mean}`);
  const out = h.data;
  for (let i = 0; i < out.length; i++) out[i] /= mean;
  for (let i = 0; i < n; i++) out[i * n + i] += sigma;
  return matrixFromRowMajor(out, n, n);
}
