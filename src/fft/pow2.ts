/**
 * The power-of-two engine (N >= 8): iterative radix-4 decimation in time (Cooley & Tukey 1965), one
 * radix-2 first stage when log2 N is odd, working on an interleaved complex scratch z (z[2i], z[2i + 1]
 * = re, im of entry i). Three phases:
 *   1. the first stage (L = 1, no twiddles) reads the caller's split arrays in digit-reversed order
 *      and writes z (for 64 <= N <= FUSED_MAX the first two stages, as one 16-point pass);
 *   2. the middle radix-4 stages run in place on z;
 *   3. the last radix-4 stage (L = N/4) reads z and writes the caller's split arrays, times `scale`.
 * Interleaving keeps each butterfly's 4 inputs in 4 cache lines (8 with split arrays): at the large
 * power-of-two strides of the late stages all of them fall into the same L1 set, and 8 lines plus
 * the twiddles overflow its 8 ways. No copy and no separate permutation or scaling pass is needed.
 *
 * The butterflies are written out in every kernel, deliberately: each kernel has its own layout (split input,
 * interleaved z, split output) and index arithmetic, and the values must stay in locals, so the kernels here
 * and in stages.ts repeat the same few lines of complex arithmetic.
 *
 * A radix-4 DIT stage combines 4 sub-transforms of length L at offsets k L of each block of 4 L:
 * with a_k = w_{4L}^{j k} x[base + j + k L] (a_0 untwiddled), t0 = a0 + a2, t1 = a0 - a2,
 * t2 = a1 + a3, t3 = a1 - a3, the outputs at base + j + k L are (t0 + t2, t1 - i t3, t0 - t2, t1 + i t3).
 */
import { stageTwiddles } from './twiddles.js';
import { doubles, type Doubles } from './doubles.js';

/** Digit-reversed order for DIT radices rs: adding radix r as the last stage maps q M + i to q + r perm[i]. */
function digitReversal(rs: number[]): Int32Array {
  let perm = Int32Array.of(0);
  for (const r of rs) {
    const M = perm.length;
    const next = new Int32Array(M * r);
    for (let q = 0; q < r; q++) for (let i = 0; i < M; i++) next[q * M + i] = q + r * perm[i];
    perm = next;
  }
  return perm;
}

/**
 * First stage, radix 4: for each i < N/4 (in order, so the reads stream through memory) the 4-point
 * DFT of x[i + k N/4], k < 4, goes to the block of z starting at dest[i]: the digit reversal sends the
 * 4 entries of a block to inputs N/4 apart, and each block fills one 64-byte line of z.
 * Returns the guard sum, sum_i (re_i g + im_i g): finite when every input is finite and below 2^1024 / g (the
 * products are exact below that and overflow above it), NaN or infinite otherwise (or, falsely, when the sum
 * of finite products overflows close to the bound). The products reuse the butterflies' loads and cost no
 * measurable time.
 */
function firstRadix4(re: Float64Array, im: Float64Array, z: Doubles, dest: Int32Array, q: number, g: number): number {
  let sum = 0;
  for (let i0 = 0; i0 < q; i0++) {
    const o = dest[i0];
    const a0r = re[i0];
    const a0i = im[i0];
    const a1r = re[i0 + q];
    const a1i = im[i0 + q];
    const a2r = re[i0 + 2 * q];
    const a2i = im[i0 + 2 * q];
    const a3r = re[i0 + 3 * q];
    const a3i = im[i0 + 3 * q];
    const t0r = a0r + a2r;
    const t0i = a0i + a2i;
    const t1r = a0r - a2r;
    const t1i = a0i - a2i;
    const t2r = a1r + a3r;
    const t2i = a1i + a3i;
    const t3r = a1r - a3r;
    const t3i = a1i - a3i;
    sum += (a0r * g + a0i * g + (a1r * g + a1i * g)) + (a2r * g + a2i * g + (a3r * g + a3i * g));
    z[o] = t0r + t2r;
    z[o + 1] = t0i + t2i;
    z[o + 2] = t1r + t3i; // t1 - i t3
    z[o + 3] = t1i - t3r;
    z[o + 4] = t0r - t2r;
    z[o + 5] = t0i - t2i;
    z[o + 6] = t1r - t3i; // t1 + i t3
    z[o + 7] = t1i + t3r;
  }
  return sum;
}

/** First stage, radix 2: (x[i] + x[i + N/2], x[i] - x[i + N/2]) to the block at dest[i]; returns the guard sum as above. */
function firstRadix2(re: Float64Array, im: Float64Array, z: Doubles, dest: Int32Array, h: number, g: number): number {
  let sum = 0;
  for (let i0 = 0; i0 < h; i0++) {
    const o = dest[i0];
    const ar = re[i0];
    const ai = im[i0];
    const br = re[i0 + h];
    const bi = im[i0 + h];
    sum += ar * g + ai * g + (br * g + bi * g);
    z[o] = ar + br;
    z[o + 1] = ai + bi;
    z[o + 2] = ar - br;
    z[o + 3] = ai - bi;
  }
  return sum;
}

/**
 * Largest N whose first pass is firstRadix16. Its 32 input streams (16 per array, N/16 apart) pay off
 * while they spread over the L1 sets; measured on node 20 / EPYC: 8% faster at N = 1024; at 4096 it
 * is 7% faster or 10% slower depending on the distance of re and im mod 4 kB (equal-sized arrays
 * allocated one after the other land on the slow side), and 15-20% slower at 16384 and 65536.
 */
const FUSED_MAX = 1024;

/** cos and sin of pi/8, and sqrt(1/2): the 16th roots of unity. */
const C8 = Math.cos(Math.PI / 8);
const S8 = Math.sin(Math.PI / 8);
const R2 = Math.SQRT1_2;

/**
 * The first two radix-4 stages fused into one pass (a 16-point DFT per block, as 4 x 4): for each
 * i < N/16 the 4-point DFTs u_k of x[i + k N/16 + l N/4] (l < 4), k < 4, then per column j the 4-point
 * DFT of w_16^{j k} u_k[j], written to z[dest[i] + 2 (j + 4 k')]. The twiddles are constants (one,
 * -i, (1 -+ i)/sqrt 2, ...), so they cost less than a twiddled pass; this saves one pass over z.
 * Unrolled by hand because the 16 intermediate values must stay in locals. Returns the guard sum
 * as firstRadix4 does.
 */
function firstRadix16(re: Float64Array, im: Float64Array, z: Doubles, dest: Int32Array, Q: number, g: number): number {
  let sum = 0;
  const q4 = 4 * Q;
  for (let i = 0; i < Q; i++) {
    // stage 1, block k: u_k = DFT4(x[i + k Q + l 4Q], l < 4)
    let p = i;
    let a0r = re[p], a0i = im[p], a1r = re[p + q4], a1i = im[p + q4];
    let a2r = re[p + 2 * q4], a2i = im[p + 2 * q4], a3r = re[p + 3 * q4], a3i = im[p + 3 * q4];
    sum += (a0r * g + a0i * g + (a1r * g + a1i * g)) + (a2r * g + a2i * g + (a3r * g + a3i * g));
    let t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
    let t2r = a1r + a3r, t2i = a1i + a3i, t3r = a1r - a3r, t3i = a1i - a3i;
    const u00r = t0r + t2r, u00i = t0i + t2i, u01r = t1r + t3i, u01i = t1i - t3r;
    const u02r = t0r - t2r, u02i = t0i - t2i, u03r = t1r - t3i, u03i = t1i + t3r;
    p += Q;
    a0r = re[p]; a0i = im[p]; a1r = re[p + q4]; a1i = im[p + q4];
    a2r = re[p + 2 * q4]; a2i = im[p + 2 * q4]; a3r = re[p + 3 * q4]; a3i = im[p + 3 * q4];
    sum += (a0r * g + a0i * g + (a1r * g + a1i * g)) + (a2r * g + a2i * g + (a3r * g + a3i * g));
    t0r = a0r + a2r; t0i = a0i + a2i; t1r = a0r - a2r; t1i = a0i - a2i;
    t2r = a1r + a3r; t2i = a1i + a3i; t3r = a1r - a3r; t3i = a1i - a3i;
    const u10r = t0r + t2r, u10i = t0i + t2i, u11r = t1r + t3i, u11i = t1i - t3r;
    const u12r = t0r - t2r, u12i = t0i - t2i, u13r = t1r - t3i, u13i = t1i + t3r;
    p += Q;
    a0r = re[p]; a0i = im[p]; a1r = re[p + q4]; a1i = im[p + q4];
    a2r = re[p + 2 * q4]; a2i = im[p + 2 * q4]; a3r = re[p + 3 * q4]; a3i = im[p + 3 * q4];
    sum += (a0r * g + a0i * g + (a1r * g + a1i * g)) + (a2r * g + a2i * g + (a3r * g + a3i * g));
    t0r = a0r + a2r; t0i = a0i + a2i; t1r = a0r - a2r; t1i = a0i - a2i;
    t2r = a1r + a3r; t2i = a1i + a3i; t3r = a1r - a3r; t3i = a1i - a3i;
    const u20r = t0r + t2r, u20i = t0i + t2i, u21r = t1r + t3i, u21i = t1i - t3r;
    const u22r = t0r - t2r, u22i = t0i - t2i, u23r = t1r - t3i, u23i = t1i + t3r;
    p += Q;
    a0r = re[p]; a0i = im[p]; a1r = re[p + q4]; a1i = im[p + q4];
    a2r = re[p + 2 * q4]; a2i = im[p + 2 * q4]; a3r = re[p + 3 * q4]; a3i = im[p + 3 * q4];
    sum += (a0r * g + a0i * g + (a1r * g + a1i * g)) + (a2r * g + a2i * g + (a3r * g + a3i * g));
    t0r = a0r + a2r; t0i = a0i + a2i; t1r = a0r - a2r; t1i = a0i - a2i;
    t2r = a1r + a3r; t2i = a1i + a3i; t3r = a1r - a3r; t3i = a1i - a3i;
    const u30r = t0r + t2r, u30i = t0i + t2i, u31r = t1r + t3i, u31i = t1i - t3r;
    const u32r = t0r - t2r, u32i = t0i - t2i, u33r = t1r - t3i, u33i = t1i + t3r;

    // stage 2, column j: b_k = w_16^{j k} u_k[j], outputs j + 4 k' <- DFT4(b)
    const o = dest[i];
    // j = 0: no twiddles
    t0r = u00r + u20r; t0i = u00i + u20i; t1r = u00r - u20r; t1i = u00i - u20i;
    t2r = u10r + u30r; t2i = u10i + u30i; t3r = u10r - u30r; t3i = u10i - u30i;
    z[o] = t0r + t2r; z[o + 1] = t0i + t2i; z[o + 8] = t1r + t3i; z[o + 9] = t1i - t3r;
    z[o + 16] = t0r - t2r; z[o + 17] = t0i - t2i; z[o + 24] = t1r - t3i; z[o + 25] = t1i + t3r;
    // j = 1: w^1 = C - iS, w^2 = R (1 - i), w^3 = S - iC
    let b1r = u11r * C8 + u11i * S8, b1i = u11i * C8 - u11r * S8;
    let b2r = R2 * (u21r + u21i), b2i = R2 * (u21i - u21r);
    let b3r = u31r * S8 + u31i * C8, b3i = u31i * S8 - u31r * C8;
    t0r = u01r + b2r; t0i = u01i + b2i; t1r = u01r - b2r; t1i = u01i - b2i;
    t2r = b1r + b3r; t2i = b1i + b3i; t3r = b1r - b3r; t3i = b1i - b3i;
    z[o + 2] = t0r + t2r; z[o + 3] = t0i + t2i; z[o + 10] = t1r + t3i; z[o + 11] = t1i - t3r;
    z[o + 18] = t0r - t2r; z[o + 19] = t0i - t2i; z[o + 26] = t1r - t3i; z[o + 27] = t1i + t3r;
    // j = 2: w^2 = R (1 - i), w^4 = -i, w^6 = -R (1 + i)
    b1r = R2 * (u12r + u12i); b1i = R2 * (u12i - u12r);
    b2r = u22i; b2i = -u22r;
    b3r = R2 * (u32i - u32r); b3i = -R2 * (u32r + u32i);
    t0r = u02r + b2r; t0i = u02i + b2i; t1r = u02r - b2r; t1i = u02i - b2i;
    t2r = b1r + b3r; t2i = b1i + b3i; t3r = b1r - b3r; t3i = b1i - b3i;
    z[o + 4] = t0r + t2r; z[o + 5] = t0i + t2i; z[o + 12] = t1r + t3i; z[o + 13] = t1i - t3r;
    z[o + 20] = t0r - t2r; z[o + 21] = t0i - t2i; z[o + 28] = t1r - t3i; z[o + 29] = t1i + t3r;
    // j = 3: w^3 = S - iC, w^6 = -R (1 + i), w^9 = -C + iS
    b1r = u13r * S8 + u13i * C8; b1i = u13i * S8 - u13r * C8;
    b2r = R2 * (u23i - u23r); b2i = -R2 * (u23r + u23i);
    b3r = -u33r * C8 - u33i * S8; b3i = u33r * S8 - u33i * C8;
    t0r = u03r + b2r; t0i = u03i + b2i; t1r = u03r - b2r; t1i = u03i - b2i;
    t2r = b1r + b3r; t2i = b1i + b3i; t3r = b1r - b3r; t3i = b1i - b3i;
    z[o + 6] = t0r + t2r; z[o + 7] = t0i + t2i; z[o + 14] = t1r + t3i; z[o + 15] = t1i - t3r;
    z[o + 22] = t0r - t2r; z[o + 23] = t0i - t2i; z[o + 30] = t1r - t3i; z[o + 31] = t1i + t3r;
  }
  return sum;
}

/** Middle radix-4 DIT stage over sub-transforms of length L, in place on interleaved z. */
function radix4InPlace(z: Doubles, L: number, tw: Doubles): void {
  const n2 = z.length;
  const d = 2 * L;
  for (let base = 0; base < n2; base += 4 * d) {
    for (let j = 0, t = 0; j < d; j += 2, t += 6) {
      const i0 = base + j;
      const i1 = i0 + d;
      const i2 = i1 + d;
      const i3 = i2 + d;
      const c1 = tw[t];
      const s1 = tw[t + 1];
      const c2 = tw[t + 2];
      const s2 = tw[t + 3];
      const c3 = tw[t + 4];
      const s3 = tw[t + 5];
      const a0r = z[i0];
      const a0i = z[i0 + 1];
      let xr = z[i1];
      let xi = z[i1 + 1];
      const a1r = xr * c1 - xi * s1;
      const a1i = xr * s1 + xi * c1;
      xr = z[i2];
      xi = z[i2 + 1];
      const a2r = xr * c2 - xi * s2;
      const a2i = xr * s2 + xi * c2;
      xr = z[i3];
      xi = z[i3 + 1];
      const a3r = xr * c3 - xi * s3;
      const a3i = xr * s3 + xi * c3;
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      z[i0] = t0r + t2r;
      z[i0 + 1] = t0i + t2i;
      z[i1] = t1r + t3i;
      z[i1 + 1] = t1i - t3r;
      z[i2] = t0r - t2r;
      z[i2 + 1] = t0i - t2i;
      z[i3] = t1r - t3i;
      z[i3 + 1] = t1i + t3r;
    }
  }
}

/**
 * Last radix-4 DIT stage (L = N/4, a single block): reads interleaved z, writes the split outputs
 * times `scale`. The same butterfly as radix4InPlace with different addressing; kept apart rather than
 * parameterized by layout because index arithmetic in the inner loop is what these kernels spend on.
 */
function lastRadix4(z: Doubles, re: Float64Array, im: Float64Array, tw: Doubles, scale: number): void {
  const L = re.length >> 2;
  const d = 2 * L;
  for (let j = 0, t = 0; j < L; j++, t += 6) {
    const i0 = 2 * j;
    const c1 = tw[t];
    const s1 = tw[t + 1];
    const c2 = tw[t + 2];
    const s2 = tw[t + 3];
    const c3 = tw[t + 4];
    const s3 = tw[t + 5];
    const a0r = z[i0];
    const a0i = z[i0 + 1];
    let xr = z[i0 + d];
    let xi = z[i0 + d + 1];
    const a1r = xr * c1 - xi * s1;
    const a1i = xr * s1 + xi * c1;
    xr = z[i0 + 2 * d];
    xi = z[i0 + 2 * d + 1];
    const a2r = xr * c2 - xi * s2;
    const a2i = xr * s2 + xi * c2;
    xr = z[i0 + 3 * d];
    xi = z[i0 + 3 * d + 1];
    const a3r = xr * c3 - xi * s3;
    const a3i = xr * s3 + xi * c3;
    const t0r = a0r + a2r;
    const t0i = a0i + a2i;
    const t1r = a0r - a2r;
    const t1i = a0i - a2i;
    const t2r = a1r + a3r;
    const t2i = a1i + a3i;
    const t3r = a1r - a3r;
    const t3i = a1i - a3i;
    re[j] = (t0r + t2r) * scale;
    im[j] = (t0i + t2i) * scale;
    re[j + L] = (t1r + t3i) * scale;
    im[j + L] = (t1i - t3r) * scale;
    re[j + 2 * L] = (t0r - t2r) * scale;
    im[j + 2 * L] = (t0i - t2i) * scale;
    re[j + 3 * L] = (t1r - t3i) * scale;
    im[j + 3 * L] = (t1i + t3r) * scale;
  }
}

/** Power-of-two transform engine, N >= 8 (see the file comment). */
export class PowerOfTwoCore {
  /** Radix of the first stage (2 when log2 N is odd, else 4). */
  private readonly first: number;
  /** Offset in z of the first-stage block whose first input is x[i], i < N / first. */
  private readonly dest: Int32Array;
  /** Twiddles of the radix-4 stages after the first, L = first, 4 first, ..., N/4. */
  private readonly tw: Doubles[];
  private readonly z: Doubles;

  constructor(readonly size: number) {
    let twos = Math.round(Math.log2(size));
    this.first = twos % 2 === 1 ? 2 : 4;
    const rs = [this.first];
    for (twos -= this.first === 2 ? 1 : 2; twos > 0; twos -= 2) rs.push(4);
    const perm = digitReversal(rs);
    this.dest = new Int32Array(size / this.first);
    for (let b = 0; b < this.dest.length; b++) this.dest[perm[b * this.first]] = 2 * this.first * b;
    this.tw = [];
    for (let L = this.first; L < size; L *= 4) {
      const tw = stageTwiddles(L, 4);
      this.tw.push(doubles(tw.length, tw));
    }
    this.z = doubles(2 * size);
    this.guard = 2 ** (Math.round(Math.log2(size)) + 3);
  }

  /** See FFTEngine.guard: the partial sums of a power-of-two DFT stay below N max|x_n| <= 2N max(|re|, |im|). */
  readonly guard: number;

  /** FFTEngine.transform (see plan.ts); the check is the first stage's guard sum. */
  transform(re: Float64Array, im: Float64Array, scale: number, check: boolean): boolean {
    const { z, tw, dest } = this;
    const n = this.size;
    const fused = this.first === 4 && n >= 64 && n <= FUSED_MAX;
    let sum: number;
    const g = this.guard;
    if (fused) sum = firstRadix16(re, im, z, dest, n >> 4, g);
    else if (this.first === 4) sum = firstRadix4(re, im, z, dest, n >> 2, g);
    else sum = firstRadix2(re, im, z, dest, n >> 1, g);
    if (check && !Number.isFinite(sum)) return false;
    const last = tw.length - 1;
    for (let s = fused ? 1 : 0, L = fused ? 16 : this.first; s < last; s++, L *= 4) radix4InPlace(z, L, tw[s]);
    lastRadix4(z, re, im, tw[last], scale);
    return true;
  }

  /** Unchecked, unnormalized forward DFT of (re, im) in place. */
  run(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1, false);
  }
}
