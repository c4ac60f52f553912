/**
 * The public complex FFT: float64, on split re/im arrays, any length 1 <= N <= 2^27.
 * Forward X_k = sum_n x_n e^{-2 pi i n k / N} (unnormalized); inverse x_n = (1/N) sum_k X_k e^{+2 pi i n k / N}.
 * `fft` and the plan's `forward`/`inverse` return new arrays; `fftInPlace` and `forwardInPlace`/`inverseInPlace`
 * overwrite the caller's arrays (no allocation but the returned pair object).
 */
import { assertFinite, assertInteger, overlaps } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { MAX_FFT_SIZE, planCore, type FFTEngine } from './plan.js';

/** Options of `fft` and `fftInPlace`. */
export interface FFTOptions {
  /** Compute the inverse transform (with the 1/N factor) instead of the forward one. Default false. */
  inverse?: boolean;
}

/** A complex vector as split real and imaginary parts of equal length. */
export interface ComplexArrays {
  re: Float64Array;
  im: Float64Array;
}

/** Throws unless re and im are non-overlapping Float64Arrays of equal length (and of length n when given). */
function checkSplit(fn: string, re: unknown, im: unknown, n?: number): asserts re is Float64Array {
  if (!(re instanceof Float64Array)) throw typeError(fn, 're', 'a Float64Array', re);
  if (!(im instanceof Float64Array)) throw typeError(fn, 'im', 'a Float64Array', im);
  if (n !== undefined && re.length !== n) throw rangeError(fn, 're', `of length ${n} (the plan size)`, `length ${re.length}`);
  if (im.length !== re.length) throw rangeError(fn, 'im', `of the length of re (${re.length})`, `length ${im.length}`);
  if (overlaps(re, im)) throw rangeError(fn, 'im', 'memory separate from re', 'an array overlapping re');
}

/** The `inverse` flag of an options argument (undefined, or an object whose `inverse` is a boolean if given). */
function readInverse(fn: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object { inverse? } or undefined', options);
  const { inverse } = options as FFTOptions;
  if (inverse !== undefined && typeof inverse !== 'boolean') throw typeError(fn, 'options.inverse', 'a boolean or undefined', inverse);
  return inverse === true;
}

/** max |re_i|, |im_i|. */
function maxAbs(re: Float64Array, im: Float64Array): number {
  let max = 0;
  for (let i = 0; i < re.length; i++) max = Math.max(max, Math.abs(re[i]), Math.abs(im[i]));
  return max;
}

/** Multiplies every entry of re and im by f (a power of two: exact unless an entry under- or overflows). */
function scaleBoth(re: Float64Array, im: Float64Array, f: number): void {
  for (let i = 0; i < re.length; i++) {
    re[i] *= f;
    im[i] *= f;
  }
}

/**
 * (re, im) <- the forward or inverse DFT, in place. The inverse runs the forward engine: swapping re and im maps
 * z to i conj(z), and swap(DFT(swap(z))) = N IDFT(z); the 1/N is applied by the engine's last stage.
 *
 * The engine checks on its first stage, at no measurable cost, that every input is finite and below its
 * guard bound (2^1024 / guard, where no partial sum can overflow), and leaves the arrays untouched when one
 * may not be. Then the full scans below name a non-finite entry, or the input is scaled by 2^-e (a power of
 * two, exact but for entries that underflow, far below the result's rounding error), transformed, and scaled
 * back: the values are those the fast path computes, without its overflow. A result entry beyond float64 is a
 * true overflow of the exact transform and a RangeError (re and im then hold the transform times 2^-e).
 */
function transformInPlace(fn: string, core: FFTEngine, re: Float64Array, im: Float64Array, inverse: boolean): void {
  const scale = inverse ? 1 / core.size : 1;
  if (!(inverse ? core.transform(im, re, scale, true) : core.transform(re, im, scale, true))) transformScaled(fn, core, re, im, inverse);
}

/** The slow path of transformInPlace, for input the engine's check rejected (re and im still untouched). */
function transformScaled(fn: string, core: FFTEngine, re: Float64Array, im: Float64Array, inverse: boolean): void {
  assertFinite(fn, 're', re);
  assertFinite(fn, 'im', im);
  const e = Math.max(0, Math.ceil(Math.log2(maxAbs(re, im)) + Math.log2(core.guard) - 1023));
  scaleBoth(re, im, 2 ** -e);
  if (inverse) core.transform(im, re, 1 / core.size, false);
  else core.transform(re, im, 1, false);
  // 2^e max|X| is exact unless it overflows, and then the exact transform does too
  if (maxAbs(re, im) * 2 ** e === Infinity) {
    throw rangeError(fn, 're, im', 'an input whose transform fits in float64 (every |X_k| <= 1.7976931348623157e+308)', 'one whose transform overflows');
  }
  scaleBoth(re, im, 2 ** e);
}

/**
 * A reusable transform of one length, from {@link createFFT}: holds the cached twiddles, the Rader and
 * Bluestein tables and the scratch, so `forwardInPlace`/`inverseInPlace` allocate nothing but their result
 * pair. `forward`/`inverse` leave their arguments alone and return new arrays.
 *
 * @example
 * const plan = createFFT(6);
 * const { re, im } = plan.forward(Float64Array.of(1, 0, 0, 0, 0, 0), new Float64Array(6)); // re all 1, im all 0
 */
export class FFTPlan {
  /**
   * Use {@link createFFT}, which validates N and shares the cached tables; the engine argument is internal.
   *
   * @param size transform length N.
   * @internal
   */
  constructor(
    readonly size: number,
    private readonly core: FFTEngine,
  ) {}

  /**
   * The unnormalized forward DFT X_k = sum_n x_n e^{-2 pi i n k / N} of (re, im), both Float64Arrays of length
   * `size`, as new arrays; re and im are not modified. Throws as {@link fft} does.
   *
   * @example const { re: Xr, im: Xi } = createFFT(8).forward(re, im)
   */
  forward(re: Float64Array, im: Float64Array): ComplexArrays {
    return this.run('FFTPlan.forward', re, im, false, false);
  }

  /**
   * The inverse DFT x_n = (1/N) sum_k X_k e^{+2 pi i n k / N} of (re, im), as new arrays (see {@link forward});
   * throws as forward does.
   *
   * @example const { re: xr, im: xi } = plan.inverse(Xr, Xi) // x again, up to round-off
   */
  inverse(re: Float64Array, im: Float64Array): ComplexArrays {
    return this.run('FFTPlan.inverse', re, im, true, false);
  }

  /**
   * {@link forward} in place: overwrites re and im with the transform and returns them as `{ re, im }`.
   *
   * @example plan.forwardInPlace(re, im); plan.inverseInPlace(re, im) // back to the input, up to round-off
   */
  forwardInPlace(re: Float64Array, im: Float64Array): ComplexArrays {
    checkSplit('FFTPlan.forwardInPlace', re, im, this.size);
    transformInPlace('FFTPlan.forwardInPlace', this.core, re, im, false);
    return { re, im };
  }

  /**
   * {@link inverse} in place: overwrites re and im with the inverse transform and returns them as `{ re, im }`;
   * throws as forward does.
   *
   * @example plan.inverseInPlace(re, im) // re, im now hold the inverse DFT of their previous contents
   */
  inverseInPlace(re: Float64Array, im: Float64Array): ComplexArrays {
    checkSplit('FFTPlan.inverseInPlace', re, im, this.size);
    transformInPlace('FFTPlan.inverseInPlace', this.core, re, im, true);
    return { re, im };
  }

  private run(fn: string, re: Float64Array, im: Float64Array, inverse: boolean, inPlace: boolean): ComplexArrays {
    checkSplit(fn, re, im, this.size);
    const out = inPlace ? { re, im } : { re: re.slice(), im: im.slice() };
    transformInPlace(fn, this.core, out.re, out.im, inverse);
    return out;
  }
}

/**
 * The FFT plan of length N (1 <= N <= 2^27): powers of two by radix-4 decimation in time on an
 * interleaved scratch (one radix-2 stage when log2 N is odd); other lengths by a Stockham autosort FFT
 * with radix-4/2/3 stages and, per other prime factor p, the fastest of a direct O(p^2) kernel, Rader's
 * algorithm (plain, or split into small cyclic convolutions) and Bluestein's chirp-z (see plan.ts).
 * Plans are cached per N (the returned object is cheap; the tables are shared and never exposed).
 * Throws TypeError for a non-integer N, RangeError outside [1, 2^27].
 *
 * @example const plan = createFFT(1024); plan.forwardInPlace(re, im)
 */
export function createFFT(N: number): FFTPlan {
  assertInteger('createFFT', 'N', N, 1, MAX_FFT_SIZE);
  return new FFTPlan(N, planCore(N));
}

/** Checks the arguments of fft / fftInPlace and runs the transform on (re, im) or on copies of them. */
function fftOf(fn: string, re: Float64Array, im: Float64Array, options: unknown, inPlace: boolean): ComplexArrays {
  checkSplit(fn, re, im);
  if (re.length < 1 || re.length > MAX_FFT_SIZE) throw rangeError(fn, 're', `of length 1 to 2^27`, `length ${re.length}`);
  const inverse = readInverse(fn, options);
  const out = inPlace ? { re, im } : { re: re.slice(), im: im.slice() };
  transformInPlace(fn, planCore(re.length), out.re, out.im, inverse);
  return out;
}

/**
 * The DFT of the complex vector re + i im (finite Float64Arrays of equal length N, 1 <= N <= 2^27, not
 * overlapping), as new arrays `{ re, im }`; the arguments are not modified. Forward is unnormalized,
 * X_k = sum_n x_n e^{-2 pi i n k / N}; `{ inverse: true }` computes x_n = (1/N) sum_k X_k e^{+2 pi i n k / N}.
 * O(N log N) for every N (see {@link createFFT}); uses the cached plan of N. Inputs of any finite size are
 * handled (scaled by a power of two when their partial sums could overflow).
 *
 * Throws TypeError for arrays that are not Float64Arrays or a bad `options`; RangeError for unequal or
 * unsupported lengths, overlapping arrays, a non-finite entry (naming it), or a transform beyond float64.
 *
 * @example fft(Float64Array.of(1, 2, 3), new Float64Array(3)) // re [6, -1.5, -1.5], im [0, 0.866, -0.866]
 */
export function fft(re: Float64Array, im: Float64Array, options?: FFTOptions): ComplexArrays {
  return fftOf('fft', re, im, options, false);
}

/**
 * {@link fft} in place: overwrites re and im with the transform and returns them as `{ re, im }` (no other
 * allocation). A rejected non-finite input is left untouched; on the RangeError for a transform beyond float64,
 * re and im hold the transform scaled down by a power of two.
 *
 * @example fftInPlace(re, im); fftInPlace(re, im, { inverse: true }) // back to the input, up to round-off
 */
export function fftInPlace(re: Float64Array, im: Float64Array, options?: FFTOptions): ComplexArrays {
  return fftOf('fftInPlace', re, im, options, true);
}
