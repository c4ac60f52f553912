/**
 * Lazy safetensors reading from a file: the header is read and validated once, then each tensor is read on demand
 * from its own byte range, so a file far larger than memory can be processed one tensor at a time.
 */
import { constants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { CorruptDataError, rangeError, typeError } from '../errors/index.js';
import {
  decodeTensor,
  LENGTH_BYTES,
  parseHeader,
  readHeaderLength,
  type Dtype,
  type Safetensors,
  type SafetensorsEntry,
  type Tensor,
} from '../io/index.js';
import { assertPath } from './atomic.js';
import { readInto } from './file-io.js';

/** Where a tensor is and what it holds, from the header alone. */
export interface SafetensorsTensorInfo {
  dtype: Dtype;
  shape: number[];
  /** The file holding it. */
  file: string;
  /** Offset of its first byte in that file. */
  byteOffset: number;
  byteLength: number;
}

/** Tensors that can be listed and read one at a time: a safetensors file or a sharded model. */
export interface SafetensorsSource {
  /** The tensor names, in file order (for a model: the index's order). */
  names(): string[];
  has(name: string): boolean;
  /** Dtype, shape and location of a tensor. Throws `RangeError` for an unknown name. */
  info(name: string): SafetensorsTensorInfo;
  /** Reads and decodes one tensor (only its byte range), as `readSafetensors` would return it. */
  read(name: string): Promise<Tensor>;
  /** Reads one tensor's raw little-endian bytes, for copying it to another file byte for byte. */
  readRaw(name: string): Promise<Uint8Array>;
  /** Closes the file(s). Later reads throw `RangeError`; closing again does nothing. */
  close(): Promise<void>;
}

/** An open safetensors file. */
export interface SafetensorsReader extends SafetensorsSource {
  readonly path: string;
  /** The header's `__metadata__` strings (`{}` when absent). */
  readonly metadata: Record<string, string>;
}

/** The reader behind {@link openSafetensors}; its `*As` methods report errors under the caller's function name. */
export class FileReader implements SafetensorsReader {
  private closed = false;
  private readonly byName: Map<string, SafetensorsEntry>;

  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly entries: SafetensorsEntry[],
    private readonly dataStart: number,
    readonly metadata: Record<string, string>,
  ) {
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    return this.infoAs('SafetensorsReader.info', name);
  }

  read(name: string): Promise<Tensor> {
    return this.readAs('SafetensorsReader.read', name);
  }

  readRaw(name: string): Promise<Uint8Array> {
    return this.readRawAs('SafetensorsReader.readRaw', name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  infoAs(fn: string, name: string): SafetensorsTensorInfo {
    const e = this.entry(fn, name);
    const byteOffset = this.dataStart + e.begin;
    return { dtype: e.dtype, shape: e.shape.slice(), file: this.path, byteOffset, byteLength: e.end - e.begin };
  }

  async readAs(fn: string, name: string): Promise<Tensor> {
    const e = this.entry(fn, name);
    const raw = await this.bytesOf(fn, e);
    return decodeTensor(fn, `${this.path}: tensor ${JSON.stringify(name)}`, e.dtype, e.shape.slice(), raw);
  }

  async readRawAs(fn: string, name: string): Promise<Uint8Array> {
    return this.bytesOf(fn, this.entry(fn, name));
  }

  private entry(fn: string, name: string): SafetensorsEntry {
    if (typeof name !== 'string') throw typeError(fn, 'name', 'a string', name);
    if (this.closed) throw rangeError(fn, 'the reader', 'open', 'closed');
    const e = this.byName.get(name);
    if (e === undefined) throw rangeError(fn, 'name', `a tensor of ${this.path}`, JSON.stringify(name));
    return e;
  }

  /** The tensor's bytes in a new buffer (offset 0, so aligned for any typed array view). */
  private async bytesOf(fn: string, e: SafetensorsEntry): Promise<Uint8Array> {
    if (e.end - e.begin > constants.MAX_LENGTH) {
      const limit = `a tensor of at most ${constants.MAX_LENGTH} bytes (the largest typed array here)`;
      throw rangeError(fn, 'name', limit, `${JSON.stringify(e.name)} of ${e.end - e.begin} bytes`);
    }
    const raw = new Uint8Array(e.end - e.begin);
    const got = await readInto(this.fh, raw, this.dataStart + e.begin);
    if (got !== raw.length) {
      const short = raw.length - got;
      const where = `${this.path}: tensor ${JSON.stringify(e.name)}`;
      throw new CorruptDataError(fn, `${where}: the file ends ${short} bytes early (truncated since it was opened?)`);
    }
    return raw;
  }
}

/** {@link openSafetensors} under the caller's function name. */
export async function openReader(fn: string, path: string): Promise<FileReader> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const first = new Uint8Array(Math.min(LENGTH_BYTES, size));
    await readInto(fh, first, 0);
    const n = readHeaderLength(fn, first, size, `${path}: `);
    const json = new Uint8Array(n);
    if ((await readInto(fh, json, LENGTH_BYTES)) !== n) {
      throw new CorruptDataError(fn, `${path}: header: the file ended while reading it`);
    }
    const header = parseHeader(fn, json, size, `${path}: `);
    return new FileReader(path, fh, header.entries, header.dataStart, header.metadata);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Opens a safetensors file for reading one tensor at a time: reads and validates the header once (the same checks
 * as `readSafetensors`, against the file's size), then `read(name)` reads only that tensor's byte range through
 * the file handle, so a 10 GB shard never has to fit in memory. Call `close()` when done.
 *
 * Throws `TypeError` for a path that is not a string, the file system's errors (ENOENT, ...), and
 * `CorruptDataError` naming the file, part, tensor and field. Reads throw `RangeError` for unknown names or after
 * `close()`, and `CorruptDataError` if the file was truncated after opening. Cost: one read of the header; each
 * `read` one read of the tensor's bytes (numeric tensors are views of that buffer; F16/BF16/F8 are decoded).
 *
 * @example
 * const file = await openSafetensors('model-00001-of-00004.safetensors');
 * for (const name of file.names()) if (file.info(name).shape.length === 2) use(await file.read(name));
 * await file.close();
 */
export async function openSafetensors(path: string): Promise<SafetensorsReader> {
  assertPath('openSafetensors', 'path', path);
  return openReader('openSafetensors', path);
}

/**
 * Reads a whole safetensors file into memory, tensor by tensor (no buffer of the whole file is made): the result
 * and errors of `readSafetensors(await readFile(path))`, with the path in the messages.
 *
 * @example
 * const { tensors, metadata } = await readSafetensorsFile('layer.safetensors');
 */
export async function readSafetensorsFile(path: string): Promise<Safetensors> {
  const fn = 'readSafetensorsFile';
  assertPath(fn, 'path', path);
  const reader = await openReader(fn, path);
  try {
    const tensors = new Map<string, Tensor>();
    for (const name of reader.names()) tensors.set(name, await reader.readAs(fn, name));
    return { tensors, metadata: reader.metadata };
  } finally {
    await reader.close();
  }
}
