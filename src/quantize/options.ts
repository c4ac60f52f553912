/**
 * The options of quantizeLinear, validated once, with QuIP#'s defaults where it has one.
 */
import { assertFiniteNumber, assertInteger } from '../core/index.js';
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { BACKEND_NAMES, type BackendName } from '../backend/index.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, type Codebook } from '../lattice/index.js';
import type { Seed } from '../random/index.js';
import { seedKey } from '../random/index.js';

/** The incoherence processing of quantizeLinear: 'auto' (RHT where both dimensions are Hadamard orders, else RFFT). */
export type IncoherenceChoice = 'auto' | 'rht' | 'rfft' | 'none';

/** The built-in codebooks by name: the issue-style names and QuIP#'s own class names. */
export type CodebookName = 'e8p12' | 'e8p12-rvq3' | 'e8p12-rvq4' | 'E8P12' | 'E8P12RVQ3B' | 'E8P12RVQ4B';

/** A stage of quantizeLinear, as reported to `onProgress` and in `report.seconds`. */
export type QuantizeStage = 'prepare' | 'incoherence' | 'factorize' | 'round' | 'report';

/** What `onProgress` receives: the stage running, units done of `total` in it, and the overall fraction in [0, 1]. */
export interface QuantizeProgress {
  stage: QuantizeStage;
  done: number;
  total: number;
  fraction: number;
}

/** Options of {@link quantizeLinear} and {@link quantizeLinearSync}. */
export interface QuantizeLinearOptions {
  /** Codebook: 'e8p12' (default, 2 bits/weight), 'e8p12-rvq3' (3), 'e8p12-rvq4' (4), QuIP#'s names, or a Codebook. */
  codebook?: CodebookName | Codebook;
  /** Incoherence processing (default 'auto'). */
  incoherence?: IncoherenceChoice;
  /** Seed of the random signs or phases (default 0). */
  seed?: Seed;
  /** Hessian regularization H <- H / mean(diag H) + sigmaReg I (default 1e-2, QuIP#'s). */
  sigmaReg?: number;
  /** QuIP#'s diagonal rescaling s = (diag(H) / diag(W^T W))^(1/4), undone at inference (default false). */
  rescale?: boolean;
  /** QuIP#'s extra BlockLDLQ tuning passes (default 0). */
  tuneIters?: number;
  /** Worker threads (quantizeLinear only; default: every core in Node, 1 elsewhere). Codes never depend on it. */
  threads?: number;
  /** Called as work advances; `fraction` is monotone and ends at 1. */
  onProgress?: (progress: QuantizeProgress) => void;
  /** Aborts quantizeLinear (it rejects with an AbortError and leaves no worker running). */
  signal?: AbortSignal;
  /**
   * 'quip-sharp': QuIP#'s Algorithm 1 as its quantize_linear runs it (its H_K transforms, float32 Hessian
   * regularization, the given sign vectors), producing QuIP#'s codes; H may then also be QuIP#'s Hessian dict.
   */
  compat?: 'quip-sharp';
  /** compat 'quip-sharp': QuIP#'s SU, the input-side signs (length n; default randomSigns(n, seed, 1)). */
  signsIn?: Int8Array | Float32Array | Float64Array;
  /** compat 'quip-sharp': QuIP#'s SV, the output-side signs (length m; default randomSigns(m, seed, 0)). */
  signsOut?: Int8Array | Float32Array | Float64Array;
  /**
   * Where the rounding's dense products run (quantizeLinear only; default: the backend set by setBackend, initially
   * 'cpu'). 'cpu' is the worker-thread path. A device backend ('webgpu', 'webasm', 'webgl'; 'auto' when it finds
   * one) rounds on the calling thread and computes each panel's feedback product on the device in float32: the
   * codes equal the CPU path's except where a block's two nearest codebook points are within float32 rounding of
   * equidistant (that block, and the later blocks of its row, may then differ). With tuneIters > 0 the rounding
   * runs on the CPU path whatever the backend. quantizeLinearSync takes only 'cpu' or no backend.
   */
  backend?: BackendName;
}

/** Validated options with defaults applied. */
export interface ResolvedOptions {
  codebook: Codebook;
  incoherence: IncoherenceChoice;
  seed: Seed;
  sigmaReg: number;
  rescale: boolean;
  tuneIters: number;
  threads: number | undefined;
  onProgress: ((progress: QuantizeProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  compat: 'quip-sharp' | undefined;
  signsIn: unknown;
  signsOut: unknown;
  backend: BackendName | undefined;
}

const CODEBOOKS: Record<CodebookName, Codebook> = {
  e8p12: E8P12,
  'e8p12-rvq3': E8P12RVQ3B,
  'e8p12-rvq4': E8P12RVQ4B,
  E8P12: E8P12,
  E8P12RVQ3B: E8P12RVQ3B,
  E8P12RVQ4B: E8P12RVQ4B,
};

const INCOHERENCE: readonly IncoherenceChoice[] = ['auto', 'rht', 'rfft', 'none'];
const KNOWN = new Set(['codebook', 'incoherence', 'seed', 'sigmaReg', 'rescale', 'tuneIters', 'threads', 'onProgress', 'signal', 'compat', 'signsIn', 'signsOut', 'backend']);

/** The built-in codebook named `name`, or undefined. */
export function builtinCodebook(name: string): Codebook | undefined {
  return Object.prototype.hasOwnProperty.call(CODEBOOKS, name) ? CODEBOOKS[name as CodebookName] : undefined;
}

/** Resolves a codebook option: a built-in name or an object implementing Codebook. */
export function resolveCodebook(fn: string, arg: string, value: unknown): Codebook {
  if (typeof value === 'string') {
    const cb = builtinCodebook(value);
    if (!cb) throw rangeError(fn, arg, "'e8p12', 'e8p12-rvq3', 'e8p12-rvq4' (or QuIP#'s 'E8P12', 'E8P12RVQ3B', 'E8P12RVQ4B') or a Codebook", describeValue(value));
    return cb;
  }
  const cb = value as Partial<Codebook> | null;
  if (typeof cb !== 'object' || cb === null || typeof cb.quantize !== 'function' || typeof cb.decodeRows !== 'function') {
    throw typeError(fn, arg, 'a codebook name or a Codebook (dim, codeWords, optScale, quantize, decodeRows)', value);
  }
  assertInteger(fn, `${arg}.dim`, cb.dim, 1, 1 << 16);
  assertInteger(fn, `${arg}.codeWords`, cb.codeWords, 1, 1 << 16);
  assertFiniteNumber(fn, `${arg}.optScale`, cb.optScale, true);
  assertFiniteNumber(fn, `${arg}.bitsPerWeight`, cb.bitsPerWeight, true);
  if (typeof cb.name !== 'string') throw typeError(fn, `${arg}.name`, 'a string', cb.name);
  return cb as Codebook;
}

/** Validates `options` for `fn` (unknown keys are refused, so a misspelt option is never silently ignored). */
export function resolveOptions(fn: string, options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object', options);
  const o = options as QuantizeLinearOptions & Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw rangeError(fn, 'options', `an object with keys among ${[...KNOWN].join(', ')}`, `unknown key ${JSON.stringify(key)}`);
  }
  const codebook = resolveCodebook(fn, 'options.codebook', o.codebook ?? 'e8p12');
  const incoherence = o.incoherence ?? 'auto';
  if (!INCOHERENCE.includes(incoherence)) throw rangeError(fn, 'options.incoherence', "'auto', 'rht', 'rfft' or 'none'", describeValue(incoherence));
  const seed = o.seed ?? 0;
  seedKey(fn, seed, 'options.seed');
  const sigmaReg = o.sigmaReg ?? 1e-2;
  assertFiniteNumber(fn, 'options.sigmaReg', sigmaReg);
  if (sigmaReg < 0) throw rangeError(fn, 'options.sigmaReg', 'a finite number >= 0', String(sigmaReg));
  const rescale = o.rescale ?? false;
  if (typeof rescale !== 'boolean') throw typeError(fn, 'options.rescale', 'a boolean', rescale);
  const tuneIters = o.tuneIters ?? 0;
  assertInteger(fn, 'options.tuneIters', tuneIters, 0, 1000);
  const threads = o.threads;
  if (threads !== undefined) assertInteger(fn, 'options.threads', threads, 1, 1024);
  const onProgress = o.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw typeError(fn, 'options.onProgress', 'a function', onProgress);
  const signal = o.signal;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    throw typeError(fn, 'options.signal', 'an AbortSignal', signal);
  }
  const compat = o.compat;
  if (compat !== undefined && compat !== 'quip-sharp') throw rangeError(fn, 'options.compat', "'quip-sharp' or undefined", describeValue(compat));
  if (compat && incoherence !== 'auto' && incoherence !== 'rht') {
    throw rangeError(fn, 'options.incoherence', "'auto' or 'rht' with compat 'quip-sharp' (QuIP#'s Hadamard transform)", describeValue(incoherence));
  }
  if (!compat && (o.signsIn !== undefined || o.signsOut !== undefined)) {
    throw rangeError(fn, o.signsIn !== undefined ? 'options.signsIn' : 'options.signsOut', "given only with compat 'quip-sharp' (otherwise the signs come from options.seed)", 'a sign vector');
  }
  const backend = o.backend;
  if (backend !== undefined && !(BACKEND_NAMES as readonly unknown[]).includes(backend)) {
    const expected = `one of ${BACKEND_NAMES.map((b) => `'${b}'`).join(', ')} or undefined`;
    throw typeof backend === 'string' ? rangeError(fn, 'options.backend', expected, describeValue(backend)) : typeError(fn, 'options.backend', expected, backend);
  }
  return { codebook, incoherence, seed, sigmaReg, rescale, tuneIters, threads, onProgress, signal, compat, signsIn: o.signsIn, signsOut: o.signsOut, backend };
}
