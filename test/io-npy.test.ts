import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { CorruptDataError } from '../src/errors/index.js';
import { readNpy, readNpz, writeNpy, type Dtype, type Npy, type Tensor, type TensorData } from '../src/io/index.js';
import { crc32 } from '../src/io/zip.js';

const DIR = join(__dirname, 'fixtures', 'npy');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

interface Expected {
  dtype: Dtype;
  shape: number[];
  fortranOrder: boolean;
  descr: string;
  /** The elements in C order, little-endian, as hex (raw codes for float16). */
  hex: string;
}
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected | Record<string, Expected>>;
const NPY_FILES = Object.keys(EXPECTED).filter((f) => f.endsWith('.npy'));

const hexOf = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

/** The stored element bytes of a result (the raw codes for float16). */
function storedHex(a: Tensor): string {
  return hexOf('bits' in a && a.bits ? a.bits : a.data);
}

function expectMatches(a: Npy, e: Expected): void {
  expect(a.dtype).toBe(e.dtype);
  expect(a.shape).toEqual(e.shape);
  expect(a.fortranOrder).toBe(e.fortranOrder);
  expect(a.descr).toBe(e.descr);
  expect(storedHex(a)).toBe(e.hex);
}

function expectCorrupt(f: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CorruptDataError);
  expect((thrown as Error).message).toMatch(message);
}

/** A .npy file with a v1 header of exactly `header` (no padding) followed by `data`. */
function npyOf(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, prefix);
  out.set(data, prefix + text.length);
  return out;
}

describe('readNpy reads the files numpy wrote', () => {
  it.each(NPY_FILES)('%s', (name) => {
    expectMatches(readNpy(fixture(name)), EXPECTED[name] as Expected);
  });

  it('values: specials, Fortran order transposed to C order, float16 NaN payloads and signaling NaNs kept', () => {
    const f4 = readNpy(fixture('f4-c.npy')) as Npy & Tensor<'F32'>;
    expect(Array.from(f4.data)).toEqual([0, -0, 1.5, Infinity, -Infinity, Math.fround(1e-45)]);
    expect(Object.is(f4.data[1], -0)).toBe(true);
    const f8 = readNpy(fixture('f8-fortran.npy')) as Npy & Tensor<'F64'>;
    expect(Array.from(f8.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 0.5 - 1));
    const i2 = readNpy(fixture('i2-fortran-3d.npy')) as Npy & Tensor<'I16'>;
    expect(Array.from(i2.data)).toEqual(Array.from({ length: 24 }, (_, i) => i - 12));
    const be = readNpy(fixture('f4-be-fortran.npy')) as Npy & Tensor<'F32'>;
    expect(Array.from(be.data)).toEqual([1, 2, 3, 4, 5, 6].map((v) => Math.fround(v / 7)));
    for (const name of ['f2.npy', 'f2-be.npy']) {
      const h = readNpy(fixture(name)) as Npy & Tensor<'F16'>;
      expect(Array.from(h.data.subarray(0, 5))).toEqual([1, -2.5, 65504, 2 ** -24, Infinity]);
      expect(Array.from(h.bits as Uint16Array)).toEqual([0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00, 0x7e01, 0x8000, 0x7c01]);
      expect(Array.from(new Uint32Array(h.data.buffer).subarray(5))).toEqual([0x7fc02000, 0x80000000, 0x7f802000]);
    }
    expect((readNpy(fixture('i8-be.npy')) as Tensor<'I64'>).data).toEqual(BigInt64Array.of(-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n));
    expect((readNpy(fixture('u8.npy')) as Tensor<'U64'>).data).toEqual(BigUint64Array.of(0n, 2n, 0n, 1n, 2n ** 64n - 1n));
    expect(readNpy(fixture('scalar.npy'))).toMatchObject({ shape: [], data: Float64Array.of(Math.PI) });
    expect(readNpy(fixture('bool.npy'))).toMatchObject({ dtype: 'BOOL', data: Uint8Array.of(1, 0, 1, 1) });
  });

  it('the result does not share memory with the input', () => {
    const bytes = fixture('u1.npy');
    const a = readNpy(bytes) as Tensor<'U8'>;
    a.data.fill(9);
    expect(Array.from((readNpy(bytes) as Tensor<'U8'>).data)).toEqual([0, 2, 0, 1, 255]);
  });
});

describe('writeNpy', () => {
  const C_ORDER_V1 = NPY_FILES.filter((f) => {
    const e = EXPECTED[f] as Expected;
    return !e.fortranOrder && !e.descr.startsWith('>') && !f.startsWith('v');
  });

  it.each(C_ORDER_V1)('writes the same bytes as np.save: %s', (name) => {
    const bytes = fixture(name);
    const a = readNpy(bytes);
    expect(Buffer.from(writeNpy(a.data, a.shape, { dtype: a.dtype }))).toEqual(Buffer.from(bytes));
  });

  const arbArray = fc
    .record({
      kind: fc.constantFrom('F16', 'F32', 'F64', 'I8', 'U8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'BOOL') as fc.Arbitrary<Dtype>,
      shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
    })
    .chain(({ kind, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const size = { F16: 2, F32: 4, F64: 8, I8: 1, U8: 1, I16: 2, U16: 2, I32: 4, U32: 4, I64: 8, U64: 8, BOOL: 1 }[kind as string] as number;
      return fc.uint8Array({ minLength: n * size, maxLength: n * size }).map((raw) => ({ kind, shape, raw }));
    });

  /** The typed array writeNpy takes for the dtype, holding `raw`'s bits (float16: the decoded values). */
  function dataOf(kind: Dtype, raw: Uint8Array): TensorData {
    const b = raw.slice().buffer;
    const table: Record<string, (b: ArrayBuffer) => TensorData> = {
      F32: (x) => new Float32Array(x),
      F64: (x) => new Float64Array(x),
      I8: (x) => new Int8Array(x),
      U8: (x) => new Uint8Array(x),
      I16: (x) => new Int16Array(x),
      U16: (x) => new Uint16Array(x),
      I32: (x) => new Int32Array(x),
      U32: (x) => new Uint32Array(x),
      I64: (x) => new BigInt64Array(x),
      U64: (x) => new BigUint64Array(x),
      BOOL: (x) => new Uint8Array(x).map((v) => v & 1),
    };
    if (kind === 'F16') return (readNpy(npyOf(`{'descr': '<f2', 'fortran_order': False, 'shape': (${raw.length / 2},), }`, raw)) as Tensor<'F16'>).data;
    return table[kind](b);
  }

  it('round-trips bit exactly with readNpy: every dtype, random shapes, random bits', () => {
    fc.assert(
      fc.property(arbArray, ({ kind, shape, raw }) => {
        const data = dataOf(kind, raw);
        const back = readNpy(writeNpy(data, shape, { dtype: kind }));
        expect(back.dtype).toBe(kind);
        expect(back.shape).toEqual(shape);
        expect(back.fortranOrder).toBe(false);
        expect(hexOf(back.data)).toBe(hexOf(data));
      }),
      { numRuns: 300 },
    );
  });

  it('infers the dtype from the typed array and aligns the data to 64 bytes', () => {
    const bytes = writeNpy(BigInt64Array.of(1n, -2n), [2]);
    expect(readNpy(bytes)).toMatchObject({ dtype: 'I64', descr: '<i8', data: BigInt64Array.of(1n, -2n) });
    expect((bytes.length - 16) % 64).toBe(0);
  });

  it('switches to format version 2.0 when the header exceeds 65535 bytes (and reads it back)', () => {
    const shape = new Array<number>(25000).fill(1);
    const bytes = writeNpy(Float32Array.of(7), shape);
    expect([bytes[6], bytes[7]]).toEqual([2, 0]);
    const back = readNpy(bytes);
    expect(back.shape.length).toBe(25000);
    expect(back.data).toEqual(Float32Array.of(7));
    expect(readNpy(writeNpy(Float32Array.of(7), [1]))).toMatchObject({ shape: [1] });
  });

  it('checks its arguments', () => {
    expect(() => writeNpy([1, 2] as never, [2])).toThrow(/writeNpy: data must be a Float32Array, Float64Array, integer or BigInt typed array, got Array\(2\)/);
    expect(() => writeNpy(new Float32Array(6), [2, 2])).toThrow(/writeNpy: data must be of length 4 \(the product of shape \[2, 2\]\), got length 6/);
    expect(() => writeNpy(new Float32Array(2), [-2])).toThrow(/writeNpy: shape\[0\] must be a non-negative integer, got -2/);
    expect(() => writeNpy(new Float32Array(2), 2 as never)).toThrow(TypeError);
    expect(() => writeNpy(new Float32Array(2), [2], { dtype: 'BF16' })).toThrow(/writeNpy: options.dtype must be a dtype .npy can hold/);
    expect(() => writeNpy(new Float64Array(2), [2], { dtype: 'F16' })).toThrow(/writeNpy: data must be a Float32Array for dtype F16/);
    expect(() => writeNpy(Uint8Array.of(0, 3), [2], { dtype: 'BOOL' })).toThrow(/writeNpy: data must be 0 or 1 everywhere \(BOOL\), got 3 at index 1/);
  });
});

describe('readNpy rejects corrupt files with a CorruptDataError', () => {
  const good = fixture('f8-fortran.npy');

  it('truncated at 20 points', () => {
    for (let k = 0; k < 20; k++) {
      const cut = Math.floor((k * (good.length - 1)) / 19);
      expectCorrupt(() => readNpy(good.subarray(0, cut)), /readNpy: corrupt data: (magic|header length|data): /);
    }
  });

  it('bad magic, unknown versions, a header length beyond the file, data longer than the shape', () => {
    const bad = good.slice();
    bad[1] = 0x4f;
    expectCorrupt(() => readNpy(bad), /magic: not a \.npy file/);
    for (const [major, minor] of [[4, 0], [0, 0], [1, 1]]) {
      const v = good.slice();
      v[6] = major;
      v[7] = minor;
      expectCorrupt(() => readNpy(v), new RegExp(`version: ${major}\\.${minor} is not a \\.npy format version`));
    }
    const lying = good.slice();
    new DataView(lying.buffer).setUint16(8, good.length, true);
    expectCorrupt(() => readNpy(lying), /header length: \d+ bytes, but only \d+ follow/);
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expectCorrupt(() => readNpy(longer), /data: shape \[3, 4\] of <f8 takes 96 bytes, but 97 follow the header/);
  });

  it('headers outside the dict grammar, never evaluated', () => {
    const cases: [string, RegExp][] = [
      ["{'descr': '<f4', 'fortran_order': False}", /keys must be exactly descr, fortran_order, shape \(got descr, fortran_order\)/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': True}", /keys must be exactly/],
      ["{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", /duplicate key "descr"/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", /a one-element tuple needs a trailing comma/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", /shape entries must be non-negative/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (01,)}", /leading zero/],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", /expected a string, True, False or a tuple/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", /expected a string, True, False or a tuple/],
      ["{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': ()}", /expected a string, True, False or a tuple/],
      ["{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", /expected a string, True, False or a tuple/],
      ["{'descr': True, 'fortran_order': False, 'shape': ()}", /descr must be a string \(structured dtypes are not supported\)/],
      ["{'descr': '<f4', 'fortran_order': 'no', 'shape': ()}", /fortran_order must be True or False/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': True}", /shape must be a tuple of integers/],
      ["{'descr': '<f\\x34', 'fortran_order': False, 'shape': ()}", /unsupported character in a string/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': ()} extra", /unexpected text after the dict/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (", /expected an integer/],
      ["{'descr': '<f4' 'fortran_order': False, 'shape': ()}", /expected "}"/],
    ];
    for (const [header, message] of cases) expectCorrupt(() => readNpy(npyOf(header, new Uint8Array(4))), message);
  });

  it('unsupported dtypes', () => {
    for (const descr of ['<c8', '|O', '<U3', '<f16', '|f4', '=f4', 'f4', '<V8', '<M8[s]']) {
      expectCorrupt(() => readNpy(npyOf(`{'descr': '${descr}', 'fortran_order': False, 'shape': (), }`, new Uint8Array(4))), /header: unsupported dtype/);
    }
  });

  it('accepts the grammar numpy allows: double quotes, key order, whitespace, no trailing comma, big-endian bytes', () => {
    const a = readNpy(npyOf('{"shape": ( 2 , ),\n "fortran_order" : True,"descr":">u2"}  \n', Uint8Array.of(1, 2, 3, 4)));
    expect(a).toMatchObject({ dtype: 'U16', shape: [2], fortranOrder: true, data: Uint16Array.of(0x0102, 0x0304) });
  });

  it('bool bytes other than 0 and 1; a v3 header that is not UTF-8', () => {
    expectCorrupt(() => readNpy(npyOf("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.of(1, 7))), /data: BOOL element 1 is 7/);
    const v3 = npyOf("{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }", Uint8Array.of(1), 3);
    v3[14] = 0xff;
    expectCorrupt(() => readNpy(v3), /header: not valid UTF-8/);
    expect(() => readNpy('npy' as never)).toThrow(/readNpy: bytes must be a Uint8Array/);
  });
});

describe('readNpz', () => {
  const check = (name: string) => {
    const arrays = readNpz(fixture(name));
    const expected = EXPECTED[name] as Record<string, Expected>;
    expect([...arrays.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) expectMatches(arrays.get(k) as Npy, e);
  };
  it('reads np.savez (stored) and np.savez_compressed (deflated) archives, names without .npy', () => {
    check('savez.npz');
    check('savez-compressed.npz');
    expect([...readNpz(fixture('savez.npz')).keys()]).toEqual(['weight', 'codes', 'flag']); // archive order
  });

  const stored = fixture('savez.npz');
  const deflated = fixture('savez-compressed.npz');

  it('truncated at 20 points: a CorruptDataError', () => {
    for (const bytes of [stored, deflated]) {
      for (let k = 0; k < 20; k++) {
        const cut = Math.floor((k * (bytes.length - 1)) / 19);
        expectCorrupt(() => readNpz(bytes.subarray(0, cut)), /readNpz: corrupt data: zip archive: /);
      }
    }
  });

  it('a flipped bit in stored data, or in deflated data, fails the CRC-32 or the inflater', () => {
    const s = stored.slice();
    s[200] ^= 0x10; // inside the first entry's .npy data
    expectCorrupt(() => readNpz(s), /zip archive: entry "weight\.npy": CRC-32 is 0x[0-9a-f]+, but the directory says/);
    const d = deflated.slice();
    d[100] ^= 0x01;
    expectCorrupt(() => readNpz(d), /zip archive: entry "ramp\.npy": (CRC-32|bad deflate data|inflates to)/);
  });

  it('archives that are not npz files, or that lie', () => {
    expectCorrupt(() => readNpz(new Uint8Array(100)), /zip archive: no end-of-central-directory record/);
    const npy = new Uint8Array(writeNpy(Float32Array.of(1), [1]));
    const other = zipSync({ 'a.npy': npy, 'notes.txt': new TextEncoder().encode('hi'), 'dir/': new Uint8Array(0) }, { level: 0 });
    expectCorrupt(() => readNpz(other), /zip archive: entry "notes\.txt" is not a \.npy file/);
    expect([...readNpz(zipSync({ 'a.npy': npy, 'sub/': new Uint8Array(0) })).keys()]).toEqual(['a']);
    const badEntry = zipSync({ 'x.npy': new TextEncoder().encode('not numpy') }, { level: 0 });
    expectCorrupt(() => readNpz(badEntry), /readNpz: corrupt data: entry "x\.npy": magic: not a \.npy file/);

    // rename the second entry to the first one's name, in its local header and the directory: a duplicate
    const two = zipSync({ 'a.npy': npy, 'b.npy': npy }, { level: 0 });
    const dup = two.slice();
    for (let i = 0; i + 5 <= dup.length; i++) if (Buffer.from(dup.subarray(i, i + 5)).toString() === 'b.npy') dup[i] = 0x61;
    expectCorrupt(() => readNpz(dup), /zip archive: entry name "a\.npy" appears twice/);

    // point the second directory entry at the first entry's data: overlapping entries
    const overlap = two.slice();
    const view = new DataView(overlap.buffer);
    const cd = view.getUint32(overlap.length - 22 + 16, true);
    const second = cd + 46 + view.getUint16(cd + 28, true) + view.getUint16(cd + 30, true) + view.getUint16(cd + 32, true);
    view.setUint32(second + 42, 0, true);
    expectCorrupt(() => readNpz(overlap), /zip archive: entries "a\.npy" and "b\.npy" overlap/);

    // a directory that claims a stored entry is longer than its data
    const lying = zipSync({ 'a.npy': npy }, { level: 0 });
    const lv = new DataView(lying.buffer);
    const cd1 = lv.getUint32(lying.length - 22 + 16, true);
    lv.setUint32(cd1 + 24, npy.length + 1, true);
    expectCorrupt(() => readNpz(lying), /stored with \d+ bytes but \d+ claimed/);
    lv.setUint32(cd1 + 20, npy.length + 1000, true);
    expectCorrupt(() => readNpz(lying), /runs past the end of the archive/);
  });

  it('crc32 is the zip CRC-32 (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
