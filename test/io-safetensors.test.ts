import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CorruptDataError } from '../src/errors/index.js';
import { DTYPES, readSafetensors, writeSafetensors, type Dtype, type Tensor } from '../src/io/index.js';
import { BFLOAT16, FLOAT16, FLOAT8_E4M3, FLOAT8_E5M2 } from '../src/io/minifloat.js';

const enc = new TextEncoder();

/** A file built by hand per the spec: 8-byte little-endian length, the header text as given, then `data`. */
function fileOf(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = enc.encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(view: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

const ITEM: Record<Dtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const CODECS = { F16: FLOAT16, BF16: BFLOAT16, F8_E4M3: FLOAT8_E4M3, F8_E5M2: FLOAT8_E5M2 } as const;

/** A tensor of `dtype` and `shape` whose element bytes are `raw` (random bits: NaN payloads, signaling NaNs...). */
function tensorFromRaw(dtype: Dtype, shape: number[], raw: Uint8Array): Tensor {
  const buf = raw.slice().buffer;
  const n = raw.length / ITEM[dtype];
  switch (dtype) {
    case 'F16':
    case 'BF16': {
      const bits = new Uint16Array(buf);
      return { dtype, shape, data: CODECS[dtype].decode(bits), bits };
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const bits = new Uint8Array(buf);
      return { dtype, shape, data: CODECS[dtype].decode(bits), bits };
    }
    case 'BOOL':
      return { dtype, shape, data: new Uint8Array(buf).map((b) => b & 1) };
    case 'U8':
      return { dtype, shape, data: new Uint8Array(buf) };
    case 'I8':
      return { dtype, shape, data: new Int8Array(buf) };
    case 'I16':
      return { dtype, shape, data: new Int16Array(buf) };
    case 'U16':
      return { dtype, shape, data: new Uint16Array(buf) };
    case 'I32':
      return { dtype, shape, data: new Int32Array(buf) };
    case 'U32':
      return { dtype, shape, data: new Uint32Array(buf) };
    case 'F32':
      return { dtype, shape, data: new Float32Array(buf, 0, n) };
    case 'F64':
      return { dtype, shape, data: new Float64Array(buf, 0, n) };
    case 'I64':
      return { dtype, shape, data: new BigInt64Array(buf, 0, n) };
    case 'U64':
      return { dtype, shape, data: new BigUint64Array(buf, 0, n) };
  }
}

const arbTensor = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.uint8Array({ minLength: n * ITEM[dtype], maxLength: n * ITEM[dtype] }).map((raw) => tensorFromRaw(dtype, shape, raw));
  });

const arbTensors = fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), arbTensor, { maxKeys: 6 }).filter((d) => !('__metadata__' in d));
const arbMetadata = fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 5 }), fc.string({ unit: 'binary', maxLength: 8 }), { maxKeys: 3 }), { nil: undefined });

/** The element bytes of a tensor as stored (raw codes for the small floats). */
function storedBytes(t: Tensor): number[] {
  return bytesOf('bits' in t && t.bits ? t.bits : t.data);
}

describe('readSafetensors / writeSafetensors round trips', () => {
  it('are bit exact for every dtype, random shapes and random bits (NaN payloads included)', () => {
    fc.assert(
      fc.property(arbTensors, arbMetadata, (tensors, metadata) => {
        const bytes = writeSafetensors(tensors, metadata);
        const back = readSafetensors(bytes);
        expect(back.metadata).toEqual(metadata ?? {});
        expect([...back.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          const r = back.tensors.get(name) as Tensor;
          expect(r.dtype).toBe(t.dtype);
          expect(r.shape).toEqual(t.shape);
          expect(r.data.constructor).toBe(t.data.constructor);
          expect(storedBytes(r)).toEqual(storedBytes(t));
          expect(bytesOf(r.data)).toEqual(bytesOf(t.data)); // decoded floats: same float32 bits
        }
        // a rewrite of what was read gives the same bytes (the layout is deterministic)
        expect(writeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('lay tensors out by dtype alignment then name, each at a multiple of its item size', () => {
    fc.assert(
      fc.property(arbTensors, (tensors) => {
        const bytes = writeSafetensors(tensors);
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(n % 8).toBe(0);
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: Dtype; data_offsets: number[] }>;
        const names = Object.keys(header);
        for (const name of names) expect((8 + n + header[name].data_offsets[0]) % ITEM[header[name].dtype]).toBe(0);
        const rank = (d: Dtype) => DTYPES.indexOf(d);
        // names compare by UTF-8 bytes (= code points, as Rust orders strings), not by UTF-16 units
        const order = [...names].sort((a, b) => rank(header[b].dtype) - rank(header[a].dtype) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(names).toEqual(order);
      }),
      { numRuns: 100 },
    );
  });

  it('returned data never shares memory with the input bytes', () => {
    const bytes = writeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } });
    const t = readSafetensors(bytes).tensors.get('a') as Tensor<'F32'>;
    t.data[0] = 99;
    expect(readSafetensors(bytes).tensors.get('a')?.data[0]).toBe(1);
  });

  it('round to nearest even when writing small floats from float32 data', () => {
    const back = readSafetensors(
      writeSafetensors({
        h: { dtype: 'F16', shape: [3], data: Float32Array.of(1 / 3, 70000, -0) },
        b: { dtype: 'BF16', shape: [1], data: Float32Array.of(1 / 3) },
      }),
    ).tensors;
    expect(Array.from((back.get('h') as Tensor<'F16'>).bits as Uint16Array)).toEqual([0x3555, 0x7c00, 0x8000]);
    expect(Array.from((back.get('b') as Tensor<'BF16'>).bits as Uint16Array)).toEqual([0x3eab]);
  });
});

describe('the bytes on disk, built by hand per the spec', () => {
  it('reads a hand-made file: header, metadata, little-endian data of several dtypes', () => {
    const data = new Uint8Array(8 + 8 + 2 + 1 + 6);
    const v = new DataView(data.buffer);
    v.setBigInt64(0, -5n, true); // i: I64 []
    v.setFloat32(8, 1.5, true); // f: F32 [2]
    v.setFloat32(12, -2, true);
    v.setUint16(16, 0x3c00, true); // h: F16 [1] = 1
    data[18] = 1; // b: BOOL [1]
    // z: U8 [0] at the end, then u: U8 [2, 3]
    data.set([1, 2, 3, 4, 5, 6], 19);
    const header =
      '{"f":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"i":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
      '"__metadata__":{"format":"pt","note":"\\u00e9\\ud83d\\ude00"},"h":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},' +
      '"b":{"dtype":"BOOL","shape":[1],"data_offsets":[18,19]},"u":{"dtype":"U8","shape":[2,3],"data_offsets":[19,25],"extra":[1,{"x":null}]},' +
      '"z":{"dtype":"U8","shape":[0],"data_offsets":[25,25]}}    ';
    const { tensors, metadata } = readSafetensors(fileOf(header, data));
    expect(metadata).toEqual({ format: 'pt', note: 'é😀' });
    expect([...tensors.keys()]).toEqual(['i', 'f', 'h', 'b', 'u', 'z']); // file order
    expect(tensors.get('i')).toEqual({ dtype: 'I64', shape: [], data: BigInt64Array.of(-5n) });
    expect(tensors.get('f')).toEqual({ dtype: 'F32', shape: [2], data: Float32Array.of(1.5, -2) });
    expect(tensors.get('h')).toEqual({ dtype: 'F16', shape: [1], data: Float32Array.of(1), bits: Uint16Array.of(0x3c00) });
    expect(tensors.get('b')).toEqual({ dtype: 'BOOL', shape: [1], data: Uint8Array.of(1) });
    expect(tensors.get('u')).toEqual({ dtype: 'U8', shape: [2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(tensors.get('z')).toEqual({ dtype: 'U8', shape: [0], data: new Uint8Array(0) });
  });

  it('writes the bytes the Rust crate writes (its documented serializations)', () => {
    const f = Float32Array.of(0, 1, 2, 3, 4, 5);
    // one F32 tensor [1, 2, 3]: a 64-byte header, already a multiple of 8
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64);
    expect(Array.from(writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: f } }))).toEqual(Array.from(fileOf(json, new Uint8Array(f.buffer))));
    // a shorter name: the header is padded with spaces to 72 bytes so the data is 8-aligned
    const short = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: f } })).toEqual(fileOf(`${short}       `, new Uint8Array(f.buffer)));
    // no tensors: "{}" and six spaces; with metadata: the metadata object first
    expect(Array.from(writeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(writeSafetensors(new Map(), { framework: 'pt' })).toEqual(fileOf('{"__metadata__":{"framework":"pt"}}     '));
  });
});

describe('files written by the reference implementation (the safetensors package)', () => {
  it('reads reference.safetensors and rewrites it byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(join(__dirname, 'fixtures', 'npy', 'reference.safetensors')));
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ format: 'np' });
    expect([...tensors.keys()]).toEqual(['é', 'f64', 'b', 'empty', 'a', 'i16', 'z.weight', 'mask']);
    expect(tensors.get('é')).toEqual({ dtype: 'I64', shape: [2], data: BigInt64Array.of(2n ** 62n, -1n) });
    expect(tensors.get('f64')).toEqual({ dtype: 'F64', shape: [], data: Float64Array.of(Math.PI) });
    expect(tensors.get('b')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) });
    expect(tensors.get('empty')).toEqual({ dtype: 'F32', shape: [0, 4], data: new Float32Array(0) });
    expect(tensors.get('a')).toMatchObject({ dtype: 'F16', shape: [3], bits: Uint16Array.of(0x3e00, 0xc000, 0x7e00) });
    expect(tensors.get('i16')).toEqual({ dtype: 'I16', shape: [2], data: Int16Array.of(-3, 4) });
    expect(tensors.get('z.weight')).toEqual({ dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) });
    expect(tensors.get('mask')).toEqual({ dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) });
    expect(Buffer.from(writeSafetensors(tensors, metadata))).toEqual(Buffer.from(bytes));
    // from data alone (the bits dropped), too: the float16 values re-encode to the same codes
    const plain = Object.fromEntries([...tensors].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.data } as Tensor]));
    expect(Buffer.from(writeSafetensors(plain, metadata))).toEqual(Buffer.from(bytes));
  });
});

/** A valid file to damage: every kind of tensor, metadata. */
function sampleFile(): Uint8Array {
  return writeSafetensors(
    {
      'layer.weight': { dtype: 'BF16', shape: [8, 16], data: new Float32Array(128).map((_, i) => i - 5.5) },
      'layer.bias': { dtype: 'F32', shape: [3], data: Float32Array.of(0.5, -1, 2) },
      steps: { dtype: 'I64', shape: [], data: BigInt64Array.of(123456789012345n) },
      mask: { dtype: 'BOOL', shape: [5], data: Uint8Array.of(1, 0, 1, 1, 0) },
    },
    { format: 'pt', origin: 'test' },
  );
}

function expectCorrupt(bytes: Uint8Array, message: RegExp): void {
  let thrown: unknown;
  try {
    readSafetensors(bytes);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CorruptDataError);
  expect((thrown as Error).message).toMatch(/^readSafetensors: corrupt data: /);
  expect((thrown as Error).message).toMatch(message);
}

/** A one-tensor file with the given entry text for tensor "t" and `dataLength` zero bytes of data. */
function withEntry(entry: string, dataLength = 8): Uint8Array {
  return fileOf(`{"t":${entry}}`, new Uint8Array(dataLength));
}

describe('readSafetensors rejects every corruption with a CorruptDataError naming the part', () => {
  it('a file truncated at 20 points', () => {
    const bytes = sampleFile();
    expect(readSafetensors(bytes).tensors.size).toBe(4);
    for (let k = 0; k < 20; k++) {
      const cut = Math.floor((k * (bytes.length - 1)) / 19); // 0 .. length - 1
      expectCorrupt(bytes.subarray(0, cut), /header length: |field "data_offsets": end \d+ is beyond the data region/);
    }
  });

  it('a header length beyond the file, beyond 100 MB, or 2^64 - 1', () => {
    const bytes = sampleFile().slice();
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(bytes.length - 7), true);
    expectCorrupt(bytes, /header length: \d+ bytes, but only \d+ follow/);
    view.setBigUint64(0, 100_000_001n, true);
    expectCorrupt(bytes, /header length: 100000001 bytes exceeds the limit of 100000000/);
    view.setBigUint64(0, 2n ** 64n - 1n, true);
    expectCorrupt(bytes, /header length: 18446744073709551615 bytes exceeds/);
    expectCorrupt(new Uint8Array(5), /header length: the file is 5 bytes/);
  });

  it('overlapping offsets, a gap, bytes after the last tensor, offsets beyond the data', () => {
    const two = (a: string, b: string, data: number) =>
      fileOf(`{"a":{"dtype":"U8","shape":[4],"data_offsets":${a}},"b":{"dtype":"U8","shape":[4],"data_offsets":${b}}}`, new Uint8Array(data));
    expectCorrupt(two('[0,4]', '[2,6]', 6), /tensor "b" field "data_offsets": \[2, 6\] overlaps tensor "a" \[0, 4\]/);
    expectCorrupt(two('[0,4]', '[0,4]', 4), /overlaps tensor/);
    expectCorrupt(two('[0,4]', '[6,10]', 10), /data: bytes \[4, 6\) after tensor "a" belong to no tensor/);
    expectCorrupt(two('[2,6]', '[6,10]', 10), /data: bytes \[0, 2\) at the start of the data region/);
    expectCorrupt(two('[0,4]', '[4,8]', 9), /data: bytes \[8, 9\) after the last tensor/);
    expectCorrupt(two('[0,4]', '[4,8]', 7), /tensor "b" field "data_offsets": end 8 is beyond the data region \(7 bytes\)/);
    // an empty tensor inside another one overlaps it (as in the Rust crate)
    expectCorrupt(
      fileOf('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"e":{"dtype":"U8","shape":[0],"data_offsets":[2,2]}}', new Uint8Array(4)),
      /tensor "e" .* overlaps tensor "a"/,
    );
  });

  it('offsets that disagree with dtype x shape, or are not [begin, end] integers', () => {
    expectCorrupt(withEntry('{"dtype":"F32","shape":[3],"data_offsets":[0,8]}'), /tensor "t" field "data_offsets": \[0, 8\] spans 8 bytes, but F32 of shape \[3\] takes 12/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[8,0]}'), /end 0 is before begin 8/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[0]}'), /field "data_offsets": must be an array \[begin, end\], got an array of 1/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}'), /must be an array \[begin, end\]/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}'), /data_offsets": end must be a non-negative integer, got 8 \(not an integer literal\)/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[-0.5,8]}'), /begin must be a non-negative integer/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":["0",8]}'), /begin must be a non-negative integer, got "0"/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551624]}'), /end is 18446744073709551624, beyond 2\^53 - 1/);
    expectCorrupt(withEntry('{"dtype":"F32","shape":[2]}'), /tensor "t" field "data_offsets": missing/);
  });

  it('a wrong dtype', () => {
    expectCorrupt(withEntry('{"dtype":"F33","shape":[2],"data_offsets":[0,8]}'), /tensor "t" field "dtype": unsupported dtype "F33" \(supported: BOOL, U8/);
    expectCorrupt(withEntry('{"dtype":"f32","shape":[2],"data_offsets":[0,8]}'), /unsupported dtype "f32"/);
    expectCorrupt(withEntry('{"dtype":"F4","shape":[16],"data_offsets":[0,8]}'), /unsupported dtype "F4"/);
    expectCorrupt(withEntry('{"dtype":4,"shape":[2],"data_offsets":[0,8]}'), /field "dtype": must be a string, got 4/);
    expectCorrupt(withEntry('{"shape":[2],"data_offsets":[0,8]}'), /field "dtype": missing/);
  });

  it('a bad shape: negative, fractional, exponent, not an array, missing', () => {
    expectCorrupt(withEntry('{"dtype":"U8","shape":[-8],"data_offsets":[0,8]}'), /field "shape": entry 0 must be a non-negative integer, got -8/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":[2,2.5],"data_offsets":[0,8]}'), /field "shape": entry 1 must be a non-negative integer, got 2.5/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":[8.0],"data_offsets":[0,8]}'), /entry 0 must be a non-negative integer, got 8 \(not an integer literal\)/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":[8e0],"data_offsets":[0,8]}'), /not an integer literal/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":8,"data_offsets":[0,8]}'), /field "shape": must be an array of non-negative integers, got 8/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":"8","data_offsets":[0,8]}'), /got "8"/);
    expectCorrupt(withEntry('{"dtype":"U8","shape":[[8]],"data_offsets":[0,8]}'), /entry 0 must be a non-negative integer, got an array of 1/);
    expectCorrupt(withEntry('{"dtype":"U8","data_offsets":[0,8]}'), /field "shape": missing/);
    expectCorrupt(withEntry('[1,2]'), /tensor "t": must be an object \{ dtype, shape, data_offsets \}, got an array of 2/);
  });

  it('bad JSON, or JSON the format forbids', () => {
    expectCorrupt(fileOf('{"t":{"dtype":"U8",'), /header: invalid JSON at character 19: unexpected end of text \(expected a string key\)/);
    expectCorrupt(fileOf("{'t':1}"), /header: invalid JSON at character 1: expected a string key/);
    expectCorrupt(fileOf('{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},}'), /expected a string key/);
    expectCorrupt(fileOf('{} x'), /unexpected text after the value/);
    expectCorrupt(fileOf('{"a":01}'), /leading zero/);
    expectCorrupt(fileOf('{"a":"\\ud800"}'), /lone surrogate/);
    expectCorrupt(fileOf('{"a":"tab\there"}'), /control character/);
    expectCorrupt(fileOf(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`), /nested deeper than 128 levels/);
    expectCorrupt(
      fileOf('{"t":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"t":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'),
      /duplicate key "t"/,
    );
    expectCorrupt(fileOf(' {}'), /header: must start with "\{"/);
    expectCorrupt(fileOf('[]'), /header: must start with "\{"/);
    const notUtf8 = fileOf('{"a":"xx"}');
    notUtf8[14] = 0xff;
    expectCorrupt(notUtf8, /header: not valid UTF-8/);
  });

  it('metadata that is not a map of strings', () => {
    expectCorrupt(fileOf('{"__metadata__":{"a":1}}'), /header: "__metadata__" entry "a" must be a string, got 1/);
    expectCorrupt(fileOf('{"__metadata__":{"a":null}}'), /entry "a" must be a string, got null/);
    expectCorrupt(fileOf('{"__metadata__":"pt"}'), /"__metadata__" must be an object of strings, got "pt"/);
    expectCorrupt(fileOf('{"__metadata__":["pt"]}'), /must be an object of strings, got an array of 1/);
  });

  it('BOOL bytes other than 0 and 1', () => {
    expectCorrupt(fileOf('{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}', Uint8Array.of(1, 0, 2)), /tensor "m": BOOL element 2 is 2, not 0 or 1/);
  });

  it('accepts what the format allows: trailing JSON whitespace, escapes, unknown entry fields, empty tensors', () => {
    const f = fileOf('{"a\\n\\"b":{"data_offsets":[0,0],"shape":[0,9007199254740991],"dtype":"F64","x":1.5e3}} \t\n  ');
    expect(readSafetensors(f).tensors.get('a\n"b')?.shape).toEqual([0, 2 ** 53 - 1]);
    // a dimension beyond 2^53 - 1 (possible next to a 0) cannot be a JavaScript number: refused
    expectCorrupt(withEntry('{"dtype":"U8","shape":[0,9007199254740993],"data_offsets":[0,0]}', 0), /entry 1 is 9007199254740993, beyond 2\^53 - 1/);
  });

  it('rejects a Uint8Array only by type: TypeError otherwise', () => {
    expect(() => readSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => readSafetensors(new ArrayBuffer(16) as unknown as Uint8Array)).toThrow(/readSafetensors: bytes must be a Uint8Array, got a/);
  });
});

describe('writeSafetensors checks its arguments', () => {
  const ok = { dtype: 'F32', shape: [2], data: new Float32Array(2) } as Tensor;
  it('TypeError for what is not a tensor map, data of the wrong type, metadata not of strings', () => {
    expect(() => writeSafetensors(null as never)).toThrow(/writeSafetensors: tensors must be a Map or an object of tensors by name, got null/);
    expect(() => writeSafetensors([ok] as never)).toThrow(TypeError);
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } as never })).toThrow(
      /writeSafetensors: tensors\["a"\]\.data must be a Float32Array for dtype F32, got Float64Array\(2\)/,
    );
    expect(() => writeSafetensors({ a: { dtype: 'F16', shape: [2], data: new Uint16Array(2) } as never })).toThrow(/must be a Float32Array for dtype F16/);
    expect(() => writeSafetensors({ a: { dtype: 'I64', shape: [1], data: Int32Array.of(1) } as never })).toThrow(/must be a BigInt64Array/);
    expect(() => writeSafetensors({ a: ok }, { k: 1 } as never)).toThrow(/writeSafetensors: metadata\["k"\] must be a string, got 1/);
    expect(() => writeSafetensors(new Map([[1, ok]]) as never)).toThrow(/tensors key must be a string, got 1/);
  });

  it('RangeError for bad dtypes, shapes, lengths, BOOL values, stale bits, reserved names', () => {
    expect(() => writeSafetensors({ a: { ...ok, dtype: 'F33' } as never })).toThrow(/tensors\["a"\]\.dtype must be one of BOOL, U8/);
    expect(() => writeSafetensors({ a: { ...ok, shape: [-2] } })).toThrow(/tensors\["a"\]\.shape\[0\] must be a non-negative integer, got -2/);
    expect(() => writeSafetensors({ a: { ...ok, shape: [1.5] } })).toThrow(RangeError);
    expect(() => writeSafetensors({ a: { ...ok, shape: 2 } as never })).toThrow(TypeError);
    expect(() => writeSafetensors({ a: { ...ok, shape: [3] } })).toThrow(/tensors\["a"\]\.data must be of length 3 \(the product of shape \[3\]\), got length 2/);
    expect(() => writeSafetensors({ m: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 2) } })).toThrow(/must be 0 or 1 everywhere \(BOOL\), got 2 at index 1/);
    expect(() => writeSafetensors({ __metadata__: ok })).toThrow(/other than "__metadata__"/);
    expect(() => writeSafetensors({ '\ud800': ok })).toThrow(/lone surrogates/);
    const read = readSafetensors(writeSafetensors({ h: { dtype: 'F16', shape: [2], data: Float32Array.of(1, 2) } })).tensors.get('h') as Tensor<'F16'>;
    read.data[1] = 3; // bits now stale
    expect(() => writeSafetensors({ h: read })).toThrow(/tensors\["h"\]\.bits must be the codes of data .* got 0x4000 at index 1 where data rounds to 0x4200/);
    delete read.bits;
    expect((readSafetensors(writeSafetensors({ h: read })).tensors.get('h') as Tensor<'F16'>).data[1]).toBe(3);
  });
});
