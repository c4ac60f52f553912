import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ScalarCodebook, randomNormal, type Codebook } from '../src/index.js';
import { chunkMajor, decoderFor } from '../src/quantize/decoder.js';

/** C x by the definition: every row decoded with the codebook's own decodeRows. */
function reference(cb: Codebook, codes: Uint16Array, m: number, n: number, x: Float64Array): Float64Array {
  const C = cb.decodeRows(codes);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i] += C[i * n + j] * x[j];
  return y;
}

describe('the compressed inference kernels', () => {
  it('E8P12: all 65536 codes decode exactly as decodeRows (unit vectors pick out each coordinate)', () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, c) => c);
    const C = E8P12.decodeRows(codes);
    const dec = decoderFor(E8P12);
    const codesT = chunkMajor(codes, 65536, 1, 1);
    for (let i = 0; i < 8; i++) {
      const x = new Float64Array(8);
      x[i] = 1;
      const y = new Float64Array(65536);
      dec.matvecAccumulate(codesT, 65536, 8, x, y);
      for (let c = 0; c < 65536; c++) if (y[c] !== C[8 * c + i]) throw new Error(`code ${c}, coordinate ${i}: ${y[c]} != ${C[8 * c + i]}`);
    }
  });

  it('every codebook: matvec and matmul kernels agree with the definition, for any shape', () => {
    const books: Codebook[] = [E8P12, E8P12RVQ3B, E8P12RVQ4B, new ScalarCodebook(2, 8)];
    fc.assert(
      fc.property(fc.constantFrom(...books), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.nat(1000), (cb, m, chunks, B, seed) => {
        const n = 8 * chunks;
        const codes = cb.quantize(Float64Array.from(randomNormal(m * n, seed))).codes;
        const codesT = chunkMajor(codes, m, chunks, cb.codeWords);
        const dec = decoderFor(cb);
        const X = Float64Array.from(randomNormal(B * n, seed + 1));
        const Xt = new Float64Array(n * B);
        for (let b = 0; b < B; b++) for (let k = 0; k < n; k++) Xt[k * B + b] = X[b * n + k];
        const Y = new Float64Array(m * B);
        dec.matmulAccumulate(codesT, m, n, B, Xt, Y);
        for (let b = 0; b < B; b++) {
          const x = X.subarray(b * n, (b + 1) * n);
          const want = reference(cb, codes, m, n, x);
          const y = new Float64Array(m);
          dec.matvecAccumulate(codesT, m, n, x, y);
          for (let i = 0; i < m; i++) {
            const tol = 1e-12 * (1 + Math.abs(want[i]) + n);
            expect(Math.abs(y[i] - want[i])).toBeLessThan(tol);
            expect(Math.abs(Y[i * B + b] - want[i])).toBeLessThan(tol);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
