// The residual codebooks against QuIP#'s own outputs (test/fixtures/quip-sharp-rvq.json, copied from QuIP#'s
// E8P12RVQ3B / E8P12RVQ4B quantize on 100 Gaussian vectors, and its 256-point E81B grid in its order).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { E8P12RVQ3B, E8P12RVQ4B } from '../src/lattice/index.js';

interface Encoded {
  dtype: string;
  shape: number[];
  b64: string;
}
interface Sample {
  opt_scale: number;
  opt_resid_scale: number;
  X: Encoded;
  init: Encoded;
  resid: Encoded;
  vals: Encoded;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/quip-sharp-rvq.json', import.meta.url), 'utf8')) as {
  E81B_grid: Encoded;
  codebooks: Record<'E8P12RVQ3B' | 'E8P12RVQ4B', Sample>;
};

/** Little-endian base64 bytes as a typed array. */
function decode<T>(e: Encoded, Type: new (buffer: ArrayBuffer) => T): T {
  const bytes = Buffer.from(e.b64, 'base64');
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('agreement with QuIP# (its own outputs)', () => {
  it('E8P12RVQ3B\'s second stage is QuIP#\'s E81B grid, point for point in QuIP#\'s order', () => {
    expect(fixture.E81B_grid.shape).toEqual([256, 8]);
    expect(E8P12RVQ3B.residualGrid()).toEqual(decode(fixture.E81B_grid, Float64Array));
  });

  for (const cb of [E8P12RVQ3B, E8P12RVQ4B]) {
    it(`${cb.name}: the same scales, and quantize gives QuIP#'s codes and values on its 100 vectors`, () => {
      const sample = fixture.codebooks[cb.name as 'E8P12RVQ3B' | 'E8P12RVQ4B'];
      expect([cb.optScale, cb.residualScale]).toEqual([sample.opt_scale, sample.opt_resid_scale]);
      const X = decode(sample.X, Float64Array);
      const init = decode(sample.init, Uint32Array);
      const resid = decode(sample.resid, Uint32Array);
      expect(X.length).toBe(800);
      const { codes, values } = cb.quantize(X);
      expect(Array.from(codes.filter((_, i) => i % 2 === 0))).toEqual(Array.from(init));
      expect(Array.from(codes.filter((_, i) => i % 2 === 1))).toEqual(Array.from(resid));
      expect(values).toEqual(decode(sample.vals, Float64Array));
    });
  }
});
