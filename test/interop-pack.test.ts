import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packQuipSharp, unpackQuipSharp, type QuipSharpCodebookName } from '../src/interop/index.js';
import { b64, int64, sampleJson, type B64Array, type Int64Array } from './interop-samples.js';

interface PackCase {
  codebook: QuipSharpCodebookName;
  shape: [number, number];
  codes: B64Array;
  packed: Int64Array;
  packed_shape: [number, number];
}

/** quipsharp's layout of QuIP#'s codes: E8P12 one slot; RVQ (init << 16) + resid as [init, resid]. */
function quipsharpCodes(codebook: QuipSharpCodebookName, quip: Uint32Array): Uint16Array {
  if (codebook === 'E8P12') return Uint16Array.from(quip);
  const out = new Uint16Array(2 * quip.length);
  quip.forEach((c, i) => {
    out[2 * i] = c >>> 16;
    out[2 * i + 1] = c & 0xffff;
  });
  return out;
}

/**
 * QuIP#'s maybe_pack_idxs transcribed as tensor operations on an m x g (g = n / 8) array of 16-bit codes:
 * view(m/2, 2, g/2, 2).transpose(1, 2); abs32 and sign32 from the 2 x 2 blocks; reshape(m/16, 8, g/8, 4)
 * .transpose(1, 2).view(m, g/4). A slow, literal reference for the E8P12 stage.
 */
function referencePackE8P(code: (r: number, c: number) => number, m: number, g: number): bigint[][] {
  const blocks: bigint[][] = []; // [m/2][g/2]
  for (let r2 = 0; r2 < m / 2; r2++) {
    blocks.push([]);
    for (let c2 = 0; c2 < g / 2; c2++) {
      const idx = (i: number, j: number) => BigInt(code(2 * r2 + i, 2 * c2 + j));
      const abs32 = (idx(0, 0) >> 8n) + ((idx(1, 0) >> 8n) << 8n) + ((idx(0, 1) >> 8n) << 16n) + ((idx(1, 1) >> 8n) << 24n);
      let sign32 = 0n;
      for (let i = 0; i < 4; i++) {
        const wt = idx(i % 2, Math.floor(i / 2));
        for (let j = 0; j < 8; j++) sign32 += ((wt >> BigInt(j)) & 1n) << BigInt(4 * j + i);
      }
      blocks[r2].push(BigInt.asIntN(64, (sign32 << 32n) + abs32));
    }
  }
  const flat: bigint[] = [];
  for (let R = 0; R < m / 16; R++) for (let C = 0; C < g / 8; C++) for (let p = 0; p < 8; p++) for (let q = 0; q < 4; q++) flat.push(blocks[8 * R + p][4 * C + q]);
  return Array.from({ length: m }, (_, r) => flat.slice((r * g) / 4, ((r + 1) * g) / 4));
}

/** The whole maybe_pack_idxs of each codebook, rows concatenated as torch.concat(dim=-1) does. */
function referencePack(codebook: QuipSharpCodebookName, codes: Uint16Array, m: number, g: number): BigInt64Array {
  const W = codebook === 'E8P12' ? 1 : 2;
  const stage = (s: number) => referencePackE8P((r, c) => codes[(r * g + c) * W + s], m, g);
  const rows = stage(0);
  if (codebook === 'E8P12RVQ4B') stage(1).forEach((row, r) => rows[r].push(...row));
  if (codebook === 'E8P12RVQ3B') {
    for (let r = 0; r < m; r++) {
      for (let k = 0; k < g / 8; k++) {
        let acc = 0n;
        for (let i = 0; i < 8; i++) acc += BigInt(codes[(r * g + 8 * k + i) * 2 + 1]) << BigInt(8 * i);
        rows[r].push(BigInt.asIntN(64, acc));
      }
    }
  }
  return BigInt64Array.from(rows.flat());
}

const CODEBOOKS: QuipSharpCodebookName[] = ['E8P12', 'E8P12RVQ3B', 'E8P12RVQ4B'];

describe("packQuipSharp / unpackQuipSharp against QuIP#'s maybe_pack_idxs", () => {
  const { cases } = sampleJson<{ cases: PackCase[] }>('pack.json');

  it("pack.json: packing QuIP#'s codes gives its packed words, and unpacking them its codes, bit for bit", () => {
    expect(cases.map((c) => c.codebook).sort()).toEqual([...CODEBOOKS].sort());
    for (const c of cases) {
      const [m] = c.shape;
      const codes = quipsharpCodes(c.codebook, b64(c.codes, 'uint32'));
      const packed = int64(c.packed);
      const mine = packQuipSharp(codes, { rows: m, codebook: c.codebook });
      expect(mine.length).toBe(c.packed_shape[0] * c.packed_shape[1]);
      expect(mine).toEqual(packed);
      expect(unpackQuipSharp(packed, { rows: m, codebook: c.codebook })).toEqual(codes);
      expect(referencePack(c.codebook, codes, m, c.shape[1])).toEqual(packed);
    }
  });

  it("layer_B2.json (192 x 256, 12 x 4 tiles): unpack(attr.Qidxs) = QuIP#'s codes before packing, and back", () => {
    const layer = sampleJson<{ codes_prepack: B64Array; attr: { Qidxs: Int64Array } }>('layer_B2.json');
    const codes = Uint16Array.from(b64(layer.codes_prepack, 'uint32'));
    const Qidxs = int64(layer.attr.Qidxs);
    expect(unpackQuipSharp(Qidxs, { rows: 192, codebook: 'E8P12' })).toEqual(codes);
    expect(packQuipSharp(codes, { rows: 192, codebook: 'E8P12' })).toEqual(Qidxs);
  });

  it('unpack(pack(c)) = c, and pack equals the literal transcription, for random codes and shapes', () => {
    const input = fc
      .record({
        codebook: fc.constantFrom(...CODEBOOKS),
        tilesDown: fc.integer({ min: 1, max: 3 }),
        tilesAcross: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      })
      .map(({ codebook, tilesDown, tilesAcross, seed }) => {
        const m = 16 * tilesDown;
        const g = 8 * tilesAcross;
        const W = codebook === 'E8P12' ? 1 : 2;
        let s = seed;
        const codes = Uint16Array.from({ length: m * g * W }, (_, i) => {
          s = (s * 48271) % 2147483647;
          return codebook === 'E8P12RVQ3B' && i % 2 === 1 ? s & 0xff : s & 0xffff;
        });
        return { codebook, m, g, codes };
      });
    fc.assert(
      fc.property(input, ({ codebook, m, g, codes }) => {
        const packed = packQuipSharp(codes, { rows: m, codebook });
        expect(unpackQuipSharp(packed, { rows: m, codebook })).toEqual(codes);
        expect(packed).toEqual(referencePack(codebook, codes, m, g));
      }),
      { numRuns: 60 },
    );
  });

  it('unpacks a view into a larger buffer (Qidxs at a byte offset)', () => {
    const codes = Uint16Array.from({ length: 16 * 8 }, (_, i) => (i * 2654435761) >>> 16);
    const packed = packQuipSharp(codes, { rows: 16, codebook: 'E8P12' });
    const big = new BigInt64Array(packed.length + 3);
    big.set(packed, 3);
    expect(unpackQuipSharp(big.subarray(3), { rows: 16, codebook: 'E8P12' })).toEqual(codes);
  });

  it('refuses shapes QuIP# cannot pack, mistyped arguments and 3-bit residuals of more than 8 bits', () => {
    const opts = { rows: 16, codebook: 'E8P12' as const };
    expect(() => packQuipSharp(new Uint16Array(8 * 8), { rows: 8, codebook: 'E8P12' })).toThrow(
      new RangeError('packQuipSharp: options.rows must be a multiple of 16 (QuIP# packs codes in tiles of 16 rows), got 8'),
    );
    expect(() => packQuipSharp(new Uint16Array(16 * 4), opts)).toThrow(
      new RangeError('packQuipSharp: codes must be of length rows * (n / 8) * 1 with n a positive multiple of 64 (rows = 16), got length 64'),
    );
    expect(() => packQuipSharp(new Uint16Array(0), opts)).toThrow(RangeError);
    expect(() => packQuipSharp(new Uint16Array(16 * 8 * 2 + 2), { rows: 16, codebook: 'E8P12RVQ4B' })).toThrow(RangeError);
    const rvq3 = new Uint16Array(16 * 8 * 2);
    rvq3[7] = 256;
    expect(() => packQuipSharp(rvq3, { rows: 16, codebook: 'E8P12RVQ3B' })).toThrow(
      new RangeError('packQuipSharp: codes[7] must be an 8-bit E81B residual index (below 256), got 256'),
    );
    expect(() => packQuipSharp([1] as unknown as Uint16Array, opts)).toThrow(new TypeError('packQuipSharp: codes must be a Uint16Array, got Array(1)'));
    expect(() => packQuipSharp(new Uint16Array(128), { rows: 16, codebook: 'E8P' as QuipSharpCodebookName })).toThrow(
      new TypeError('packQuipSharp: options.codebook must be one of E8P12, E8P12RVQ4B, E8P12RVQ3B, got "E8P"'),
    );
    expect(() => packQuipSharp(new Uint16Array(128), { rows: 16, codebook: 'toString' as QuipSharpCodebookName })).toThrow(TypeError);
    expect(() => packQuipSharp(new Uint16Array(128), undefined as unknown as typeof opts)).toThrow(TypeError);
    expect(() => unpackQuipSharp(new BigInt64Array(16 * 3), opts)).toThrow(
      new RangeError('unpackQuipSharp: Qidxs must be of length rows * 2 * (n / 64) with n a positive multiple of 64 (rows = 16), got length 48'),
    );
    expect(() => unpackQuipSharp(new BigInt64Array(16 * 4), { rows: 16, codebook: 'E8P12RVQ3B' })).toThrow(RangeError);
    expect(() => unpackQuipSharp(new BigInt64Array(16 * 3), { rows: 16, codebook: 'E8P12RVQ3B' }).length).not.toThrow();
    expect(() => unpackQuipSharp(new BigUint64Array(32) as unknown as BigInt64Array, opts)).toThrow(TypeError);
  });
});
