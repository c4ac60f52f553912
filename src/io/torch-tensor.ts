/**
 * Tensors of a `torch.save` file: torch's storage types as this folder's dtypes, and the dense C-order copy of a
 * (possibly strided) view out of its storage's bytes.
 */
import { isDtype, type Dtype, type Tensor } from './tensor.js';

/** torch's storage classes (`torch.FloatStorage`, ...), as the pickle's persistent ids name them, by dtype. */
export const STORAGE_DTYPES: ReadonlyMap<string, Dtype> = new Map<string, Dtype>([
  ['DoubleStorage', 'F64'],
  ['FloatStorage', 'F32'],
  ['HalfStorage', 'F16'],
  ['BFloat16Storage', 'BF16'],
  ['LongStorage', 'I64'],
  ['IntStorage', 'I32'],
  ['ShortStorage', 'I16'],
  ['CharStorage', 'I8'],
  ['ByteStorage', 'U8'],
  ['BoolStorage', 'BOOL'],
]);

/**
 * True when `v` is a tensor in this folder's form `{ dtype, shape, data }` (a pickled dict can never hold a typed
 * array, so in readTorchFile's results this tells tensors from dicts). O(1); never throws.
 *
 * @example
 * const sd = readTorchFile(bytes) as Record<string, TorchValue>;
 * for (const [k, v] of Object.entries(sd)) if (isTensor(v)) console.log(k, v.dtype, v.shape);
 */
export function isTensor(v: unknown): v is Tensor {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { dtype?: unknown; shape?: unknown; data?: unknown };
  return isDtype(t.dtype) && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/**
 * The bytes of the view (offset, shape, strides in elements of `itemSize` bytes) of `storage`, gathered into a new
 * buffer in C order, bytes within each element untouched (byte order is the decoder's business). The caller has
 * checked that every address lies inside the storage. O(number of elements).
 */
export function gatherViewBytes(
  storage: Uint8Array,
  itemSize: number,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): Uint8Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(numel * itemSize);
  if (numel === 0) return out;
  let contiguous = true;
  for (let d = shape.length - 1, step = 1; d >= 0; step *= shape[d], d--) if (shape[d] !== 1 && strides[d] !== step) contiguous = false;
  if (contiguous) {
    out.set(storage.subarray(offset * itemSize, (offset + numel) * itemSize));
    return out;
  }
  // Elements move as 1, 2 or 4-byte units (8-byte elements as two 4-byte units: exact, NaN payloads included).
  const unit = Math.min(itemSize, 4);
  const width = itemSize / unit;
  const Units = unit === 1 ? Uint8Array : unit === 2 ? Uint16Array : Uint32Array;
  const src = storage.byteOffset % unit === 0 ? storage : storage.slice();
  const s = new Units(src.buffer as ArrayBuffer, src.byteOffset, src.byteLength / unit);
  const o = new Units(out.buffer);
  // An odometer over the outer dimensions; the innermost one is a strided run.
  const rank = shape.length;
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1] * width;
  const index = new Array<number>(rank).fill(0);
  for (let at = 0, base = offset * width; ; ) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) for (let w = 0; w < width; w++) o[at++] = s[p + w];
    let d = rank - 2;
    for (; d >= 0; d--) {
      base += strides[d] * width;
      if (++index[d] < shape[d]) break;
      base -= strides[d] * width * shape[d];
      index[d] = 0;
    }
    if (d < 0) return out;
  }
}
