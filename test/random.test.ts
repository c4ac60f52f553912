import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { philox4x32 } from '../src/random/philox.js';
import { philoxWords, randomNormal, randomPhases, randomSigns, randomUniform, seedKey } from '../src/random/streams.js';

// Random123 kat_vectors, philox4x32 with 10 rounds.
const KAT: Array<[number[], number[], number[]]> = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

/** Reference Philox with BigInt arithmetic, written from the definition. */
function philoxBig(ctr: number[], key: number[]): number[] {
  const M = [0xd2511f53n, 0xcd9e8d57n];
  const W = [0x9e3779b9n, 0xbb67ae85n];
  const mask = 0xffffffffn;
  let c = ctr.map(BigInt);
  let k = key.map(BigInt);
  for (let r = 0; r < 10; r++) {
    const p0 = M[0] * c[0];
    const p1 = M[1] * c[2];
    c = [(p1 >> 32n) ^ c[1] ^ k[0], p1 & mask, (p0 >> 32n) ^ c[3] ^ k[1], p0 & mask];
    k = [(k[0] + W[0]) & mask, (k[1] + W[1]) & mask];
  }
  return c.map(Number);
}

describe('philox4x32', () => {
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    for (const [ctr, key, expected] of KAT) {
      philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it('agrees with a BigInt implementation of the definition', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.array(u32, { minLength: 6, maxLength: 6 }), (v) => {
        const out = new Uint32Array(4);
        philox4x32(v[0], v[1], v[2], v[3], v[4], v[5], out);
        expect(Array.from(out)).toEqual(philoxBig(v.slice(0, 4), v.slice(4)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('seeded streams', () => {
  it('derives the key from the seed as (seed mod 2^32, floor(seed / 2^32))', () => {
    expect(seedKey('t', 0)).toEqual([0, 0]);
    expect(seedKey('t', 2 ** 32 + 5)).toEqual([5, 1]);
    expect(seedKey('t', Number.MAX_SAFE_INTEGER)).toEqual([0xffffffff, 2 ** 21 - 1]);
    expect(seedKey('t', (1n << 64n) - 1n)).toEqual([0xffffffff, 0xffffffff]);
    expect(seedKey('t', 12345678901234n)).toEqual(seedKey('t', 12345678901234));
  });

  it('block b of stream s is philox(counter = (b, s, 0, 0), key)', () => {
    const seed = 2 ** 40 + 77;
    const words = philoxWords(seed, 3, 0, 12);
    const block = new Uint32Array(4);
    for (let b = 0; b < 3; b++) {
      philox4x32(b, 3, 0, 0, 77, 2 ** 8, block);
      expect(Array.from(words.subarray(4 * b, 4 * b + 4))).toEqual(Array.from(block));
    }
    // an unaligned window is a slice of the aligned stream
    expect(Array.from(philoxWords(seed, 3, 5, 6))).toEqual(Array.from(words.subarray(5, 11)));
  });

  it('randomSigns follows the bit rule of the spec', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), fc.integer({ min: 0, max: 9 }), (n, seed, stream) => {
        const s = randomSigns(n, seed, stream);
        const w = philoxWords(seed, stream, 0, Math.ceil(n / 32));
        for (let i = 0; i < n; i++) {
          const bit = Math.floor(w[Math.floor(i / 32)] / 2 ** (i % 32)) % 2;
          expect(s[i]).toBe(bit === 1 ? -1 : 1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('pins a few values so any change to the contract is caught', () => {
    expect(Array.from(randomSigns(8, 0, 0))).toEqual(
      Array.from({ length: 8 }, (_, i) => ((0x6627e8d5 >>> i) & 1 ? -1 : 1)),
    );
    const w = [0x6627e8d5, 0xe169c58d];
    expect(randomPhases(1, 0, 0)[0]).toBe((2 * Math.PI * (w[0] * 2 ** 21 + Math.floor(w[1] / 2 ** 11))) / 2 ** 53);
  });

  it('is deterministic, and prefixes agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n, seed) => {
        const a = randomSigns(n, seed, 1);
        expect(randomSigns(n, seed, 1)).toEqual(a);
        expect(randomSigns(n + 17, seed, 1).subarray(0, n)).toEqual(a);
        expect(randomPhases(n, seed, 2)).toEqual(randomPhases(n, seed, 2));
      }),
      { numRuns: 100 },
    );
  });

  it('signs are balanced (binomial test, 5 sigma) and streams are independent', () => {
    const n = 1 << 16;
    for (const seed of [0, 1, 42, 2 ** 50]) {
      const a = randomSigns(n, seed, 0);
      const b = randomSigns(n, seed, 1);
      let sa = 0;
      let sab = 0;
      for (let i = 0; i < n; i++) {
        sa += a[i];
        sab += a[i] * b[i];
      }
      // sum of n independent +-1 has standard deviation sqrt(n) = 256
      expect(Math.abs(sa)).toBeLessThan(5 * 256);
      expect(Math.abs(sab)).toBeLessThan(5 * 256);
    }
  });

  it('phases lie in [0, 2 pi) and are uniform (mean and variance)', () => {
    const p = randomPhases(1 << 16, 9, 2);
    let mean = 0;
    let sq = 0;
    for (const v of p) {
      mean += v / p.length;
      sq += (v * v) / p.length;
    }
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThan(2 * Math.PI);
    const sd = (2 * Math.PI) / Math.sqrt(12);
    expect(Math.abs(mean - Math.PI)).toBeLessThan((5 * sd) / 256);
    expect(Math.abs(sq - mean * mean - sd * sd)).toBeLessThan(0.05 * sd * sd);
  });

  it('randomUniform and randomNormal have the right moments', () => {
    const u = randomUniform(1 << 16, 3);
    const z = randomNormal(1 << 16, 3);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(mean(z))).toBeLessThan(0.02);
    expect(Math.abs(mean(z.map((v) => v * v)) - 1)).toBeLessThan(0.03);
    expect(randomNormal(7, 3)).toEqual(z.subarray(0, 7));
    expect(randomNormal(1, 3)).toEqual(z.subarray(0, 1)); // an odd count draws its last pair whole
  });

  it('rejects bad seeds, streams and sizes with clear messages', () => {
    expect(() => randomSigns(4, -1)).toThrow(/randomSigns: seed must be an integer in \[0, 2\^53 - 1\]/);
    expect(() => randomSigns(4, 1.5)).toThrow(TypeError);
    expect(() => randomSigns(4, Number.NaN)).toThrow(TypeError);
    expect(() => randomSigns(4, 2 ** 53)).toThrow(RangeError);
    expect(() => randomSigns(4, -1n)).toThrow(RangeError);
    expect(() => randomSigns(4, 1n << 64n)).toThrow(RangeError);
    expect(() => randomSigns(4, '7' as unknown as number)).toThrow(TypeError);
    expect(() => randomSigns(-1, 0)).toThrow(/randomSigns: n must be an integer/);
    expect(() => randomSigns(2.5, 0)).toThrow(TypeError);
    expect(() => randomPhases(4, 0, -1)).toThrow(/randomPhases: stream must be an integer/);
    expect(() => randomPhases(4, 0, 2 ** 32)).toThrow(RangeError);
  });
});
