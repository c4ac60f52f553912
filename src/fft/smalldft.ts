/**
 * DFTs of one prime length p used as the butterfly of a generic-radix stage (and, for a prime N, as
 * the whole transform): a direct O(p^2) kernel for small odd p and Bluestein's chirp-z for large p
 * (Rader's algorithm, for the primes in between that suit it, is in rader.ts; plan.ts chooses).
 */
import type { SmallDFT } from './stages.js';
import { unitRoot } from './twiddles.js';
import { doubles, type Doubles } from './doubles.js';

/**
 * Direct DFT of odd length p using the symmetry of the pairs (q, p - q): with S_q = a_q + a_{p-q},
 * D_q = a_q - a_{p-q} and h = (p - 1) / 2,
 *   y_k, y_{p-k} = a_0 + sum_{q<=h} S_q cos(2 pi q k / p)  -+  i sum_{q<=h} D_q sin(2 pi q k / p),
 * about p^2 real multiply-adds instead of 2 p^2. Four pairs of outputs per sweep over q share the
 * loads of S and D (16 accumulators; measured 25% faster than two per sweep at p = 43).
 */
export class DirectDFT implements SmallDFT {
  readonly re: Doubles;
  readonly im: Doubles;
  private readonly half: number;
  /**
   * cos(2 pi q k / p) and -sin(2 pi q k / p) in the order run() reads them: for each block of four
   * outputs k..k+3, for each q, the four cosines then the four sines; then, for each remaining single
   * output k, for each q, the cosine and the sine.
   */
  private readonly table: Doubles;
  /** S_q and D_q interleaved: re S, im S, re D, im D at 4 (q - 1). */
  private readonly sd: Doubles;

  constructor(readonly size: number) {
    const h = (size - 1) / 2;
    this.half = h;
    this.re = doubles(size);
    this.im = doubles(size);
    const table: number[] = [];
    const push = (k0: number, width: number) => {
      for (let q = 1; q <= h; q++) {
        const roots = [];
        for (let k = k0; k < k0 + width; k++) roots.push(unitRoot(q * k, size));
        for (const [c] of roots) table.push(c);
        for (const [, s] of roots) table.push(-s);
      }
    };
    let k = 1;
    for (; k + 3 <= h; k += 4) push(k, 4);
    for (; k <= h; k++) push(k, 1);
    this.table = doubles(table.length, Float64Array.from(table));
    this.sd = doubles(4 * h);
  }

  run(): void {
    const { re, im, half: h, table, sd } = this;
    const p = this.size;
    const x0r = re[0];
    const x0i = im[0];
    let sumr = x0r;
    let sumi = x0i;
    for (let q = 1, j = 0; q <= h; q++, j += 4) {
      const ar = re[q];
      const ai = im[q];
      const br = re[p - q];
      const bi = im[p - q];
      sd[j] = ar + br;
      sd[j + 1] = ai + bi;
      sd[j + 2] = ar - br;
      sd[j + 3] = ai - bi;
      sumr += ar + br;
      sumi += ai + bi;
    }
    re[0] = sumr;
    im[0] = sumi;
    const end = 4 * h;
    let k = 1;
    let t = 0;
    for (; k + 3 <= h; k += 4) {
      // A = a_0 + sum S cos, B = sum D (-sin), for the outputs k, k + 1, k + 2, k + 3
      let A0r = x0r;
      let A0i = x0i;
      let B0r = 0;
      let B0i = 0;
      let A1r = x0r;
      let A1i = x0i;
      let B1r = 0;
      let B1i = 0;
      let A2r = x0r;
      let A2i = x0i;
      let B2r = 0;
      let B2i = 0;
      let A3r = x0r;
      let A3i = x0i;
      let B3r = 0;
      let B3i = 0;
      for (let j = 0; j < end; j += 4, t += 8) {
        const a = sd[j];
        const b = sd[j + 1];
        const d = sd[j + 2];
        const e = sd[j + 3];
        let c = table[t];
        let s = table[t + 4];
        A0r += a * c;
        A0i += b * c;
        B0r += d * s;
        B0i += e * s;
        c = table[t + 1];
        s = table[t + 5];
        A1r += a * c;
        A1i += b * c;
        B1r += d * s;
        B1i += e * s;
        c = table[t + 2];
        s = table[t + 6];
        A2r += a * c;
        A2i += b * c;
        B2r += d * s;
        B2i += e * s;
        c = table[t + 3];
        s = table[t + 7];
        A3r += a * c;
        A3i += b * c;
        B3r += d * s;
        B3i += e * s;
      }
      this.emit(k, A0r, A0i, B0r, B0i);
      this.emit(k + 1, A1r, A1i, B1r, B1i);
      this.emit(k + 2, A2r, A2i, B2r, B2i);
      this.emit(k + 3, A3r, A3i, B3r, B3i);
    }
    for (; k <= h; k++) {
      let Ar = x0r;
      let Ai = x0i;
      let Br = 0;
      let Bi = 0;
      for (let j = 0; j < end; j += 4, t += 2) {
        const c = table[t];
        const s = table[t + 1];
        Ar += sd[j] * c;
        Ai += sd[j + 1] * c;
        Br += sd[j + 2] * s;
        Bi += sd[j + 3] * s;
      }
      this.emit(k, Ar, Ai, Br, Bi);
    }
  }

  /** y_k = A - i B, y_{p-k} = A + i B. */
  private emit(k: number, Ar: number, Ai: number, Br: number, Bi: number): void {
    const { re, im } = this;
    const p = this.size;
    re[k] = Ar + Bi;
    im[k] = Ai - Br;
    re[p - k] = Ar - Bi;
    im[p - k] = Ai + Br;
  }
}

/** An unnormalized forward power-of-two FFT in place on split arrays (no argument checks). */
export interface PowerOfTwoFFT {
  readonly size: number;
  run(re: Float64Array, im: Float64Array): void;
}

/**
 * A cyclic convolution of length L = inner.size by FFT, for Rader's and Bluestein's algorithms: with the
 * kernel's spectrum K = FFT_L(k) / L precomputed, work <- IFFT_L(FFT_L(work) . FFT_L(k)) in two steps, so that a
 * caller can read FFT_L(work) in between. The inverse is the forward engine on swapped parts (unnormalized; the
 * 1/L is in K).
 */
export class FFTConvolution {
  readonly workRe: Float64Array;
  readonly workIm: Float64Array;
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;

  /** @param kernelRe, kernelIm the kernel k / L (length L; transformed in place into K). */
  constructor(
    private readonly inner: PowerOfTwoFFT,
    kernelRe: Float64Array,
    kernelIm: Float64Array,
  ) {
    inner.run(kernelRe, kernelIm);
    this.kernelRe = kernelRe;
    this.kernelIm = kernelIm;
    this.workRe = new Float64Array(inner.size);
    this.workIm = new Float64Array(inner.size);
  }

  /** work <- FFT_L(work). */
  forward(): void {
    this.inner.run(this.workRe, this.workIm);
  }

  /**
   * work <- L IFFT_L(work . K + d e_0): the frequency-domain product, plus d = dRe + i dIm at entry 0 (which the
   * unnormalized inverse adds to every output), then the inverse.
   */
  multiplyAndInvert(dRe: number, dIm: number): void {
    const { workRe: wr, workIm: wi, kernelRe: kr, kernelIm: ki } = this;
    for (let k = 0; k < wr.length; k++) {
      const ar = wr[k];
      const ai = wi[k];
      const br = kr[k];
      const bi = ki[k];
      wr[k] = ar * br - ai * bi;
      wi[k] = ar * bi + ai * br;
    }
    wr[0] += dRe;
    wi[0] += dIm;
    this.inner.run(wi, wr);
  }
}

/**
 * Bluestein's chirp-z algorithm (Bluestein 1970; Rabiner, Schafer & Rader 1969): with
 * c_n = e^{-i pi n^2 / p}, n k = (n^2 + k^2 - (k - n)^2) / 2 gives
 *   y_k = c_k sum_n (x_n c_n) conj(c_{k-n}),
 * a linear convolution computed as a cyclic one of power-of-two length M >= 2p - 1.
 * The chirp angle index n^2 mod 2p is kept exactly in integers.
 */
export class BluesteinDFT implements SmallDFT {
  readonly re: Doubles;
  readonly im: Doubles;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** The convolution with the wrapped conj(c), of the power-of-two length M. */
  private readonly convolution: FFTConvolution;

  constructor(
    readonly size: number,
    inner: PowerOfTwoFFT,
  ) {
    const p = size;
    const M = inner.size;
    this.re = doubles(p);
    this.im = doubles(p);
    this.chirpRe = new Float64Array(p);
    this.chirpIm = new Float64Array(p);
    for (let n = 0, sq = 0; n < p; n++) {
      const [c, s] = unitRoot(sq, 2 * p); // e^{-2 pi i sq / 2p} = e^{-i pi n^2 / p}
      this.chirpRe[n] = c;
      this.chirpIm[n] = s;
      sq = (sq + 2 * n + 1) % (2 * p); // (n + 1)^2 = n^2 + 2n + 1
    }
    const kernelRe = new Float64Array(M);
    const kernelIm = new Float64Array(M);
    for (let n = 0; n < p; n++) {
      const cr = this.chirpRe[n] / M;
      const ci = -this.chirpIm[n] / M;
      kernelRe[n] = cr;
      kernelIm[n] = ci;
      if (n > 0) {
        kernelRe[M - n] = cr;
        kernelIm[M - n] = ci;
      }
    }
    this.convolution = new FFTConvolution(inner, kernelRe, kernelIm);
  }

  run(): void {
    const { re, im, chirpRe, chirpIm, convolution } = this;
    const { workRe: wr, workIm: wi } = convolution;
    const p = this.size;
    for (let n = 0; n < p; n++) {
      const c = chirpRe[n];
      const s = chirpIm[n];
      wr[n] = re[n] * c - im[n] * s;
      wi[n] = re[n] * s + im[n] * c;
    }
    wr.fill(0, p);
    wi.fill(0, p);
    convolution.forward();
    convolution.multiplyAndInvert(0, 0);
    for (let k = 0; k < p; k++) {
      const c = chirpRe[k];
      const s = chirpIm[k];
      re[k] = wr[k] * c - wi[k] * s;
      im[k] = wr[k] * s + wi[k] * c;
    }
  }
}
