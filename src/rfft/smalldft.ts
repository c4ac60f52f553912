/**
 * DFTs of one prime length p used as the butterfly of a generic-radix stage (and, for a prime N, as
 * the whole transform): a direct O(p^2) kernel for small odd p and Bluestein's chirp-z for large p.
 */
import type { SmallDFT } from './stages.js';
import { unitRoot } from './twiddles.js';
import { doubles, type Doubles } from './doubles.js';

/**
 * Direct DFT of odd length p using the symmetry of the pairs (q, p - q): with S_q = a_q + a_{p-q},
 * D_q = a_q - a_{p-q} and h = (p - 1) / 2,
 *   y_k, y_{p-k} = a_0 + sum_{q<=h} S_q cos(2 pi q k / p)  -+  i sum_{q<=h} D_q sin(2 pi q k / p),
 * about p^2 real multiply-adds instead of 2 p^2.
 */
export class DirectDFT implements SmallDFT {
  readonly re: Doubles;
  readonly im: Doubles;
  private readonly half: number;
  /** cos and sin of 2 pi q k / p at (k - 1) h + (q - 1). */
  private readonly cos: Doubles;
  private readonly sin: Doubles;
  private readonly sr: Doubles;
  private readonly si: Doubles;
  private readonly dr: Doubles;
  private readonly di: Doubles;

  constructor(readonly size: number) {
    const h = (size - 1) / 2;
    this.half = h;
    this.re = doubles(size);
    this.im = doubles(size);
    this.cos = doubles(h * h);
    this.sin = doubles(h * h);
    for (let k = 1; k <= h; k++) {
      for (let q = 1; q <= h; q++) {
        const [c, s] = unitRoot(q * k, size);
        this.cos[(k - 1) * h + q - 1] = c;
        this.sin[(k - 1) * h + q - 1] = -s;
      }
    }
    this.sr = doubles(h);
    this.si = doubles(h);
    this.dr = doubles(h);
    this.di = doubles(h);
  }

  run(): void {
    const { re, im, half: h, cos, sin, sr, si, dr, di } = this;
    const p = this.size;
    const x0r = re[0];
    const x0i = im[0];
    let sumr = x0r;
    let sumi = x0i;
    for (let q = 1; q <= h; q++) {
      const ar = re[q];
      const ai = im[q];
      const br = re[p - q];
      const bi = im[p - q];
      sr[q - 1] = ar + br;
      si[q - 1] = ai + bi;
      dr[q - 1] = ar - br;
      di[q - 1] = ai - bi;
      sumr += ar + br;
      sumi += ai + bi;
    }
    re[0] = sumr;
    im[0] = sumi;
    // two outputs per sweep share the loads of S and D
    let k = 1;
    for (; k + 1 <= h; k += 2) {
      let Ar = x0r;
      let Ai = x0i;
      let Br = 0;
      let Bi = 0;
      let Cr = x0r;
      let Ci = x0i;
      let Er = 0;
      let Ei = 0;
      for (let q = 0, t = (k - 1) * h; q < h; q++, t++) {
        const c = cos[t];
        const s = sin[t];
        const c2 = cos[t + h];
        const s2 = sin[t + h];
        const a = sr[q];
        const b = si[q];
        const d = dr[q];
        const e = di[q];
        Ar += a * c;
        Ai += b * c;
        Br += d * s;
        Bi += e * s;
        Cr += a * c2;
        Ci += b * c2;
        Er += d * s2;
        Ei += e * s2;
      }
      this.emit(k, Ar, Ai, Br, Bi);
      this.emit(k + 1, Cr, Ci, Er, Ei);
    }
    if (k <= h) {
      let Ar = x0r;
      let Ai = x0i;
      let Br = 0;
      let Bi = 0;
      for (let q = 0, t = (k - 1) * h; q < h; q++, t++) {
        Ar += sr[q] * cos[t];
        Ai += si[q] * cos[t];
        Br += dr[q] * sin[t];
        Bi += di[q] * sin[t];
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
  /** FFT_M of the wrapped conj(c), scaled by 1/M (the inverse's normalization folded in). */
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(
    readonly size: number,
    private readonly inner: PowerOfTwoFFT,
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
    this.kernelRe = new Float64Array(M);
    this.kernelIm = new Float64Array(M);
    for (let n = 0; n < p; n++) {
      const cr = this.chirpRe[n] / M;
      const ci = -this.chirpIm[n] / M;
      this.kernelRe[n] = cr;
      this.kernelIm[n] = ci;
      if (n > 0) {
        this.kernelRe[M - n] = cr;
        this.kernelIm[M - n] = ci;
      }
    }
    inner.run(this.kernelRe, this.kernelIm);
    this.workRe = new Float64Array(M);
    this.workIm = new Float64Array(M);
  }

  run(): void {
    const { re, im, chirpRe, chirpIm, kernelRe, kernelIm, workRe: wr, workIm: wi } = this;
    const p = this.size;
    for (let n = 0; n < p; n++) {
      const c = chirpRe[n];
      const s = chirpIm[n];
      wr[n] = re[n] * c - im[n] * s;
      wi[n] = re[n] * s + im[n] * c;
    }
    wr.fill(0, p);
    wi.fill(0, p);
    this.inner.run(wr, wi);
    for (let k = 0; k < wr.length; k++) {
      const ar = wr[k];
      const ai = wi[k];
      const br = kernelRe[k];
      const bi = kernelIm[k];
      wr[k] = ar * br - ai * bi;
      wi[k] = ar * bi + ai * br;
    }
    // unnormalized inverse FFT as a forward FFT with re and im swapped
    this.inner.run(wi, wr);
    for (let k = 0; k < p; k++) {
      const c = chirpRe[k];
      const s = chirpIm[k];
      re[k] = wr[k] * c - wi[k] * s;
      im[k] = wr[k] * s + wi[k] * c;
    }
  }
}
