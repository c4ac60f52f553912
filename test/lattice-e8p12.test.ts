import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { E8P12, nearestE8 } from '../src/lattice/index.js';
import { buildAbsTable, NORM12_PATTERNS, SHUFFLE } from '../src/lattice/e8p12-table.js';
import { compareAbsDifferences, compareSquaredDistances } from '../src/lattice/exact.js';
import { randomNormal } from '../src/random/index.js';
import { adversarialCoordinate, agreement, bruteForceNearest, compareExact, exactScaled, pointTable } from './lattice-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const absTable = JSON.parse(fixture('e8p12-abs-table.json')) as { rows: number[][]; shuffle: number[] };
const samples = (JSON.parse(fixture('e8p12-samples.json')) as { samples: { code: number; values: number[] }[] }).samples;
const gridSha = fixture('e8p12-grid.sha256').split(/\s+/)[0];

/** The decode rule of the fixture, written out literally from its text. */
function decodeByRule(c: number): number[] {
  const row = absTable.rows[c >> 8];
  const s = c & 255;
  let p = 0;
  for (let b = 0; b < 8; b++) p ^= (s >> b) & 1;
  const s2 = s ^ p;
  return row.map((v, i) => ((s2 >> absTable.shuffle[i]) & 1 ? -v : v) + (p ? -0.25 : 0.25));
}

const code = fc.integer({ min: 0, max: 65535 });

describe('E8P12 table and decoding (QuIP# numbering)', () => {
  it('builds the fixture table from the definition', () => {
    expect(Array.from(SHUFFLE)).toEqual(absTable.shuffle);
    expect(Array.from(buildAbsTable())).toEqual(absTable.rows.flat());
  });

  it('has 227 ball patterns and 29 norm-12 patterns, all distinct', () => {
    const rows = absTable.rows.map((r) => r.map(Math.abs));
    expect(new Set(rows.map((r) => r.join())).size).toBe(256);
    rows.forEach((r, i) => {
      const norm = r.reduce((a, v) => a + v * v, 0);
      if (i < 227) expect(norm).toBeLessThanOrEqual(10);
      else expect(norm).toBe(12);
    });
    expect(NORM12_PATTERNS.length).toBe(29);
  });

  it('reproduces the 64 sample codes', () => {
    expect(samples.length).toBe(64);
    for (const { code: c, values } of samples) expect(Array.from(E8P12.decode(c))).toEqual(values);
  });

  it('reproduces the sha256 of the whole 65536 x 8 float32 grid', () => {
    const g = E8P12.grid();
    expect(g.length).toBe(65536 * 8);
    expect(E8P12.grid()).not.toBe(g); // a copy per call
    expect(createHash('sha256').update(new Uint8Array(g.buffer, g.byteOffset, g.byteLength)).digest('hex')).toBe(gridSha);
  });

  it('decode agrees with the literal rule, decodeRows with decode, for float32 and float64 outputs', () => {
    fc.assert(
      fc.property(fc.array(code, { minLength: 1, maxLength: 20 }), (cs) => {
        const codes = Uint16Array.from(cs);
        const rows = E8P12.decodeRows(codes);
        const rows32 = E8P12.decodeRows(codes, new Float32Array(8 * cs.length));
        cs.forEach((c, r) => {
          const want = decodeByRule(c);
          expect(Array.from(E8P12.decode(c))).toEqual(want);
          expect(Array.from(rows.subarray(8 * r, 8 * r + 8))).toEqual(want);
          expect(Array.from(rows32.subarray(8 * r, 8 * r + 8))).toEqual(want);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('every point lies in E8 + 1/4 (even parity byte) or E8 - 1/4 (odd), inside D8 + 1/2 + shift', () => {
    const g = E8P12.grid();
    const points = new Set<string>();
    const bad: number[] = [];
    const z = new Float64Array(8);
    for (let c = 0; c < 65536; c++) {
      let p = 0;
      for (let b = 0; b < 8; b++) p ^= (c >> b) & 1;
      const shift = p ? -0.25 : 0.25;
      let sum = 0;
      let norm = 0;
      let half = true;
      for (let i = 0; i < 8; i++) {
        z[i] = g[8 * c + i] - shift;
        half &&= Number.isInteger(z[i] - 0.5); // half-integer coordinates
        sum += z[i];
        norm += z[i] * z[i];
      }
      // even sum: z in D8 + 1/2, a coset inside E8 (so nearestE8 returns z itself)
      const inE8 = nearestE8(z).every((v, i) => v === z[i]);
      if (!half || Math.abs(sum % 2) !== 0 || !inE8 || !(norm === 12 || norm <= 10)) bad.push(c);
      points.add(Array.from(g.subarray(8 * c, 8 * c + 8)).join());
    }
    expect(bad).toEqual([]);
    expect(points.size).toBe(65536);
  });
});

describe('E8P12.quantize', () => {
  it('quantize(decode(c)) = c for all 65536 codes', () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, c) => c);
    const points = E8P12.decodeRows(codes);
    const { codes: back, values } = E8P12.quantize(points);
    const wrong = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).filter((v, i) => v !== b[i]).length;
    expect(wrong(back, codes)).toBe(0);
    expect(wrong(values, points)).toBe(0);
    expect(wrong(E8P12.quantize(E8P12.grid()).codes, codes)).toBe(0);
  });

  it('decides near-ties with exact comparisons (property, against the BigInt reference)', () => {
    const point = fc.array(fc.integer({ min: -24, max: 24 }).map((k) => k / 4), { minLength: 8, maxLength: 8 });
    const row = fc.array(adversarialCoordinate, { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(row, point, point, (x, p, q) => {
        const X = Float64Array.from(x);
        expect(compareSquaredDistances(X, Float64Array.from(p), Float64Array.from(q))).toBe(compareExact(X, 0, p, q));
        expect(compareSquaredDistances(X, Float64Array.from(p), Float64Array.from(p))).toBe(0);
      }),
      { numRuns: 2000 },
    );
    // |a - qa| vs |b - qb|: exact where float64 rounds both differences to the same number.
    fc.assert(
      fc.property(adversarialCoordinate, adversarialCoordinate, fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), (a, b, i, j) => {
        const da = exactScaled(a) - exactScaled(i / 4);
        const db = exactScaled(b) - exactScaled(j / 4);
        const abs = (v: bigint) => (v < 0n ? -v : v);
        const expected = abs(da) > abs(db) ? 1 : abs(da) < abs(db) ? -1 : 0;
        expect(compareAbsDifferences(a, i / 4, b, j / 4)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(compareAbsDifferences(1e-300, 0.25, -5e-324, 0.25)).toBe(-1); // both round to |-0.25| in float64
    expect(compareAbsDifferences(2 ** -60, 0.25, -(2 ** -60), -0.25)).toBe(0);
  });

  // Exactly nearest, even where float64 cannot tell the distances apart (e.g. 5e-324 next to O(1) coordinates).
  it('is the nearest point by brute force over all 65536 points (property, exact distance comparison)', () => {
    const grid = E8P12.grid();
    const table = pointTable(grid);
    fc.assert(
      fc.property(fc.array(adversarialCoordinate, { minLength: 8, maxLength: 8 }), (a) => {
        const x = Float64Array.from(a);
        const { codes } = E8P12.quantize(x);
        const verdict = agreement(x, codes, bruteForceNearest(table, x), grid);
        expect(verdict.worse).toEqual([]);
        expect(verdict.float64Ties).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('values = decode(codes), float32 and float64 input agree, results are deterministic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), (seed, k) => {
        const X = randomNormal(8 * k, seed);
        const X32 = Float32Array.from(X);
        const { codes, values } = E8P12.quantize(X32);
        expect(values).toEqual(E8P12.decodeRows(codes));
        expect(E8P12.quantize(Float64Array.from(X32)).codes).toEqual(codes);
        expect(E8P12.quantize(X32).codes).toEqual(codes);
      }),
      { numRuns: 100 },
    );
  });

  const sqDist = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let d = 0;
    for (let i = 0; i < 8; i++) d += (a[i] - b[i]) ** 2;
    return d;
  };

  it('commutes with negation, the sign flip (of all 8, an even number) that maps the codebook to itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0.05, max: 6, noNaN: true }), (seed, scale) => {
        const x = randomNormal(8, seed).map((v) => v * scale);
        const qx = E8P12.quantize(x).values;
        const qn = E8P12.quantize(x.map((v) => -v)).values;
        const negated = qx.map((v) => -v);
        // Equal unless x is a tie, where the two choices must then be equally far.
        if (qn.some((v, i) => v !== negated[i])) expect(sqDist(x.map((v) => -v), qn)).toBe(sqDist(x.map((v) => -v), negated));
      }),
      { numRuns: 300 },
    );
  });

  it('within a shift t, flipping an even number of signs of x - t flips the same signs of c - t', () => {
    // The points of one shift are sigma .* A + t with even parity: closed under even sign flips of (c - t).
    // (Across shifts they are not: an even flip of x maps c = sigma .* A + t to a point with mixed shifts,
    // outside the codebook, so quantize(flip(x)) = flip(quantize(x)) fails in general; see the next test.)
    const g = E8P12.grid();
    const index = new Map<string, number>();
    for (let c = 0; c < 65536; c++) index.set(Array.from(g.subarray(8 * c, 8 * c + 8)).join(), c);
    const flips = fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }).filter((f) => f.filter(Boolean).length % 2 === 0);
    fc.assert(
      fc.property(code, flips, (c, f) => {
        let p = 0;
        for (let b = 0; b < 8; b++) p ^= (c >> b) & 1;
        const shift = p ? -0.25 : 0.25;
        const point = E8P12.decode(c);
        const flipped = point.map((v, i) => (f[i] ? -(v - shift) : v - shift) + shift);
        expect(index.has(Array.from(flipped).join())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is not symmetric under general even sign flips (the +-1/4 shift breaks it): a witness', () => {
    const x = Float64Array.of(0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75); // code 0
    const y = Float64Array.of(-0.75, -0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75); // two signs flipped
    expect(E8P12.quantize(x).codes[0]).toBe(0);
    const qy = E8P12.quantize(y).values;
    // flip(quantize(x)) = y itself is not a codebook point (every codebook point quantizes to itself).
    expect(Array.from(E8P12.quantize(y).values)).not.toEqual(Array.from(y));
    expect(sqDist(y, qy)).toBeGreaterThan(0);
  });

  it('rejects bad input with clear errors', () => {
    expect(() => E8P12.quantize(new Float64Array(7))).toThrow(/E8P12\.quantize: X must be a row-major k x 8 matrix .*got length 7/);
    expect(() => E8P12.quantize(Float64Array.of(0, 1, 2, 3, 4, 5, Infinity, 0))).toThrow(/E8P12\.quantize: X must be finite everywhere, got Infinity at index 6/);
    expect(() => E8P12.quantize(new Float32Array(16).fill(NaN))).toThrow(RangeError);
    expect(() => E8P12.quantize([0, 0, 0, 0, 0, 0, 0, 0] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => E8P12.decode(65536)).toThrow(/E8P12\.decode: code must be an integer in \[0, 65535\], got 65536/);
    expect(() => E8P12.decode(-1)).toThrow(RangeError);
    expect(() => E8P12.decode(1.5)).toThrow(TypeError);
    expect(() => E8P12.decode(NaN)).toThrow(TypeError);
    expect(() => E8P12.decode(0, new Float64Array(4))).toThrow(/out must be of length 8/);
    expect(() => E8P12.decodeRows(Int32Array.of(70000) as unknown as Uint16Array)).toThrow(/codes must be a Uint16Array, got Int32Array\(1\)/);
    expect(() => E8P12.decodeRows([1, 2] as unknown as Uint16Array)).toThrow(TypeError);
    expect(() => E8P12.decodeRows(Uint16Array.of(1, 2), new Float64Array(8))).toThrow(/out must be of length 16/);
  });
});
