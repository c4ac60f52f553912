/**
 * Incoherence processing with the transform chosen per layer: the randomized Hadamard transform
 * (QuIP# Algorithm 3) where Hadamard matrices of both orders exist, the randomized FFT (Algorithm 4)
 * otherwise. The result records the method and its signs or phases, so it can be reversed.
 */
import { readMatrix, type Matrix, type MatrixInput } from '../core/index.js';
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { supportedHadamardOrder } from '../hadamard/index.js';
import type { Seed } from '../random/index.js';
import { processLayerInPlace, reverseLayer } from './conjugate.js';
import { processRHT, type IncoherenceRHTResult } from './rht-incoherence.js';
import { processRFFT, type IncoherenceRFFTResult } from './rfft-incoherence.js';
import { RHT } from './rht.js';
import { RFFT } from './rfft.js';

/** 'rht' (Algorithm 3), 'rfft' (Algorithm 4), or 'auto': RHT when both dimensions are supported Hadamard orders. */
export type IncoherenceMethod = 'rht' | 'rfft' | 'auto';

/** Options of `incoherenceProcess`: the method and the seed of its streams. */
export interface IncoherenceProcessOptions {
  /** Which transform to use. Default 'auto'. */
  method?: IncoherenceMethod;
  /** Seed of the sign (streams 0, 1) or phase (streams 2, 3) streams. */
  seed: Seed;
}

/** The outcome of {@link incoherenceProcess}: W', H' and what is needed to reverse them. */
export type IncoherenceProcessed = ({ method: 'rht' } & IncoherenceRHTResult) | ({ method: 'rfft' } & IncoherenceRFFTResult);

const METHODS: readonly string[] = ['rht', 'rfft', 'auto'];

/** The method 'auto' picks for W: 'rht' when both dimensions are Hadamard orders, else 'rfft' (both even). */
function autoMethod(fn: string, W: unknown): 'rht' | 'rfft' {
  const { rows, cols } = readMatrix(fn, 'W', W);
  if (supportedHadamardOrder(rows) && supportedHadamardOrder(cols)) return 'rht';
  for (const [arg, d] of [['W.shape[0]', rows], ['W.shape[1]', cols]] as const) {
    if (d % 2 !== 0) throw rangeError(fn, arg, "a supported Hadamard order or even (for method 'auto')", String(d));
  }
  return 'rfft';
}

/**
 * Incoherence processing of W (m x n) and H (n x n) by the chosen method; with 'auto' (the default) RHT
 * when supportedHadamardOrder(m) and supportedHadamardOrder(n), else RFFT (which needs m and n even).
 * Returns `{ method, W, H }` plus `signsU, signsV` (RHT) or `phasesU, phasesV` (RFFT): exactly what
 * incoherenceRHT / incoherenceRFFT return for the same seed, at their cost. The inputs are not modified.
 *
 * Throws TypeError for a missing options object, non-matrices or a bad seed type; RangeError for an unknown
 * method, dimensions the method cannot process, and the other errors of incoherenceRHT / incoherenceRFFT,
 * all under this function's name.
 *
 * @example const p = incoherenceProcess(W, H, { seed: 42 }); reverseIncoherence(p.W, p) // = W up to round-off
 */
export function incoherenceProcess(W: MatrixInput, H: MatrixInput, options: IncoherenceProcessOptions): IncoherenceProcessed {
  const fn = 'incoherenceProcess';
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object { method?, seed }', options);
  const method = options.method ?? 'auto';
  if (!METHODS.includes(method)) throw rangeError(fn, 'options.method', "'rht', 'rfft' or 'auto'", describeValue(method));
  const chosen = method === 'auto' ? autoMethod(fn, W) : method;
  return chosen === 'rht'
    ? { method: 'rht', ...processRHT(fn, W, H, options.seed, 'options.seed') }
    : { method: 'rfft', ...processRFFT(fn, W, H, options.seed, 'options.seed') };
}

/**
 * Reverses {@link incoherenceProcess} on a matrix in the processed basis (e.g. the quantized W', m x n): the
 * method's reverse map with the recorded signs or phases. Returns a new row-major float64 matrix, at the cost of
 * reverseIncoherenceRHT / reverseIncoherenceRFFT.
 *
 * Throws TypeError when `processed` is not an object; RangeError for an unknown `processed.method`; and the
 * errors of reverseIncoherenceRHT / reverseIncoherenceRFFT, naming `processed.signsU` (etc.) and this function.
 *
 * @example reverseIncoherence(What, incoherenceProcess(W, H, { seed: 1 }))
 */
export function reverseIncoherence(What: MatrixInput, processed: IncoherenceProcessed): Matrix {
  const fn = 'reverseIncoherence';
  if (typeof processed !== 'object' || processed === null) {
    throw typeError(fn, 'processed', 'the result of incoherenceProcess ({ method, ... })', processed);
  }
  if (processed.method === 'rht') {
    return reverseLayer(fn, What, processed.signsU, processed.signsV, 'processed.signsU', 'processed.signsV', RHT);
  }
  if (processed.method === 'rfft') {
    return reverseLayer(fn, What, processed.phasesU, processed.phasesV, 'processed.phasesU', 'processed.phasesV', RFFT);
  }
  const method: unknown = (processed as { method?: unknown }).method;
  throw rangeError(fn, 'processed.method', "'rht' or 'rfft' (the result of incoherenceProcess)", describeValue(method));
}

/** The parameters an in-place processing drew: the signs (RHT) or phases (RFFT) of both sides. */
export type IncoherenceParameters = { method: 'rht'; signsU: Int8Array; signsV: Int8Array } | { method: 'rfft'; phasesU: Float64Array; phasesV: Float64Array };

/**
 * {@link incoherenceProcess} with a fixed method on trusted dense copies, for quantize/ (internal): W (m x n,
 * row-major) and H (n x n) are overwritten with W' and H', the same values as incoherenceProcess gives, in
 * O(64 max(m, n)) extra memory; returns the parameters drawn from `seed`. `fn` names the user's function in
 * the errors of the maps (a result beyond float64).
 */
export function incoherenceProcessInPlace(fn: string, W: Float64Array, m: number, n: number, H: Float64Array, method: 'rht' | 'rfft', seed: Seed): IncoherenceParameters {
  if (method === 'rht') {
    const { left, right } = processLayerInPlace(fn, W, m, n, H, seed, RHT);
    return { method, signsU: left, signsV: right };
  }
  const { left, right } = processLayerInPlace(fn, W, m, n, H, seed, RFFT);
  return { method, phasesU: left, phasesV: right };
}
