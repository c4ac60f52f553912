/**
 * The argument handling shared by the public transforms (fwht.ts, transform.ts): each public function checks
 * its arguments here, under its own name, then runs the plan of its length on the caller's array (the InPlace
 * forms) or on a fresh result.
 */
import { assertFloatArray, assertInteger, matrixFromRowMajor, readMatrix, type FloatArray, type Matrix } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { readTransformOptions } from './options.js';
import type { HadamardPlan } from './plan.js';

/** The plan for length n of `fn`'s transform, or an error naming `arg` (the argument giving n). */
export type PlanOf = (fn: string, arg: string, n: number) => HadamardPlan;

/** x <- H x (inPlace) or a new array H x of x's type; H, the length check and its message from `planOf`. */
export function transformVector<T extends FloatArray>(fn: string, x: T, options: unknown, inPlace: boolean, planOf: PlanOf): T {
  assertFloatArray(fn, 'x', x);
  const plan = planOf(fn, 'x.length', x.length);
  const { normalize, transpose } = readTransformOptions(fn, options);
  const y = inPlace ? x : (x.slice() as T);
  plan.apply(fn, 'x', y, 1, transpose, normalize);
  return y;
}

/** The transform of every row of the row-major rows x n matrix stored flat in `data`, in place. */
export function transformRowsInPlace<T extends FloatArray>(fn: string, data: T, rows: number, n: number, options: unknown, planOf: PlanOf): T {
  assertFloatArray(fn, 'data', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  const plan = planOf(fn, 'n', n);
  if (data.length !== rows * n) throw rangeError(fn, 'data', `of length rows * n = ${rows * n}`, `length ${data.length}`);
  const { normalize, transpose } = readTransformOptions(fn, options);
  plan.apply(fn, 'data', data, rows, transpose, normalize);
  return data;
}

/** The transform of every row of the matrix X (any 2-D view), as a new row-major float64 matrix. */
export function transformMatrixRows(fn: string, X: unknown, options: unknown, planOf: PlanOf): Matrix {
  const { data, rows, cols } = readMatrix(fn, 'X', X);
  const plan = planOf(fn, 'X.shape[1]', cols);
  const { normalize, transpose } = readTransformOptions(fn, options);
  plan.apply(fn, 'X', data, rows, transpose, normalize);
  return matrixFromRowMajor(data, rows, cols);
}
