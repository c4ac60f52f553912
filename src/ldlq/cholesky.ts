/**
 * Blocked right-looking Cholesky factorization H = C C^T (C lower triangular) in float64.
 *
 * For each block column [k0, k1): factor the diagonal block, solve the rows below it against the block
 * (C21 = A21 C11^-T), then subtract C21 C21^T from the trailing lower triangle with the packed GEMM (gemm.ts,
 * lower-triangle mode: a SYRK that skips the tiles above the diagonal), which carries almost all of the n^3 / 3
 * multiply-adds. Block columns are nested (WIDTHS): narrow ones inside a wide panel, so the products that update
 * the rest of the matrix are WIDTHS[0] deep.
 *
 * Range: for a positive definite H every intermediate sum of the factorization lies within max_i H_ii times
 * (1 + n u) (Cauchy-Schwarz on the partial sums of C_ip C_jp), so it can overflow only when the largest diagonal
 * entry is within a rounding error of the float64 maximum; such a matrix is factored as H / 4 (exact), and
 * C = 2 chol(H / 4).
 */
import {
  matrixFromRowMajor,
  readSymmetricMatrix,
  type Matrix,
  type MatrixInput,
  assertFinite,
  assertInteger,
  assertLength,
  assertSymmetric,
} from '../core/index.js';
import { NotPositiveDefiniteError, typeError } from '../errors/index.js';
import { gemmAccumulateLower } from './gemm.js';

/**
 * Block-column widths of the nested levels: the factorization walks the columns in blocks of WIDTHS[0], each block
 * in blocks of WIDTHS[1], and so on; the last level is factored directly. After a block is factored, its columns
 * are subtracted from the rest of the enclosing block (at the top level: the whole trailing matrix).
 */
const WIDTHS: readonly number[] = [256, 64];

/** Largest diagonal entry factored as it is; above it the matrix is factored as H / 4 (see the module comment). */
const HEADROOM_LIMIT = 2 ** 1022;

/**
 * Whom a failing pivot is reported against: the public function the user called, the argument (with a path into
 * it), the index in that argument of the factored matrix's first row (default 0; not 0 when a diagonal block is
 * factored), and the power of two by which the factored matrix is smaller than the argument (default 1).
 */
export interface PivotBlame {
  fn: string;
  arg: string;
  offset?: number;
  scale?: number;
}

/**
 * Cholesky factor of a symmetric positive definite matrix: the lower triangular C with H = C C^T, as a new
 * n x n row-major matrix (upper triangle zero), bit for bit the textbook column-by-column algorithm.
 *
 * Cost: n^3 / 3 multiply-adds (packed GEMM), one n x n copy of H.
 *
 * Throws `NotSymmetricError` when H is not symmetric (max |H_ij - H_ji| > 1e-10 max |H|; only the lower triangle
 * is read otherwise), `NotPositiveDefiniteError` (with the failing pivot index and value; a pivot whose exact value
 * is below -1.8e308 is reported as -Infinity) when a pivot is not positive, `RangeError` for non-square or
 * non-finite input, `TypeError` for a non-ndarray. Any finite positive definite H is factored, up to entries of
 * 1.8e308.
 *
 * @example
 * const C = cholesky(ndarray(new Float64Array([4, 2, 2, 5]), [2, 2])); // C.data = [2, 0, 1, 2]
 */
export function cholesky(H: MatrixInput): Matrix {
  const fn = 'cholesky';
  const h = readSymmetricMatrix(fn, 'H', H);
  choleskyFactor(h.data, h.rows, { fn, arg: 'H' });
  return matrixFromRowMajor(h.data, h.rows, h.rows);
}

/**
 * In-place variant of {@link cholesky} on a row-major n x n Float64Array: overwrites A with C (upper triangle
 * zeroed) and returns A. Same checks, cost and errors as `cholesky` (`TypeError` unless A is a Float64Array,
 * `RangeError` unless its length is n * n); when a pivot fails, A is left partly factored.
 *
 * @example
 * const A = new Float64Array([4, 2, 2, 5]);
 * choleskyInPlace(A, 2); // A = [2, 0, 1, 2]
 */
export function choleskyInPlace(A: Float64Array, n: number): Float64Array {
  const fn = 'choleskyInPlace';
  if (!(A instanceof Float64Array)) throw typeError(fn, 'A', 'a Float64Array', A);
  assertInteger(fn, 'n', n, 1, 2 ** 26);
  assertLength(fn, 'A', A, n * n, ' (n * n)');
  assertFinite(fn, 'A', A);
  assertSymmetric(fn, 'A', A, n);
  choleskyFactor(A, n, { fn, arg: 'A' });
  return A;
}

/**
 * Factors the lower triangle of A (row-major n x n, finite and symmetric) in place and zeroes the upper triangle.
 * Throws `NotPositiveDefiniteError` against `blame` when a pivot is not positive; the strict upper triangle is
 * then untouched (only the lower triangle is read or written before success), so A can be rebuilt from it.
 */
export function choleskyFactor(A: Float64Array, n: number, blame: PivotBlame): void {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, A[i * n + i]);
  const headroom = maxDiag > HEADROOM_LIMIT;
  if (headroom) scaleLower(A, n, 0.25);
  factorColumns(A, n, 0, n, 0, { ...blame, pivotScale: (blame.scale ?? 1) * (headroom ? 4 : 1) });
  for (let i = 0; i < n; i++) A.fill(0, i * n + i + 1, (i + 1) * n);
  if (headroom) scaleLower(A, n, 2);
}

/** A_ij *= s for j <= i. */
function scaleLower(A: Float64Array, n: number, s: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] *= s;
}

/** {@link PivotBlame} with the total factor by which the factored matrix is smaller than the argument. */
interface PivotReport extends PivotBlame {
  pivotScale: number;
}

/**
 * The error for pivot j of value s. A pivot that is not a number comes from a row whose entries overflowed, which
 * happens only when the exact pivot is below -1.8e308 (see the module comment): it is reported as -Infinity.
 */
function pivotError(report: PivotReport, j: number, s: number): NotPositiveDefiniteError {
  const value = Number.isNaN(s) ? -Infinity : s * report.pivotScale;
  return new NotPositiveDefiniteError(report.fn, report.arg, (report.offset ?? 0) + j, value);
}

/**
 * Right-looking blocked Cholesky of the columns [k0, k1) (rows k0 .. n-1), whose entries already carry the updates
 * of the columns left of k0: blocks of WIDTHS[level] columns, each factored (recursively, or directly at the last
 * level) and then subtracted from the remaining columns up to k1.
 */
function factorColumns(A: Float64Array, n: number, k0: number, k1: number, level: number, report: PivotReport): void {
  const width = WIDTHS[level];
  for (let j0 = k0; j0 < k1; j0 += width) {
    const j1 = Math.min(j0 + width, k1);
    if (level + 1 < WIDTHS.length) {
      factorColumns(A, n, j0, j1, level + 1, report);
    } else {
      factorDiagonalBlock(A, n, j0, j1, report);
      solvePanelRows(A, n, j0, j1);
    }
    subtractLower(A, n, j0, j1, j1, k1);
  }
}

/**
 * A[r][c] -= sum_{p in [p0, p1)} A[r][p] A[c][p] for the columns c in [c0, c1) and the rows r >= c (all rows up to n):
 * one lower-triangular product (SYRK) through the packed GEMM.
 */
function subtractLower(A: Float64Array, n: number, p0: number, p1: number, c0: number, c1: number): void {
  gemmAccumulateLower(
    n - c0,
    c1 - c0,
    p1 - p0,
    { data: A, offset: c0 * n + p0, ld: n, trans: false, negate: true },
    { data: A, offset: c0 * n + p0, ld: n, trans: true },
    A,
    c0 * n + c0,
    n,
  );
}

/** Unblocked Cholesky of the diagonal block [k0, k1) (already updated by earlier panels). */
function factorDiagonalBlock(A: Float64Array, n: number, k0: number, k1: number, report: PivotReport): void {
  for (let j = k0; j < k1; j++) {
    const rj = j * n;
    let s = A[rj + j];
    for (let p = k0; p < j; p++) s -= A[rj + p] * A[rj + p];
    if (!(s > 0)) throw pivotError(report, j, s);
    const d = Math.sqrt(s);
    A[rj + j] = d;
    for (let i = j + 1; i < k1; i++) {
      const ri = i * n;
      let t = A[ri + j];
      for (let p = k0; p < j; p++) t -= A[ri + p] * A[rj + p];
      A[ri + j] = t / d;
    }
  }
}

/**
 * Rows i >= k1 of the block column [k0, k1): row_i <- row_i C11^-T (forward substitution). Each entry is
 * t = A_ij; t -= A_ip C_jp for p = k0 .. j-1 in order; A_ij = t / C_jj. Four rows at a time, and within them three
 * columns at a time (a 4 x 3 register block, like the GEMM's micro-kernel) with the terms inside the column triple
 * applied last, in the same p order.
 */
function solvePanelRows(A: Float64Array, n: number, k0: number, k1: number): void {
  let i = k1;
  for (; i + 4 <= n; i += 4) {
    let j = k0;
    for (; j + 3 <= k1; j += 3) solveTile4x3(A, n, i, j, k0);
    for (; j < k1; j++) solveColumn4(A, n, i, j, k0);
  }
  for (; i < n; i++) {
    const ri = i * n;
    for (let j = k0; j < k1; j++) {
      const rj = j * n;
      let t = A[ri + j];
      for (let p = k0; p < j; p++) t -= A[ri + p] * A[rj + p];
      A[ri + j] = t / A[rj + j];
    }
  }
}

/** Entries (i .. i+3, j .. j+2) of the forward substitution, see {@link solvePanelRows}. */
function solveTile4x3(A: Float64Array, n: number, i: number, j: number, k0: number): void {
  const r0 = i * n;
  const r1 = r0 + n;
  const r2 = r1 + n;
  const r3 = r2 + n;
  const s0 = j * n;
  const s1 = s0 + n;
  const s2 = s1 + n;
  let t00 = A[r0 + j], t01 = A[r0 + j + 1], t02 = A[r0 + j + 2];
  let t10 = A[r1 + j], t11 = A[r1 + j + 1], t12 = A[r1 + j + 2];
  let t20 = A[r2 + j], t21 = A[r2 + j + 1], t22 = A[r2 + j + 2];
  let t30 = A[r3 + j], t31 = A[r3 + j + 1], t32 = A[r3 + j + 2];
  for (let p = k0; p < j; p++) {
    const b0 = A[s0 + p], b1 = A[s1 + p], b2 = A[s2 + p];
    const a0 = A[r0 + p];
    t00 -= a0 * b0; t01 -= a0 * b1; t02 -= a0 * b2;
    const a1 = A[r1 + p];
    t10 -= a1 * b0; t11 -= a1 * b1; t12 -= a1 * b2;
    const a2 = A[r2 + p];
    t20 -= a2 * b0; t21 -= a2 * b1; t22 -= a2 * b2;
    const a3 = A[r3 + p];
    t30 -= a3 * b0; t31 -= a3 * b1; t32 -= a3 * b2;
  }
  // The triangle of C11 inside the triple: column j, then j+1 (term p = j), then j+2 (terms p = j, j+1).
  const d0 = A[s0 + j];
  t00 /= d0; t10 /= d0; t20 /= d0; t30 /= d0;
  const c10 = A[s1 + j];
  const d1 = A[s1 + j + 1];
  t01 = (t01 - t00 * c10) / d1; t11 = (t11 - t10 * c10) / d1; t21 = (t21 - t20 * c10) / d1; t31 = (t31 - t30 * c10) / d1;
  const c20 = A[s2 + j];
  const c21 = A[s2 + j + 1];
  const d2 = A[s2 + j + 2];
  t02 = (t02 - t00 * c20 - t01 * c21) / d2; t12 = (t12 - t10 * c20 - t11 * c21) / d2;
  t22 = (t22 - t20 * c20 - t21 * c21) / d2; t32 = (t32 - t30 * c20 - t31 * c21) / d2;
  A[r0 + j] = t00; A[r0 + j + 1] = t01; A[r0 + j + 2] = t02;
  A[r1 + j] = t10; A[r1 + j + 1] = t11; A[r1 + j + 2] = t12;
  A[r2 + j] = t20; A[r2 + j + 1] = t21; A[r2 + j + 2] = t22;
  A[r3 + j] = t30; A[r3 + j + 1] = t31; A[r3 + j + 2] = t32;
}

/** Entries (i .. i+3, j) of the forward substitution, see {@link solvePanelRows}. */
function solveColumn4(A: Float64Array, n: number, i: number, j: number, k0: number): void {
  const r0 = i * n;
  const r1 = r0 + n;
  const r2 = r1 + n;
  const r3 = r2 + n;
  const rj = j * n;
  let t0 = A[r0 + j], t1 = A[r1 + j], t2 = A[r2 + j], t3 = A[r3 + j];
  for (let p = k0; p < j; p++) {
    const c = A[rj + p];
    t0 -= A[r0 + p] * c;
    t1 -= A[r1 + p] * c;
    t2 -= A[r2 + p] * c;
    t3 -= A[r3 + p] * c;
  }
  const d = A[rj + j];
  A[r0 + j] = t0 / d;
  A[r1 + j] = t1 / d;
  A[r2 + j] = t2 / d;
  A[r3 + j] = t3 / d;
}
