// Bad input and edge cases of src/lattice/: aliasing of `out`, honest types, the public surface, error names,
// and the rows at the edge of the float64 range.
import { describe, expect, it } from 'vitest';
import * as lattice from '../src/lattice/index.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ResidualE8Codebook, ScalarCodebook, nearestD8, nearestE8, nearestE8Rows, type Codebook } from '../src/lattice/index.js';
import { compareExact, exactNearestLowest, gaussianRows } from './lattice-helpers.js';

const codebooks: Codebook[] = [E8P12, E8P12RVQ3B, E8P12RVQ4B, new ScalarCodebook(2), new ScalarCodebook(3, 8)];

describe('out aliasing the input', () => {
  const x = Float64Array.of(0.6, 1.4, -2.3, 0.2, 2.6, 0.49, 1.7, -0.8);

  it('nearestE8(x, x) and nearestD8(x, x) give the answer of a separate out, in x', () => {
    const alias = x.slice();
    expect(nearestE8(alias, alias)).toBe(alias);
    expect(Array.from(alias)).toEqual([0.5, 1.5, -2.5, 0.5, 2.5, 0.5, 1.5, -0.5]);
    // Odd rounded sum: the coordinate rounded up (0.6 -> 1) must go back down, which needs the original 0.6.
    const y = Float64Array.of(0.6, 0, 0, 0, 0, 0, 0, 0);
    expect(Array.from(nearestD8(y))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(nearestD8(y, y))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('nearestE8 / nearestD8 with out overlapping x (shifted views, a Float32Array x in the same buffer)', () => {
    for (const f of [nearestE8, nearestD8]) {
      const want = Array.from(f(x));
      const buffer = new Float64Array(9);
      buffer.set(x, 0);
      expect(Array.from(f(buffer.subarray(0, 8), buffer.subarray(1, 9)))).toEqual(want);
      buffer.set(x, 1);
      expect(Array.from(f(buffer.subarray(1, 9), buffer.subarray(0, 8)))).toEqual(want);
      const bytes = new ArrayBuffer(64);
      const x32 = new Float32Array(bytes, 0, 8);
      x32.set(x);
      const want32 = Array.from(f(Float32Array.from(x32)));
      expect(Array.from(f(x32, new Float64Array(bytes, 0, 8)))).toEqual(want32);
    }
  });

  it('nearestE8Rows(X, X), out one row ahead of X, and a Float32Array X sharing out\'s buffer', () => {
    const k = 100;
    const X = gaussianRows(k, 2, 1);
    const want = Array.from(nearestE8Rows(X));
    const alias = X.slice();
    expect(nearestE8Rows(alias, alias)).toBe(alias);
    expect(Array.from(alias)).toEqual(want);
    const buffer = new Float64Array(8 * (k + 1));
    buffer.set(X, 0);
    expect(Array.from(nearestE8Rows(buffer.subarray(0, 8 * k), buffer.subarray(8, 8 * k + 8)))).toEqual(want);
    const bytes = new ArrayBuffer(64 * k);
    const X32 = new Float32Array(bytes, 0, 8 * k);
    X32.set(X);
    const want32 = Array.from(nearestE8Rows(Float32Array.from(X32)));
    expect(Array.from(nearestE8Rows(X32, new Float64Array(bytes)))).toEqual(want32);
  });

  it('every decodeRows rejects an out sharing memory with codes (RangeError naming both)', () => {
    for (const cb of codebooks) {
      const k = 4;
      const n = k * cb.dim;
      const bytes = new ArrayBuffer(8 * n);
      const out = new Float64Array(bytes);
      const codes = new Uint16Array(bytes, 8, k * cb.codeWords); // inside out, from its second entry on
      expect(() => cb.decodeRows(codes, out)).toThrow(RangeError);
      expect(() => cb.decodeRows(codes, out)).toThrow(new RegExp(`^${cb === codebooks[3] || cb === codebooks[4] ? 'ScalarCodebook' : cb.name}\\.decodeRows: out must be memory that does not overlap codes`));
      expect(() => cb.decodeRows(codes, new Float32Array(bytes, 0, n))).toThrow(/does not overlap codes/);
      // Separate memory is fine, and equal to the allocating form.
      expect(cb.decodeRows(codes, new Float64Array(n))).toEqual(cb.decodeRows(codes));
    }
  });
});

describe('honest types', () => {
  it('decodeRows without out is a Float64Array; with out, out itself, of its own type', () => {
    const codes = Uint16Array.of(0, 1);
    const f32 = new Float32Array(16);
    const cb: Codebook = E8P12RVQ4B;
    expect(E8P12.decodeRows(codes)).toBeInstanceOf(Float64Array);
    expect(cb.decodeRows(Uint16Array.of(0, 1, 2, 3), f32)).toBe(f32);
    // @ts-expect-error: without `out` the result is a Float64Array, not a type the caller picks
    const wrong: Float32Array = E8P12.decodeRows(codes);
    // @ts-expect-error: the same through the Codebook interface
    const wrongToo: Float32Array = cb.decodeRows(Uint16Array.of(0, 1));
    // @ts-expect-error: and for E8P12.decode
    const wrongPoint: Float32Array = E8P12.decode(0);
    expect([wrong, wrongToo, wrongPoint].every((a) => a instanceof Float64Array)).toBe(true);
  });
});

describe('public surface', () => {
  it('the residual grid table and its unchecked search are not exported', () => {
    expect('RESIDUAL_POINTS' in lattice).toBe(false);
    expect('nearestResidualCode' in lattice).toBe(false);
  });

  it('E8P12.grid() and residualGrid() return copies: modifying them changes nothing', () => {
    const g = E8P12.grid();
    g.fill(99);
    expect(E8P12.grid()[0]).toBe(0.75);
    expect(E8P12.quantize(new Float64Array(8).fill(0.75)).codes[0]).toBe(0);
    const r = E8P12RVQ3B.residualGrid();
    r.fill(99);
    expect(E8P12RVQ3B.residualGrid()[8 * 56]).toBe(0);
  });
});

describe('errors name the function called and check every argument', () => {
  it('ScalarCodebook methods', () => {
    const cb = new ScalarCodebook(2, 8);
    expect(() => cb.quantize(new Float64Array(7))).toThrow(/^ScalarCodebook\.quantize: X must be a row-major k x 8 matrix/);
    expect(() => cb.decodeRows(Uint16Array.of(1), new Float64Array(7))).toThrow(/^ScalarCodebook\.decodeRows: out must be of length 8/);
  });

  it('nearest* take a Float64Array out only (a Float32Array would round or overflow lattice points)', () => {
    const x = new Float64Array(8).fill(1e300);
    expect(() => nearestE8(x, new Float32Array(8) as unknown as Float64Array)).toThrow(/^nearestE8: out must be a Float64Array, got Float32Array\(8\)/);
    expect(() => nearestD8(x, new Float32Array(8) as unknown as Float64Array)).toThrow(TypeError);
    expect(() => nearestE8Rows(x, [] as unknown as Float64Array)).toThrow(/^nearestE8Rows: out must be a Float64Array/);
  });

  it('the ResidualE8Codebook constructor', () => {
    const stage = { size: 256, nearest: () => 0, decodeInto: () => undefined };
    expect(() => new ResidualE8Codebook('R', 3, 1, 0, stage)).toThrow(/^ResidualE8Codebook: residualScale must be a finite positive number, got 0/);
    expect(() => new ResidualE8Codebook('R', 3, NaN, 2, stage)).toThrow(/optScale must be a finite positive number/);
    expect(() => new ResidualE8Codebook('R', 3, 1, 2, { ...stage, size: 70000 })).toThrow(/stage\.size must be an integer in \[1, 65536\]/);
    expect(() => new ResidualE8Codebook('R', 3, 1, 2, null as unknown as typeof stage)).toThrow(TypeError);
    expect(() => new ResidualE8Codebook(3 as unknown as string, 3, 1, 2, stage)).toThrow(/name must be a string/);
  });
});

describe('rows at the edge of the float64 range', () => {
  it('E8P12: coordinates above 2^1000 next to O(1) ones are still exactly nearest', () => {
    const rows = [
      [2 ** 1001, 1.3, 1.4, 1.2, 1.1, 0.9, 1.4, 1],
      [2 ** 1001, 0.6, 0, 0, 0, 0, 0, 0],
      [-(2 ** 1010), 2 ** 1001, 1.3, -0.9, 1.4, 1.1, 1.2, 0.3],
      [Number.MAX_VALUE, 0.8, 0.7, 2.2, -1.6, 0.1, 0.6, 1.3],
    ];
    const X = Float64Array.from(rows.flat());
    const grid = E8P12.decodeRows(Uint16Array.from({ length: 65536 }, (_, c) => c));
    // A float64 brute force cannot rank these (the ulp of 2^1001 x_0 dwarfs the rest): compare exactly.
    const best = exactNearestLowest(grid, X);
    const codes = E8P12.quantize(X).codes;
    const point = (c: number) => Array.from(grid.subarray(8 * c, 8 * c + 8));
    expect(rows.map((_, r) => compareExact(X, 8 * r, point(codes[r]), point(best[r])))).toEqual([0, 0, 0, 0]);
  });

  it('E8P12RVQ3B: a residual that overflows when scaled still gets its nearest grid point', () => {
    // x - first is about 1.8e308 in every coordinate; times 2.04 it overflows. The nearest grid point to any
    // vector with equal huge positive coordinates is (1/2)^8, code 240.
    const { codes, values } = E8P12RVQ3B.quantize(new Float64Array(8).fill(Number.MAX_VALUE));
    expect(codes[1]).toBe(240);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});
