import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  QUIP_SHARP_BASE_ORDERS,
  quipSharpHadamardBase,
  quipSharpHadamardFactor,
  quipSharpHadamardRowsInPlace,
} from '../src/interop/index.js';
import { sampleJson } from './interop-samples.js';

const table = sampleJson<{ matrices: Record<string, { rows: string[]; sha256_int8_row_major: string }> }>('hadamard.json');

/** M_k as a dense matrix from its definition: (H_K (x) S_p)[a p + b][c p + d] = H_K[a][c] (-1)^popcount(b & d). */
function denseM(k: number): Float64Array {
  const f = quipSharpHadamardFactor(k)!;
  const H = f.K === 1 ? Int8Array.of(1) : quipSharpHadamardBase(f.K);
  const M = new Float64Array(k * k);
  const s = Math.fround(Math.sqrt(k));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const [a, b, c, d] = [Math.floor(i / f.p), i % f.p, Math.floor(j / f.p), j % f.p];
      let parity = 0;
      for (let x = b & d; x; x &= x - 1) parity ^= 1;
      M[i * k + j] = (H[a * f.K + c] * (parity ? -1 : 1)) / s;
    }
  }
  return M;
}

describe("QuIP#'s Hadamard base matrices", () => {
  it('are the matrices of hadamard.json, entry for entry and by sha256 of their int8 row-major bytes', () => {
    expect(Object.keys(table.matrices).map(Number).sort((a, b) => a - b)).toEqual([...QUIP_SHARP_BASE_ORDERS].sort((a, b) => a - b));
    for (const [key, { rows, sha256_int8_row_major: sha }] of Object.entries(table.matrices)) {
      const K = Number(key);
      const H = quipSharpHadamardBase(K);
      expect(H.length).toBe(K * K);
      expect(createHash('sha256').update(new Uint8Array(H.buffer)).digest('hex')).toBe(sha);
      expect(Array.from(H, (v) => (v > 0 ? '+' : '-')).join('')).toBe(rows.join(''));
    }
  });

  it('satisfy H H^T = K I, and are copies the caller may change', () => {
    for (const K of QUIP_SHARP_BASE_ORDERS) {
      const H = quipSharpHadamardBase(K);
      let wrong = 0;
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) {
          let dot = 0;
          for (let t = 0; t < K; t++) dot += H[i * K + t] * H[j * K + t];
          if (dot !== (i === j ? K : 0)) wrong++;
        }
      }
      expect(wrong).toBe(0);
      H[0] = 99;
      expect(quipSharpHadamardBase(K)[0]).not.toBe(99);
    }
    expect(() => quipSharpHadamardBase(44)).toThrow(
      new RangeError('quipSharpHadamardBase: K must be one of 12, 20, 28, 36, 52, 60, 108, 116, 124, 140, 156, 172, got 44'),
    );
  });
});

describe("QuIP#'s transform M_k = (H_K (x) S_{k/K}) / sqrt(k)", () => {
  it("factors k as QuIP#'s get_hadK does", () => {
    expect(quipSharpHadamardFactor(11008)).toEqual({ K: 172, p: 64 }); // Llama-2 7B intermediate size
    expect(quipSharpHadamardFactor(4096)).toEqual({ K: 1, p: 4096 });
    expect(quipSharpHadamardFactor(12288)).toEqual({ K: 12, p: 1024 });
    expect(quipSharpHadamardFactor(192)).toEqual({ K: 12, p: 16 });
    expect(quipSharpHadamardFactor(60)).toEqual({ K: 60, p: 1 }); // not 12 x 5 or 20 x 3
    expect(quipSharpHadamardFactor(28672)).toEqual({ K: 28, p: 1024 }); // Llama-2 70B intermediate size
    expect(quipSharpHadamardFactor(44)).toBeUndefined();
    expect(quipSharpHadamardFactor(12 * 3)).toEqual({ K: 36, p: 1 });
    expect(quipSharpHadamardFactor(24 * 3)).toEqual({ K: 36, p: 2 });
    expect(() => quipSharpHadamardFactor(0)).toThrow(RangeError);
  });

  it('equals the dense definition, M x and M^T x, on float64 and float32 rows', () => {
    for (const k of [1, 2, 8, 12, 24, 20, 28, 36, 52, 60, 108, 116, 124, 140, 156, 172, 344, 192, 256]) {
      const M = denseM(k);
      const rows = 3;
      const x = Float64Array.from({ length: rows * k }, (_, i) => Math.sin(1 + i * 0.77));
      for (const transpose of [false, true]) {
        const y = quipSharpHadamardRowsInPlace(Float64Array.from(x), rows, k, { transpose });
        const y32 = quipSharpHadamardRowsInPlace(Float32Array.from(x), rows, k, { transpose });
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < k; i++) {
            let s = 0;
            for (let j = 0; j < k; j++) s += (transpose ? M[j * k + i] : M[i * k + j]) * x[r * k + j];
            expect(Math.abs(y[r * k + i] - s)).toBeLessThan(1e-13);
            expect(Math.abs(y32[r * k + i] - s)).toBeLessThan(2e-6);
          }
        }
      }
    }
  });

  it('M^T undoes M up to the float32 sqrt QuIP# divides by (k / fl32(sqrt k)^2)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(12, 20, 40, 52 * 4, 108, 172 * 2, 64, 156),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (k, rows, seed) => {
          const x = Float64Array.from({ length: rows * k }, (_, i) => Math.sin(seed + i));
          const y = quipSharpHadamardRowsInPlace(quipSharpHadamardRowsInPlace(Float64Array.from(x), rows, k), rows, k, { transpose: true });
          const f = k / Math.fround(Math.sqrt(k)) ** 2;
          for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - f * x[i])).toBeLessThan(1e-13);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('checks its arguments', () => {
    const fn = quipSharpHadamardRowsInPlace;
    expect(() => fn(new Float64Array(44), 1, 44)).toThrow(
      new RangeError(
        'quipSharpHadamardRowsInPlace: k must be an order QuIP# supports (a power of two, or 172, 156, 140, 124, 116, 108, 60, 52, 36, 28, 20, 12 times one), got 44',
      ),
    );
    expect(() => fn(new Float64Array(23), 2, 12)).toThrow(
      new RangeError('quipSharpHadamardRowsInPlace: data must be of length rows * k = 24, got length 23'),
    );
    expect(() => fn([1, 2] as unknown as Float64Array, 1, 2)).toThrow(TypeError);
    expect(() => fn(new Float64Array(12), 1.5, 12)).toThrow(TypeError);
    expect(fn(new Float64Array(0), 0, 12).length).toBe(0);
  });
});
