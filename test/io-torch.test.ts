import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { readTorchFile, isTensor, type TorchValue } from '../src/io/torch.js';
import type { Tensor } from '../src/io/index.js';
import { CorruptDataError } from '../src/errors/index.js';
import { b64, int64, sampleBytes, sampleJson, type B64Array, type Half, type Int64Array } from './interop-samples.js';

// ---------------------------------------------------------------------------------------------------------------
// A small pickle writer (protocol 2 opcodes as torch.save emits them) and torch.save archive builder, so that the
// tests can make well-formed, strided, big-endian and malicious files by hand.

const enc = new TextEncoder();
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const op = {
  proto: [0x80, 2],
  stop: [0x2e],
  mark: [0x28],
  tuple: [0x74],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  emptyTuple: [0x29],
  setitems: [0x75],
  setitem: [0x73],
  append: [0x61],
  reduce: [0x52],
  binpersid: [0x51],
  none: [0x4e],
  false: [0x89],
  true: [0x88],
};
type Bytes = number[];
const str = (s: string): Bytes => {
  const b = enc.encode(s);
  return [0x58, ...u32(b.length), ...b];
};
/** BININT1, BININT2, BININT or (beyond 32 bits) LONG1, as Python's pickler chooses. */
const int = (n: number): Bytes => {
  if (n >= 0 && n < 256) return [0x4b, n];
  if (n >= 0 && n < 65536) return [0x4d, n & 255, n >> 8];
  if (n >= -(2 ** 31) && n < 2 ** 31) return [0x4a, ...u32(n >>> 0)];
  const bytes: number[] = [];
  for (let v = BigInt(n); v !== 0n && v !== -1n; v >>= 8n) bytes.push(Number(v & 255n));
  if (n > 0 && bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return [0x8a, bytes.length, ...bytes];
};
const float = (x: number): Bytes => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, false);
  return [0x47, ...new Uint8Array(v.buffer)];
};
const global = (module: string, name: string): Bytes => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const tuple = (...items: Bytes[]): Bytes => [...op.mark, ...items.flat(), ...op.tuple];
const dict = (entries: [string, Bytes][]): Bytes => [
  ...op.emptyDict,
  ...op.mark,
  ...entries.flatMap(([k, v]) => [...str(k), ...v]),
  ...op.setitems,
];
const pickle = (body: Bytes): Uint8Array => Uint8Array.from([...op.proto, ...body, ...op.stop]);

interface TensorSpec {
  storage: string;
  key: string;
  numel: number;
  offset?: number;
  size: number[];
  stride: number[];
}
/** `torch._utils._rebuild_tensor_v2(('storage', torch.<storage>, key, 'cpu', numel), offset, size, stride, ...)`. */
const tensor = (t: TensorSpec): Bytes => [
  ...global('torch._utils', '_rebuild_tensor_v2'),
  ...tuple(
    [...tuple(str('storage'), global('torch', t.storage), str(t.key), str('cpu'), int(t.numel)), ...op.binpersid],
    int(t.offset ?? 0),
    tuple(...t.size.map(int)),
    tuple(...t.stride.map(int)),
    op.false,
    [...global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce],
  ),
  ...op.reduce,
];

/** A torch.save archive: `archive/data.pkl`, `archive/data/<key>`, `archive/version` (and byteorder if given). */
function torchFile(pkl: Uint8Array, storages: Record<string, Uint8Array>, options: { byteorder?: string; level?: 0 | 6 } = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pkl };
  if (options.byteorder) files['archive/byteorder'] = enc.encode(options.byteorder);
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = v;
  files['archive/version'] = enc.encode('3\n');
  return zipSync(files, { level: options.level ?? 0 });
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
const asDict = (v: TorchValue) => v as Record<string, TorchValue>;
const asTensor = (v: TorchValue) => {
  expect(isTensor(v)).toBe(true);
  return v as Tensor;
};

function expectCorrupt(f: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CorruptDataError);
  expect((error as Error).message).toMatch(/^readTorchFile: corrupt data: /);
  expect((error as Error).message).toMatch(pattern);
}

// ---------------------------------------------------------------------------------------------------------------

describe("readTorchFile on QuIP#'s files", () => {
  const layer = sampleJson<{
    hessian_file: { flatH: B64Array; mu: B64Array; n: number; ct: number };
    attr: { Qidxs: Int64Array; SU: Half; SV: Half };
  }>('layer_B2.json');

  it('reads the Hessian file B2_hessian.pt: flatH, mu, n, ct as in layer_B2.json', () => {
    const h = asDict(readTorchFile(sampleBytes('B2_hessian.pt')));
    expect(Object.keys(h)).toEqual(['flatH', 'mu', 'n', 'ct']);
    const flatH = asTensor(h.flatH);
    expect(flatH.dtype).toBe('F32');
    expect(flatH.shape).toEqual([32896]);
    expect(bytesOf(flatH.data)).toEqual(bytesOf(b64(layer.hessian_file.flatH, 'float32')));
    const mu = asTensor(h.mu);
    expect(mu.shape).toEqual([256]);
    expect(bytesOf(mu.data)).toEqual(bytesOf(b64(layer.hessian_file.mu, 'float32')));
    expect(h.n).toBe(layer.hessian_file.n);
    expect(h.ct).toBe(layer.hessian_file.ct);
  });

  it('reads the layer file B2_attr.pt: Qidxs (int64), SU and SV (float16 bits and values), the rest', () => {
    const a = asDict(readTorchFile(sampleBytes('B2_attr.pt')));
    const Q = asTensor(a.Qidxs);
    expect(Q.dtype).toBe('I64');
    expect(Q.shape).toEqual([192, 8]);
    expect(Q.data).toEqual(int64(layer.attr.Qidxs));
    for (const side of ['SU', 'SV'] as const) {
      const t = asTensor(a[side]);
      if (t.dtype !== 'F16') throw new Error(`${side} is ${t.dtype}`);
      expect(t.bits).toEqual(b64(layer.attr[side].bits, 'uint16'));
      expect(t.data).toEqual(b64(layer.attr[side].values_f32, 'float32'));
    }
    expect(a.A).toBeNull();
    expect(a.B).toBeNull();
    expect(a.scaleWH).toBeNull();
    expect(a.fused).toBe(false);
    expect(a.shapes).toEqual([[192, 256]]);
    expect(Object.isFrozen((a.shapes as TorchValue[])[0])).toBe(true); // torch.Size: a tuple
    expect(a.scales).toEqual([1]);
  });

  it("detects a flipped bit inside a storage by the zip entry's CRC-32", () => {
    const bytes = sampleBytes('B2_attr.pt');
    bytes[505 + 30 + 200] ^= 4; // inside B2_attr/data/0 (Qidxs), whose local header is at offset 505
    expectCorrupt(() => readTorchFile(bytes), /entry "B2_attr\/data\/0": CRC-32 is 0x[0-9a-f]+, but the directory says/);
  });

  it('refuses every truncation of a real file, and a byte flip anywhere yields a value or a CorruptDataError', () => {
    const bytes = sampleBytes('B2_attr.pt');
    for (const cut of [0, 4, 30, 200, 600, 5000, bytes.length - 23, bytes.length - 1]) {
      expectCorrupt(() => readTorchFile(bytes.subarray(0, cut)), /zip archive: /);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const b = bytes.slice();
        b[at] ^= flip;
        try {
          readTorchFile(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptDataError);
        }
      }),
      { numRuns: 300 },
    );
  });
});


/** The storage types, with an array type for their raw elements and a generator of raw element values. */
const TYPES = {
  DoubleStorage: { dtype: 'F64', raw: Float64Array, value: fc.double() },
  FloatStorage: { dtype: 'F32', raw: Float32Array, value: fc.float() },
  HalfStorage: { dtype: 'F16', raw: Uint16Array, value: fc.integer({ min: 0, max: 0xffff }) },
  BFloat16Storage: { dtype: 'BF16', raw: Uint16Array, value: fc.integer({ min: 0, max: 0xffff }) },
  LongStorage: { dtype: 'I64', raw: BigInt64Array, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  IntStorage: { dtype: 'I32', raw: Int32Array, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  ShortStorage: { dtype: 'I16', raw: Int16Array, value: fc.integer({ min: -32768, max: 32767 }) },
  CharStorage: { dtype: 'I8', raw: Int8Array, value: fc.integer({ min: -128, max: 127 }) },
  ByteStorage: { dtype: 'U8', raw: Uint8Array, value: fc.integer({ min: 0, max: 255 }) },
  BoolStorage: { dtype: 'BOOL', raw: Uint8Array, value: fc.integer({ min: 0, max: 1 }) },
} as const;
type TypeName = keyof typeof TYPES;

/** float16 bits to value, assembled as a float32 (a different route from the library's). */
function halfValue(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 0) return (h & 0x8000 ? -1 : 1) * f * 2 ** -24;
  v.setUint32(0, ((h & 0x8000) << 16) | ((e === 31 ? 255 : e + 112) << 23) | (f << 13));
  return v.getFloat32(0);
}

describe('readTorchFile: tensors and values', () => {
  it('applies storage offset and strides, and separates views of one storage', () => {
    const storage = Float32Array.from({ length: 10 }, (_, i) => i);
    const pkl = pickle(
      dict([
        ['t', tensor({ storage: 'FloatStorage', key: '0', numel: 10, offset: 1, size: [3, 2], stride: [1, 3] })],
        ['row', tensor({ storage: 'FloatStorage', key: '0', numel: 10, offset: 4, size: [3], stride: [2] })],
        ['scalar', tensor({ storage: 'FloatStorage', key: '0', numel: 10, offset: 9, size: [], stride: [] })],
        ['empty', tensor({ storage: 'FloatStorage', key: '0', numel: 10, offset: 10, size: [0, 5], stride: [5, 1] })],
      ]),
    );
    const r = asDict(readTorchFile(torchFile(pkl, { 0: bytesOf(storage) })));
    const t = asTensor(r.t);
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([1, 4, 2, 5, 3, 6]); // t[i][j] = storage[1 + i + 3 j]
    expect([...asTensor(r.row).data]).toEqual([4, 6, 8]);
    expect(asTensor(r.scalar)).toEqual({ dtype: 'F32', shape: [], data: Float32Array.of(9) });
    expect(asTensor(r.empty).data.length).toBe(0);
    (t.data as Float32Array)[0] = 100;
    expect(asTensor(r.row).data[0]).toBe(4);
  });

  it('equals the explicit strided definition for every dtype, shape, permutation of strides and offset', () => {
    const spec = fc
      .record({
        type: fc.constantFrom(...(Object.keys(TYPES) as TypeName[])),
        shape: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
        offset: fc.integer({ min: 0, max: 5 }),
        slack: fc.integer({ min: 0, max: 3 }),
        seed: fc.integer(),
        littleEndian: fc.boolean(),
        deflate: fc.boolean(),
      })
      .chain((s) =>
        fc.record({
          s: fc.constant(s),
          order: fc.shuffledSubarray([...s.shape.keys()], { minLength: s.shape.length, maxLength: s.shape.length }),
        }),
      )
      .chain(({ s, order }) => {
        // Strides of a dense layout whose dimensions are nested in `order` (outermost first).
        const strides = new Array<number>(s.shape.length);
        let step = 1;
        for (const d of [...order].reverse()) {
          strides[d] = step;
          step *= s.shape[d];
        }
        const numel = s.offset + step + s.slack;
        return fc.record({
          s: fc.constant(s),
          strides: fc.constant(strides),
          values: fc.array(TYPES[s.type].value as fc.Arbitrary<number | bigint>, { minLength: numel, maxLength: numel }),
        });
      });
    fc.assert(
      fc.property(spec, ({ s, strides, values }) => {
        const T = TYPES[s.type];
        const raw = new (T.raw as unknown as new (n: number) => { [i: number]: number | bigint; buffer: ArrayBuffer; length: number })(values.length);
        values.forEach((v, i) => (raw[i] = v));
        const bytes = new Uint8Array(raw.buffer);
        const item = bytes.length / values.length;
        if (!s.littleEndian) for (let i = 0; i < bytes.length; i += item) bytes.subarray(i, i + item).reverse();
        const pkl = pickle(tensor({ storage: s.type, key: '7', numel: values.length, offset: s.offset, size: s.shape, stride: strides }));
        const file = torchFile(pkl, { 7: bytes }, { byteorder: s.littleEndian ? 'little' : 'big', level: s.deflate ? 6 : 0 });
        const t = asTensor(readTorchFile(file));
        expect(t.dtype).toBe(T.dtype);
        expect(t.shape).toEqual(s.shape);
        // Element at C-order position p: storage[offset + sum idx_d stride_d].
        const numel = s.shape.reduce((a, b) => a * b, 1);
        for (let p = 0; p < numel; p++) {
          let rest = p;
          let address = s.offset;
          for (let d = s.shape.length - 1; d >= 0; d--) {
            address += (rest % s.shape[d]) * strides[d];
            rest = Math.floor(rest / s.shape[d]);
          }
          const v = values[address];
          if (t.dtype === 'F16' || t.dtype === 'BF16') {
            expect(t.bits![p]).toBe(v);
            const want = t.dtype === 'F16' ? halfValue(v as number) : new Float32Array(Uint32Array.of((v as number) << 16).buffer)[0];
            expect(Object.is(t.data[p], want) || (Number.isNaN(t.data[p]) && Number.isNaN(want))).toBe(true);
          } else if (t.dtype === 'F32' || t.dtype === 'F64') {
            expect(Object.is(t.data[p], v) || (Number.isNaN(t.data[p]) && Number.isNaN(v as number))).toBe(true);
          } else {
            expect(t.data[p]).toBe(v);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('decodes float16 exactly (subnormals, -0, the largest finite value, infinities)', () => {
    const bits = Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x03ff, 0x8000, 0x7bff, 0x7c00, 0xfc00, 0x3555);
    const pkl = pickle(tensor({ storage: 'HalfStorage', key: '0', numel: bits.length, size: [bits.length], stride: [1] }));
    const t = asTensor(readTorchFile(torchFile(pkl, { 0: bytesOf(bits) })));
    expect([...t.data]).toEqual([1, -2, 2 ** -24, 1023 * 2 ** -24, -0, 65504, Infinity, -Infinity, 0.333251953125]);
    expect(Object.is(t.data[4], -0)).toBe(true);
  });

  it('rebuilds plain data: nested lists and tuples, ints of every width, bigints, floats, bools, None, int keys', () => {
    const pkl = pickle([
      ...op.emptyDict,
      ...op.mark,
      ...str('list'),
      ...op.emptyList,
      ...int(1),
      ...op.append,
      ...op.mark,
      ...int(300),
      ...int(70000),
      ...[0x4a, ...u32(-5 >>> 0)],
      ...[0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1], // LONG1 2^64
      ...[0x8a, 1, 0xff], // LONG1 -1
      ...[0x65], // APPENDS
      ...str('tuple'),
      ...tuple(float(0.5), op.none, op.true, op.false),
      ...int(3), // an int key becomes '3'
      ...str('three'),
      ...str('__proto__'),
      ...str('data'),
      ...[0x8c, 2, 0x68, 0x69], // SHORT_BINUNICODE 'hi'
      ...[0x94], // MEMOIZE
      ...[0x68, 0], // BINGET 0: the memoized 'hi'
      ...op.setitems,
    ]);
    const r = asDict(readTorchFile(torchFile(pkl, {})));
    expect(r.list).toEqual([1, 300, 70000, -5, 2n ** 64n, -1]);
    expect(r.tuple).toEqual([0.5, null, true, false]);
    expect(Object.isFrozen(r.tuple)).toBe(true);
    expect(r['3']).toBe('three');
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(r, '__proto__')?.value).toBe('data');
    expect(r.hi).toBe('hi');
  });

  it('reads a Parameter (torch._utils._rebuild_parameter) as its tensor', () => {
    const t = tensor({ storage: 'IntStorage', key: '0', numel: 2, size: [2], stride: [1] });
    const pkl = pickle([...global('torch._utils', '_rebuild_parameter'), ...tuple(t, op.true, [...global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce]), ...op.reduce]);
    expect(asTensor(readTorchFile(torchFile(pkl, { 0: bytesOf(Int32Array.of(7, -8)) }))).data).toEqual(Int32Array.of(7, -8));
  });
});

describe('readTorchFile refuses what it cannot trust', () => {
  const sentinel = join(tmpdir(), `quipsharp-pickle-sentinel-${process.pid}`);

  it('a global outside the whitelist (os.system, builtins.eval, via GLOBAL and STACK_GLOBAL), executing nothing', () => {
    rmSync(sentinel, { force: true });
    const g = globalThis as { quipsharpPwned?: number };
    delete g.quipsharpPwned;
    const attacks: [Uint8Array, RegExp][] = [
      [pickle([...global('os', 'system'), ...tuple(str(`touch ${sentinel}`)), ...op.reduce]), /global 'os\.system' is not allowed/],
      [pickle([...global('posix', 'system'), ...tuple(str(`touch ${sentinel}`)), ...op.reduce]), /'posix\.system'/],
      [pickle([...global('builtins', 'eval'), ...tuple(str('globalThis.quipsharpPwned = 1')), ...op.reduce]), /'builtins\.eval'/],
      [pickle([...str('builtins'), ...str('exec'), 0x93, ...tuple(str('globalThis.quipsharpPwned = 1')), ...op.reduce]), /'builtins\.exec'/],
      // Hidden inside an otherwise valid dict, after a tensor.
      [pickle(dict([['x', int(1)], ['y', [...global('subprocess', 'Popen'), ...tuple(str('sh')), ...op.reduce]]])), /'subprocess\.Popen'/],
      // Torch names that are not builders stay refused (no dynamic attribute lookup).
      [pickle([...global('torch', 'load'), ...tuple(str('x')), ...op.reduce]), /'torch\.load'/],
      [pickle([...global('torch._utils', '__builtins__'), ...op.reduce]), /'torch\._utils\.__builtins__'/],
    ];
    for (const [pkl, message] of attacks) expectCorrupt(() => readTorchFile(torchFile(pkl, {})), message);
    expect(existsSync(sentinel)).toBe(false);
    expect(g.quipsharpPwned).toBeUndefined();
  });

  it('opcodes that build arbitrary objects (INST, OBJ, NEWOBJ) and unknown ones, by name and offset', () => {
    expectCorrupt(() => readTorchFile(torchFile(Uint8Array.from([0x80, 2, 0x69, ...enc.encode('os\nsystem\n'), 0x2e]), {})), /byte 2: unsupported pickle opcode 0x69 \(INST\)/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.mark, 0x6f]), {})), /0x6f \(OBJ\)/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyTuple, ...op.emptyTuple, 0x81]), {})), /NEWOBJ/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([0xff]), {})), /unsupported pickle opcode 0xff$/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...global('torch', 'FloatStorage'), ...op.emptyTuple, ...op.reduce]), {})), /'torch\.FloatStorage' cannot be called/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...str('not a global'), ...op.emptyTuple, ...op.reduce]), {})), /REDUCE on something that is not a whitelisted global/);
  });

  it('malformed pickles: truncated, no STOP, lying string lengths, stack and memo misuse', () => {
    const good = pickle(dict([['a', int(1)]]));
    expectCorrupt(() => readTorchFile(torchFile(good.subarray(0, good.length - 1), {})), /without STOP/);
    expectCorrupt(() => readTorchFile(torchFile(Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0xff, 0x61, 0x2e]), {})), /needs 4294967295 more bytes/);
    expectCorrupt(() => readTorchFile(torchFile(Uint8Array.from([0x80, 2, 0x8d, ...u32(0), ...u32(0x10000), 0x2e]), {})), /needs 281474976710656 more bytes|beyond/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.append]), {})), /stack underflow/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([0x68, 5]), {})), /memo entry 5 is not set/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...int(1), ...int(2)]), {})), /unbalanced stack/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyList, ...str('k'), ...int(1), ...op.setitem]), {})), /SETITEM on something that is not a dict/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyDict, ...op.emptyList, ...int(1), ...op.setitem]), {})), /dict key of type object/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyTuple, ...int(1), ...op.append]), {})), /APPEND on something that is not a list/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyDict, ...float(1.5), ...int(1), ...op.setitem]), {})), /dict key of type number/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([0x58, ...u32(2), 0xc3, 0x28]), {})), /not valid UTF-8/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...op.emptyDict, ...dict([['k', int(1)]]), 0x62]), {})), /BUILD with object state/);
  });

  it('storages that lie about their size, views past their storage, expansion bombs, bad bools', () => {
    const four = bytesOf(Float32Array.of(1, 2, 3, 4));
    const view = (t: Partial<TensorSpec>) => pickle(tensor({ storage: 'FloatStorage', key: '0', numel: 4, size: [4], stride: [1], ...t }));
    expectCorrupt(() => readTorchFile(torchFile(view({ numel: 2 ** 40 }), { 0: four })), /storage '0' holds 16 bytes, but 1099511627776 x torch\.FloatStorage need 4398046511104/);
    expectCorrupt(() => readTorchFile(torchFile(view({ numel: 5 }), { 0: four })), /holds 16 bytes, but 5 x/);
    expectCorrupt(() => readTorchFile(torchFile(view({}), { 0: four.subarray(0, 12) })), /holds 12 bytes/);
    expectCorrupt(() => readTorchFile(torchFile(view({ key: '9' }), { 0: four })), /storage '9' is missing/);
    expectCorrupt(() => readTorchFile(torchFile(view({ offset: 1 }), { 0: four })), /reaches past storage '0' of 4 elements/);
    expectCorrupt(() => readTorchFile(torchFile(view({ size: [2, 2], stride: [3, 1] }), { 0: four })), /reaches past/);
    expectCorrupt(() => readTorchFile(torchFile(view({ size: [2 ** 31, 2 ** 31], stride: [0, 0] }), { 0: four })), /4611686018427388000 elements cannot be a view of storage '0' of 4/);
    expectCorrupt(() => readTorchFile(torchFile(view({ size: [2], stride: [1, 1] }), { 0: four })), /1 sizes but 2 strides/);
    // The same full view rebuilt 100 times (memoized arguments: 6 bytes each) would be 100 copies.
    const args = [...global('torch._utils', '_rebuild_tensor_v2'), 0x71, 1, ...tuple([...tuple(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(4)), ...op.binpersid], int(0), tuple(int(4)), tuple(int(1)), op.false, op.none), 0x71, 2, ...op.reduce];
    const bomb = pickle([...op.emptyList, ...args, ...op.append, ...Array.from({ length: 100 }, () => [0x68, 1, 0x68, 2, ...op.reduce, ...op.append]).flat()]);
    expectCorrupt(() => readTorchFile(torchFile(bomb, { 0: four })), /the tensors hold 404 elements, more than 4 x the 4/);
    const two = pickle(dict([['a', tensor({ storage: 'FloatStorage', key: '0', numel: 4, size: [4], stride: [1] })], ['b', tensor({ storage: 'IntStorage', key: '0', numel: 4, size: [4], stride: [1] })]]));
    expectCorrupt(() => readTorchFile(torchFile(two, { 0: four })), /storage '0' is described two ways/);
    const bools = pickle(tensor({ storage: 'BoolStorage', key: '0', numel: 2, size: [2], stride: [1] }));
    expectCorrupt(() => readTorchFile(torchFile(bools, { 0: Uint8Array.of(1, 2) })), /storage '0': BOOL element 1 is 2, not 0 or 1/);
    expectCorrupt(() => readTorchFile(torchFile(pickle([...tuple(str('storage'), global('torch', 'FloatStorage')), ...op.binpersid]), {})), /persistent id is not/);
  });

  it('archives that are not torch.save zips: legacy files, garbage, no or two data.pkl, odd byte orders, bombs', () => {
    expect(() => readTorchFile([1, 2] as unknown as Uint8Array)).toThrow(new TypeError('readTorchFile: bytes must be a Uint8Array, got Array(2)'));
    expectCorrupt(() => readTorchFile(Uint8Array.from([0x80, 2, 0x8a, 0x0a, 0x6c, 0xfc])), /legacy \(pre-1\.6\) torch\.save file/);
    expectCorrupt(() => readTorchFile(enc.encode('hello world')), /zip archive: no end-of-central-directory record/);
    expectCorrupt(() => readTorchFile(new Uint8Array(0)), /zip archive: no end-of-central-directory record/);
    expectCorrupt(() => readTorchFile(zipSync({ 'a/b.txt': enc.encode('x') })), /expected one '<name>\/data\.pkl' in the archive, found 0/);
    expectCorrupt(() => readTorchFile(zipSync({ 'a/data.pkl': pickle(op.none), 'b/data.pkl': pickle(op.none) })), /found 2/);
    expectCorrupt(() => readTorchFile(torchFile(pickle(op.none), {}, { byteorder: 'middle' })), /byteorder must be 'little' or 'big', got 'middle'/);
    // A deflated entry claiming a gigabyte from a few bytes: refused before anything is inflated.
    const file = torchFile(pickle(op.none), {}, { level: 6 });
    const view = new DataView(file.buffer);
    const cd = file.length - 22 - (view.getUint32(file.length - 22 + 12, true));
    for (let at = cd; at < file.length - 22; ) {
      if (new TextDecoder().decode(file.subarray(at + 46, at + 46 + view.getUint16(at + 28, true))) === 'archive/data.pkl') view.setUint32(at + 24, 2 ** 30, true);
      at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    expectCorrupt(() => readTorchFile(file), /entry "archive\/data\.pkl": claims 1073741824 bytes from \d+ compressed/);
    expect(readTorchFile(torchFile(pickle(op.none), {}, { level: 6 }))).toBeNull();
  });
});
