/**
 * Small exact number theory on safe integers, shared by the Hadamard constructions (prime powers for Paley's
 * fields, bit parity for Sylvester's matrices) and the FFT planner (prime factors for the radices, primitive
 * roots for Rader's algorithm). Trial division throughout: the arguments are transform sizes and base orders,
 * at most 2^30.
 */

/** XOR of the bits of a non-negative 32-bit integer v: 1 when an odd number of bits are set, else 0. */
export function parity(v: number): number {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
}

/** The prime factors of the integer n >= 1 with multiplicity, ascending (primeFactors(360) = [2, 2, 2, 3, 3, 5]). */
export function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let d = 2; d * d <= n; d += d === 2 ? 1 : 2) {
    while (n % d === 0) {
      out.push(d);
      n /= d;
    }
  }
  if (n > 1) out.push(n);
  return out;
}

/** { p, k } with q = p^k and p prime, or undefined when the integer q is not a prime power (or q < 2). */
export function primePower(q: number): { p: number; k: number } | undefined {
  if (!Number.isInteger(q) || q < 2) return undefined;
  const factors = primeFactors(q);
  return factors[0] === factors[factors.length - 1] ? { p: factors[0], k: factors.length } : undefined;
}

/** a b mod n for integers 0 <= a, b < n <= 2^30, exact in doubles (the split keeps every product below 2^53). */
export function mulMod(a: number, b: number, n: number): number {
  const high = (a * Math.floor(b / 16384)) % n;
  return (high * 16384 + a * (b % 16384)) % n;
}

/** g^e mod n by binary exponentiation (integers, 0 <= g, e; n <= 2^30). */
export function powMod(g: number, e: number, n: number): number {
  let r = 1 % n;
  for (let b = g % n; e > 0; e = Math.floor(e / 2), b = mulMod(b, b, n)) {
    if (e % 2 === 1) r = mulMod(r, b, n);
  }
  return r;
}

/**
 * The smallest generator of the multiplicative group modulo the prime p: the least g >= 2 with
 * g^((p-1)/f) != 1 for every prime f dividing p - 1 (1 for p = 2). p must be prime (unchecked).
 */
export function primitiveRoot(p: number): number {
  if (p === 2) return 1;
  const divisors = [...new Set(primeFactors(p - 1))];
  for (let g = 2; ; g++) {
    if (divisors.every((f) => powMod(g, (p - 1) / f, p) !== 1)) return g;
  }
}
