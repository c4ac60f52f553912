/**
 * Accurate roots of unity. Every twiddle and chirp is computed directly from its exact integer angle
 * index (reduced modulo the period first), never by a recurrence, so each entry is within a few ulps.
 */

/** cos(2 pi k / n) and -sin(2 pi k / n) (the forward-FFT root w_n^k = e^{-2 pi i k / n}), k any integer. */
export function unitRoot(k: number, n: number): [number, number] {
  let r = k % n;
  if (r < 0) r += n;
  // angle in (-pi, pi]: the symmetric range halves the largest argument passed to cos/sin
  if (2 * r > n) r -= n;
  const a = (2 * Math.PI * r) / n;
  return [Math.cos(a), -Math.sin(a)];
}

/**
 * Twiddles of one Stockham stage of radix r with m butterfly positions (see stages.ts), interleaved:
 * entries 2t, 2t + 1 with t = p (r - 1) + (k - 1) are the real and imaginary parts of w_{m r}^{p k}
 * (p < m, 1 <= k < r), laid out in the order the stage reads them.
 */
export function stageTwiddles(m: number, radix: number): Float64Array {
  const n = m * radix;
  const tw = new Float64Array(2 * m * (radix - 1));
  for (let p = 0, t = 0; p < m; p++) {
    for (let k = 1; k < radix; k++, t += 2) {
      const [c, s] = unitRoot(p * k, n);
      tw[t] = c;
      tw[t + 1] = s;
    }
  }
  return tw;
}
