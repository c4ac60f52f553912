/**
 * Blocked right-looking Cholesky factorization H = C C^T (C lower triangular) in float64.
 *
 * For each block column [k0, k1): factor the diagonal block, solve the rows below it against the block
 * (C21 = A21 C11^-T), then subtract C21 C21^T from the trailing lower triangle with the packed GEMM (gemm.ts),
 * which carries almost all of the n^3 / 3 multiply-adds. Two levels of block columns: narrow ones inside a wide
 * panel, so the products that update the rest of the matrix are OUTER deep.
 */
import { assertSquare, assertSymmetric, matrixFromRowMajor, readMatrix, type Matrix, type MatrixInput } from '../core/matrix.js';
import { assertFinite, assertInteger, assertLength } from '../core/validate.js';
import { NotPositiveDefiniteError, typeError } from '../errors/index.js';
import { gemmAccumulate } from './gemm.js';

/** Outer panel width: the depth of the trailing-update products. */
const OUTER = 256;
/** Inner panel width: columns factored directly inside an outer panel. */
const INNER = 64;
/** Row-block height of the triangular updates (each block: a rectangle, then its diagonal square in strips). */
const TRIANGLE_ROWS = 256;
/** Row-strip height used on the diagonal squares. */
const DIAGONAL_STRIP = 32;

/**
 * Cholesky factor of a symmetric positive definite matrix: the lower triangular C with H = C C^T, as a new
 * n x n row-major matrix (upper triangle zero).
 *
 * Throws `NotSymmetricError` when H is not symmetric (max |H_ij - H_ji| > 1e-10 max |H|; only the lower triangle
 * is read otherwise), `NotPositiveDefiniteError` (with the failing pivot index) when a pivot is not positive,
 * `RangeError` for non-square or non-finite input, `TypeError` for a non-ndarray.
 */
export function cholesky(H: MatrixInput): Matrix {
  const fn = 'cholesky';
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h);
  assertSymmetric(fn, 'H', h.data, h.rows);
  choleskyFactor(h.data, h.rows, fn, 'H');
  return matrixFromRowMajor(h.data, h.rows, h.cols);
}

/**
 * In-place variant of {@link cholesky} on a row-major n x n Float64Array: overwrites A with C (upper triangle
 * zeroed) and returns A. Same checks and errors as `cholesky`; when a pivot fails, A is left partly factored.
 */
export function choleskyInPlace(A: Float64Array, n: number): Float64Array {
  const fn = 'choleskyInPlace';
  if (!(A instanceof Float64Array)) throw typeError(fn, 'A', 'a Float64Array', A);
  assertInteger(fn, 'n', n, 1, 2 ** 26);
  assertLength(fn, 'A', A, n * n, ' (n * n)');
  assertFinite(fn, 'A', A);
  assertSymmetric(fn, 'A', A, n);
  choleskyFactor(A, n, fn, 'A');
  return A;
}

/**
 * Factors the lower triangle of A (row-major n x n, validated) in place and zeroes the upper triangle.
 * Two levels: inside each outer panel of OUTER columns, INNER-column blocks are factored and pushed into the rest
 * of the panel; then the whole outer panel updates the trailing matrix in one deep product.
 */
export function choleskyFactor(A: Float64Array, n: number, fn: string, arg: string): void {
  for (let k0 = 0; k0 < n; k0 += OUTER) {
    const k1 = Math.min(k0 + OUTER, n);
    for (let j0 = k0; j0 < k1; j0 += INNER) {
      const j1 = Math.min(j0 + INNER, k1);
      factorDiagonalBlock(A, n, j0, j1, fn, arg);
      solvePanelRows(A, n, j0, j1);
      subtractLower(A, n, j0, j1, j1, k1);
    }
    subtractLower(A, n, k0, k1, k1, n);
  }
  for (let i = 0; i < n; i++) A.fill(0, i * n + i + 1, (i + 1) * n);
}

/**
 * A[r][c] -= sum_{p in [p0, p1)} A[r][p] A[c][p] for columns c in [c0, c1) and rows r >= c (the lower triangle
 * of rows [c0, c1), then the full rectangle of rows [c1, n)).
 */
function subtractLower(A: Float64Array, n: number, p0: number, p1: number, c0: number, c1: number): void {
  for (let i0 = c0; i0 < c1; i0 += TRIANGLE_ROWS) {
    const i1 = Math.min(i0 + TRIANGLE_ROWS, c1);
    subtractProduct(A, n, p0, p1, i0, i1, c0, i0);
    for (let r0 = i0; r0 < i1; r0 += DIAGONAL_STRIP) {
      const r1 = Math.min(r0 + DIAGONAL_STRIP, i1);
      subtractProduct(A, n, p0, p1, r0, r1, i0, r1);
    }
  }
  subtractProduct(A, n, p0, p1, c1, n, c0, c1);
}

/** A[r0..r1, c0..c1) -= A[r0..r1, p0..p1) A[c0..c1, p0..p1)^T (the packed GEMM). */
function subtractProduct(A: Float64Array, n: number, p0: number, p1: number, r0: number, r1: number, c0: number, c1: number): void {
  gemmAccumulate(
    r1 - r0,
    c1 - c0,
    p1 - p0,
    { data: A, offset: r0 * n + p0, ld: n, trans: false, negate: true },
    { data: A, offset: c0 * n + p0, ld: n, trans: true },
    A,
    r0 * n + c0,
    n,
  );
}

/** Unblocked Cholesky of the diagonal block [k0, k1) (already updated by earlier panels). */
function factorDiagonalBlock(A: Float64Array, n: number, k0: number, k1: number, fn: string, arg: string): void {
  for (let j = k0; j < k1; j++) {
    const rj = j * n;
    let s = A[rj + j];
    for (let p = k0; p < j; p++) s -= A[rj + p] * A[rj + p];
    if (!(s > 0)) throw new NotPositiveDefiniteError(fn, arg, j, s);
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

/** Rows i >= k1 of the block column [k0, k1): row_i <- row_i C11^-T (forward substitution), four rows at a time for ILP. */
function solvePanelRows(A: Float64Array, n: number, k0: number, k1: number): void {
  let i = k1;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let j = k0; j < k1; j++) {
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
