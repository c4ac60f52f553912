import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, nearestE8 } from '../src/lattice/index.js';
import { RESIDUAL_GRID, ResidualGridSearch } from '../src/lattice/residual-grid.js';
import { adversarialCoordinate, exactNearestLowest, gaussianRows, nearBisectors, nearPoints, randomCodes, uniformRows } from './lattice-helpers.js';

const points = RESIDUAL_GRID;

/** QuIP#'s order, written out from its definition: sorted lexicographically per family, then the axes. */
function gridByDefinition(): number[][] {
  const lex = (a: number[], b: number[]) => {
    for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  };
  const family = (values: number[]) => {
    const out: number[][] = [];
    for (let m = 0; m < values.length ** 8; m++) {
      const p = Array.from({ length: 8 }, (_, i) => values[Math.floor(m / values.length ** i) % values.length]);
      const sum = p.reduce((a, v) => a + v, 0);
      if (sum % 2 === 0 && p.reduce((a, v) => a + v * v, 0) <= 2) out.push(p);
    }
    return out.sort(lex);
  };
  const axis = (i: number, v: number) => Array.from({ length: 8 }, (_, j) => (j === i ? v : 0));
  return [
    ...family([-1, 0, 1]),
    ...family([-0.5, 0.5]),
    ...Array.from({ length: 8 }, (_, i) => axis(i, 2)),
    ...Array.from({ length: 7 }, (_, i) => axis(i, -2)),
  ];
}

describe('the 256-point residual grid of E8P12RVQ3B (QuIP#\'s E81B, in its order)', () => {
  it('is the 113 integer and 128 half-integer E8 points of squared norm <= 2 in lexicographic order, then 2e_0..2e_7, -2e_0..-2e_6', () => {
    const want = gridByDefinition();
    expect(want.length).toBe(256);
    expect(Array.from(points)).toEqual(want.flat());
    const seen = new Set(want.map((p) => p.join()));
    expect(seen.size).toBe(256);
    for (const p of want) expect(Array.from(nearestE8(Float64Array.from(p)))).toEqual(p); // E8 points
    expect(Array.from(points.subarray(8 * 56, 8 * 57))).toEqual(new Array(8).fill(0)); // the origin is code 56
    expect(Array.from(points.subarray(0, 8))).toEqual([-1, -1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(points.subarray(8 * 113, 8 * 114))).toEqual(new Array(8).fill(-0.5));
    expect(seen.has([0, 0, 0, 0, 0, 0, 0, -2].join())).toBe(false);
  });

  it('residualGrid() returns a copy of it', () => {
    const g = E8P12RVQ3B.residualGrid();
    expect(g).toEqual(points);
    g.fill(7);
    expect(E8P12RVQ3B.residualGrid()).toEqual(points);
    expect(E8P12RVQ4B.residualGrid().length).toBe(65536 * 8);
  });

  it('nearest is the exactly nearest point, ties to the lowest code (against an exact brute force)', () => {
    const search = new ResidualGridSearch();
    const grid1 = fc.sample(fc.array(fc.integer({ min: -12, max: 12 }).map((k) => k / 4), { minLength: 8, maxLength: 8 }), { numRuns: 1500, seed: 5 });
    const mixed = fc.sample(fc.array(adversarialCoordinate, { minLength: 8, maxLength: 8 }), { numRuns: 1500, seed: 6 });
    const sets = [
      gaussianRows(3000, 0.7, 1),
      gaussianRows(1500, 2, 2),
      uniformRows(1500, 2.5, 3),
      nearPoints(points, randomCodes(1500, 256, 4), 0.1, 5),
      nearBisectors(points, randomCodes(1500, 256, 6), randomCodes(1500, 256, 7), 0, 8), // exact ties
      nearBisectors(points, randomCodes(1500, 256, 13), randomCodes(1500, 256, 14), 1e-17, 15), // below float64 resolution
      nearBisectors(points, randomCodes(1500, 256, 16), randomCodes(1500, 256, 17), 1e-16, 18),
      Float64Array.from(grid1.flat()), // the quarter grid: ties everywhere, zeros, equal |x_i|
      Float64Array.from(mixed.flat()),
      gaussianRows(500, 1e-30, 9),
      gaussianRows(500, 1e-320, 10),
      gaussianRows(500, 1e200, 11),
      gaussianRows(300, 1e306, 12),
      Float64Array.from([2 ** 1001, 0.75, 0.75, 0, 0, 0, 0, 0, 2 ** 1002, -(2 ** 1002), 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
    ];
    for (const X of sets) {
      const ours = Int32Array.from({ length: X.length / 8 }, (_, r) => search.nearest(X, 8 * r));
      expect(Array.from(ours)).toEqual(Array.from(exactNearestLowest(points, X)));
    }
    for (let c = 0; c < 256; c++) expect(search.nearest(points, 8 * c)).toBe(c);
    expect(search.nearest(new Float64Array(8), 0)).toBe(56);
  });
});

describe('E8P12RVQ4B and E8P12RVQ3B', () => {
  for (const [cb, secondSize] of [[E8P12RVQ4B, 65536], [E8P12RVQ3B, 256]] as const) {
    it(`${cb.name}: stage 1 is E8P12 of x, stage 2 the nearest point to the scaled residual; values = decodeRows(codes)`, () => {
      expect([cb.dim, cb.codeWords]).toEqual([8, 2]);
      const secondPoints = cb.residualGrid();
      const search = new ResidualGridSearch();
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
          else for (let r = 0; r < k; r++) expect(codes[2 * r + 1]).toBe(search.nearest(R, 8 * r));
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

  it('have the documented parameters (QuIP#\'s opt_scale and opt_resid_scale)', () => {
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
