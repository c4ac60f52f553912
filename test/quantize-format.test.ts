import { describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  exampleLayer,
  quantizeLinearSync,
  QuantizedLinear,
  randomNormal,
  readQuantizedModel,
  readSafetensors,
  writeQuantizedModel,
  writeSafetensors,
} from '../src/index.js';

const { W, H } = exampleLayer(32, 128, 512, 5);
const x = Float64Array.from(randomNormal(128, 1));
const layers = {
  rht: quantizeLinearSync(W, H, { seed: 1 }),
  rfft: quantizeLinearSync(W, H, { seed: 2, incoherence: 'rfft', codebook: 'e8p12-rvq3', rescale: true }),
  none: quantizeLinearSync(W, H, { incoherence: 'none', codebook: 'e8p12-rvq4' }),
};

describe('the quantized format', () => {
  it('a layer reloads to the same codes, record, scales and matvec, for every codebook and incoherence', () => {
    for (const q of Object.values(layers)) {
      const back = QuantizedLinear.fromSafetensors(q.toSafetensors());
      expect(back.codes).toEqual(q.codes);
      expect(back.incoherence).toEqual(q.incoherence);
      expect(back.scale).toBe(q.scale);
      expect(back.rescale).toEqual(q.rescale);
      expect(back.codebook).toBe(q.codebook);
      expect(back.bitsPerWeight).toBe(q.bitsPerWeight);
      expect(back.report).toEqual(q.report);
      expect(back.matvec(x)).toEqual(q.matvec(x));
    }
  });

  it('a whole model: several layers and pass-through tensors, copied as they are', () => {
    const embed = { dtype: 'F32' as const, shape: [4, 8], data: Float32Array.from(randomNormal(32, 3)) };
    const norm = { dtype: 'F16' as const, shape: [8], data: new Float32Array([1, 2, 0.5, 0.25, 3, 4, 5, 6]) };
    const bytes = writeQuantizedModel(
      new Map([
        ['model.layers.0.mlp.up_proj', layers.rht],
        ['model.layers.0.mlp.down_proj', layers.rfft],
      ]),
      new Map<string, never>([
        ['model.embed_tokens.weight', embed as never],
        ['model.norm.weight', readSafetensors(writeSafetensors({ n: norm })).tensors.get('n') as never],
      ]),
      { source: 'test' },
    );
    const model = readQuantizedModel(bytes);
    expect([...model.layers.keys()].sort()).toEqual(['model.layers.0.mlp.down_proj', 'model.layers.0.mlp.up_proj']);
    expect(model.layers.get('model.layers.0.mlp.down_proj')!.matvec(x)).toEqual(layers.rfft.matvec(x));
    expect([...model.tensors.keys()].sort()).toEqual(['model.embed_tokens.weight', 'model.norm.weight']);
    expect(model.tensors.get('model.embed_tokens.weight')!.data).toEqual(embed.data);
    expect(model.metadata).toEqual({ source: 'test' });
    expect(() => QuantizedLinear.fromSafetensors(bytes)).toThrow(/name must be one of the file's layers/);
    expect(QuantizedLinear.fromSafetensors(bytes, 'model.layers.0.mlp.up_proj').codes).toEqual(layers.rht.codes);
  });

  /** The layer file with its metadata or one tensor changed. */
  function tampered(change: (t: Map<string, { dtype: string; shape: number[]; data: unknown }>, meta: Record<string, string>) => void): Uint8Array {
    const { tensors, metadata } = readSafetensors(layers.rht.toSafetensors());
    change(tensors as never, metadata);
    return writeSafetensors(tensors, metadata);
  }

  it('a newer format version, an unknown codebook, codes that do not match the shapes: CorruptDataError, nothing half-loaded', () => {
    const layersMeta = (m: Record<string, string>) => JSON.parse(m['quipsharp.layers']) as Record<string, unknown>[];
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['newer version', tampered((_, m) => (m['quipsharp.format_version'] = '2')), /format version 2 is newer than this reader's 1/],
      ['not the format', tampered((_, m) => delete m['quipsharp.format']), /not a quipsharp quantized file/],
      [
        'unknown codebook',
        tampered((_, m) => {
          const l = layersMeta(m);
          l[0].codebook = 'E8P13';
          m['quipsharp.layers'] = JSON.stringify(l);
        }),
        /codebook "E8P13" is not a codebook this reader knows/,
      ],
      [
        'codes of the wrong shape',
        tampered((t) => {
          const c = t.get('layer.codes')!;
          t.set('layer.codes', { dtype: 'U16', shape: [16, 32], data: (c.data as Uint16Array).slice(0, 512) });
        }),
        /tensor "layer.codes" field "shape" is \[16, 32\], expected \[32, 16\]/,
      ],
      ['codes of the wrong dtype', tampered((t) => t.set('layer.codes', { dtype: 'I16', shape: [32, 16], data: new Int16Array(512) })), /field "dtype" is I16, expected U16/],
      ['a missing tensor', tampered((t) => t.delete('layer.scale')), /tensor "layer.scale" is missing/],
      ['a negative scale', tampered((t) => t.set('layer.scale', { dtype: 'F64', shape: [1], data: Float64Array.of(-1) })), /layer "layer": QuantizedLinear: fields.scale must be a finite number >= 0/],
      ['bad layer JSON', tampered((_, m) => (m['quipsharp.layers'] = '[{')), /quipsharp.layers is not valid JSON/],
    ];
    for (const [label, bytes, message] of cases) {
      expect(() => readQuantizedModel(bytes), label).toThrow(CorruptDataError);
      expect(() => readQuantizedModel(bytes), label).toThrow(message);
    }
    const rvq3 = readSafetensors(layers.rfft.toSafetensors());
    const codes = rvq3.tensors.get('layer.codes')!.data as Uint16Array;
    codes[1] = 300; // an 8-bit residual code word out of range
    expect(() => readQuantizedModel(writeSafetensors(rvq3.tensors, rvq3.metadata))).toThrow(/layer "layer": QuantizedLinear: fields.codes must be code words valid for E8P12RVQ3B/);
  });
});
