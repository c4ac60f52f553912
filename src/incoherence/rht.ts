/**
 * The randomized Hadamard transform of QuIP# (Algorithm 3): x -> V S x / sqrt(n), S = diag(signs),
 * V = hadamardMatrix(n) applied fast. Orthogonal; rhtInverse undoes it exactly up to round-off.
 */
import { assertFinite, assertFloatArray, assertLength, type FloatArray } from '../core/index.js';
import { typeError } from '../errors/index.js';
import { hadamardTransform, requireHadamardFactorization } from '../hadamard/index.js';

/** Throws unless argument `arg` is an Int8Array of n entries, each +-1 (`why` explains n in the message). */
export function checkSigns(fn: string, arg: string, signs: unknown, n: number, why: string): asserts signs is Int8Array {
  if (!(signs instanceof Int8Array)) throw typeError(fn, arg, 'an Int8Array of +-1 (e.g. from randomSigns)', signs);
  assertLength(fn, arg, signs, n, why);
  for (let i = 0; i < n; i++) {
    if (signs[i] !== 1 && signs[i] !== -1) throw typeError(fn, arg, `+-1 everywhere (index ${i} is ${signs[i]})`, signs);
  }
}

function copyOf<T extends FloatArray>(x: T): T {
  return x.slice() as T;
}

/** y = V diag(signs) x / sqrt(n) as a new array of x's type (x is not modified). */
export function rht<T extends FloatArray>(x: T, signs: Int8Array): T {
  const fn = 'rht';
  assertFloatArray(fn, 'x', x);
  requireHadamardFactorization(fn, 'x.length', x.length);
  checkSigns(fn, 'signs', signs, x.length, ' (the length of x)');
  assertFinite(fn, 'x', x);
  const y = copyOf(x);
  for (let i = 0; i < y.length; i++) y[i] *= signs[i];
  return hadamardTransform(y, { normalize: true });
}

/** x = diag(signs) V^T y / sqrt(n) as a new array of y's type (y is not modified): the inverse of rht. */
export function rhtInverse<T extends FloatArray>(y: T, signs: Int8Array): T {
  const fn = 'rhtInverse';
  assertFloatArray(fn, 'y', y);
  requireHadamardFactorization(fn, 'y.length', y.length);
  checkSigns(fn, 'signs', signs, y.length, ' (the length of y)');
  assertFinite(fn, 'y', y);
  const x = hadamardTransform(copyOf(y), { normalize: true, transpose: true });
  for (let i = 0; i < x.length; i++) x[i] *= signs[i];
  return x;
}
