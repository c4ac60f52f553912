/** Small number theory for the Paley constructions: primality and prime powers (trial division). */

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** { p, k } with q = p^k and p prime, or undefined when q is not a prime power. */
export function primePower(q: number): { p: number; k: number } | undefined {
  if (!Number.isInteger(q) || q < 2) return undefined;
  let p = 0;
  for (let d = 2; d * d <= q; d++) {
    if (q % d === 0) {
      p = d;
      break;
    }
  }
  if (p === 0) return { p: q, k: 1 };
  let k = 0;
  let r = q;
  while (r % p === 0) {
    r /= p;
    k++;
  }
  return r === 1 ? { p, k } : undefined;
}
