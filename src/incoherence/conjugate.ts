/**
 * The frame shared by both incoherence processings (RHT and RFFT): read and check a layer (W, H), conjugate
 * it by two orthogonal maps given by their action on rows, and map a processed matrix back.
 */
import {
  assertSquare,
  assertSymmetric,
  matrixFromRowMajor,
  readMatrix,
  symmetrizeInPlace,
  transpose,
  type DenseMatrix,
  type Matrix,
} from '../core/index.js';

/** An in-place map applied to every row of a row-major `rows x n` matrix. */
export type RowMap = (data: Float64Array, rows: number, n: number) => void;

/**
 * A <- L A R^T for orthogonal-style maps given by their action on rows: `right` applies R to every row of A
 * (row i of A R^T is R a_i), `left` applies L to every row of A^T (the columns of A). A is row-major
 * rows x cols and is overwritten; returns the new array.
 */
export function transformBothSides(A: Float64Array, rows: number, cols: number, left: RowMap, right: RowMap): Float64Array {
  right(A, rows, cols);
  const At = transpose(A, rows, cols);
  left(At, cols, rows);
  return transpose(At, cols, rows);
}

/**
 * The frame shared by every incoherence processing: reads W (m x n) and H (n x n, symmetric to relative
 * 1e-10, finite) for `fn`, and returns their validated dense copies.
 */
export function readLayer(fn: string, W: unknown, H: unknown): { w: DenseMatrix; h: DenseMatrix } {
  const w = readMatrix(fn, 'W', W);
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h, w.cols);
  assertSymmetric(fn, 'H', h.data, h.rows);
  return { w, h };
}

/**
 * W' = U W V^T and H' = V H V^T (made exactly symmetric) for maps U (on m-vectors) and V (on n-vectors)
 * given by their action on rows. Overwrites the dense copies.
 */
export function conjugateLayer(w: DenseMatrix, h: DenseMatrix, U: RowMap, V: RowMap): { W: Matrix; H: Matrix } {
  const Wp = transformBothSides(w.data, w.rows, w.cols, U, V);
  const Hp = transformBothSides(h.data, h.rows, h.cols, V, V);
  symmetrizeInPlace(Hp, h.rows);
  return { W: matrixFromRowMajor(Wp, w.rows, w.cols), H: matrixFromRowMajor(Hp, h.rows, h.cols) };
}
