import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readTorchFile } from '../src/io/torch.js';
import type { Tensor } from '../src/io/index.js';
import {
  dequantizeQuipSharp,
  float16Bits,
  quipSharpLayerToAttr,
  readQuipSharpLayer,
  type QuipSharpLayer,
} from '../src/interop/index.js';
import { b64, sampleBytes, sampleJson, type B64Array, type Half } from './interop-samples.js';

const sample = sampleJson<{
  codes_prepack: B64Array;
  SU_signs: B64Array;
  SV_signs: B64Array;
  attr: { SU: Half; SV: Half };
  hatW_attr_f64_rows0to15: B64Array;
  x: B64Array;
  y_attr: B64Array;
  scale_rms: number;
  Wscale: number;
}>('layer_B2.json');
const attrOf = () => readTorchFile(sampleBytes('B2_attr.pt')) as Record<string, unknown>;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("readQuipSharpLayer on QuIP#'s saved layer (B2_attr.pt)", () => {
  const layer = readQuipSharpLayer(attrOf(), 'E8P12');

  it("gives QuIP#'s codes before packing, SU (input side) and SV (output side) as their float16 values", () => {
    expect(layer.m).toBe(192);
    expect(layer.n).toBe(256);
    expect(layer.codes).toEqual(Uint16Array.from(b64(sample.codes_prepack, 'uint32')));
    expect(layer.SU).toEqual(Float64Array.from(b64(sample.SU_signs, 'int8')));
    expect(layer.SV).toEqual(Float64Array.from(b64(sample.attr.SV.values_f32, 'float32')));
    // SV = SV_signs * Wscale * scale_rms, rounded to float16.
    const signs = b64(sample.SV_signs, 'int8');
    for (let i = 0; i < 192; i++) {
      expect(Math.sign(layer.SV[i])).toBe(signs[i]);
      expect(Math.abs(Math.abs(layer.SV[i]) / (sample.Wscale * sample.scale_rms) - 1)).toBeLessThan(2 ** -10);
    }
    expect(layer.scaleWH).toBeNull();
    expect(layer.parts).toEqual([{ rows: 192, scale: 1 }]);
  });

  it("dequantizes to QuIP#'s W_hat of the saved layer bit for bit, and W_hat x to its y", () => {
    const W = dequantizeQuipSharp(layer);
    expect(W.shape).toEqual([192, 256]);
    expect(maxAbsDiff(W.data.subarray(0, 16 * 256), b64(sample.hatW_attr_f64_rows0to15, 'float64'))).toBe(0);
    const x = b64(sample.x, 'float32');
    const y = b64(sample.y_attr, 'float64');
    let worst = 0;
    for (let i = 0; i < 192; i++) {
      let s = 0;
      for (let j = 0; j < 256; j++) s += W.data[i * 256 + j] * x[j];
      worst = Math.max(worst, Math.abs(s - y[i]) / Math.max(1, Math.abs(y[i])));
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it('writes the same dict back: Qidxs, SU and SV bits equal to the file', () => {
    const attr = attrOf();
    const out = quipSharpLayerToAttr(layer);
    expect((out.Qidxs as Tensor).shape).toEqual([192, 8]);
    expect((out.Qidxs as Tensor).data).toEqual((attr.Qidxs as Tensor).data);
    for (const side of ['SU', 'SV'] as const) {
      const t = out[side] as Tensor & { bits: Uint16Array };
      expect(t.dtype).toBe('F16');
      expect(t.bits).toEqual((attr[side] as { bits: Uint16Array }).bits);
      expect(t.data).toEqual((attr[side] as Tensor).data);
    }
    expect(out).toMatchObject({ A: null, B: null, scaleWH: null, fused: false, shapes: [[192, 256]], scales: [1] });
    expect(readQuipSharpLayer(out, 'E8P12')).toEqual(layer);
  });

  it('applies fused parts (scales per block of rows) and scaleWH (columns divided)', () => {
    const W = dequantizeQuipSharp(layer);
    const attr = attrOf();
    const scaleWH = Float32Array.from({ length: 256 }, (_, j) => 0.5 + (j % 7) / 4);
    const fused = readQuipSharpLayer(
      { ...attr, fused: true, shapes: [[64, 256], [128, 256]], scales: [2, { dtype: 'F64', shape: [], data: Float64Array.of(0.25) }], scaleWH: { dtype: 'F32', shape: [256], data: scaleWH } },
      'E8P12',
    );
    expect(fused.parts).toEqual([{ rows: 64, scale: 2 }, { rows: 128, scale: 0.25 }]);
    const F = dequantizeQuipSharp(fused);
    let worst = 0;
    for (let i = 0; i < 192; i++) {
      for (let j = 0; j < 256; j++) {
        const want = (W.data[i * 256 + j] * (i < 64 ? 2 : 0.25)) / scaleWH[j];
        worst = Math.max(worst, Math.abs(F.data[i * 256 + j] - want));
      }
    }
    expect(worst).toBeLessThan(1e-13);
    const back = quipSharpLayerToAttr(fused);
    expect(back).toMatchObject({ fused: true, shapes: [[64, 256], [128, 256]], scales: [2, 0.25] });
    expect(readQuipSharpLayer(back, 'E8P12')).toEqual(fused);
  });

  it("refuses what QuIP#'s layers cannot be or what is not supported, naming the field", () => {
    const attr = attrOf();
    const read = (patch: Record<string, unknown>, codebook = 'E8P12') => () => readQuipSharpLayer({ ...attr, ...patch }, codebook as 'E8P12');
    expect(read({ A: attr.Qidxs })).toThrow(
      new RangeError('readQuipSharpLayer: attr.A must be null (low-rank corrections are not supported), got an object'),
    );
    expect(read({ Wscale: 2 })).toThrow(RangeError);
    expect(read({ Wscale: 1 })).not.toThrow();
    expect(read({}, 'E8P12RVQ4B')).toThrow(new RangeError('readQuipSharpLayer: attr.Qidxs.shape must be [192, 16], got [192, 8]'));
    expect(read({}, 'E8')).toThrow(RangeError);
    expect(read({ SV: { dtype: 'F16', shape: [200], data: new Float32Array(200) } })).toThrow(RangeError);
    expect(read({ SU: { dtype: 'F16', shape: [96], data: new Float32Array(96) } })).toThrow(
      new RangeError('readQuipSharpLayer: attr must be a layer with m = len(SV) a multiple of 16 and n = len(SU) a multiple of 64, got m = 192, n = 96'),
    );
    expect(read({ SU: { dtype: 'F16', shape: [704], data: new Float32Array(704) } })).toThrow(
      /attr\.SU\.length must be an order QuIP# supports/,
    );
    expect(read({ SU: { dtype: 'I8', shape: [256], data: new Int8Array(256) } })).toThrow(
      new RangeError("readQuipSharpLayer: attr.SU.dtype must be 'F16' or 'F32' or 'F64', got 'I8'"),
    );
    expect(read({ SV: { dtype: 'F32', shape: [192], data: new Float32Array(192).fill(NaN) } })).toThrow(
      new RangeError('readQuipSharpLayer: attr.SV must be finite everywhere, got NaN at index 0'),
    );
    expect(read({ scaleWH: { dtype: 'F32', shape: [256], data: new Float32Array(256) } })).toThrow(
      new RangeError('readQuipSharpLayer: attr.scaleWH must be positive everywhere, got 0 at index 0'),
    );
    expect(read({ shapes: [[100, 256]] })).toThrow(new RangeError("readQuipSharpLayer: attr.shapes must be rows adding up to SV's length 192, got 100 rows"));
    expect(read({ shapes: [[192, 128]] })).toThrow(RangeError);
    expect(read({ fused: true })).toThrow(new RangeError('readQuipSharpLayer: attr.fused must be false for 1 shape(s), got true'));
    expect(read({ scales: [] })).toThrow(TypeError);
    expect(read({ Qidxs: undefined })).toThrow(new TypeError('readQuipSharpLayer: attr.Qidxs must be a tensor { dtype, shape, data }, got undefined'));
    expect(() => readQuipSharpLayer(null as unknown as Record<string, unknown>, 'E8P12')).toThrow(TypeError);
    const bad: QuipSharpLayer = { ...layer, codes: layer.codes.subarray(1) };
    expect(() => dequantizeQuipSharp(bad)).toThrow(new RangeError('dequantizeQuipSharp: layer.codes must be of length m * n / 8 * 1 = 6144, got length 6143'));
    expect(() => dequantizeQuipSharp({ ...layer, m: 200 })).toThrow(/dequantizeQuipSharp: layer\.m must be an order QuIP# supports/);
    expect(() => dequantizeQuipSharp({ ...layer, SU: layer.SV })).toThrow(
      new RangeError('dequantizeQuipSharp: layer.SU must be of length 256 (the input side), got length 192'),
    );
    expect(() => dequantizeQuipSharp({ ...layer, parts: [{ rows: 100, scale: 1 }] })).toThrow(/layer\.parts must be a list of \{ rows, scale \} with rows adding up to m = 192/);
    expect(() => quipSharpLayerToAttr({ ...layer, codebook: 'E8P12RVQ3B', codes: new Uint16Array(2 * 6144).fill(300) })).toThrow(
      new RangeError('quipSharpLayerToAttr: layer.codes[1] must be an 8-bit E81B residual index (below 256), got 300'),
    );
    expect(() => quipSharpLayerToAttr({ ...layer, scaleWH: new Float64Array(256) })).toThrow(/layer\.scaleWH must be positive everywhere/);
    expect(() => quipSharpLayerToAttr({ ...layer, SV: layer.SV.map((v) => v * 1e5) })).toThrow(
      /quipSharpLayerToAttr: layer\.SV\[0\] must be within float16 range/,
    );
  });
});

describe('float16Bits (round to nearest, ties to even)', () => {
  const value = (h: number) => {
    const e = (h >> 10) & 31;
    const f = h & 1023;
    const s = h & 0x8000 ? -1 : 1;
    return e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  };

  it('is exact on every float16 value (all 63488 non-NaN bit patterns)', () => {
    let wrong = 0;
    for (let h = 0; h < 65536; h++) if (!Number.isNaN(value(h)) && float16Bits(value(h)) !== h) wrong++;
    expect(wrong).toBe(0);
    expect(float16Bits(NaN)).toBe(0x7e00);
  });

  it('ties go to even, the overflow threshold is 65520, subnormals round too', () => {
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(65519.99)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e10)).toBe(0xfc00);
    expect(float16Bits(2 ** -25)).toBe(0);
    expect(float16Bits(3 * 2 ** -25)).toBe(2);
    expect(float16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // carries into the smallest normal
    expect(float16Bits(-0)).toBe(0x8000);
  });

  it('picks the nearest float16 of any double (no double rounding through float32)', () => {
    fc.assert(
      fc.property(fc.double({ min: -70000, max: 70000, noNaN: true }), (x) => {
        const h = float16Bits(x);
        const v = value(h);
        if (!Number.isFinite(v)) {
          expect(Math.abs(x)).toBeGreaterThanOrEqual(65520);
        } else {
          for (const other of [h - 1, h + 1, h ^ 0x8000]) {
            const w = value(other & 0xffff);
            if (Number.isFinite(w)) expect(Math.abs(x - v)).toBeLessThanOrEqual(Math.abs(x - w));
          }
        }
      }),
      { numRuns: 2000 },
    );
    // 1 + 2^-11 + 2^-40 is just above the tie: float32 rounding first would make it a tie and go to 1.
    expect(float16Bits(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01);
  });
});
