// The report's denominator: the row energies w_i^T H w_i from H's lower triangle, panel by panel, against the
// explicit double sum, and the chunk claiming that lets idle workers share them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { claimRowEnergies, ENERGY_CHUNK_ROWS, rowEnergies } from '../src/quantize/energy.js';
import { randomNormal } from '../src/random/index.js';

function symmetric(n: number, seed: number): Float64Array {
  const A = randomNormal(n * n, seed, 2);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  return A;
}

describe('rowEnergies', () => {
  it('equals sum_jk w_j H_jk w_k for every row, on every panel split (n around the 128-column panels)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
        const W = randomNormal(m * n, seed, 1);
        const H = symmetric(n, seed);
        const out = new Float64Array(m);
        rowEnergies(W, H, n, 0, m, out);
        for (let i = 0; i < m; i++) {
          let exact = 0;
          let scale = 0;
          for (let j = 0; j < n; j++) {
            for (let k = 0; k < n; k++) {
              exact += W[i * n + j] * H[j * n + k] * W[i * n + k];
              scale += Math.abs(W[i * n + j] * H[j * n + k] * W[i * n + k]);
            }
          }
          expect(Math.abs(out[i] - exact)).toBeLessThanOrEqual(1e-12 * scale);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same bits whoever claims which chunk: claimants taking turns, or one taking all', () => {
    const m = 3 * ENERGY_CHUNK_ROWS + 5;
    const n = 136;
    const W = randomNormal(m * n, 7, 1);
    const H = symmetric(n, 7);
    const alone = new Float64Array(m);
    claimRowEnergies(W, H, m, n, new Int32Array(2), alone, false);
    const reference = new Float64Array(m);
    rowEnergies(W, H, n, 0, m, reference);
    expect(alone).toEqual(reference);
    // Two claimants: the first pauses after one chunk (its stop flag raised), the second finishes.
    const shared = new Float64Array(m);
    const control = new Int32Array(2);
    let chunks = 0;
    claimRowEnergies(W, H, m, n, control, shared, true, () => {
      chunks++;
      Atomics.store(control, 1, 1);
    });
    expect(chunks).toBe(1);
    claimRowEnergies(W, H, m, n, control, shared, false);
    expect(shared).toEqual(reference);
  });
});
