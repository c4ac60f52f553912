/**
 * QuIP's incoherence rotation, for the guide's comparison with the randomized Hadamard transform only: a random
 * two-factor Kronecker product U = U1 (x) U2 (n = n1 n2, n1 the largest divisor of n not above sqrt(n)), each
 * factor a Haar-random orthogonal matrix. Applying it to a vector costs n (n1 + n2) multiply-adds (U1 X U2^T on
 * the n1 x n2 reshaping X), against n log n for the RHT.
 */
import { randomNormal, type Seed } from '../../src/index.js';

/**
 * A Haar-random k x k orthogonal matrix (row-major): the Q of the QR factorization of a k x k matrix of
 * independent N(0, 1) entries (randomNormal(k^2, seed, stream)), with the signs fixed so that R has a positive
 * diagonal (which makes Q exactly Haar-distributed; Mezzadri, Notices AMS 54(5), 2007). Gram-Schmidt produces
 * that Q directly (every r_jj = ||v_j|| > 0); each column is orthogonalized twice, which keeps Q orthogonal to
 * round-off. O(k^3).
 */
export function haarOrthogonal(k: number, seed: Seed, stream: number): Float64Array {
  const G = randomNormal(k * k, seed, stream); // G[i * k + j]: row i, column j
  const Q = new Float64Array(k * k);
  const v = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) v[i] = G[i * k + j];
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < k; i++) dot += Q[i * k + p] * v[i];
        for (let i = 0; i < k; i++) v[i] -= dot * Q[i * k + p];
      }
    }
    let norm = 0;
    for (let i = 0; i < k; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < k; i++) Q[i * k + j] = v[i] / norm;
  }
  return Q;
}

/** The split n = n1 n2 of QuIP's Kronecker rotation: n1 the largest divisor of n with n1^2 <= n. */
export function kroneckerSplit(n: number): [number, number] {
  let n1 = Math.floor(Math.sqrt(n));
  while (n % n1 !== 0) n1--;
  return [n1, n / n1];
}

/** A sampled Kronecker rotation U = U1 (x) U2 of order n = n1 n2 (factors row-major). */
export interface KroneckerRotation {
  n: number;
  n1: number;
  n2: number;
  U1: Float64Array;
  U2: Float64Array;
}

/** Samples U1 from stream `stream` and U2 from stream `stream + 1` of `seed`. */
export function randomKroneckerRotation(n: number, seed: Seed, stream: number): KroneckerRotation {
  const [n1, n2] = kroneckerSplit(n);
  return { n, n1, n2, U1: haarOrthogonal(n1, seed, stream), U2: haarOrthogonal(n2, seed, stream + 1) };
}

/**
 * Every row x of the row-major rows x n matrix A replaced by U x, in place: with X the n1 x n2 reshaping of x
 * (x[a n2 + b] = X_ab), (U1 (x) U2) x is the reshaping of U1 X U2^T.
 */
export function kroneckerRowsInPlace(A: Float64Array, rows: number, U: KroneckerRotation): void {
  const { n, n1, n2, U1, U2 } = U;
  const T = new Float64Array(n); // X U2^T
  for (let r = 0; r < rows; r++) {
    const x = A.subarray(r * n, (r + 1) * n);
    T.fill(0);
    for (let a = 0; a < n1; a++) {
      for (let c = 0; c < n2; c++) {
        let s = 0;
        for (let b = 0; b < n2; b++) s += x[a * n2 + b] * U2[c * n2 + b];
        T[a * n2 + c] = s;
      }
    }
    x.fill(0);
    for (let a = 0; a < n1; a++) {
      for (let p = 0; p < n1; p++) {
        const u = U1[a * n1 + p];
        for (let c = 0; c < n2; c++) x[a * n2 + c] += u * T[p * n2 + c];
      }
    }
  }
}

/** W' = U_m W U_n^T for a row-major m x n matrix (a new array): U_n on every row, U_m on every column. */
export function kroneckerBothSides(W: Float64Array, m: number, n: number, Um: KroneckerRotation, Un: KroneckerRotation): Float64Array {
  const A = W.slice();
  kroneckerRowsInPlace(A, m, Un);
  const At = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) At[j * m + i] = A[i * n + j];
  kroneckerRowsInPlace(At, n, Um);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A[i * n + j] = At[j * m + i];
  return A;
}
