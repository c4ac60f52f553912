/** Kronecker product of two +-1 matrices: (A (x) B)[a*nb + b][c*nb + d] = A[a][c] B[b][d]. */
export function kronecker(A: Int8Array, na: number, B: Int8Array, nb: number): Int8Array {
  const n = na * nb;
  const out = new Int8Array(n * n);
  for (let a = 0; a < na; a++) {
    for (let c = 0; c < na; c++) {
      const s = A[a * na + c];
      for (let b = 0; b < nb; b++) {
        const dst = (a * nb + b) * n + c * nb;
        for (let d = 0; d < nb; d++) out[dst + d] = s * B[b * nb + d];
      }
    }
  }
  return out;
}
