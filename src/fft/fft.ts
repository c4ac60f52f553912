/**
 * The public complex FFT: float64, in place on split re/im arrays, any length N >= 1.
 * Forward X_k = sum_n x_n e^{-2 pi i n k / N} (unnormalized); inverse x_n = (1/N) sum_k X_k e^{+2 pi i n k / N}.
 */
import { assertFinite, assertInteger } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { MAX_FFT_SIZE, planCore, type FFTEngine } from './plan.js';

export interface FFTOptions {
  /** Compute the inverse transform (with the 1/N factor) instead of the forward one. Default false. */
  inverse?: boolean;
}

function overlaps(a: Float64Array, b: Float64Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Throws unless re and im are non-overlapping Float64Arrays of equal length (and of length n when given).
 * Finiteness is checked by the transform itself (see transform).
 */
function checkSplit(fn: string, re: unknown, im: unknown, n?: number): asserts re is Float64Array {
  if (!(re instanceof Float64Array)) throw typeError(fn, 're', 'a Float64Array', re);
  if (!(im instanceof Float64Array)) throw typeError(fn, 'im', 'a Float64Array', im);
  if (n !== undefined && re.length !== n) throw rangeError(fn, 're', `of length ${n} (the plan size)`, `length ${re.length}`);
  if (im.length !== re.length) throw rangeError(fn, 'im', `of the length of re (${re.length})`, `length ${im.length}`);
  if (overlaps(re, im)) throw rangeError(fn, 'im', 'memory separate from re', 'an array overlapping re');
}

/**
 * Forward, or inverse through the forward engine: swapping re and im maps z to i conj(z), and
 * swap(DFT(swap(z))) = N IDFT(z); the 1/N is applied by the engine's last stage. The engine checks
 * finiteness on the way (cheaply, see FFTEngine.transform) and leaves the arrays untouched when it
 * reports a possibly non-finite input; the full scans below then name the bad entry, or find none
 * (an overflowing sum of finite inputs) and the transform runs unchecked.
 */
function transform(fn: string, core: FFTEngine, re: Float64Array, im: Float64Array, inverse: boolean): void {
  const a = inverse ? im : re;
  const b = inverse ? re : im;
  const scale = inverse ? 1 / core.size : 1;
  if (core.transform(a, b, scale, true)) return;
  assertFinite(fn, 're', re);
  assertFinite(fn, 'im', im);
  core.transform(a, b, scale, false);
}

/**
 * A reusable transform of one length, from {@link createFFT}. Holds the cached twiddles, the
 * Bluestein chirps and scratch, so `forward`/`inverse` allocate nothing.
 */
export class FFTPlan {
  /** @param size transform length N. */
  constructor(
    readonly size: number,
    private readonly core: FFTEngine,
  ) {}

  /** In-place unnormalized forward DFT of (re, im), both Float64Array of length `size`. */
  forward(re: Float64Array, im: Float64Array): void {
    checkSplit('FFTPlan.forward', re, im, this.size);
    transform('FFTPlan.forward', this.core, re, im, false);
  }

  /** In-place inverse DFT (including the 1/N factor) of (re, im), both Float64Array of length `size`. */
  inverse(re: Float64Array, im: Float64Array): void {
    checkSplit('FFTPlan.inverse', re, im, this.size);
    transform('FFTPlan.inverse', this.core, re, im, true);
  }
}

/**
 * The FFT plan of length N (1 <= N <= 2^27): powers of two by radix-4 decimation in time on an
 * interleaved scratch (one radix-2 stage when log2 N is odd); other lengths by a Stockham autosort FFT
 * with radix-4/2/3 stages and, per other prime factor p, the fastest of a direct O(p^2) kernel, Rader's
 * algorithm (plain, or split into small cyclic convolutions) and Bluestein's chirp-z (see plan.ts).
 * Plans are cached per N (the returned object is cheap; the tables are shared).
 */
export function createFFT(N: number): FFTPlan {
  assertInteger('createFFT', 'N', N, 1, MAX_FFT_SIZE);
  return new FFTPlan(N, planCore(N));
}

/**
 * In-place FFT of the complex vector re + i im (Float64Arrays of equal length N >= 1, finite).
 * Forward is unnormalized, X_k = sum_n x_n e^{-2 pi i n k / N}; `{ inverse: true }` computes
 * x_n = (1/N) sum_k X_k e^{+2 pi i n k / N}. Uses the cached plan of N (see {@link createFFT}).
 */
export function fft(re: Float64Array, im: Float64Array, options: FFTOptions = {}): void {
  const fn = 'fft';
  checkSplit(fn, re, im);
  if (re.length < 1 || re.length > MAX_FFT_SIZE) {
    throw rangeError(fn, 're', `of length 1 to 2^27`, `length ${re.length}`);
  }
  transform(fn, planCore(re.length), re, im, options.inverse === true);
}
