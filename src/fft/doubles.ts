/**
 * Internal working arrays (scratch, twiddles, small-DFT buffers) as plain JavaScript arrays of doubles
 * (elements kind PACKED_DOUBLE): on node 20 these measured 10-15% faster than Float64Arrays in the FFT
 * kernels (element loads skip the typed array's data-pointer computation). V8 caps such arrays near
 * 2^27 entries, so larger ones stay Float64Arrays (kernels then see two array kinds: slower, still
 * correct). The caller's re/im are Float64Arrays by contract and are never converted.
 */
export type Doubles = number[] | Float64Array;

/** Largest plain array handed out (entries). */
const PLAIN_MAX = 2 ** 25;

/** n entries copied from x (zeros without x): a PACKED_DOUBLE array from the start (no SMI phase, no holes). */
export function doubles(n: number, x?: Float64Array): Doubles {
  if (n > PLAIN_MAX) return x ? x.slice(0, n) : new Float64Array(n);
  const a = [0.5];
  a.pop();
  for (let i = 0; i < n; i++) a.push(x ? x[i] : 0);
  return a;
}
