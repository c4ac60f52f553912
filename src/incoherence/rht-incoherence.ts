/**
 * RHT incoherence processing (QuIP# Algorithm 3) and the incoherence measure of QuIP.
 *
 *   W' = (V_m S_U) W (S_V V_n^T) / sqrt(m n),   H' = (V_n S_V) H (S_V V_n^T) / n,
 * with S_U = diag(randomSigns(m, seed, 0)), S_V = diag(randomSigns(n, seed, 1)), V = hadamardMatrix.
 * Row i of W V^T is V applied to row i of W, so the right factor transforms rows; the left factor
 * transforms columns (rows of the transpose).
 */
import { matrixFromRowMajor, readMatrix, type Matrix, type MatrixInput } from '../core/index.js';
import { conjugateLayer, readLayer, transformBothSides, type RowMap } from './conjugate.js';
import { rangeError } from '../errors/index.js';
import { randomSigns, seedKey, type Seed } from '../random/index.js';
import { checkSigns } from './rht.js';
import { hadamardTransformRows, requireHadamardFactorization } from '../hadamard/index.js';

export interface IncoherenceOptions {
  /** Seed of the sign streams (integer 0..2^53-1 or bigint < 2^64). */
  seed: Seed;
}

export interface IncoherenceRHTResult {
  /** W' (m x n). */
  W: Matrix;
  /** H' (n x n), exactly symmetric. */
  H: Matrix;
  /** randomSigns(m, seed, 0). */
  signsU: Int8Array;
  /** randomSigns(n, seed, 1). */
  signsV: Int8Array;
}

function scaleColumns(A: Float64Array, rows: number, cols: number, s: Int8Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) A[i * cols + j] *= s[j];
}

/** The row map x -> V S x / sqrt(n) (or its inverse x -> S V^T x / sqrt(n)) on every row. */
function signedHadamardRows(signs: Int8Array, inverse: boolean): RowMap {
  const opts = { normalize: true, transpose: inverse };
  return (data, rows, n) => {
    if (!inverse) scaleColumns(data, rows, n, signs);
    hadamardTransformRows(data, rows, n, opts);
    if (inverse) scaleColumns(data, rows, n, signs);
  };
}

/**
 * RHT incoherence processing of a layer W (m x n) and its proxy Hessian H (n x n): returns W', H' and the
 * signs used. m and n must be supported Hadamard orders; H must be symmetric (relative 1e-10) and finite.
 */
export function incoherenceRHT(W: MatrixInput, H: MatrixInput, options: IncoherenceOptions): IncoherenceRHTResult {
  const fn = 'incoherenceRHT';
  const { w, h } = readLayer(fn, W, H);
  requireHadamardFactorization(fn, 'W.shape[0]', w.rows);
  requireHadamardFactorization(fn, 'W.shape[1]', w.cols);
  seedKey(fn, options?.seed, 'options.seed');
  const signsU = randomSigns(w.rows, options.seed, 0);
  const signsV = randomSigns(w.cols, options.seed, 1);
  const processed = conjugateLayer(w, h, signedHadamardRows(signsU, false), signedHadamardRows(signsV, false));
  return { ...processed, signsU, signsV };
}

/** Maps a matrix in the processed basis back: W = S_U V_m^T What V_n S_V / sqrt(m n). */
export function reverseIncoherenceRHT(What: MatrixInput, signsU: Int8Array, signsV: Int8Array): Matrix {
  const fn = 'reverseIncoherenceRHT';
  const w = readMatrix(fn, 'What', What);
  requireHadamardFactorization(fn, 'What.shape[0]', w.rows);
  requireHadamardFactorization(fn, 'What.shape[1]', w.cols);
  checkSigns(fn, 'signsU', signsU, w.rows, ' (What.shape[0])');
  checkSigns(fn, 'signsV', signsV, w.cols, ' (What.shape[1])');
  const back = transformBothSides(w.data, w.rows, w.cols, signedHadamardRows(signsU, true), signedHadamardRows(signsV, true));
  return matrixFromRowMajor(back, w.rows, w.cols);
}

/** QuIP's incoherence of W (m x n): mu = max |W_ij| sqrt(m n) / ||W||_F, between 1 and sqrt(m n). */
export function incoherence(W: MatrixInput): number {
  const fn = 'incoherence';
  const { data, rows, cols } = readMatrix(fn, 'W', W);
  let max = 0;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > max) max = v;
    sq += v * v;
  }
  if (sq === 0) throw rangeError(fn, 'W', 'not all zero (incoherence is undefined for W = 0)', 'an all-zero matrix');
  return (max * Math.sqrt(rows * cols)) / Math.sqrt(sq);
}
