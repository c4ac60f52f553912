import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemmAccumulate, gemmAccumulateLower, useSimdGemm, type GemmOperand } from '../src/ldlq/gemm.js';
import { randomNormal } from '../src/random/index.js';

/** op(X)(r, c) of a strided operand. */
const at = (X: GemmOperand, r: number, c: number) => X.data[X.offset + (X.trans ? c * X.ld + r : r * X.ld + c)] * (X.negate ? -1 : 1);

/** The contract, written out: c <- C_ij, then c <- c + op(A)_ip op(B)_pj for p in order (reversed on request). */
function reference(m: number, n: number, k: number, A: GemmOperand, B: GemmOperand, C: Float64Array, cOff: number, ldc: number, reverseK: boolean): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let c = C[cOff + i * ldc + j];
    for (let q = 0; q < k; q++) {
      const p = reverseK ? k - 1 - q : q;
      c += at(A, i, p) * at(B, p, j);
    }
    C[cOff + i * ldc + j] = c;
  }
}

/** A random strided operand holding a rows x cols op(X), with padding around it. */
function operand(rows: number, cols: number, trans: boolean, negate: boolean, pad: number, seed: number, stream: number): GemmOperand {
  const ld = (trans ? rows : cols) + pad;
  const data = randomNormal(pad + ld * (trans ? cols : rows), seed, stream);
  return { data, offset: pad, ld, trans, negate };
}

/** Random operands for C (m x n, leading dimension n + pad) += op(A) op(B), each with padding around it. */
function problem(m: number, n: number, k: number, ta: boolean, tb: boolean, neg: boolean, pad: number, seed: number) {
  const ldc = n + pad;
  return { A: operand(m, k, ta, neg, pad, seed, 1), B: operand(k, n, tb, false, pad, seed, 2), ldc, C: randomNormal(pad + m * ldc, seed, 3) };
}

// Every law below holds for both micro-kernels: WebAssembly SIMD (the default where it runs) and scalar JavaScript.
describe.each([
  { kernel: 'simd', simd: true },
  { kernel: 'scalar', simd: false },
])('gemmAccumulate (internal), $kernel kernel', ({ simd }) => {
  beforeAll(() => {
    // Node 20 has WebAssembly SIMD: the simd suite must really run on it
    expect(useSimdGemm(simd)).toBe(simd);
  });
  afterAll(() => {
    useSimdGemm(true);
  });

  it('equals the sequential-order definition bit for bit (any strides, transposes, negation, k order)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 600 })),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(1000),
        (m, n, k, ta, tb, neg, rev, pad, seed) => {
          const { A, B, C, ldc } = problem(m, n, k, ta, tb, neg, pad, seed);
          const ref = C.slice();
          gemmAccumulate(m, n, k, A, B, C, pad, ldc, rev);
          reference(m, n, k, A, B, ref, pad, ldc, rev);
          expect(C).toEqual(ref);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles more columns than one packed B block (n > 2048) and more rows than one A block', () => {
    const m = 66;
    const n = 2100;
    const k = 3;
    const { A, B, C } = problem(m, n, k, false, false, false, 0, 5);
    const ref = C.slice();
    gemmAccumulate(m, n, k, A, B, C, 0, n, true);
    reference(m, n, k, A, B, ref, 0, n, true);
    expect(C).toEqual(ref);
  });

  /** Runs gemmAccumulateLower on random operands and checks every entry of C against the full product or its old value. */
  function checkLower(m: number, nExtra: number, k: number, ta: boolean, tb: boolean, pad: number, seed: number): void {
    const n = m + nExtra; // C is m x n; the lower triangle covers columns j <= i < m
    const { A, B, C, ldc } = problem(m, n, k, ta, tb, false, pad, seed);
    const full = C.slice();
    reference(m, n, k, A, B, full, pad, ldc, false);
    const before = C.slice();
    gemmAccumulateLower(m, n, k, A, B, C, pad, ldc);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const at = pad + i * ldc + j;
        if (C[at] !== (j <= i ? full[at] : before[at])) {
          throw new Error(`entry (${i}, ${j}): got ${C[at]}, expected ${j <= i ? full[at] : before[at]}`);
        }
      }
    }
  }

  it('gemmAccumulateLower updates exactly the lower triangle (j <= i), bit for bit as the definition, and nothing above', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 80 }),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 300 })),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(1000),
        (m, nExtra, k, ta, tb, pad, seed) => checkLower(m, nExtra, k, ta, tb, pad, seed),
      ),
      { numRuns: 40 },
    );
  });

  it('gemmAccumulateLower across more columns than one packed B block (n > 2048)', () => {
    checkLower(2100, 7, 2, false, true, 1, 4);
    checkLower(2050, 3, 3, true, false, 0, 5);
  });

  it('does nothing for empty shapes', () => {
    const C = new Float64Array([1, 2]);
    const Z: GemmOperand = { data: new Float64Array(4), offset: 0, ld: 2, trans: false };
    gemmAccumulate(0, 2, 2, Z, Z, C, 0, 2);
    gemmAccumulate(1, 2, 0, Z, Z, C, 0, 2);
    expect(Array.from(C)).toEqual([1, 2]);
  });
});
