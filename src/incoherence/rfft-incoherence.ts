/**
 * RFFT incoherence processing (QuIP# Algorithm 4): with Q_U, Q_V the real matrices of rfftTransform
 * under phasesU = randomPhases(m/2, seed, 2) and phasesV = randomPhases(n/2, seed, 3),
 *   W' = Q_U W Q_V^T,   H' = Q_V H Q_V^T.
 * Row i of W Q_V^T is Q_V applied to row i of W, so the right factor transforms rows; the left factor
 * transforms columns (rows of the transpose). m and n need only be even.
 */
import type { Matrix, MatrixInput } from '../core/index.js';
import { processLayer, reverseLayer } from './conjugate.js';
import type { Seed } from '../random/index.js';
import { RFFT } from './rfft.js';

/**
 * Options of `incoherenceRFFT` and `reverseIncoherenceRFFT`: the seed of the phase streams (2: U side, 3: V side).
 */
export interface IncoherenceRFFTOptions {
  /** Seed of the phase streams (integer 0..2^53-1 or bigint < 2^64). */
  seed: Seed;
}

/** The outcome of `incoherenceRFFT`: the processed W', H' and the phases that reverse them. */
export interface IncoherenceRFFTResult {
  /** W' = Q_U W Q_V^T (m x n). */
  W: Matrix;
  /** H' = Q_V H Q_V^T (n x n), exactly symmetric. */
  H: Matrix;
  /** randomPhases(m/2, seed, 2). */
  phasesU: Float64Array;
  /** randomPhases(n/2, seed, 3). */
  phasesV: Float64Array;
}

/** incoherenceRFFT for `fn`, the seed found at `seedArg` of its arguments. */
export function processRFFT(fn: string, W: unknown, H: unknown, seed: unknown, seedArg: string): IncoherenceRFFTResult {
  const { W: Wp, H: Hp, left, right } = processLayer(fn, W, H, seed, seedArg, RFFT);
  return { W: Wp, H: Hp, phasesU: left, phasesV: right };
}

/**
 * RFFT incoherence processing of a layer W (m x n, m and n even) and its proxy Hessian H (n x n, symmetric to
 * relative 1e-10): W' = Q_U W Q_V^T, H' = Q_V H Q_V^T (symmetrized exactly) and the phases used. Any views over
 * Float32Array or Float64Array; results are new row-major float64 matrices, the inputs are not modified.
 * O(mn (log m + log n) + n^2 log n).
 *
 * Throws TypeError for non-matrices or a bad seed type; RangeError for odd dimensions, H not n x n, non-finite
 * entries, a seed out of range, or a result beyond float64; NotSymmetricError for an asymmetric H.
 *
 * @example const { W: Wp, H: Hp, phasesU, phasesV } = incoherenceRFFT(W, H, { seed: 42 })
 */
export function incoherenceRFFT(W: MatrixInput, H: MatrixInput, options: IncoherenceRFFTOptions): IncoherenceRFFTResult {
  return processRFFT('incoherenceRFFT', W, H, options?.seed, 'options.seed');
}

/**
 * Maps a matrix in the processed basis back: W = Q_U^T What Q_V (What m x n; phasesU of length m/2, phasesV of
 * length n/2, from incoherenceRFFT). Returns a new row-major float64 matrix, in O(m n (log m + log n)).
 * Throws as incoherenceRFFT does, and for phases of the wrong type or length, or not finite.
 *
 * @example reverseIncoherenceRFFT(out.W, out.phasesU, out.phasesV) // = W up to round-off
 */
export function reverseIncoherenceRFFT(What: MatrixInput, phasesU: Float64Array, phasesV: Float64Array): Matrix {
  return reverseLayer('reverseIncoherenceRFFT', What, phasesU, phasesV, 'phasesU', 'phasesV', RFFT);
}
