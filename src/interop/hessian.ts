/**
 * QuIP#'s Hessian files: `{ flatH, mu, n, ct }` per layer (its hessian_offline scripts write one per group of
 * layers sharing an input). `flatH` is the lower triangle, row by row ((0,0), (1,0), (1,1), (2,0), ...), of the
 * centred covariance E[x x^T] - mu mu^T as float32; `mu` the float32 mean of the inputs; `ct` the sample count.
 * QuIP# adds mu mu^T back (in float32) before use, then regularizes H / mean(diag H) + sigma_reg I (in float32).
 */
import { rangeError, typeError } from '../errors/index.js';
import {
  assertFinite,
  assertFiniteNumber,
  assertInteger,
  assertLength,
  isFloatArray,
  matrixFromRowMajor,
  readSymmetricMatrix,
  type FloatArray,
  type Matrix,
  type MatrixInput,
} from '../core/index.js';
import { readTensor } from './tensor-input.js';

/** A QuIP# Hessian file's fields, as denseToQuipSharpHessian writes them. */
export type QuipSharpHessianFile = {
  /** Lower triangle of E[x x^T] - mu mu^T, row by row: n (n + 1) / 2 float32 values. */
  flatH: Float32Array;
  /** The mean input, float32. */
  mu: Float32Array;
  /** The input dimension. */
  n: number;
  /** The number of samples. */
  ct: number;
};

/** A float32 vector given as a Float32Array or a 1-D F32 tensor. */
function float32Vector(fn: string, arg: string, v: unknown, length: number): Float32Array {
  if (ArrayBuffer.isView(v) && !(v instanceof Float32Array)) throw typeError(fn, arg, 'a Float32Array or an F32 tensor', v);
  const data = v instanceof Float32Array ? v : readTensor(fn, arg, v, ['F32'], [length]).data;
  if (!(data instanceof Float32Array)) throw typeError(fn, `${arg}.data`, 'a Float32Array', data);
  assertLength(fn, arg, data, length);
  assertFinite(fn, arg, data);
  return data;
}

/**
 * The dense n x n second moment E[x x^T] a QuIP# Hessian file describes, computed as QuIP#'s quantize_linear does
 * it, in float32: H_ij = H_ji = fl32(flatH_k + fl32(mu_i mu_j)) for the k-th lower-triangle entry (i, j), i >= j.
 * `file` is the dict as read (readTorchFile, or safetensors tensors of the same names; flatH and mu may also be
 * plain Float32Arrays). The entries are float32 values, returned in a float64 matrix (exact). `ct` is not read.
 *
 * Cost: O(n^2). Throws TypeError for a missing or mistyped field (flatH and mu must be float32), RangeError for
 * n not a positive integer, lengths other than n (n + 1) / 2 and n, or non-finite entries.
 *
 * @example quipSharpHessianToDense(readTorchFile(bytes) as Record<string, unknown>) // 4096 x 4096 for '0_qkv.pt'
 */
export function quipSharpHessianToDense(file: Readonly<Record<string, unknown>>): Matrix {
  const fn = 'quipSharpHessianToDense';
  if (typeof file !== 'object' || file === null) throw typeError(fn, 'file', 'an object { flatH, mu, n, ct }', file);
  const n = file.n;
  assertInteger(fn, 'file.n', n, 1, 2 ** 26);
  const flatH = float32Vector(fn, 'file.flatH', file.flatH, (n * (n + 1)) / 2);
  const mu = float32Vector(fn, 'file.mu', file.mu, n);
  const H = new Float64Array(n * n);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j <= i; j++, k++) {
      const v = Math.fround(flatH[k] + Math.fround(mu[i] * mu[j]));
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return matrixFromRowMajor(H, n, n);
}

/**
 * QuIP#'s regularization of a Hessian, in float32 as its regularize_H does it: H <- H / mean(diag H), then
 * sigmaReg added to the diagonal. Entries are rounded to float32 first; the mean is the float64 mean of the diagonal
 * rounded to float32 (on QuIP#'s sample this reproduces the H its quantize received bit for bit). Returns a new
 * matrix of float32 values (in float64).
 *
 * Cost: O(n^2). Throws TypeError/RangeError for a matrix argument that is not a finite square symmetric matrix,
 * RangeError when sigmaReg is not finite and >= 0 or mean(diag H) is not positive.
 *
 * @example regularizeQuipSharpHessian(quipSharpHessianToDense(file)) // what QuIP#'s quantize receives
 */
export function regularizeQuipSharpHessian(H: MatrixInput, sigmaReg = 1e-2): Matrix {
  const fn = 'regularizeQuipSharpHessian';
  const { data, rows: n } = readSymmetricMatrix(fn, 'H', H);
  assertFiniteNumber(fn, 'sigmaReg', sigmaReg);
  if (sigmaReg < 0) throw rangeError(fn, 'sigmaReg', 'a finite number >= 0', String(sigmaReg));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.fround(data[i * n + i]);
  const mean = Math.fround(sum / n);
  if (!(mean > 0) || !Number.isFinite(mean)) {
    throw rangeError(fn, 'H', 'a matrix whose diagonal has a positive float32 mean', `mean ${mean}`);
  }
  const sigma = Math.fround(sigmaReg);
  for (let i = 0; i < n * n; i++) data[i] = Math.fround(Math.fround(data[i]) / mean);
  for (let i = 0; i < n; i++) data[i * n + i] = Math.fround(data[i * n + i] + sigma);
  return matrixFromRowMajor(data, n, n);
}

/**
 * The QuIP# Hessian file of a second moment: flatH = fl32(H_ij - mu_i mu_j) over the lower triangle (i >= j, row
 * by row; the product and difference in float64, rounded once), mu = fl32(mu), as QuIP#'s hessian_offline writes
 * them. `H` is E[x x^T] (uncentred, n x n symmetric), `mu` E[x], `ct` the number of samples.
 * quipSharpHessianToDense inverts it up to float32 rounding.
 *
 * Cost: O(n^2). Throws TypeError/RangeError for H not a finite square symmetric matrix, mu not a finite
 * float array of length n, or ct not a positive integer.
 *
 * @example denseToQuipSharpHessian(secondMoment, mean, 4096) // { flatH, mu, n, ct }
 */
export function denseToQuipSharpHessian(H: MatrixInput, mu: FloatArray, ct: number): QuipSharpHessianFile {
  const fn = 'denseToQuipSharpHessian';
  const { data, rows: n } = readSymmetricMatrix(fn, 'H', H);
  if (!isFloatArray(mu)) throw typeError(fn, 'mu', 'a Float32Array or Float64Array', mu);
  assertLength(fn, 'mu', mu, n, ' (the size of H)');
  assertFinite(fn, 'mu', mu);
  assertInteger(fn, 'ct', ct, 1, Number.MAX_SAFE_INTEGER);
  const flatH = new Float32Array((n * (n + 1)) / 2);
  for (let i = 0, k = 0; i < n; i++) for (let j = 0; j <= i; j++, k++) flatH[k] = data[i * n + j] - mu[i] * mu[j];
  const mu32 = Float32Array.from(mu);
  assertFinite(fn, 'H - mu mu^T (in float32)', flatH);
  assertFinite(fn, 'mu (in float32)', mu32);
  return { flatH, mu: mu32, n, ct };
}
