/**
 * Tensors as the file formats carry them: a dtype, a shape and the elements in C (row-major) order in a typed
 * array, with the conversions between those typed arrays and little-endian bytes.
 *
 * Dtype names are safetensors' (`F32`, `BF16`, `I64`, ...), used by every format of this folder so that a tensor
 * read from one file can be written to another. Integer and float32/float64 data are typed arrays of that type;
 * 64-bit integers are `BigInt64Array` / `BigUint64Array`; `BOOL` is a `Uint8Array` of 0 and 1; the small float
 * formats (`F16`, `BF16`, `F8_E4M3`, `F8_E5M2`) are decoded to `Float32Array` exactly, with the raw codes kept in
 * `bits` (see minifloat.ts).
 */
import { CorruptDataError, rangeError, typeError } from '../errors/index.js';
import { bytesOf, HOST_LITTLE_ENDIAN, swapBytesInPlace } from './bytes.js';
import { BFLOAT16, FLOAT16, FLOAT8_E4M3, FLOAT8_E5M2, type MinifloatCodec } from './minifloat.js';

/** Every supported dtype, in safetensors' order (increasing alignment; its writer sorts by it). */
export const DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;

/**
 * The element types of a tensor, by their safetensors names: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, the
 * floats F16, BF16, F32, F64 and the 8-bit floats F8_E5M2 and F8_E4M3 (the small floats are held as float32).
 */
export type Dtype = (typeof DTYPES)[number];

/** The typed array holding a tensor's elements, by dtype. */
export interface TensorDataTypes {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  F8_E5M2: Float32Array;
  F8_E4M3: Float32Array;
  I16: Int16Array;
  U16: Uint16Array;
  F16: Float32Array;
  BF16: Float32Array;
  I32: Int32Array;
  U32: Uint32Array;
  F32: Float32Array;
  F64: Float64Array;
  I64: BigInt64Array;
  U64: BigUint64Array;
}

/** The raw codes of the small float dtypes, by dtype. */
export interface MinifloatBitsTypes {
  F8_E5M2: Uint8Array;
  F8_E4M3: Uint8Array;
  F16: Uint16Array;
  BF16: Uint16Array;
}

/**
 * The typed array holding a tensor's elements: Float32Array for F32 and the small floats, Float64Array for F64,
 * BigInt64Array/BigUint64Array for I64/U64, Uint8Array for BOOL and U8, and the matching integer arrays.
 */
export type TensorData = TensorDataTypes[Dtype];

/** A tensor of the one dtype D: what {@link Tensor} is for each dtype. */
export interface TensorOf<D extends Dtype> {
  dtype: D;
  /** Non-negative integers; `[]` is a scalar (one element). */
  shape: number[];
  /** The elements in C order: `shape.reduce((a, b) => a * b, 1)` of them. */
  data: TensorDataTypes[D];
  /**
   * Small float dtypes only: the raw codes. Readers always set it; writers check that it agrees with `data`
   * (the codes `data` rounds to) and throw otherwise, so stale codes are never written.
   */
  bits?: D extends keyof MinifloatBitsTypes ? MinifloatBitsTypes[D] : never;
}

/** A tensor of any dtype: a union discriminated by `dtype`, so `t.dtype === 'F32'` narrows `t.data`. */
export type Tensor<D extends Dtype = Dtype> = D extends Dtype ? TensorOf<D> : never;

/** What a writer needs to lay a tensor out before its data is at hand. */
export interface TensorSpec {
  dtype: Dtype;
  shape: readonly number[];
}

type ArrayConstructorOf = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView & {
  readonly length: number;
};

interface DtypeInfo {
  itemSize: 1 | 2 | 4 | 8;
  /** The stored elements: the data's typed array, or the codes' for a small float format. */
  Stored: ArrayConstructorOf;
  /** Small float formats: the float32 codec. */
  codec?: MinifloatCodec;
}

const INFO: Record<Dtype, DtypeInfo> = {
  BOOL: { itemSize: 1, Stored: Uint8Array },
  U8: { itemSize: 1, Stored: Uint8Array },
  I8: { itemSize: 1, Stored: Int8Array },
  F8_E5M2: { itemSize: 1, Stored: Uint8Array, codec: FLOAT8_E5M2 },
  F8_E4M3: { itemSize: 1, Stored: Uint8Array, codec: FLOAT8_E4M3 },
  I16: { itemSize: 2, Stored: Int16Array },
  U16: { itemSize: 2, Stored: Uint16Array },
  F16: { itemSize: 2, Stored: Uint16Array, codec: FLOAT16 },
  BF16: { itemSize: 2, Stored: Uint16Array, codec: BFLOAT16 },
  I32: { itemSize: 4, Stored: Int32Array },
  U32: { itemSize: 4, Stored: Uint32Array },
  F32: { itemSize: 4, Stored: Float32Array },
  F64: { itemSize: 8, Stored: Float64Array },
  I64: { itemSize: 8, Stored: BigInt64Array },
  U64: { itemSize: 8, Stored: BigUint64Array },
};

/** True for the dtype names above. */
export function isDtype(x: unknown): x is Dtype {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(INFO, x);
}

/** Bytes per element. */
export function itemSize(dtype: Dtype): 1 | 2 | 4 | 8 {
  return INFO[dtype].itemSize;
}

/** Position of the dtype in {@link DTYPES} (safetensors' alignment order). */
export function dtypeRank(dtype: Dtype): number {
  return DTYPES.indexOf(dtype);
}

/** The typed array a caller's data must be for this dtype. */
function dataConstructor(dtype: Dtype): ArrayConstructorOf {
  const info = INFO[dtype];
  return info.codec ? Float32Array : info.Stored;
}

/**
 * Checks a caller's shape (an array of non-negative safe integers, element count at most 2^53 - 1) and returns a
 * copy and its element count. Throws `TypeError` / `RangeError` naming `arg`.
 */
export function readShape(fn: string, arg: string, shape: unknown): { shape: number[]; count: number } {
  if (!Array.isArray(shape)) throw typeError(fn, arg, 'an array of non-negative integers', shape);
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw rangeError(fn, `${arg}[${i}]`, 'a non-negative integer', typeof d === 'number' ? String(d) : typeof d);
    }
    count *= d;
  }
  if (!Number.isSafeInteger(count)) throw rangeError(fn, arg, 'a shape of at most 2^53 - 1 elements', `[${shape.join(', ')}]`);
  return { shape: shape.slice() as number[], count };
}

/** Checks a caller's `{ dtype, shape }` and returns it (shape copied) with its byte length. */
export function readTensorSpec(fn: string, arg: string, spec: unknown): { dtype: Dtype; shape: number[]; byteLength: number } {
  if (typeof spec !== 'object' || spec === null) throw typeError(fn, arg, 'an object { dtype, shape }', spec);
  const { dtype, shape } = spec as { dtype: unknown; shape: unknown };
  if (!isDtype(dtype)) {
    throw rangeError(fn, `${arg}.dtype`, `one of ${DTYPES.join(', ')}`, typeof dtype === 'string' ? JSON.stringify(dtype) : typeof dtype);
  }
  const s = readShape(fn, `${arg}.shape`, shape);
  const byteLength = s.count * itemSize(dtype);
  if (!Number.isSafeInteger(byteLength)) {
    throw rangeError(fn, `${arg}.shape`, 'a tensor of at most 2^53 - 1 bytes', `[${s.shape.join(', ')}]`);
  }
  return { dtype, shape: s.shape, byteLength };
}

/**
 * The little-endian bytes of a caller's tensor whose `{ dtype, shape }` was checked already (`spec`, by
 * {@link readTensorSpec}), after checking the rest: `data` of the dtype's typed array (`Float32Array` for the small
 * float formats) with one element per shape entry product, `BOOL` data of 0s and 1s, and `bits`, when given, equal
 * to the codes of `data`. The result is a view of `data` when no conversion is needed (do not modify the data
 * before it is written). Throws `TypeError` / `RangeError` naming `${arg}.data` (or `dataArg`) and `${arg}.bits`.
 */
export function elementBytes(
  fn: string,
  arg: string,
  spec: { dtype: Dtype; shape: readonly number[] },
  tensor: Tensor,
  dataArg = `${arg}.data`,
): Uint8Array {
  const { dtype } = spec;
  const info = INFO[dtype];
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const data: unknown = tensor.data;
  const Data = dataConstructor(dtype);
  if (!(data instanceof Data)) throw typeError(fn, dataArg, `a ${Data.name} for dtype ${dtype}`, data);
  if (data.length !== count) {
    throw rangeError(fn, dataArg, `of length ${count} (the product of shape [${spec.shape.join(', ')}])`, `length ${data.length}`);
  }
  if (dtype === 'BOOL') {
    const b = data as Uint8Array;
    for (let i = 0; i < b.length; i++) {
      if (b[i] > 1) throw rangeError(fn, dataArg, '0 or 1 everywhere (BOOL)', `${b[i]} at index ${i}`);
    }
  }
  let stored: ArrayBufferView;
  if (info.codec) {
    const codes = info.codec.encode(data as Float32Array);
    if (tensor.bits !== undefined) assertBitsAgree(fn, arg, info, codes, tensor.bits);
    stored = codes;
  } else {
    if (tensor.bits !== undefined) throw typeError(fn, `${arg}.bits`, `absent for dtype ${dtype}`, tensor.bits);
    stored = data as ArrayBufferView;
  }
  if (HOST_LITTLE_ENDIAN || info.itemSize === 1) return bytesOf(stored);
  const copy = bytesOf(stored).slice();
  swapBytesInPlace(copy, info.itemSize);
  return copy;
}

type Codes = ArrayBufferView & ArrayLike<number>;

function assertBitsAgree(fn: string, arg: string, info: DtypeInfo, codes: Codes, bits: unknown): void {
  if (!(bits instanceof info.Stored)) throw typeError(fn, `${arg}.bits`, `a ${info.Stored.name}`, bits);
  const b = bits as unknown as ArrayLike<number>;
  if (b.length !== codes.length) throw rangeError(fn, `${arg}.bits`, `of length ${codes.length} (as data)`, `length ${b.length}`);
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== codes[i]) {
      throw rangeError(
        fn,
        `${arg}.bits`,
        'the codes of data (stale bits? delete them to write data)',
        `0x${b[i].toString(16)} at index ${i} where data rounds to 0x${codes[i].toString(16)}`,
      );
    }
  }
}

/**
 * A tensor over freshly read little-endian (or, with `littleEndian = false`, big-endian) bytes that the caller
 * owns and hands over: `raw` must start at a byte offset that is a multiple of the item size and hold exactly the
 * shape's elements. Integer and float32/float64 data are views of `raw`'s buffer (no copy; the bytes are swapped
 * in place first when their order is not the host's); small floats are decoded into a new `Float32Array`, with
 * `bits` a view of `raw`. `BOOL` bytes other than 0 and 1 throw `CorruptDataError(fn, where ...)`.
 */
export function decodeTensor(
  fn: string,
  where: string,
  dtype: Dtype,
  shape: number[],
  raw: Uint8Array,
  littleEndian = true,
): Tensor {
  const info = INFO[dtype];
  if (littleEndian !== HOST_LITTLE_ENDIAN && info.itemSize > 1) swapBytesInPlace(raw, info.itemSize);
  const stored = new info.Stored(raw.buffer, raw.byteOffset, raw.byteLength / info.itemSize);
  if (dtype === 'BOOL') {
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] > 1) throw new CorruptDataError(fn, `${where}: BOOL element ${i} is ${raw[i]}, not 0 or 1`);
    }
  }
  if (info.codec) {
    const bits = stored as Uint8Array | Uint16Array;
    return { dtype, shape, data: info.codec.decode(bits), bits } as Tensor;
  }
  return { dtype, shape, data: stored } as Tensor;
}
