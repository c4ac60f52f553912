/**
 * Paley's constructions (R. E. A. C. Paley, "On orthogonal matrices", J. Math. Phys. 12, 1933) from the
 * Jacobsthal matrix Q[a][b] = chi(a - b) of GF(q), chi the quadratic character.
 */
import { GaloisField } from './galois.js';
import { primePower } from '../../core/index.js';

function jacobsthal(q: number): Int8Array {
  const pk = primePower(q);
  if (!pk) throw new RangeError(`jacobsthal: q must be a prime power, got ${q}`);
  const field = new GaloisField(pk.p, pk.k);
  const chi = field.quadraticCharacter();
  const Q = new Int8Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Q[a * q + b] = chi[field.sub(a, b)];
  return Q;
}

/** Paley I, q = 3 mod 4 a prime power: order q + 1, H = I + [[0, 1^T], [-1, Q]] (Q is skew). */
export function paleyI(q: number): Int8Array {
  const Q = jacobsthal(q);
  const n = q + 1;
  const H = new Int8Array(n * n);
  H[0] = 1;
  for (let j = 1; j < n; j++) {
    H[j] = 1;
    H[j * n] = -1;
  }
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) H[(a + 1) * n + b + 1] = a === b ? 1 : Q[a * q + b];
  }
  return H;
}

/**
 * Paley II, q = 1 mod 4 a prime power: order 2(q + 1). With the symmetric conference matrix
 * C = [[0, 1^T], [1, Q]], H = C (x) [[1, 1], [1, -1]] + I (x) [[1, -1], [-1, -1]].
 */
export function paleyII(q: number): Int8Array {
  const Q = jacobsthal(q);
  const c = q + 1;
  const n = 2 * c;
  const H = new Int8Array(n * n);
  const conference = (i: number, j: number): number => {
    if (i === 0 || j === 0) return i === j ? 0 : 1;
    return Q[(i - 1) * q + (j - 1)];
  };
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const v = conference(i, j);
      // a zero of C becomes the block [[1, -1], [-1, -1]], a +-1 becomes +-[[1, 1], [1, -1]]
      const block = v === 0 ? [1, -1, -1, -1] : [v, v, v, -v];
      H[2 * i * n + 2 * j] = block[0];
      H[2 * i * n + 2 * j + 1] = block[1];
      H[(2 * i + 1) * n + 2 * j] = block[2];
      H[(2 * i + 1) * n + 2 * j + 1] = block[3];
    }
  }
  return H;
}
