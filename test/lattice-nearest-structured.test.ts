// E8P12.quantize against brute force over all 65536 points: structured inputs (second half of the >= 10^5
// rows): near codebook points, on and near bisectors of neighbouring points, huge and tiny norms, sparse rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { E8P12 } from '../src/lattice/index.js';
import { adversarialCoordinate, agreement, bruteForceNearest, gaussianRows, nearBisectors, nearPoints, pointTable, randomCodes } from './lattice-helpers.js';

const grid = E8P12.grid();
const table = pointTable(grid);

function check(X: Float64Array) {
  const { codes } = E8P12.quantize(X);
  const brute = bruteForceNearest(table, X);
  const verdict = agreement(X, codes, brute, grid);
  expect(verdict.worse).toEqual([]);
  expect(verdict.float64Ties).toEqual([]); // exactly nearest on these sets
  return verdict;
}

describe('E8P12.quantize equals brute force (structured inputs, 56,000 rows)', () => {
  for (const [sigma, n] of [[1e-9, 2000], [1e-4, 2000], [0.05, 4000], [0.2, 4000], [0.45, 4000]] as const) {
    it(`codebook points plus noise of size ${sigma} (${n} rows)`, () => {
      const X = nearPoints(grid, randomCodes(n, 65536, 300 + n), sigma, Math.round(-Math.log10(sigma) * 7));
      const verdict = check(X);
      expect(verdict.ties).toBe(0);
    });
  }

  // Partners: the codebook point nearest to a random point near the first one (often a Voronoi neighbour;
  // which one only shapes the input distribution, the check below is against brute force).
  const pairs = (n: number, seed: number) => {
    const codes = randomCodes(n, 65536, seed);
    const partners = Int32Array.from(E8P12.quantize(nearPoints(grid, codes, 0.6, seed + 1)).codes);
    for (let r = 0; r < n; r++) if (partners[r] === codes[r]) partners[r] = (codes[r] + 1) & 0xffff;
    return { codes, partners };
  };

  it('exact midpoints of two nearby codebook points: ties, either side exactly as near (4000 rows)', () => {
    const { codes, partners } = pairs(4000, 11);
    const verdict = check(nearBisectors(grid, codes, partners, 0, 0));
    expect(verdict.ties).toBeGreaterThan(0); // the tie rule was exercised
  });

  for (const [delta, n] of [[1e-12, 4000], [1e-8, 4000], [1e-4, 4000]] as const) {
    it(`midpoints moved by ${delta} (${n} rows)`, () => {
      const { codes, partners } = pairs(n, 20 + n);
      check(nearBisectors(grid, codes, partners, delta, Math.round(-Math.log10(delta))));
    });
  }

  for (const scale of [1e3, 1e8, 1e100, 1e301, 1e306]) {
    it(`huge norms: Gaussian rows times ${scale} (1500 rows)`, () => {
      check(gaussianRows(1500, scale, 40 + Math.round(Math.log10(scale))));
    });
  }
  for (const scale of [1e-3, 1e-8, 1e-30, 1e-300, 1e-320]) {
    it(`tiny norms: Gaussian rows times ${scale} (1500 rows)`, () => {
      check(gaussianRows(1500, scale, 60 + Math.round(-Math.log10(scale))));
    });
  }

  it('sparse rows, zeros, and rows mixing huge and tiny coordinates (3000 rows)', () => {
    const X = gaussianRows(3000, 1.5, 77);
    const mask = gaussianRows(3000, 1, 78);
    for (let i = 0; i < X.length; i++) {
      if (mask[i] > 0.5) X[i] = 0;
      else if (mask[i] < -1.5) X[i] *= 1e-12;
      else if (mask[i] < -1.2) X[i] *= 1e6;
    }
    X.fill(0, 0, 8); // the zero row: every point of norm 1/2 (+-1/4 everywhere) ties
    check(X);
  });

  it('rows at the edge of the float64 range: sums of the coordinates that overflow, next to subnormals', () => {
    const M = Number.MAX_VALUE;
    const rows = [
      [M, M, M, M, M, M, M, M],
      [M, -M, M, M, -M, M, M, -M],
      [M, M, 0, 5e-324, -5e-324, 1, -M, 0.25],
      [M / 3, M / 2, M / 5, M / 7, -M / 11, M, 2 ** 1000, -(2 ** 1001)],
    ];
    check(Float64Array.from(rows.flat()));
  });

  it('adversarial rows: arbitrary doubles mixed with the 1/8 grid (6000 rows, fast-check, fixed seed)', () => {
    const rows = fc.sample(fc.array(adversarialCoordinate, { minLength: 8, maxLength: 8 }), { numRuns: 6000, seed: 12345 });
    check(Float64Array.from(rows.flat()));
  });
});
