/** Bit parity, used by the E8P12 sign bytes and the residual grid's half-integer points. */

/** XOR of the bits of a non-negative 32-bit integer v: 1 when an odd number of bits are set, else 0. */
export function parity(v: number): number {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
}
