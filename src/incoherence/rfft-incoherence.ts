/**
 * RFFT incoherence processing (QuIP# Algorithm 4): with Q_U, Q_V the real matrices of rfftTransform
 * under phasesU = randomPhases(m/2, seed, 2) and phasesV = randomPhases(n/2, seed, 3),
 *   W' = Q_U W Q_V^T,   H' = Q_V H Q_V^T.
 * Row i of W Q_V^T is Q_V applied to row i of W, so the right factor transforms rows; the left factor
 * transforms columns (rows of the transpose). m and n need only be even.
 */
import { matrixFromRowMajor, readMatrix, type Matrix, type MatrixInput } from '../core/index.js';
import { conjugateLayer, readLayer, transformBothSides, type RowMap } from './conjugate.js';
import { randomPhases, seedKey, type Seed } from '../random/index.js';
import { checkPhases, requireEven, rfftRows } from './rfft.js';

export interface IncoherenceRFFTOptions {
  /** Seed of the phase streams (integer 0..2^53-1 or bigint < 2^64). */
  seed: Seed;
}

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

/** The row map x -> Q x (or Q^T x with `inverse`) for the RFFT matrix Q of `phases`, on every row. */
function rfftRowMap(phases: Float64Array, inverse: boolean): RowMap {
  return (data, rows, n) => rfftRows(data, rows, n, phases, inverse);
}

/**
 * RFFT incoherence processing of a layer W (m x n, m and n even) and its proxy Hessian H (n x n,
 * symmetric to relative 1e-10, finite): returns W' = Q_U W Q_V^T, H' = Q_V H Q_V^T (symmetrized
 * exactly) and the phases used.
 */
export function incoherenceRFFT(W: MatrixInput, H: MatrixInput, options: IncoherenceRFFTOptions): IncoherenceRFFTResult {
  const fn = 'incoherenceRFFT';
  const { w, h } = readLayer(fn, W, H);
  requireEven(fn, 'W.shape[0]', w.rows);
  requireEven(fn, 'W.shape[1]', w.cols);
  seedKey(fn, options?.seed, 'options.seed');
  const phasesU = randomPhases(w.rows / 2, options.seed, 2);
  const phasesV = randomPhases(w.cols / 2, options.seed, 3);
  const processed = conjugateLayer(w, h, rfftRowMap(phasesU, false), rfftRowMap(phasesV, false));
  return { ...processed, phasesU, phasesV };
}

/** Maps a matrix in the processed basis back: W = Q_U^T What Q_V (What m x n, phases of m/2 and n/2). */
export function reverseIncoherenceRFFT(What: MatrixInput, phasesU: Float64Array, phasesV: Float64Array): Matrix {
  const fn = 'reverseIncoherenceRFFT';
  const w = readMatrix(fn, 'What', What);
  requireEven(fn, 'What.shape[0]', w.rows);
  requireEven(fn, 'What.shape[1]', w.cols);
  checkPhases(fn, 'phasesU', phasesU, w.rows / 2, ' (What.shape[0] / 2)');
  checkPhases(fn, 'phasesV', phasesV, w.cols / 2, ' (What.shape[1] / 2)');
  const back = transformBothSides(w.data, w.rows, w.cols, rfftRowMap(phasesU, true), rfftRowMap(phasesV, true));
  return matrixFromRowMajor(back, w.rows, w.cols);
}
