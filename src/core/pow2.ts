/**
 * Exact power-of-two scaling, for the paths that must not overflow (ldlq/'s factorizations, the device paths'
 * float32 range).
 *
 * Multiplying by 2^k changes only the exponent of a float64, so it is exact whenever the result is a normal
 * number. A computation run on operands scaled by powers of two therefore gives the unscaled computation's bits
 * wherever the unscaled one neither overflows nor leaves the normal range, and a finite answer where the unscaled
 * one would overflow in an intermediate sum.
 */

/** log10(2), to turn a power-of-two exponent into a decimal one. */
const LOG10_2 = Math.log10(2);

/** The integer e with 2^e <= x < 2^(e+1), for a positive finite x (subnormals included). */
export function exponentOf(x: number): number {
  let e = Math.min(1023, Math.floor(Math.log2(x)));
  // Math.log2 may round across a power of two: one step either way makes e exact.
  if (2 ** e > x) e--;
  else if (e < 1023 && 2 ** (e + 1) <= x) e++;
  return e;
}

/**
 * x * 2^k for any integer k. 2^k is a float64 only for k in [-1074, 1023], so larger factors are applied in steps
 * of at most 2^1023 or 2^-1022. Exact when the result is a normal number; a subnormal result is within 2^-1074 of
 * the exact one; a result beyond float64 is +-Infinity.
 */
export function timesPow2(x: number, k: number): number {
  while (k > 1023) {
    x *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022) {
    x *= 2 ** -1022;
    k += 1022;
  }
  return x * 2 ** k;
}

/** log10 |x 2^k| for a finite non-zero x and any integer k (x 2^k itself may be beyond float64). */
export function log10Scaled(x: number, k: number): number {
  return Math.log10(Math.abs(x)) + k * LOG10_2;
}

/**
 * A magnitude given by its log10, in decimal, for error messages about results beyond float64: `about 4.0e+616`.
 */
export function describeMagnitude(log10: number, negative = false): string {
  let e = Math.floor(log10);
  let mantissa = 10 ** (log10 - e);
  if (mantissa >= 9.95) {
    mantissa /= 10;
    e++;
  }
  return `about ${negative ? '-' : ''}${mantissa.toFixed(1)}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}
