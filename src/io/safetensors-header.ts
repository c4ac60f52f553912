/**
 * The safetensors header: reading and validating it (as the format's reference implementation, the `safetensors`
 * Rust crate, does, and a little stricter), and laying out a new one. Shared by the in-memory reader and writer and
 * by the Node entry's streaming reader and writer, which is why it never touches tensor data.
 *
 * File layout: `n` (unsigned 64-bit little-endian), then `n` bytes of UTF-8 JSON, then the data region. The JSON is
 * an object mapping each tensor name to `{ "dtype", "shape", "data_offsets": [begin, end] }` (offsets relative to
 * the data region), plus an optional `"__metadata__"` object of strings. The tensors' byte ranges must tile the data
 * region exactly: no overlap, no gap, nothing after the last.
 */
import { CorruptDataError, rangeError, typeError } from '../errors/index.js';
import { readU64, writeU64 } from './bytes.js';
import { describeJson, parseJson, type JsonObject, type JsonValue } from './json.js';
import { DTYPES, dtypeRank, isDtype, itemSize, readTensorSpec, type Dtype } from './tensor.js';

/** Headers longer than this are refused (the Rust crate's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes before the JSON header: its length. */
export const LENGTH_BYTES = 8;

/** One tensor of a safetensors header. */
export interface SafetensorsEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Offset of the first byte in the data region. */
  begin: number;
  /** Offset after the last byte in the data region. */
  end: number;
}

/** A validated header: where the data region is and what it holds. */
export interface SafetensorsHeader {
  /** The tensors in file order (by offset). */
  entries: SafetensorsEntry[];
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
  /** Offset of the data region in the file: 8 + the JSON header's length. */
  dataStart: number;
}

/**
 * Reads the 8-byte header length at the start of a file of `fileLength` bytes and checks it: at most
 * {@link MAX_HEADER_BYTES}, and the header inside the file. `first` holds at least the first
 * `min(8, fileLength)` bytes. Returns the header's length in bytes. Throws `CorruptDataError(fn, 'header length: ...')`.
 */
export function readHeaderLength(fn: string, first: Uint8Array, fileLength: number, file = ''): number {
  const fail = failure(fn, file);
  if (fileLength < LENGTH_BYTES) fail(`header length: the file is ${fileLength} bytes, shorter than the 8-byte header length`);
  const n = readU64(first, 0);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length: ${n} bytes exceeds the limit of ${MAX_HEADER_BYTES}`);
  const rest = fileLength - LENGTH_BYTES;
  if (Number(n) > rest) fail(`header length: ${n} bytes, but only ${rest} follow the length`);
  return Number(n);
}

type Fail = (what: string) => never;

/** Throws `CorruptDataError(fn, file + what)`; `file` names the file ("model.safetensors: ") or is empty. */
function failure(fn: string, file: string): Fail {
  return (what) => {
    throw new CorruptDataError(fn, `${file}${what}`);
  };
}

/**
 * Parses and validates the JSON header (`json`: the `n` bytes after the length) of a file of `fileLength` bytes.
 * Checks, each failure a `CorruptDataError(fn, ...)` naming the part, the tensor and the field: valid UTF-8; starts
 * with "{"; valid JSON with no repeated key; `__metadata__` an object of strings; each tensor an object whose
 * `dtype` is supported, `shape` an array of non-negative integers, `data_offsets` two integers with begin <= end;
 * end - begin = elements x item size; the tensors tile the data region exactly. Unknown fields of a tensor entry
 * are ignored (as the Rust crate does). `file` prefixes the messages. Cost: linear in the header plus a sort.
 */
export function parseHeader(fn: string, json: Uint8Array, fileLength: number, file = ''): SafetensorsHeader {
  const fail = failure(fn, file);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(json);
  } catch {
    fail('header: not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header: must start with "{", got ${JSON.stringify(text.slice(0, 10))}`);
  const root = parseJson(fn, `${file}header`, text) as JsonObject;
  const dataStart = LENGTH_BYTES + json.length;
  const dataLength = fileLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') metadata = readMetadata(fail, value);
    else entries.push(readEntry(fail, name, value, dataLength));
  }
  checkTiling(fail, entries, dataLength);
  return { entries, metadata, dataStart };
}

function readMetadata(fail: Fail, value: JsonValue): Record<string, string> {
  if (!(value instanceof Map)) {
    fail(`header: "__metadata__" must be an object of strings, got ${describeJson(value)}`);
  }
  for (const [k, v] of value) {
    if (typeof v !== 'string') {
      fail(`header: "__metadata__" entry ${JSON.stringify(k)} must be a string, got ${describeJson(v)}`);
    }
  }
  return Object.fromEntries(value) as Record<string, string>;
}

/** A non-negative integer literal at most 2^53 - 1, else a CorruptDataError naming the tensor's field. */
function readIndex(fail: Fail, where: string, v: JsonValue): number {
  if (typeof v !== 'bigint' || v < 0n) fail(`${where} must be a non-negative integer, got ${describeJson(v)}`);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${where} is ${v}, beyond 2^53 - 1`);
  return Number(v);
}

function readEntry(fail: Fail, name: string, value: JsonValue, dataLength: number): SafetensorsEntry {
  const tensor = `tensor ${JSON.stringify(name)}`;
  if (!(value instanceof Map)) {
    fail(`${tensor}: must be an object { dtype, shape, data_offsets }, got ${describeJson(value)}`);
  }
  const field = (key: string): JsonValue => {
    const v = value.get(key);
    if (v === undefined) fail(`${tensor} field "${key}": missing`);
    return v;
  };

  const dtype = field('dtype');
  if (typeof dtype !== 'string') fail(`${tensor} field "dtype": must be a string, got ${describeJson(dtype)}`);
  if (!isDtype(dtype)) {
    fail(`${tensor} field "dtype": unsupported dtype ${JSON.stringify(dtype)} (supported: ${DTYPES.join(', ')})`);
  }

  const shapeValue = field('shape');
  if (!Array.isArray(shapeValue)) {
    fail(`${tensor} field "shape": must be an array of non-negative integers, got ${describeJson(shapeValue)}`);
  }
  const shape = shapeValue.map((d, i) => readIndex(fail, `${tensor} field "shape": entry ${i}`, d));

  const offsets = field('data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    fail(`${tensor} field "data_offsets": must be an array [begin, end], got ${describeJson(offsets)}`);
  }
  const begin = readIndex(fail, `${tensor} field "data_offsets": begin`, offsets[0]);
  const end = readIndex(fail, `${tensor} field "data_offsets": end`, offsets[1]);
  if (end < begin) fail(`${tensor} field "data_offsets": end ${end} is before begin ${begin}`);
  if (end > dataLength) fail(`${tensor} field "data_offsets": end ${end} is beyond the data region (${dataLength} bytes)`);
  // exact: a shape entry may exceed 2^53 when another is 0, and the product may overflow float64
  const bytes = shape.reduce((p, d) => p * BigInt(d), BigInt(itemSize(dtype)));
  if (bytes !== BigInt(end - begin)) {
    const needs = `${dtype} of shape [${shape.join(', ')}] takes ${bytes}`;
    fail(`${tensor} field "data_offsets": [${begin}, ${end}] spans ${end - begin} bytes, but ${needs}`);
  }
  return { name, dtype, shape, begin, end };
}

/** Sorts the entries by offset and checks that they tile [0, dataLength) exactly. */
function checkTiling(fail: Fail, entries: SafetensorsEntry[], dataLength: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: SafetensorsEntry | undefined;
  for (const e of entries) {
    if (e.begin < at) {
      const p = previous as SafetensorsEntry;
      const other = `tensor ${JSON.stringify(p.name)} [${p.begin}, ${p.end}]`;
      fail(`tensor ${JSON.stringify(e.name)} field "data_offsets": [${e.begin}, ${e.end}] overlaps ${other}`);
    }
    if (e.begin > at) {
      const after = previous ? `after tensor ${JSON.stringify(previous.name)}` : 'at the start of the data region';
      fail(`data: bytes [${at}, ${e.begin}) ${after} belong to no tensor (a gap before tensor ${JSON.stringify(e.name)})`);
    }
    at = e.end;
    previous = e;
  }
  if (at !== dataLength) fail(`data: bytes [${at}, ${dataLength}) after the last tensor belong to no tensor`);
}

/** A tensor's name, dtype and shape for laying out a new file. */
export interface PlannedEntry extends SafetensorsEntry {
  byteLength: number;
}

/** A new file's layout: the bytes before the data region, then each tensor's range in it. */
export interface SafetensorsPlan {
  /** The 8-byte length, then the JSON header padded with spaces to a multiple of 8 bytes. */
  head: Uint8Array;
  /** The tensors in file order, with their offsets in the data region. */
  entries: PlannedEntry[];
  /** Total file length in bytes: head + data region. */
  fileLength: number;
}

/**
 * The `[name, value]` pairs of a `Map` with string keys or of a plain object's own enumerable properties.
 * Throws `TypeError` for anything else.
 */
export function namedEntries(fn: string, arg: string, tensors: unknown): [string, unknown][] {
  if (tensors instanceof Map) return [...tensors.entries()] as [string, unknown][];
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors) || ArrayBuffer.isView(tensors)) {
    throw typeError(fn, arg, 'a Map or an object of tensors by name', tensors);
  }
  return Object.entries(tensors);
}

/**
 * Lays out a file for `tensors` (a `Map` or object of `{ dtype, shape }` by name) and `metadata`, after checking
 * them (names: strings other than `__metadata__` without lone surrogates; metadata: an object of strings): tensors ordered as the
 * Rust crate orders them, by dtype alignment (largest first, see DTYPES) then by name (code point order), so every
 * tensor starts at a multiple of its item size; metadata keys sorted. The JSON is written compactly, fields in the
 * order dtype, shape, data_offsets, `__metadata__` first. Throws `TypeError` / `RangeError` naming `arg`.
 */
export function planFile(fn: string, arg: string, tensors: unknown, metadata: unknown, metaArg = 'metadata'): SafetensorsPlan {
  const planned: PlannedEntry[] = [];
  for (const [name, spec] of namedEntries(fn, arg, tensors)) {
    checkName(fn, arg, name);
    const s = readTensorSpec(fn, `${arg}[${JSON.stringify(name)}]`, spec);
    planned.push({ name, dtype: s.dtype, shape: s.shape, begin: 0, end: 0, byteLength: s.byteLength });
  }
  planned.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareCodePoints(a.name, b.name));
  let at = 0;
  for (const e of planned) {
    e.begin = at;
    at += e.byteLength;
    e.end = at;
  }
  if (!Number.isSafeInteger(at)) throw rangeError(fn, arg, 'tensors of at most 2^53 - 1 bytes in all', `${at} bytes`);

  const meta = readMetadataArg(fn, metaArg, metadata);
  const parts: string[] = [];
  if (meta.length > 0) {
    parts.push(`"__metadata__":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  for (const e of planned) {
    const info = `"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${e.begin},${e.end}]`;
    parts.push(`${JSON.stringify(e.name)}:{${info}}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) throw rangeError(fn, arg, `a header of at most ${MAX_HEADER_BYTES} bytes`, `${padded} bytes`);
  const head = new Uint8Array(LENGTH_BYTES + padded).fill(0x20, LENGTH_BYTES + json.length);
  writeU64(head, 0, padded);
  head.set(json, LENGTH_BYTES);
  return { head, entries: planned, fileLength: head.length + at };
}

function checkName(fn: string, arg: string, name: unknown): void {
  if (typeof name !== 'string') throw typeError(fn, `${arg} key`, 'a string', name);
  if (name === '__metadata__' || /\p{Surrogate}/u.test(name)) {
    throw rangeError(fn, `${arg} key`, 'a tensor name other than "__metadata__", without lone surrogates', JSON.stringify(name));
  }
}

function readMetadataArg(fn: string, arg: string, metadata: unknown): [string, string][] {
  if (metadata === undefined) return [];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw typeError(fn, arg, 'an object of strings', metadata);
  }
  const entries = Object.entries(metadata);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw typeError(fn, `${arg}[${JSON.stringify(k)}]`, 'a string', v);
    if (/\p{Surrogate}/u.test(k) || /\p{Surrogate}/u.test(v)) {
      throw rangeError(fn, `${arg}[${JSON.stringify(k)}]`, 'a string without lone surrogates', 'one');
    }
  }
  return entries.sort(([a], [b]) => compareCodePoints(a, b));
}

/** Orders strings by code point (= UTF-8 byte order, as Rust sorts strings), not by UTF-16 unit as `<` does. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
