/**
 * Incoherence processing with the transform chosen per layer: the randomized Hadamard transform
 * (QuIP# Algorithm 3) where Hadamard matrices of both orders exist, the randomized FFT (Algorithm 4)
 * otherwise. The result records the method and its signs or phases, so it can be reversed.
 */
import { readMatrix, type Matrix, type MatrixInput } from '../core/index.js';
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { supportedHadamardOrder } from '../hadamard/index.js';
import { incoherenceRHT, reverseIncoherenceRHT, type IncoherenceRHTResult } from './rht-incoherence.js';
import type { Seed } from '../random/index.js';
import { incoherenceRFFT, reverseIncoherenceRFFT, type IncoherenceRFFTResult } from './rfft-incoherence.js';

/** 'rht' (Algorithm 3), 'rfft' (Algorithm 4), or 'auto': RHT when both dimensions are supported Hadamard orders. */
export type IncoherenceMethod = 'rht' | 'rfft' | 'auto';

export interface IncoherenceProcessOptions {
  /** Which transform to use. Default 'auto'. */
  method?: IncoherenceMethod;
  /** Seed of the sign (streams 0, 1) or phase (streams 2, 3) streams. */
  seed: Seed;
}

/** The outcome of {@link incoherenceProcess}: W', H' and what is needed to reverse them. */
export type IncoherenceProcessed = ({ method: 'rht' } & IncoherenceRHTResult) | ({ method: 'rfft' } & IncoherenceRFFTResult);

const METHODS: readonly string[] = ['rht', 'rfft', 'auto'];

/**
 * Incoherence processing of W (m x n) and H (n x n) by the chosen method; with 'auto' (the default) RHT
 * when supportedHadamardOrder(m) and supportedHadamardOrder(n), else RFFT (which needs m and n even).
 * Returns `{ method, W, H }` plus `signsU, signsV` (RHT) or `phasesU, phasesV` (RFFT).
 */
export function incoherenceProcess(W: MatrixInput, H: MatrixInput, options: IncoherenceProcessOptions): IncoherenceProcessed {
  const fn = 'incoherenceProcess';
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object { method?, seed }', options);
  const method = options.method ?? 'auto';
  if (!METHODS.includes(method)) throw rangeError(fn, 'options.method', "'rht', 'rfft' or 'auto'", describeValue(method));
  let chosen = method;
  if (method === 'auto') {
    const { rows, cols } = readMatrix(fn, 'W', W);
    const hadamard = supportedHadamardOrder(rows) && supportedHadamardOrder(cols);
    if (!hadamard) {
      for (const [arg, d] of [['W.shape[0]', rows], ['W.shape[1]', cols]] as const) {
        if (d % 2 !== 0 && !supportedHadamardOrder(d)) {
          throw rangeError(fn, arg, "a supported Hadamard order or even (for method 'auto')", String(d));
        }
      }
    }
    chosen = hadamard ? 'rht' : 'rfft';
  }
  const seed = { seed: options.seed };
  return chosen === 'rht' ? { method: 'rht', ...incoherenceRHT(W, H, seed) } : { method: 'rfft', ...incoherenceRFFT(W, H, seed) };
}

/** Reverses {@link incoherenceProcess} on a matrix in the processed basis (e.g. the quantized W'). */
export function reverseIncoherence(What: MatrixInput, processed: IncoherenceProcessed): Matrix {
  if (processed?.method === 'rht') return reverseIncoherenceRHT(What, processed.signsU, processed.signsV);
  if (processed?.method === 'rfft') return reverseIncoherenceRFFT(What, processed.phasesU, processed.phasesV);
  const method: unknown = (processed as { method?: unknown } | null | undefined)?.method;
  throw rangeError('reverseIncoherence', 'processed.method', "'rht' or 'rfft' (the result of incoherenceProcess)", describeValue(method));
}
