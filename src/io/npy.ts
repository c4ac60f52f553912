/**
 * numpy's `.npy` format in memory: format versions 1.0, 2.0 and 3.0, the numeric and bool dtypes in either byte
 * order, C and Fortran order.
 *
 * File layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (2 bytes little-endian in
 * version 1, 4 bytes in versions 2 and 3), the header (a Python dict literal, latin-1 in versions 1 and 2, UTF-8
 * in version 3, see npy-header.ts), then the elements.
 */
import { CorruptDataError, rangeError, typeError } from '../errors/index.js';
import { copyBytes, readU16, readU32 } from './bytes.js';
import { formatNpyHeader, parseNpyHeader } from './npy-header.js';
import { decodeTensor, elementBytes, itemSize, readShape, type Dtype, type Tensor, type TensorData } from './tensor.js';

/** A `.npy` array: a tensor (always in C order) and how the file stored it. */
export type Npy = Tensor & {
  /** True when the file stored the array in Fortran (column-major) order; `data` is in C order regardless. */
  fortranOrder: boolean;
  /** The file's dtype string, e.g. `'<f4'` or `'>i8'` (`data` is in the host's byte order regardless). */
  descr: string;
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy type codes (kind + item size) of the dtypes `.npy` can hold. */
const NPY_CODES: Partial<Record<Dtype, string>> = {
  BOOL: 'b1',
  U8: 'u1',
  I8: 'i1',
  I16: 'i2',
  U16: 'u2',
  F16: 'f2',
  I32: 'i4',
  U32: 'u4',
  F32: 'f4',
  F64: 'f8',
  I64: 'i8',
  U64: 'u8',
};
const DTYPE_OF_CODE = new Map(Object.entries(NPY_CODES).map(([d, c]) => [c as string, d as Dtype]));

/** The dtype and byte order of a descr such as `'<f4'`, `'>i2'` or `'|b1'`. */
function readDescr(fn: string, descr: string): { dtype: Dtype; littleEndian: boolean } {
  const dtype = DTYPE_OF_CODE.get(descr.slice(1));
  const order = descr[0];
  if (descr.length !== 3 || dtype === undefined || !'<>|'.includes(order) || (order === '|' && itemSize(dtype) > 1)) {
    throw new CorruptDataError(
      fn,
      `header: unsupported dtype ${JSON.stringify(descr)} ` +
        '(supported: <f2 <f4 <f8 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8 |b1, and > for big-endian)',
    );
  }
  return { dtype, littleEndian: order !== '>' };
}

/**
 * Reads a `.npy` file (format version 1.0, 2.0 or 3.0). Dtypes: `<f2` (decoded to `Float32Array` with the raw
 * codes in `bits`), `<f4`, `<f8`, `i1 u1 i2 u2 i4 u4`, `i8 u8` (as `BigInt64Array` / `BigUint64Array`), `|b1`
 * (a `Uint8Array` of 0/1); big-endian files (`>f4`, ...) are converted to the host's byte order. Fortran-order
 * files are transposed: `data` is always in C (row-major) order, and `fortranOrder` tells how the file stored it.
 * `dtype` uses safetensors' names (`F32`, `I64`, ...) so the result can be written with `writeSafetensors`.
 *
 * Throws `TypeError` when `bytes` is not a `Uint8Array`; `CorruptDataError` for bad magic, an unknown version, a
 * header length beyond the file, a header outside the dict grammar (it is parsed, never evaluated), an unsupported
 * dtype, data shorter or longer than the shape needs, or bool bytes other than 0 and 1. The result never shares
 * memory with `bytes`. Cost: one copy of the data (two for big-endian or Fortran order files).
 *
 * @example
 * const a = readNpy(bytes); // { dtype: 'F32', shape: [3, 4], data: Float32Array(12), fortranOrder: false, descr: '<f4' }
 */
export function readNpy(bytes: Uint8Array): Npy {
  return parseNpy('readNpy', bytes);
}

/** {@link readNpy} under the caller's function name (readNpz reports errors as its own). */
export function parseNpy(fn: string, bytes: Uint8Array, where = ''): Npy {
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, 'bytes', 'a Uint8Array', bytes);
  const fail = (what: string): never => {
    throw new CorruptDataError(fn, `${where}${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('magic: not a .npy file (it must start with "\\x93NUMPY")');
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) fail(`version: ${major}.${minor} is not a .npy format version (1.0, 2.0, 3.0)`);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail(`header length: the file ends after ${bytes.length} bytes`);
  const headerLength = major === 1 ? readU16(bytes, 8) : readU32(bytes, 8);
  if (headerLength > bytes.length - prefix) fail(`header length: ${headerLength} bytes, but only ${bytes.length - prefix} follow`);
  const headerBytes = bytes.subarray(prefix, prefix + headerLength);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('header: not valid UTF-8');
  }
  const header = parseNpyHeader(fn, text);
  const { dtype, littleEndian } = readDescr(fn, header.descr);
  const { shape } = header;
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * itemSize(dtype);
  const dataStart = prefix + headerLength;
  const present = bytes.length - dataStart;
  if (!Number.isSafeInteger(byteLength) || byteLength !== present) {
    fail(`data: shape [${shape.join(', ')}] of ${header.descr} takes ${byteLength} bytes, but ${present} follow the header`);
  }
  const stored = copyBytes(bytes, dataStart, bytes.length);
  const raw = header.fortranOrder ? fortranToC(stored, shape, itemSize(dtype)) : stored;
  const tensor = decodeTensor(fn, `${where}data`, dtype, shape, raw, littleEndian);
  return { ...tensor, fortranOrder: header.fortranOrder, descr: header.descr };
}

/**
 * Reorders `raw`, the elements of an array of `shape` in Fortran order, into C order (a new buffer, or `raw` when
 * the orders agree). Whole items move, so the byte order does not matter; they move as integers, so NaN payloads
 * are kept. Cost: one pass with an index odometer.
 */
function fortranToC(raw: Uint8Array<ArrayBuffer>, shape: readonly number[], size: number): Uint8Array {
  const rank = shape.length;
  if (shape.filter((d) => d > 1).length < 2) return raw; // at most one axis longer than 1: the orders agree
  const Word = size === 1 ? Uint8Array : size === 2 ? Uint16Array : Uint32Array;
  const words = size === 8 ? 2 : 1;
  const src = new Word(raw.buffer, raw.byteOffset, raw.byteLength / Word.BYTES_PER_ELEMENT);
  const dst = new Word(src.length);
  const stride: number[] = []; // Fortran strides, in items
  for (let j = 0, s = 1; j < rank; j++) {
    stride.push(s);
    s *= shape[j];
  }
  const index = new Array<number>(rank).fill(0);
  const count = src.length / words;
  for (let c = 0, f = 0; c < count; c++) {
    for (let w = 0; w < words; w++) dst[c * words + w] = src[f * words + w];
    for (let j = rank - 1; j >= 0; j--) {
      f += stride[j];
      if (++index[j] < shape[j]) break;
      f -= stride[j] * shape[j];
      index[j] = 0;
    }
  }
  return new Uint8Array(dst.buffer);
}

/** The dtype of a typed array when no `dtype` option is given. */
const DEFAULT_DTYPES: [new (n: number) => TensorData, Dtype][] = [
  [Float32Array, 'F32'],
  [Float64Array, 'F64'],
  [Int8Array, 'I8'],
  [Uint8Array, 'U8'],
  [Int16Array, 'I16'],
  [Uint16Array, 'U16'],
  [Int32Array, 'I32'],
  [Uint32Array, 'U32'],
  [BigInt64Array, 'I64'],
  [BigUint64Array, 'U64'],
];

/** Options of `writeNpy` (and `writeNpyFile` of `quipsharp/node`). */
export interface WriteNpyOptions {
  /**
   * The file's dtype when it is not the data's own: `'F16'` for a `Float32Array` (rounded to nearest even, written
   * `<f2`) or `'BOOL'` for a `Uint8Array` of 0/1 (`|b1`). Default: from the typed array (`Float32Array` -> `<f4`,
   * `BigInt64Array` -> `<i8`, ...).
   */
  dtype?: Dtype;
}

/**
 * Writes `data` (C order) of `shape` as a `.npy` file: little-endian, C order, format version 1.0 (2.0 if the
 * header would not fit in 65535 bytes), the header byte for byte as numpy writes it (so `np.load` reads it and
 * `np.save` of the same array gives the same bytes).
 *
 * Throws `TypeError` for data that is not one of the typed arrays above (or not the one `options.dtype` needs) and
 * `RangeError` for a shape that is not an array of non-negative integers whose product is `data.length`, a dtype
 * `.npy` cannot hold (BF16, F8), or BOOL data other than 0/1. Cost: one copy of the data.
 *
 * @example
 * const bytes = writeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 */
export function writeNpy(data: TensorData, shape: readonly number[], options: WriteNpyOptions = {}): Uint8Array {
  const fn = 'writeNpy';
  const s = readShape(fn, 'shape', shape);
  const inferred = DEFAULT_DTYPES.find(([T]) => data instanceof T)?.[1];
  if (inferred === undefined) throw typeError(fn, 'data', 'a Float32Array, Float64Array, integer or BigInt typed array', data);
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object', options);
  const dtype = options.dtype ?? inferred;
  const code = NPY_CODES[dtype];
  if (code === undefined) {
    throw rangeError(fn, 'options.dtype', `a dtype .npy can hold (${Object.keys(NPY_CODES).join(', ')})`, String(dtype));
  }
  const body = elementBytes(fn, 'tensor', { dtype, shape: s.shape }, { dtype, shape: s.shape, data } as Tensor, 'data');
  const head = formatNpyHeader(`${itemSize(dtype) === 1 ? '|' : '<'}${code}`, s.shape);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
