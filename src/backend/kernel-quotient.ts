/**
 * floor(a / d) for integers 0 <= a < 2^24 and 1 <= d < 2^24, as a gpu.js kernel function (list it in a kernel's
 * `functions` setting): every value is a float32 in the generated code, and the product a * invD (invD = 1 / d,
 * rounded) may land on the wrong side of an integer, so the quotient is corrected by one either way.
 */
export function exactQuotient(a: number, d: number, invD: number): number {
  let q = Math.floor(a * invD);
  if (q * d > a) q = q - 1;
  if ((q + 1) * d <= a) q = q + 1;
  return q;
}
