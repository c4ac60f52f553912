import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, RESIDUAL_POINTS, nearestResidualCode, nearestE8 } from '../src/lattice/index.js';
import { agreement, bruteForceNearest, gaussianRows, nearBisectors, nearPoints, pointTable, randomCodes, uniformRows } from './lattice-helpers.js';

const points = RESIDUAL_POINTS;

describe('the 256-point residual codebook of E8P12RVQ3B', () => {
  it('is the origin, the 240 E8 roots and +-2 e_i except -2 e_8, numbered as documented', () => {
    const seen = new Set<string>();
    let roots = 0;
    for (let c = 0; c < 256; c++) {
      const p = Array.from(points.subarray(8 * c, 8 * c + 8));
      seen.add(p.join());
      const norm = p.reduce((a, v) => a + v * v, 0);
      expect(Array.from(nearestE8(Float64Array.from(p)))).toEqual(p); // an E8 point
      if (norm === 2) roots++;
      if (c === 0) expect(norm).toBe(0);
      else if (c <= 240) expect(norm).toBe(2);
      else expect(norm).toBe(4);
    }
    expect(seen.size).toBe(256);
    expect(roots).toBe(240);
    expect(seen.has([0, 0, 0, 0, 0, 0, 0, -2].join())).toBe(false);
    expect(seen.has([0, 0, 0, 0, 0, 0, 0, 2].join())).toBe(true);
    // Spot checks of the numbering rule.
    expect(Array.from(points.subarray(8, 16))).toEqual([1, 1, 0, 0, 0, 0, 0, 0]); // code 1: +e_1 +e_2
    expect(Array.from(points.subarray(8 * 4, 8 * 5))).toEqual([-1, -1, 0, 0, 0, 0, 0, 0]); // code 4
    expect(Array.from(points.subarray(8 * 112, 8 * 113))).toEqual([0, 0, 0, 0, 0, 0, -1, -1]); // code 112: (6, 7), both negative
    expect(Array.from(points.subarray(8 * 113, 8 * 114))).toEqual(new Array(8).fill(0.5)); // code 113: all positive
    expect(Array.from(points.subarray(8 * 114, 8 * 115))).toEqual([-0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]); // m = 0b11
    expect(Array.from(points.subarray(8 * 242, 8 * 243))).toEqual([-2, 0, 0, 0, 0, 0, 0, 0]); // code 242: -2 e_1
    expect(Array.from(points.subarray(8 * 255, 8 * 256))).toEqual([0, 0, 0, 0, 0, 0, 0, 2]); // code 255: +2 e_8
  });

  it('nearestResidualCode equals brute force over the 256 points (exact ties allowed)', () => {
    const table = pointTable(points);
    const sets = [
      gaussianRows(6000, 0.7, 1),
      gaussianRows(3000, 2, 2),
      uniformRows(3000, 2.5, 3),
      nearPoints(points, randomCodes(3000, 256, 4), 0.1, 5),
      nearBisectors(points, randomCodes(3000, 256, 6), randomCodes(3000, 256, 7), 0, 8),
      gaussianRows(1000, 1e-30, 9),
      gaussianRows(1000, 1e200, 10),
    ];
    for (const X of sets) {
      const ours = new Int32Array(X.length / 8);
      for (let r = 0; r < ours.length; r++) ours[r] = nearestResidualCode(X, 8 * r);
      const verdict = agreement(X, ours, bruteForceNearest(table, X), points);
      expect([verdict.worse, verdict.float64Ties]).toEqual([[], []]);
    }
    for (let c = 0; c < 256; c++) expect(nearestResidualCode(points, 8 * c)).toBe(c);
  });
});

describe('E8P12RVQ4B and E8P12RVQ3B', () => {
  for (const [cb, secondSize] of [[E8P12RVQ4B, 65536], [E8P12RVQ3B, 256]] as const) {
    it(`${cb.name}: stage 1 is E8P12 of x, stage 2 the nearest point to the scaled residual; values = decodeRows(codes)`, () => {
      expect([cb.dim, cb.codeWords]).toEqual([8, 2]);
      const secondPoints = secondSize === 256 ? points : E8P12.grid();
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.2, max: 3, noNaN: true }), (seed, k, scale) => {
          const X = gaussianRows(k, scale, seed);
          const { codes, values } = cb.quantize(X);
          expect(codes.length).toBe(2 * k);
          expect(values).toEqual(cb.decodeRows(codes));
          const first = E8P12.quantize(X);
          for (let r = 0; r < k; r++) {
            expect(codes[2 * r]).toBe(first.codes[r]);
            expect(codes[2 * r + 1]).toBeLessThan(secondSize);
            for (let i = 0; i < 8; i++) {
              const v1 = first.values[8 * r + i];
              const v2 = secondPoints[8 * codes[2 * r + 1] + i];
              expect(values[8 * r + i]).toBe(v1 + v2 / cb.residualScale);
            }
          }
          // Stage 2 alone: residual * scale quantized by the second codebook.
          const R = X.map((v, i) => (v - first.values[i]) * cb.residualScale);
          if (secondSize === 65536) expect(Array.from(codes.filter((_, i) => i % 2 === 1))).toEqual(Array.from(E8P12.quantize(R).codes));
          else for (let r = 0; r < k; r++) expect(codes[2 * r + 1]).toBe(nearestResidualCode(R, 8 * r));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('quantize across blocks of rows: float64 read in place and float32 copied give the codes of each row alone', () => {
    const k = 2500; // BLOCK_ROWS = 1024: three blocks, the last one partial
    const X = gaussianRows(k, 1.03, 11);
    const X32 = Float32Array.from(X);
    const rows = [0, 1023, 1024, 2047, 2048, 2499];
    for (const cb of [E8P12, E8P12RVQ3B, E8P12RVQ4B]) {
      const w = cb.codeWords;
      const whole64 = cb.quantize(X).codes;
      const whole32 = cb.quantize(X32).codes;
      const exact32 = cb.quantize(Float64Array.from(X32)).codes;
      expect(whole32).toEqual(exact32);
      for (const r of rows) {
        const alone = cb.quantize(X.subarray(8 * r, 8 * r + 8)).codes;
        expect(Array.from(whole64.subarray(w * r, w * r + w))).toEqual(Array.from(alone));
      }
    }
  });

  it('have the documented parameters', () => {
    expect([E8P12RVQ4B.bitsPerWeight, E8P12RVQ4B.optScale, E8P12RVQ4B.residualScale]).toEqual([4, 1.03, 3.45]);
    expect([E8P12RVQ3B.bitsPerWeight, E8P12RVQ3B.optScale, E8P12RVQ3B.residualScale]).toEqual([3, 0.98, 2.04]);
  });

  it('reject bad input', () => {
    expect(() => E8P12RVQ3B.decodeRows(Uint16Array.of(5, 256))).toThrow(/E8P12RVQ3B\.decodeRows: codes must be code words in \[0, 255\], got 256 at index 1/);
    expect(() => E8P12RVQ4B.decodeRows(Uint16Array.of(5))).toThrow(/length a multiple of 2/);
    expect(() => E8P12RVQ4B.quantize(new Float64Array(9))).toThrow(/E8P12RVQ4B\.quantize: X must be a row-major k x 8 matrix/);
    expect(() => E8P12RVQ3B.quantize(Float64Array.of(0, 0, 0, 0, 0, 0, 0, -Infinity))).toThrow(/finite everywhere/);
    expect(() => E8P12RVQ4B.decodeRows(Uint16Array.of(1, 2), new Float32Array(9))).toThrow(/out must be of length 8/);
  });
});
