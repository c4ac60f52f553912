/** IEEE 754 binary16 rounding, for writing QuIP#'s float16 sign-and-scale vectors. */

/**
 * The float16 bit pattern nearest to x (ties to even), straight from the float64 value (no double rounding):
 * values of magnitude >= 65520 become infinities, NaN becomes the quiet NaN 0x7e00.
 */
export function float16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 carries into the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = roundHalfEven((a / 2 ** e - 1) * 1024); // exact: a power-of-two scaling and an exact subtraction
  return sign | (((e + 15) << 10) + q); // q = 1024 carries into the exponent
}

/** The value of a float16 bit pattern. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1024 + f) * 2 ** (e - 25);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
