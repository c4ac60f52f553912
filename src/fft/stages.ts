/**
 * Butterfly stages of the Stockham autosort FFT (Stockham 1966; Cochran et al. 1967; the formulation of
 * Van Loan, "Computational Frameworks for the FFT", 1992, sec. 1.7), mixed radix as in Singleton 1969.
 * Each stage reads one pair of split re/im buffers and writes another, so no bit/digit-reversal pass is
 * ever needed.
 *
 * A stage of radix r works on N = r m s entries: for every p < m and q < s it takes the r inputs
 * a_k = x[q + s (p + k m)] (k < r), and writes the decimation-in-frequency butterfly
 *   y[q + s (r p + k)] = w_{r m}^{p k} sum_j a_j w_r^{j k},   w_n = e^{-2 pi i / n}.
 * Twiddles are interleaved: tw[2t], tw[2t + 1] are the real and imaginary parts of w_{r m}^{p k},
 * t = p (r - 1) + (k - 1) (see twiddles.ts). The last stage of a transform has m = 1 (no twiddles):
 * then y and x index the same entries, so it may run in place, and it applies the output scale
 * (1 or the inverse's 1/N) for free. The butterflies are unrolled by hand in each stage, deliberately (see
 * pow2.ts).
 */
import type { Doubles } from './doubles.js';

/** A DFT of fixed small length on its own re/im buffers: fill them, call run(), read them. */
export interface SmallDFT {
  readonly re: Doubles;
  readonly im: Doubles;
  run(): void;
}

/**
 * Radix-4 stage: with t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = a1 - a3 the 4-point DFT is
 * (t0 + t2, t1 - i t3, t0 - t2, t1 + i t3), then twiddled.
 */
export function radix4(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  tw: Doubles,
): void {
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    const t = 6 * p;
    const c1 = tw[t];
    const s1 = tw[t + 1];
    const c2 = tw[t + 2];
    const s2 = tw[t + 3];
    const c3 = tw[t + 4];
    const s3 = tw[t + 5];
    const src = s * p;
    const dst = 4 * src;
    for (let q = 0; q < s; q++) {
      const i0 = src + q;
      const o0 = dst + q;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + ms];
      const a1i = xi[i0 + ms];
      const a2r = xr[i0 + 2 * ms];
      const a2i = xi[i0 + 2 * ms];
      const a3r = xr[i0 + 3 * ms];
      const a3i = xi[i0 + 3 * ms];
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      yr[o0] = t0r + t2r;
      yi[o0] = t0i + t2i;
      let ur = t1r + t3i; // t1 - i t3
      let ui = t1i - t3r;
      yr[o0 + s] = ur * c1 - ui * s1;
      yi[o0 + s] = ur * s1 + ui * c1;
      ur = t0r - t2r;
      ui = t0i - t2i;
      yr[o0 + 2 * s] = ur * c2 - ui * s2;
      yi[o0 + 2 * s] = ur * s2 + ui * c2;
      ur = t1r - t3i; // t1 + i t3
      ui = t1i + t3r;
      yr[o0 + 3 * s] = ur * c3 - ui * s3;
      yi[o0 + 3 * s] = ur * s3 + ui * c3;
    }
  }
}

/**
 * Last radix-4 stage (m = 1, no twiddles), outputs multiplied by `scale`. Kept apart from radix4
 * for speed: it is a quarter of the work of a 1024-point transform, and skipping the three complex
 * twiddle products (all by 1 here) and folding in the inverse's 1/N saves a pass.
 */
export function radix4Last(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: number, scale: number): void {
  for (let q = 0; q < s; q++) {
    const i1 = q + s;
    const i2 = i1 + s;
    const i3 = i2 + s;
    const a0r = xr[q];
    const a0i = xi[q];
    const a1r = xr[i1];
    const a1i = xi[i1];
    const a2r = xr[i2];
    const a2i = xi[i2];
    const a3r = xr[i3];
    const a3i = xi[i3];
    const t0r = a0r + a2r;
    const t0i = a0i + a2i;
    const t1r = a0r - a2r;
    const t1i = a0i - a2i;
    const t2r = a1r + a3r;
    const t2i = a1i + a3i;
    const t3r = a1r - a3r;
    const t3i = a1i - a3i;
    yr[q] = (t0r + t2r) * scale;
    yi[q] = (t0i + t2i) * scale;
    yr[i1] = (t1r + t3i) * scale;
    yi[i1] = (t1i - t3r) * scale;
    yr[i2] = (t0r - t2r) * scale;
    yi[i2] = (t0i - t2i) * scale;
    yr[i3] = (t1r - t3i) * scale;
    yi[i3] = (t1i + t3r) * scale;
  }
}

/** Last radix-2 stage (m = 1): y[q], y[q + s] = (a0 + a1, a0 - a1) scale. Radix 2 only ever comes last. */
export function radix2Last(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: number, scale: number): void {
  for (let q = 0; q < s; q++) {
    const a0r = xr[q];
    const a0i = xi[q];
    const a1r = xr[q + s];
    const a1i = xi[q + s];
    yr[q] = (a0r + a1r) * scale;
    yi[q] = (a0i + a1i) * scale;
    yr[q + s] = (a0r - a1r) * scale;
    yi[q + s] = (a0i - a1i) * scale;
  }
}

/** sin(2 pi / 3). */
const S3 = Math.sqrt(3) / 2;

/** Radix-3 stage: y_0 = a_0 + t, y_{1,2} = a_0 - t/2 -+ i sin(2 pi/3) (a_1 - a_2), t = a_1 + a_2. */
export function radix3(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, m: number, s: number, tw: Doubles): void {
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    const c1 = tw[4 * p];
    const s1 = tw[4 * p + 1];
    const c2 = tw[4 * p + 2];
    const s2 = tw[4 * p + 3];
    for (let q = 0, i0 = s * p, o0 = 3 * s * p; q < s; q++, i0++, o0++) {
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + ms];
      const a1i = xi[i0 + ms];
      const a2r = xr[i0 + 2 * ms];
      const a2i = xi[i0 + 2 * ms];
      const sr = a1r + a2r;
      const si = a1i + a2i;
      const dr = S3 * (a1r - a2r);
      const di = S3 * (a1i - a2i);
      const mr = a0r - 0.5 * sr;
      const mi = a0i - 0.5 * si;
      yr[o0] = a0r + sr;
      yi[o0] = a0i + si;
      let ur = mr + di;
      let ui = mi - dr;
      yr[o0 + s] = ur * c1 - ui * s1;
      yi[o0 + s] = ur * s1 + ui * c1;
      ur = mr - di;
      ui = mi + dr;
      yr[o0 + 2 * s] = ur * c2 - ui * s2;
      yi[o0 + 2 * s] = ur * s2 + ui * c2;
    }
  }
}

/** Stage of any radix r: gathers the a_k into `dft`, transforms them there, scatters the twiddled y back. */
export function radixGeneric(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  r: number,
  tw: Doubles,
  dft: SmallDFT,
): void {
  const ms = m * s;
  const { re: dr, im: di } = dft;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      for (let k = 0, i = s * p + q; k < r; k++, i += ms) {
        dr[k] = xr[i];
        di[k] = xi[i];
      }
      dft.run();
      const o = r * s * p + q;
      yr[o] = dr[0];
      yi[o] = di[0];
      for (let k = 1, t = 2 * p * (r - 1); k < r; k++, t += 2) {
        const c = tw[t];
        const sn = tw[t + 1];
        yr[o + k * s] = dr[k] * c - di[k] * sn;
        yi[o + k * s] = dr[k] * sn + di[k] * c;
      }
    }
  }
}
