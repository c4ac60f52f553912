/**
 * safetensors files in memory: bytes in, tensors out, and back. (Paths, one-tensor-at-a-time reads and files
 * larger than memory are the Node entry's: `openSafetensors`, `createSafetensorsWriter`.)
 */
import { typeError } from '../errors/index.js';
import { copyBytes } from './bytes.js';
import { LENGTH_BYTES, namedEntries, parseHeader, planFile, readHeaderLength } from './safetensors-header.js';
import { decodeTensor, elementBytes, type Tensor } from './tensor.js';

/** The tensors and metadata of a safetensors file. */
export interface Safetensors {
  /** The tensors by name, in file order (by offset). */
  tensors: Map<string, Tensor>;
  /** The header's `__metadata__` strings (`{}` when absent). */
  metadata: Record<string, string>;
}

/**
 * Reads a whole safetensors file: the 8-byte little-endian header length, the JSON header, and every tensor, each
 * copied out of `bytes` into its own buffer (nothing returned shares memory with `bytes`).
 *
 * Validation follows the format's Rust implementation: header length at most 100 MB and inside the file; header
 * valid UTF-8 JSON starting with "{" (trailing spaces allowed), with no repeated key; `__metadata__` an object of
 * strings; every tensor a known dtype, a shape of non-negative integers, `data_offsets` [begin, end] with
 * end - begin = elements x item size; the tensors' ranges tiling the data region exactly (no overlap, no gap);
 * `BOOL` bytes 0 or 1. Nothing is allocated from a size before the size is checked against the file.
 *
 * Throws `TypeError` when `bytes` is not a `Uint8Array`, and `CorruptDataError` naming the file part, tensor and
 * field (`readSafetensors: corrupt data: tensor "w" field "data_offsets": ...`) for anything else; never returns a
 * partial result. Cost: one copy of the data, plus decoding for F16/BF16/F8 tensors.
 *
 * @example
 * const { tensors, metadata } = readSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * const w = tensors.get('model.layers.0.mlp.up_proj.weight'); // { dtype: 'BF16', shape: [11008, 4096], data, bits }
 */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  const fn = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, 'bytes', 'a Uint8Array', bytes);
  const n = readHeaderLength(fn, bytes, bytes.length);
  const header = parseHeader(fn, bytes.subarray(LENGTH_BYTES, LENGTH_BYTES + n), bytes.length);
  const tensors = new Map<string, Tensor>();
  for (const e of header.entries) {
    const raw = copyBytes(bytes, header.dataStart + e.begin, header.dataStart + e.end);
    tensors.set(e.name, decodeTensor(fn, `tensor ${JSON.stringify(e.name)}`, e.dtype, e.shape, raw));
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Writes tensors and optional metadata as a safetensors file. `tensors` is a `Map` or an object of tensors by name,
 * each `{ dtype, shape, data }` with `data` the dtype's typed array in C order (`Float32Array` for F16, BF16 and
 * F8, rounded to nearest even; `BigInt64Array` / `BigUint64Array` for I64 / U64; a `Uint8Array` of 0/1 for BOOL).
 * A tensor may carry the `bits` a reader gave it: they must then be the codes its `data` rounds to.
 *
 * Layout (deterministic, the Rust crate's): tensors ordered by dtype alignment (8-byte types first) then by name,
 * so each tensor starts at a multiple of its item size; data contiguous; the JSON header compact, `__metadata__`
 * first with sorted keys, padded with spaces to a multiple of 8 bytes. `readSafetensors(writeSafetensors(t))`
 * gives back `t` bit for bit (NaN payloads included).
 *
 * Throws `TypeError` / `RangeError` naming the argument (`writeSafetensors: tensors["w"].data must be of length
 * 6 (the product of shape [2, 3]), got length 5`). Cost: one copy of the data (plus encoding of small floats).
 *
 * @example
 * const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }, { format: 'pt' });
 */
export function writeSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const fn = 'writeSafetensors';
  const plan = planFile(fn, 'tensors', tensors, metadata);
  const byName = new Map(namedEntries(fn, 'tensors', tensors));
  // encode everything before allocating the output, so a bad tensor fails fast
  const encoded = plan.entries.map((e) => elementBytes(fn, `tensors[${JSON.stringify(e.name)}]`, e, byName.get(e.name) as Tensor));
  const out = new Uint8Array(plan.fileLength);
  out.set(plan.head, 0);
  plan.entries.forEach((e, i) => out.set(encoded[i], plan.head.length + e.begin));
  return out;
}
