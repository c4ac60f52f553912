/**
 * Exact comparisons of squared distances and of distances to quarter-integers, for the near-ties the
 * floating-point searches (e8p12-search.ts, residual-grid.ts) cannot resolve.
 *
 * Every double is an integer multiple of 2^-1074 and every codebook coordinate a multiple of 1/4, so times
 * 2^1076 they are all integers, and ||x - p||^2 - ||x - q||^2 = sum_i (p_i - q_i)(p_i + q_i - 2 x_i) is an
 * integer times 2^-2152: its sign is computed exactly in BigInt arithmetic.
 */

const SCALE = 1076n;
const bits = new DataView(new ArrayBuffer(8));

/** v * 2^1076 as an exact BigInt (v finite). */
function scaled(v: number): bigint {
  if (v === 0) return 0n;
  bits.setFloat64(0, v);
  const hi = bits.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
  // v = mantissa * 2^(biased - 1075) for normal numbers (implicit leading bit), mantissa * 2^-1074 for subnormal ones
  if (biased !== 0) mantissa |= 1n << 52n;
  const shifted = mantissa << (SCALE + BigInt(biased === 0 ? -1074 : biased - 1075));
  return hi >>> 31 ? -shifted : shifted;
}

/**
 * Sign (-1, 0 or 1) of ||x - p||^2 - ||x - q||^2, exactly, for a row x of 8 doubles and codebook points p, q
 * (coordinates multiples of 1/4).
 */
export function compareSquaredDistances(x: Float64Array, p: Float64Array, q: Float64Array): number {
  let sum = 0n;
  for (let i = 0; i < 8; i++) {
    const pi = scaled(p[i]);
    const qi = scaled(q[i]);
    sum += (pi - qi) * (pi + qi - 2n * scaled(x[i]));
  }
  return sum > 0n ? 1 : sum < 0n ? -1 : 0;
}

/** Sign of |a - qa| - |b - qb|, exactly, for doubles a, qa, b, qb (the searches pass shifted lattice points as qa, qb). */
export function compareAbsDifferences(a: number, qa: number, b: number, qb: number): number {
  const da = scaled(a) - scaled(qa);
  const db = scaled(b) - scaled(qb);
  const diff = (da < 0n ? -da : da) - (db < 0n ? -db : db);
  return diff > 0n ? 1 : diff < 0n ? -1 : 0;
}
