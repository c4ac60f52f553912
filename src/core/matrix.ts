/**
 * The ndarray boundary. Public functions accept any 2-D ndarray view over a Float32Array or
 * Float64Array (any strides, any offset) and return contiguous row-major Float64Array-backed
 * ndarrays. Inside, everything works on flat typed arrays.
 */
import type { NdArray } from 'ndarray';
import { describeValue, rangeError, typeError, NotSymmetricError } from '../errors/index.js';
import { makeNdArray } from './strided.js';
import { assertFinite, assertInteger } from './validate.js';

/** A matrix as returned by quipsharp: contiguous, row-major, float64. */
export type Matrix = NdArray<Float64Array>;
/** A matrix as accepted by quipsharp: any 2-D float32/float64 view. */
export type MatrixInput = NdArray<Float64Array> | NdArray<Float32Array>;

/** A dense row-major float64 copy of a matrix argument. */
export interface DenseMatrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/**
 * Wraps a row-major Float64Array as an ndarray of shape [rows, cols], without copying: entry (i, j) is
 * `data[i * cols + j]`. Throws `TypeError` unless `data` is a Float64Array and `RangeError` unless rows and cols
 * are positive integers with rows * cols = data.length.
 *
 * @example matrixFromRowMajor(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3).get(1, 0) // 4
 */
export function matrixFromRowMajor(data: Float64Array, rows: number, cols: number): Matrix {
  const fn = 'matrixFromRowMajor';
  if (!(data instanceof Float64Array)) throw typeError(fn, 'data', 'a Float64Array', data);
  assertInteger(fn, 'rows', rows, 1, Number.MAX_SAFE_INTEGER);
  assertInteger(fn, 'cols', cols, 1, Number.MAX_SAFE_INTEGER);
  if (data.length !== rows * cols) {
    throw rangeError(fn, 'data', `of length rows * cols = ${rows * cols}`, `length ${data.length}`);
  }
  return makeNdArray(data, [rows, cols]);
}

function isMatrixInput(A: unknown): A is MatrixInput {
  if (typeof A !== 'object' || A === null) return false;
  const { data, shape, stride } = A as Partial<NdArray>;
  return (data instanceof Float32Array || data instanceof Float64Array) && Array.isArray(shape) && Array.isArray(stride);
}

const EXPECTED = 'a 2-D ndarray over a Float32Array or Float64Array';

/**
 * Checks the geometry of a 2-D view: shape entries positive integers, strides and offset integers, and every
 * element the view addresses inside `data` (the lowest and highest addresses offset + sum of the negative,
 * resp. positive, stride * (shape - 1) terms). Returns [rows, cols, s0, s1, offset].
 */
function viewGeometry(fn: string, arg: string, A: MatrixInput): [number, number, number, number, number] {
  const { shape, stride, offset } = A as { shape: unknown[]; stride: unknown[]; offset: unknown };
  if (shape.length !== 2) throw rangeError(fn, arg, 'a 2-D ndarray', `shape [${shape.map(describeValue).join(', ')}]`);
  if (stride.length !== 2) throw rangeError(fn, `${arg}.stride`, 'two integers', `[${stride.map(describeValue).join(', ')}]`);
  for (let d = 0; d < 2; d++) {
    const e = shape[d];
    if (typeof e !== 'number' || !Number.isSafeInteger(e)) throw typeError(fn, `${arg}.shape[${d}]`, 'a positive integer', e);
    if (e < 1) throw rangeError(fn, arg, 'non-empty', `shape [${shape.join(', ')}]`);
    const s = stride[d];
    if (typeof s !== 'number' || !Number.isSafeInteger(s)) throw typeError(fn, `${arg}.stride[${d}]`, 'an integer', s);
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw typeError(fn, `${arg}.offset`, 'an integer', offset);
  const [rows, cols] = shape as [number, number];
  const [s0, s1] = stride as [number, number];
  const span0 = s0 * (rows - 1);
  const span1 = s1 * (cols - 1);
  const lowest = offset + Math.min(span0, 0) + Math.min(span1, 0);
  const highest = offset + Math.max(span0, 0) + Math.max(span1, 0);
  if (lowest < 0 || highest >= A.data.length) {
    throw rangeError(
      fn,
      arg,
      `a view inside its data (addresses 0..${A.data.length - 1})`,
      `shape [${rows}, ${cols}], stride [${s0}, ${s1}], offset ${offset} addressing ${lowest}..${highest}`,
    );
  }
  return [rows, cols, s0, s1, offset];
}

/**
 * Validates a matrix argument and copies it into a fresh row-major Float64Array: the one place where user
 * views are read. Rejects non-ndarrays, other dtypes, non-2-D or empty shapes, non-integer shapes, strides
 * or offsets, views that address elements outside their data, and non-finite entries. `allocate` makes the
 * destination (e.g. in shared memory for worker threads).
 */
export function readMatrix(fn: string, arg: string, A: unknown, allocate: (length: number) => Float64Array = (length) => new Float64Array(length)): DenseMatrix {
  if (!isMatrixInput(A)) throw typeError(fn, arg, EXPECTED, A);
  const [rows, cols, s0, s1, offset] = viewGeometry(fn, arg, A);
  const src = A.data;
  const out = allocate(rows * cols);
  if (s1 === 1 && s0 === cols) {
    out.set(src.subarray(offset, offset + rows * cols));
  } else {
    for (let i = 0; i < rows; i++) {
      const base = offset + i * s0;
      for (let j = 0; j < cols; j++) out[i * cols + j] = src[base + j * s1];
    }
  }
  assertFinite(fn, arg, out);
  return { data: out, rows, cols };
}

/** Throws `RangeError` unless the matrix is square (optionally of a given size). */
export function assertSquare(fn: string, arg: string, M: DenseMatrix, n?: number): void {
  if (M.rows !== M.cols) throw rangeError(fn, arg, 'square', `shape [${M.rows}, ${M.cols}]`);
  if (n !== undefined && M.rows !== n) throw rangeError(fn, arg, `of shape [${n}, ${n}]`, `shape [${M.rows}, ${M.cols}]`);
}

/**
 * Throws `NotSymmetricError` when max |A_ij - A_ji| > tol * max |A| (tol defaults to 1e-10).
 * Does not modify A.
 */
export function assertSymmetric(fn: string, arg: string, A: Float64Array, n: number, tol = 1e-10): void {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(A[i]));
  let worst = 0;
  let wi = 0;
  let wj = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(A[i * n + j] - A[j * n + i]);
      if (d > worst) {
        worst = d;
        wi = i;
        wj = j;
      }
    }
  }
  const rel = scale === 0 ? 0 : worst / scale;
  if (rel > tol) throw new NotSymmetricError(fn, arg, wi, wj, rel, tol);
}

/** Replaces A by (A + A^T) / 2 in place, so it is exactly symmetric. */
export function symmetrizeInPlace(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (A[i * n + j] + A[j * n + i]);
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
}

/** Transposes a row-major rows x cols matrix into a new cols x rows one. */
export function transpose(A: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    for (let j0 = 0; j0 < cols; j0 += B) {
      const i1 = Math.min(i0 + B, rows);
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = A[i * cols + j];
    }
  }
  return out;
}

/**
 * The opening shared by every function taking a symmetric matrix: reads `A` (any 2-D view), checks that it is
 * square (of size n when given) and symmetric to relative `tol` (default 1e-10), and returns its dense copy.
 */
export function readSymmetricMatrix(fn: string, arg: string, A: unknown, n?: number, tol?: number, allocate?: (length: number) => Float64Array): DenseMatrix {
  const a = readMatrix(fn, arg, A, allocate);
  assertSquare(fn, arg, a, n);
  assertSymmetric(fn, arg, a.data, a.rows, tol);
  return a;
}
