/**
 * The finite field GF(p^k), enough of it for Paley's constructions: elements are the integers 0..q-1
 * read as base-p digit vectors (coefficients of a polynomial of degree < k, lowest digit first);
 * multiplication is modulo the lexicographically first monic irreducible polynomial of degree k.
 */

/** Coefficients (low to high, length k+1, monic) of the first irreducible polynomial of degree k over GF(p). */
function firstIrreducible(p: number, k: number): number[] {
  if (k === 1) return [0, 1];
  // candidates x^k + c(x), c read from the base-p digits of t; irreducible iff no monic factor of degree 1..k/2
  for (let t = 1; t < p ** k; t++) {
    const f = [...digits(t, p, k), 1];
    if (f[0] === 0) continue; // divisible by x
    let reducible = false;
    for (let d = 1; d <= k / 2 && !reducible; d++) {
      for (let s = 0; s < p ** d && !reducible; s++) {
        if (isZeroRemainder(f, [...digits(s, p, d), 1], p)) reducible = true;
      }
    }
    if (!reducible) return f;
  }
  throw new Error(`no irreducible polynomial of degree ${k} over GF(${p})`); // unreachable: one always exists
}

function digits(t: number, p: number, k: number): number[] {
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    out[i] = t % p;
    t = Math.floor(t / p);
  }
  return out;
}

/** Whether the monic polynomial g divides f over GF(p) (long division). */
function isZeroRemainder(f: number[], g: number[], p: number): boolean {
  const r = f.slice();
  const dg = g.length - 1;
  for (let i = r.length - 1; i >= dg; i--) {
    const c = r[i];
    if (c === 0) continue;
    for (let j = 0; j <= dg; j++) r[i - dg + j] = (((r[i - dg + j] - c * g[j]) % p) + p) % p;
  }
  return r.every((c) => c === 0);
}

export class GaloisField {
  readonly q: number;
  private readonly modulus: number[];

  constructor(
    readonly p: number,
    readonly k: number,
  ) {
    this.q = p ** k;
    this.modulus = firstIrreducible(p, k);
  }

  sub(a: number, b: number): number {
    const { p, k } = this;
    let out = 0;
    let place = 1;
    for (let i = 0; i < k; i++) {
      out += (((a % p) - (b % p) + p) % p) * place;
      a = Math.floor(a / p);
      b = Math.floor(b / p);
      place *= p;
    }
    return out;
  }

  mul(a: number, b: number): number {
    const { p, k, modulus } = this;
    const x = digits(a, p, k);
    const y = digits(b, p, k);
    const prod = new Array<number>(2 * k - 1).fill(0);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) prod[i + j] = (prod[i + j] + x[i] * y[j]) % p;
    // reduce modulo the monic modulus, highest degree first
    for (let i = prod.length - 1; i >= k; i--) {
      const c = prod[i];
      if (c === 0) continue;
      for (let j = 0; j <= k; j++) prod[i - k + j] = (((prod[i - k + j] - c * modulus[j]) % p) + p) % p;
    }
    let out = 0;
    for (let i = k - 1; i >= 0; i--) out = out * p + prod[i];
    return out;
  }

  /** chi(a) for every element: 0 at 0, +1 on nonzero squares, -1 on non-squares. */
  quadraticCharacter(): Int8Array {
    const chi = new Int8Array(this.q).fill(-1);
    chi[0] = 0;
    for (let x = 1; x < this.q; x++) chi[this.mul(x, x)] = 1;
    return chi;
  }
}
