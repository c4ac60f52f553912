/**
 * Streaming safetensors writing: the layout is fixed up front from each tensor's dtype and shape, then tensors are
 * written one at a time (in any order) at their offsets in a temporary file, which replaces the target atomically
 * once every tensor is in. Memory use is one tensor, whatever the file's size.
 */
import { rangeError, typeError } from '../errors/index.js';
import { elementBytes, namedEntries, planFile, type PlannedEntry, type Tensor, type TensorSpec } from '../io/index.js';
import { assertPath, readDurable, TempFile, type AtomicWriteOptions } from './atomic.js';
import { writeAt } from './file-io.js';

/** A safetensors file being written; it appears at its path only on `close()`. */
export interface SafetensorsWriter {
  readonly path: string;
  /** The names not written yet, in file order. */
  pending(): string[];
  /**
   * Writes one declared tensor: its `dtype` and `shape` must be the declared ones, its data as for
   * `writeSafetensors`. Each name is written once. Throws `TypeError` / `RangeError` (the writer stays usable).
   */
  write(name: string, tensor: Tensor): Promise<void>;
  /** Writes one declared tensor from its raw little-endian bytes (e.g. another file's `readRaw`), of exactly its byte length. */
  writeRaw(name: string, bytes: Uint8Array): Promise<void>;
  /**
   * Finishes: checks that every tensor was written (otherwise the temporary file is removed and `RangeError`
   * thrown) and renames the file into place (durable writers flush it to disk first).
   */
  close(): Promise<void>;
  /** Abandons the file: removes the temporary file; an existing file at the path is untouched. */
  abort(): Promise<void>;
}

class StreamingWriter implements SafetensorsWriter {
  private readonly waiting: Map<string, PlannedEntry>;
  private finished = false;

  constructor(
    readonly path: string,
    private readonly temp: TempFile,
    private readonly entries: PlannedEntry[],
    private readonly dataStart: number,
    private readonly durable: boolean,
  ) {
    this.waiting = new Map(entries.map((e) => [e.name, e]));
  }

  pending(): string[] {
    return this.entries.filter((e) => this.waiting.has(e.name)).map((e) => e.name);
  }

  write(name: string, tensor: Tensor): Promise<void> {
    return this.writeAs('SafetensorsWriter.write', 'tensor', name, tensor);
  }

  /** {@link write} reporting errors as `fn` with the tensor argument named `arg`. */
  async writeAs(fn: string, arg: string, name: string, tensor: Tensor): Promise<void> {
    const e = this.claim(fn, name);
    if (typeof tensor !== 'object' || tensor === null) throw typeError(fn, arg, 'a tensor { dtype, shape, data }', tensor);
    const declared = `${e.dtype} [${e.shape.join(', ')}]`;
    if (tensor.dtype !== e.dtype || !sameShape(tensor.shape, e.shape)) {
      const given = `${String(tensor.dtype)} [${Array.isArray(tensor.shape) ? tensor.shape.join(', ') : '?'}]`;
      throw rangeError(fn, arg, `the declared ${declared}`, given);
    }
    await this.put(e, elementBytes(fn, arg, e, tensor));
  }

  async writeRaw(name: string, bytes: Uint8Array): Promise<void> {
    const fn = 'SafetensorsWriter.writeRaw';
    const e = this.claim(fn, name);
    if (!(bytes instanceof Uint8Array)) throw typeError(fn, 'bytes', 'a Uint8Array', bytes);
    if (bytes.length !== e.byteLength) {
      throw rangeError(fn, 'bytes', `${e.byteLength} bytes (${e.dtype} [${e.shape.join(', ')}])`, `${bytes.length}`);
    }
    await this.put(e, bytes);
  }

  async close(): Promise<void> {
    const fn = 'SafetensorsWriter.close';
    this.assertOpen(fn);
    const missing = this.pending();
    if (missing.length > 0) {
      await this.abort();
      const list = missing.slice(0, 5).map((n) => JSON.stringify(n)).join(', ') + (missing.length > 5 ? ', ...' : '');
      throw rangeError(fn, 'every declared tensor', 'written', `${missing.length} missing (${list})`);
    }
    this.finished = true;
    await this.temp.commit(this.durable);
  }

  async abort(): Promise<void> {
    this.finished = true;
    await this.temp.discard();
  }

  private assertOpen(fn: string): void {
    if (this.finished) throw rangeError(fn, 'the writer', 'open', 'closed or aborted');
  }

  /** Checks that `name` is declared and not yet written (or being written), and marks it taken. */
  private claim(fn: string, name: string): PlannedEntry {
    this.assertOpen(fn);
    if (typeof name !== 'string') throw typeError(fn, 'name', 'a string', name);
    const e = this.waiting.get(name);
    if (e === undefined) {
      const why = this.entries.some((x) => x.name === name) ? 'written already' : 'not declared';
      throw rangeError(fn, 'name', 'a declared tensor not yet written', `${JSON.stringify(name)} (${why})`);
    }
    return e;
  }

  private async put(e: PlannedEntry, bytes: Uint8Array): Promise<void> {
    this.waiting.delete(e.name);
    try {
      await writeAt(this.temp.handle, bytes, this.dataStart + e.begin);
    } catch (err) {
      this.waiting.set(e.name, e);
      throw err;
    }
  }
}

function sameShape(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** {@link createSafetensorsWriter} under the caller's function name. */
export async function openWriter(fn: string, path: string, tensors: unknown, metadata: unknown, options: unknown): Promise<StreamingWriter> {
  assertPath(fn, 'path', path);
  const plan = planFile(fn, 'tensors', tensors, metadata);
  const durable = readDurable(fn, options);
  const temp = await TempFile.create(path);
  try {
    await writeAt(temp.handle, plan.head, 0);
  } catch (err) {
    await temp.discard();
    throw err;
  }
  return new StreamingWriter(path, temp, plan.entries, plan.head.length, durable);
}

/**
 * Starts writing a safetensors file too large to build in memory. `tensors` declares every tensor up front (a
 * `Map` or object of `{ dtype, shape }` by name; tensors themselves qualify), which fixes the header and each
 * tensor's offset, laid out exactly as `writeSafetensors` lays them out (so the bytes are the same). Then
 * `write(name, tensor)` or `writeRaw(name, bytes)` each tensor once, in any order, and `close()`: the file appears at
 * `path` atomically (temporary file, rename; with `options.durable` also fsync, see {@link AtomicWriteOptions}). On any error call `abort()`, which removes the temporary
 * file; an existing file at `path` is never touched before `close()` succeeds.
 *
 * Throws `TypeError` / `RangeError` for a bad path, tensor specs or metadata (as `writeSafetensors`), and the
 * file system's errors. Cost: the header now; each write is one positional write of the tensor.
 *
 * @example
 * const out = await createSafetensorsWriter('model.safetensors', { w: { dtype: 'F32', shape: [4096, 4096] } });
 * await out.write('w', { dtype: 'F32', shape: [4096, 4096], data: w });
 * await out.close();
 */
export async function createSafetensorsWriter(
  path: string,
  tensors: Map<string, TensorSpec> | Record<string, TensorSpec>,
  metadata?: Record<string, string>,
  options?: AtomicWriteOptions,
): Promise<SafetensorsWriter> {
  return openWriter('createSafetensorsWriter', path, tensors, metadata, options);
}

/**
 * Writes tensors to a safetensors file atomically: the bytes of `writeSafetensors(tensors, metadata)`, streamed one
 * tensor at a time (no buffer of the whole file), through a temporary file renamed over `path` (with
 * `options.durable`, fsynced first: see {@link AtomicWriteOptions}).
 * On failure the temporary file is removed and an existing file at `path` is left as it was.
 *
 * Throws as `writeSafetensors` does, plus the file system's errors.
 *
 * @example
 * await writeSafetensorsFile('layer.safetensors', { codes: { dtype: 'U16', shape: [n], data: codes } }, { format: 'quipsharp' });
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
  options?: AtomicWriteOptions,
): Promise<void> {
  const fn = 'writeSafetensorsFile';
  const writer = await openWriter(fn, path, tensors, metadata, options);
  try {
    for (const [name, tensor] of namedEntries(fn, 'tensors', tensors)) {
      await writer.writeAs(fn, `tensors[${JSON.stringify(name)}]`, name, tensor as Tensor);
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}
