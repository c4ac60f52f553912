/**
 * The frame shared by both incoherence processings (RHT and RFFT): read and check a layer (W, H), conjugate
 * it by two orthogonal maps given by their action on rows, and map a processed matrix back.
 */
import {
  assertFloatArray,
  assertSquare,
  assertSymmetric,
  matrixFromRowMajor,
  readMatrix,
  symmetrizeInPlace,
  type DenseMatrix,
  type FloatArray,
  type Matrix,
} from '../core/index.js';
import { seedKey, type Seed } from '../random/index.js';

/**
 * An in-place map applied to every row of a row-major `rows x n` matrix; `arg` names the matrix in error
 * messages (the maps reject non-finite entries and results beyond the array type's range).
 */
export type RowMap = (data: FloatArray, rows: number, n: number, arg: string) => void;

/**
 * A <- L A R^T for orthogonal-style maps given by their action on rows: `right` applies R to every row of A
 * (row i of A R^T is R a_i), `left` applies L to every row of A^T (the columns of A). A is row-major
 * rows x cols and is overwritten in place; returns A. The columns are mapped a block at a time through a
 * scratch of COLUMN_BLOCK columns, so the only extra memory is COLUMN_BLOCK x rows values.
 */
export function transformBothSides(A: Float64Array, rows: number, cols: number, left: RowMap, right: RowMap, arg: string): Float64Array {
  right(A, rows, cols, arg);
  mapColumns(A, rows, cols, left, arg);
  return A;
}

/** Columns gathered per block by mapColumns: 64 doubles of a row are one 512-byte run, friendly to every cache. */
const COLUMN_BLOCK = 64;

/** Applies `map` to every column of the row-major rows x cols A, in place. */
function mapColumns(A: Float64Array, rows: number, cols: number, map: RowMap, arg: string): void {
  const width = Math.min(COLUMN_BLOCK, cols);
  const scratch = new Float64Array(width * rows);
  for (let c0 = 0; c0 < cols; c0 += width) {
    const b = Math.min(width, cols - c0);
    const T = scratch.subarray(0, b * rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < b; j++) T[j * rows + i] = A[i * cols + c0 + j];
    map(T, b, rows, arg);
    for (let i = 0; i < rows; i++) for (let j = 0; j < b; j++) A[i * cols + c0 + j] = T[j * rows + i];
  }
}

/**
 * One incoherence processing, as the layer functions need it: how to check a dimension, draw the random
 * parameters of a side (signs or phases) from stream `stream`, check given parameters, and turn them into a
 * row map (or its inverse).
 */
export interface Processing<P> {
  requireDimension(fn: string, arg: string, d: number): void;
  draw(d: number, seed: Seed, stream: number): P;
  /** Throws unless `params` (the argument `arg`) suits a side of dimension d, given by the argument `dimArg`. */
  checkParameters(fn: string, arg: string, params: unknown, d: number, dimArg: string): asserts params is P;
  rowMap(fn: string, params: P, inverse: boolean): RowMap;
  /** The streams of the left (output, m) and right (input, n) sides. */
  readonly streams: readonly [number, number];
}

/**
 * The checked body of the vector maps (rht, rfftTransform and their inverses): `processing`'s row map on a copy
 * of the vector x (the argument `arg`) with the parameters `params` (the argument `paramsArg`). Returns the copy.
 */
export function mapVector<T extends FloatArray, P>(fn: string, arg: string, x: T, params: unknown, paramsArg: string, processing: Processing<P>, inverse: boolean): T {
  assertFloatArray(fn, arg, x);
  processing.requireDimension(fn, `${arg}.length`, x.length);
  processing.checkParameters(fn, paramsArg, params, x.length, `${arg}.length`);
  const y = x.slice() as T;
  processing.rowMap(fn, params, inverse)(y, 1, y.length, arg);
  return y;
}

/** What a processing returns: W' = U W V^T, H' = V H V^T (exactly symmetric), and U's and V's parameters. */
export interface ProcessedLayer<P> {
  W: Matrix;
  H: Matrix;
  left: P;
  right: P;
}

/**
 * The processing of a layer W (m x n) and its proxy Hessian H (n x n, symmetric to relative 1e-10, finite) for
 * `fn`: checks both matrices, both dimensions and `seedArg` (the path of the seed in `fn`'s arguments), draws
 * the parameters of both sides and returns W' = U W V^T, H' = V H V^T with them.
 */
export function processLayer<P>(fn: string, W: unknown, H: unknown, seed: unknown, seedArg: string, processing: Processing<P>): ProcessedLayer<P> {
  const w = readMatrix(fn, 'W', W);
  const h = readMatrix(fn, 'H', H);
  assertSquare(fn, 'H', h, w.cols);
  assertSymmetric(fn, 'H', h.data, h.rows);
  processing.requireDimension(fn, 'W.shape[0]', w.rows);
  processing.requireDimension(fn, 'W.shape[1]', w.cols);
  seedKey(fn, seed, seedArg);
  const left = processing.draw(w.rows, seed as Seed, processing.streams[0]);
  const right = processing.draw(w.cols, seed as Seed, processing.streams[1]);
  const { W: Wp, H: Hp } = conjugateLayer(w, h, processing.rowMap(fn, left, false), processing.rowMap(fn, right, false));
  return { W: Wp, H: Hp, left, right };
}

/**
 * W' = U W V^T and H' = V H V^T (made exactly symmetric) for maps U (on m-vectors) and V (on n-vectors)
 * given by their action on rows. Overwrites the dense copies.
 */
function conjugateLayer(w: DenseMatrix, h: DenseMatrix, U: RowMap, V: RowMap): { W: Matrix; H: Matrix } {
  conjugateInPlace(w.data, w.rows, w.cols, h.data, U, V);
  return { W: matrixFromRowMajor(w.data, w.rows, w.cols), H: matrixFromRowMajor(h.data, h.rows, h.cols) };
}

/** W <- U W V^T (m x n) and H <- V H V^T (n x n, then made exactly symmetric), in place. */
function conjugateInPlace(W: Float64Array, m: number, n: number, H: Float64Array, U: RowMap, V: RowMap): void {
  transformBothSides(W, m, n, U, V, 'W');
  transformBothSides(H, n, n, V, V, 'H');
  symmetrizeInPlace(H, n);
}

/**
 * processLayer on trusted dense copies, for quantize/ (which has validated them and owns them): W (m x n) and
 * H (n x n) are conjugated in place with the parameters drawn from `seed`; returns the parameters.
 */
export function processLayerInPlace<P>(fn: string, W: Float64Array, m: number, n: number, H: Float64Array, seed: Seed, processing: Processing<P>): { left: P; right: P } {
  processing.requireDimension(fn, 'W.shape[0]', m);
  processing.requireDimension(fn, 'W.shape[1]', n);
  const left = processing.draw(m, seed, processing.streams[0]);
  const right = processing.draw(n, seed, processing.streams[1]);
  conjugateInPlace(W, m, n, H, processing.rowMap(fn, left, false), processing.rowMap(fn, right, false));
  return { left, right };
}

/**
 * Maps What (m x n, in the processed basis) back: U^T What V for the parameters `left` (of U) and `right` (of
 * V), which `fn` received as the arguments named `leftArg` and `rightArg` (e.g. 'signsU', 'processed.signsU').
 */
export function reverseLayer<P>(fn: string, What: unknown, left: unknown, right: unknown, leftArg: string, rightArg: string, processing: Processing<P>): Matrix {
  const w = readMatrix(fn, 'What', What);
  processing.requireDimension(fn, 'What.shape[0]', w.rows);
  processing.requireDimension(fn, 'What.shape[1]', w.cols);
  processing.checkParameters(fn, leftArg, left, w.rows, 'What.shape[0]');
  processing.checkParameters(fn, rightArg, right, w.cols, 'What.shape[1]');
  const back = transformBothSides(w.data, w.rows, w.cols, processing.rowMap(fn, left, true), processing.rowMap(fn, right, true), 'What');
  return matrixFromRowMajor(back, w.rows, w.cols);
}
