/**
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel Random Numbers: As Easy as 1, 2, 3", SC'11),
 * the counter-based generator of the Random123 library. Output block = f(counter, key): any
 * block can be computed independently, which is what lets a GPU kernel regenerate a single sign.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32, exact in float64 arithmetic. */
function mulhi32(a: number, b: number): number {
  const lo = a * (b & 0xffff); // < 2^48
  const hi = a * (b >>> 16); // < 2^48
  // a*b = hi * 2^16 + lo; split lo so the sum stays below 2^53
  const mid = hi + Math.floor(lo / 65536);
  return Math.floor(mid / 65536) >>> 0;
}

/**
 * One Philox4x32-10 block: 4 counter words and 2 key words (uint32) -> 4 output words, written to `out`.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  offset = 0,
): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[offset] = c0;
  out[offset + 1] = c1;
  out[offset + 2] = c2;
  out[offset + 3] = c3;
}
