// E8P12.quantize against brute force over all 65536 points: random inputs (first half of the >= 10^5 rows;
// lattice-nearest-structured.test.ts holds the second, so vitest can run the two files in parallel).
import { describe, expect, it } from 'vitest';
import { E8P12 } from '../src/lattice/index.js';
import { agreement, bruteForceNearest, gaussianRows, pointTable, uniformRows } from './lattice-helpers.js';

const grid = E8P12.grid();
const table = pointTable(grid);

function check(X: Float64Array | Float32Array) {
  const { codes, values } = E8P12.quantize(X);
  const brute = bruteForceNearest(table, X);
  const verdict = agreement(X, codes, brute, grid);
  expect(verdict.worse).toEqual([]);
  expect(verdict.float64Ties).toEqual([]); // exactly nearest on these sets
  let same = true;
  for (let r = 0; r < codes.length; r++) for (let i = 0; i < 8; i++) same &&= values[8 * r + i] === grid[8 * codes[r] + i];
  expect(same).toBe(true);
  return verdict;
}

describe('E8P12.quantize equals brute force (random inputs, 51,000 rows)', () => {
  for (const [scale, n] of [[0.25, 4000], [0.6, 5000], [1.03, 10000], [1.5, 5000], [2.5, 5000], [4, 4000]] as const) {
    it(`Gaussian rows, scale ${scale} (${n} rows)`, () => {
      check(gaussianRows(n, scale, 100 + Math.round(scale * 100)));
    });
  }
  it('Gaussian rows as Float32Array, scale 1.03 (5000 rows)', () => {
    check(Float32Array.from(gaussianRows(5000, 1.03, 7)));
  });
  for (const [half, n] of [[1, 4000], [3, 5000], [6, 4000]] as const) {
    it(`uniform rows in [-${half}, ${half}) (${n} rows)`, () => {
      check(uniformRows(n, half, 200 + half));
    });
  }
});
