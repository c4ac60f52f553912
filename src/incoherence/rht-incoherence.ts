/**
 * RHT incoherence processing (QuIP# Algorithm 3):
 *   W' = (V_m S_U) W (S_V V_n^T) / sqrt(m n),   H' = (V_n S_V) H (S_V V_n^T) / n,
 * with S_U = diag(randomSigns(m, seed, 0)), S_V = diag(randomSigns(n, seed, 1)), V = hadamardMatrix.
 * Row i of W V^T is V applied to row i of W, so the right factor transforms rows; the left factor
 * transforms columns (rows of the transpose).
 */
import type { Matrix, MatrixInput } from '../core/index.js';
import { processLayer, reverseLayer } from './conjugate.js';
import type { Seed } from '../random/index.js';
import { RHT } from './rht.js';

/** Options of `incoherenceRHT` and `reverseIncoherenceRHT`: the seed of the sign streams (0: S_U, 1: S_V). */
export interface IncoherenceOptions {
  /** Seed of the sign streams (integer 0..2^53-1 or bigint < 2^64). */
  seed: Seed;
}

/** The outcome of `incoherenceRHT`: the processed W', H' and the signs that reverse them. */
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

/** incoherenceRHT for `fn`, the seed found at `seedArg` of its arguments. */
export function processRHT(fn: string, W: unknown, H: unknown, seed: unknown, seedArg: string): IncoherenceRHTResult {
  const { W: Wp, H: Hp, left, right } = processLayer(fn, W, H, seed, seedArg, RHT);
  return { W: Wp, H: Hp, signsU: left, signsV: right };
}

/**
 * RHT incoherence processing of a layer W (m x n) and its proxy Hessian H (n x n): W', H' as above and the
 * signs used. m and n must be supported Hadamard orders; H symmetric (relative 1e-10); both finite. Any views
 * over Float32Array or Float64Array; results are new row-major float64 matrices, the inputs are not modified.
 * O(mn (log n + m_n) + ...) with the fast Hadamard transforms (m_n the base order of n).
 *
 * Throws TypeError for non-matrices or a bad seed type; RangeError for unsupported orders, H not n x n,
 * non-finite entries, a seed out of range, or a result beyond float64; NotSymmetricError for an asymmetric H.
 *
 * @example const { W: Wp, H: Hp, signsU, signsV } = incoherenceRHT(W, H, { seed: 42 })
 */
export function incoherenceRHT(W: MatrixInput, H: MatrixInput, options: IncoherenceOptions): IncoherenceRHTResult {
  return processRHT('incoherenceRHT', W, H, options?.seed, 'options.seed');
}

/**
 * Maps a matrix in the processed basis back: W = S_U V_m^T What V_n S_V / sqrt(m n) (What m x n; signsU of
 * length m, signsV of length n, from incoherenceRHT). Returns a new row-major float64 matrix. Cost: the fast
 * Hadamard transforms of What's rows and columns, as for W in incoherenceRHT.
 * Throws as incoherenceRHT does, and for signs of the wrong type, length or values.
 *
 * @example reverseIncoherenceRHT(out.W, out.signsU, out.signsV) // = W up to round-off
 */
export function reverseIncoherenceRHT(What: MatrixInput, signsU: Int8Array, signsV: Int8Array): Matrix {
  return reverseLayer('reverseIncoherenceRHT', What, signsU, signsV, 'signsU', 'signsV', RHT);
}
