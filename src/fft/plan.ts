/**
 * FFT plans for any length N. Powers of two from 8 on: PowerOfTwoCore (pow2.ts). Every other length:
 * the Stockham autosort algorithm (see stages.ts): N is split into
 * radices (odd prime factors ascending, then 4s, then one 2 if log2 of the power-of-two part is odd)
 * and each stage reads one buffer pair and writes the other, alternating between the caller's arrays
 * and one scratch pair. The last stage has no twiddles, so it can write into the caller's arrays
 * whichever pair holds its input: the result always lands in place, with no permutation and no copy.
 * Prime radices use, in this order of preference (cut-offs measured on node 20, see docs/fft.md):
 * Rader's algorithm with the convolution split down to small direct ones (RaderSplitDFT, primes of its
 * form from 43 to 300), a direct odd-length kernel (up to 89), Rader's algorithm with an FFT convolution
 * of length p - 1 (when that FFT is cheap), and Bluestein's chirp-z over a power-of-two plan.
 * Everything (twiddles, chirps, index tables, scratch) is computed once per N and cached; a transform
 * allocates nothing.
 */
import { radix2Last, radix3, radix4, radix4Last, radixGeneric, type SmallDFT } from './stages.js';
import { BluesteinDFT, DirectDFT, type PowerOfTwoFFT } from './smalldft.js';
import { RaderDFT, RaderSplitDFT } from './rader.js';
import { stageTwiddles } from './twiddles.js';
import { doubles, type Doubles } from './doubles.js';
import { primeFactors } from '../core/index.js';
import { PowerOfTwoCore } from './pow2.js';

/**
 * Primes of RaderSplitDFT's form in this range use it (at p = 31 the direct kernel is as fast, at
 * p = 367 Bluestein is faster).
 */
const SPLIT_MIN = 43;
const SPLIT_MAX = 300;

/** Largest other prime done by the direct O(p^2) kernel. */
const DIRECT_MAX = 89;

/** Largest prime done by RaderDFT (FFT convolution); at p = 3361 it ties with Bluestein, at 7681 it loses. */
const RADER_MAX = 4096;

/**
 * True when the FFT of length p - 1 is cheap enough for RaderDFT to beat Bluestein: p - 1 a multiple of
 * 16 with no prime factor above 7 (measured: 97, 193, 257, 337, 449, 641, 769, 2017 faster; 211 and
 * 421, with p - 1 = 2 * 105 and 4 * 105, slower).
 */
function raderFriendly(p: number): boolean {
  return (p - 1) % 16 === 0 && primeFactors(p - 1).every((f) => f <= 7);
}

/** Largest supported transform length. */
export const MAX_FFT_SIZE = 2 ** 27;

/** One stage: N = radix m s (see stages.ts). */
class Stage {
  constructor(
    readonly radix: number,
    readonly m: number,
    readonly s: number,
    /** Interleaved twiddles w_{radix m}^{p k} (see stageTwiddles). */
    readonly tw: Doubles,
    /** Butterfly of a generic radix (primes >= 5). */
    readonly dft: SmallDFT | null,
  ) {}
}

/** Radices of n in stage order: odd prime factors ascending, then 4, ..., 4, then [2] when log2 of the power-of-two part is odd. */
export function radices(n: number): number[] {
  const factors = primeFactors(n);
  const out = factors.filter((p) => p > 2);
  const twos = factors.length - out.length;
  for (let i = 0; i < twos >> 1; i++) out.push(4);
  if (twos % 2 === 1) out.push(2);
  return out;
}

function smallDFT(p: number): SmallDFT | null {
  if (p <= 4) return null;
  if (p >= SPLIT_MIN && p <= SPLIT_MAX && RaderSplitDFT.applies(p)) return new RaderSplitDFT(p);
  if (p <= DIRECT_MAX) return new DirectDFT(p);
  if (p <= RADER_MAX && raderFriendly(p)) return new RaderDFT(p, planCore(p - 1));
  let M = 1;
  while (M < 2 * p - 1) M *= 2;
  return new BluesteinDFT(p, planCore(M));
}

/** One stage from (xr, xi) to (yr, yi); the radix-2 and radix-4 last stages also apply `scale`. */
function runStage(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, last: boolean, scale: number): void {
  const { radix, m, s, tw } = st;
  if (radix === 4) {
    if (last) radix4Last(xr, xi, yr, yi, s, scale);
    else radix4(xr, xi, yr, yi, m, s, tw);
    return;
  }
  if (radix === 2) radix2Last(xr, xi, yr, yi, s, scale);
  else if (radix === 3) radix3(xr, xi, yr, yi, m, s, tw);
  else radixGeneric(xr, xi, yr, yi, m, s, radix, tw, st.dft as SmallDFT);
  if (last && radix !== 2 && scale !== 1) {
    for (let i = 0; i < yr.length; i++) {
      yr[i] *= scale;
      yi[i] *= scale;
    }
  }
}

/** The unchecked transform engine of one length (shared by the public plans, RFFT and Bluestein). */
export interface FFTEngine extends PowerOfTwoFFT {
  /**
   * A power of two g such that no partial sum of the transform leaves float64 when every |re_i|, |im_i| is below
   * 2^1024 / g (its growth bound, with a factor of 4 to spare).
   */
  readonly guard: number;
  /**
   * (re, im) <- scale * DFT(re, im) in place, X_k = sum_n x_n e^{-2 pi i n k / N}. With `check`, first
   * makes sure every input is finite and below 2^1024 / guard, and returns false, re and im untouched, when
   * some input may not be (a false alarm is possible only close to the bound); otherwise returns true.
   */
  transform(re: Float64Array, im: Float64Array, scale: number, check: boolean): boolean;
}

/** True when x_i g is finite for every i: every entry finite and below 2^1024 / g (g a power of two). */
function underGuard(x: Float64Array, g: number): boolean {
  let a = 0;
  let b = 0;
  const n2 = x.length - (x.length % 2);
  for (let i = 0; i < n2; i += 2) {
    a += x[i] * g;
    b += x[i + 1] * g;
  }
  if (n2 < x.length) a += x[n2] * g;
  const s = a + b;
  return s - s === 0;
}

/** The Stockham engine for every length (powers of two from 8 on use PowerOfTwoCore instead). */
export class FFTCore implements FFTEngine {
  /**
   * Partial sums stay below N max|x| for the radix stages and DirectDFT, p^2 max|x| inside RaderDFT (an
   * unnormalized length-(p-1) inverse of a product) and 2 p^2 max|x| inside BluesteinDFT: at most 2 N^2 max|x|.
   */
  readonly guard: number;
  private readonly stages: Stage[];
  private readonly sre: Float64Array;
  private readonly sim: Float64Array;

  constructor(readonly size: number) {
    this.stages = [];
    let n = size;
    for (const r of radices(size)) {
      const m = n / r;
      const tw = stageTwiddles(m, r);
      this.stages.push(new Stage(r, m, size / n, doubles(tw.length, tw), smallDFT(r)));
      n = m;
    }
    this.sre = new Float64Array(size);
    this.sim = new Float64Array(size);
    this.guard = 2 ** (2 * Math.ceil(Math.log2(size)) + 4);
  }

  /** See FFTEngine. The check is a separate branch-free pass (underGuard) before the first stage. */
  transform(re: Float64Array, im: Float64Array, scale: number, check: boolean): boolean {
    const { stages, sre, sim } = this;
    const T = stages.length;
    if (check && (!underGuard(re, this.guard) || !underGuard(im, this.guard))) return false;
    // stage k reads (re, im) when k is even and the scratch when k is odd; the last one writes (re, im)
    for (let k = 0; k < T; k++) {
      const even = k % 2 === 0;
      const last = k === T - 1;
      runStage(stages[k], even ? re : sre, even ? im : sim, even && !last ? sre : re, even && !last ? sim : im, last, scale);
    }
    return true;
  }

  /** Unchecked, unnormalized forward DFT of (re, im) in place. */
  run(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1, false);
  }
}

const cores = new Map<number, FFTEngine>();

/** The cached engine for length n (n a valid size, unchecked). */
export function planCore(n: number): FFTEngine {
  let core = cores.get(n);
  if (!core) {
    core = n >= 8 && (n & (n - 1)) === 0 ? new PowerOfTwoCore(n) : new FFTCore(n);
    cores.set(n, core);
  }
  return core;
}
