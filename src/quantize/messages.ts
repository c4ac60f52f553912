/**
 * The messages between quantizeLinear and its workers, and how errors cross the thread boundary (structured
 * cloning keeps only an Error's message, so the named classes are rebuilt from their fields).
 */
import { NotPositiveDefiniteError } from '../errors/index.js';
import type { IncoherenceChoice } from './options.js';
import type { PreparedLayer } from './prepare.js';
import type { RowSums, RowsJob } from './round.js';
import type { Seed } from '../random/index.js';

export interface PrepareRequest {
  type: 'prepare';
  W: Float64Array;
  H: Float64Array;
  m: number;
  n: number;
  codebook: string;
  incoherence: IncoherenceChoice;
  seed: Seed;
  sigmaReg: number;
  rescale: boolean;
  keepHessian: boolean;
  fn: string;
}

/** The energies w_i^T H w_i of the user's W (m x n) and H, claimed chunk by chunk (see claimRowEnergies). */
export interface EnergiesJob {
  W: Float64Array;
  H: Float64Array;
  m: number;
  n: number;
  /** [next unclaimed row, stop flag], shared by every worker. */
  control: Int32Array;
  energy: Float64Array;
}

/** Compute energies until every row is claimed or the stop flag is raised (while another worker prepares). */
export interface EnergiesRequest {
  type: 'energies';
  energies: EnergiesJob;
}

/** Round rows [r0, r1), then compute energies until every row is claimed. */
export interface RoundRequest {
  type: 'round';
  fn: string;
  job: RowsJob;
  codebook: string;
  r0: number;
  r1: number;
  codes: Uint16Array;
  sums: RowSums;
  energies: EnergiesJob;
}

export type WorkerRequest = PrepareRequest | EnergiesRequest | RoundRequest;

export type WorkerReply =
  | { type: 'stage'; stage: 'incoherence' | 'factorize' }
  | { type: 'blocks'; count: number }
  | { type: 'energy-chunk' }
  | { type: 'prepared'; layer: PreparedLayer }
  | { type: 'energies-paused' }
  | { type: 'rounded' }
  | { type: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  fields?: { fn: string; arg: string; pivot: number; pivotValue: number };
}

/** An error as data that survives postMessage. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof NotPositiveDefiniteError) {
    return { name: e.name, message: e.message, fields: { fn: e.fn, arg: e.arg, pivot: e.pivot, pivotValue: e.pivotValue } };
  }
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** The error again, of its original class where that class is one of the library's or a built-in one. */
export function deserializeError(s: SerializedError): Error {
  if (s.name === 'NotPositiveDefiniteError' && s.fields) return new NotPositiveDefiniteError(s.fields.fn, s.fields.arg, s.fields.pivot, s.fields.pivotValue);
  if (s.name === 'RangeError') return new RangeError(s.message);
  if (s.name === 'TypeError') return new TypeError(s.message);
  return new Error(s.message);
}
