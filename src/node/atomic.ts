/**
 * Atomic file replacement: write a temporary file in the target's directory (with `durable`, flush it to disk),
 * then rename it over the target. A reader sees the old file or the complete new one, never a part; a run killed
 * midway leaves the old file (or none) and a hidden `.<name>.<pid>.<random>.tmp` file, never a truncated file
 * under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { typeError } from '../errors/index.js';
import { writeAt } from './file-io.js';

/** Options of the atomic file writers (`writeFileAtomic`, `writeSafetensorsFile`, `createSafetensorsWriter`, `writeNpyFile`). */
export interface AtomicWriteOptions {
  /**
   * Also make the write durable across a power cut or an operating-system crash: fsync the file before the rename
   * and its directory after it (default false). Without it the write is still atomic for every reader and against
   * a killed process (the bytes are in the kernel's page cache, and the rename publishes the whole file or
   * nothing), as numpy.save, torch.save and the safetensors reference writer behave; with it, the speed is bound
   * by the disk (docs/performance.md has both figures).
   */
  durable?: boolean;
}

/** options.durable, checked (`TypeError` naming `fn` unless a boolean or absent). */
export function readDurable(fn: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object { durable? }', options);
  const durable: unknown = (options as AtomicWriteOptions).durable;
  if (durable === undefined) return false;
  if (typeof durable !== 'boolean') throw typeError(fn, 'options.durable', 'a boolean', durable);
  return durable;
}

/** A temporary file that becomes `target` on {@link commit}, or disappears on {@link discard}. */
export class TempFile {
  private done = false;
  private constructor(
    readonly target: string,
    readonly tempPath: string,
    readonly handle: FileHandle,
  ) {}

  /** Creates (exclusively) an empty temporary file next to `target`. */
  static async create(target: string): Promise<TempFile> {
    const tempPath = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    return new TempFile(target, tempPath, await open(tempPath, 'wx'));
  }

  /** Closes the file and renames it to the target; with `durable`, flushes it to disk first and the directory after. */
  async commit(durable: boolean): Promise<void> {
    this.done = true;
    try {
      if (durable) await this.handle.sync();
      await this.handle.close();
      await rename(this.tempPath, this.target);
    } catch (err) {
      await this.removeTemp();
      throw err;
    }
    if (durable) await syncDirectory(dirname(this.target));
  }

  /** Closes and deletes the temporary file; the target is untouched. Safe to call more than once. */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.removeTemp();
  }

  private async removeTemp(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** Makes a rename durable (POSIX); platforms that cannot open a directory (Windows) skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // not supported here: the rename is still atomic, only its durability across a power cut is not promised
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Throws `TypeError` unless `path` is a non-empty string. */
export function assertPath(fn: string, arg: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw typeError(fn, arg, 'a non-empty path string', path);
}

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same directory, then renamed over `path`
 * (with `options.durable`, the file is flushed to disk before the rename and the directory after it). If anything
 * fails, the temporary file is removed and an existing file at `path` is left as it was; if the process is killed
 * midway, `path` is likewise untouched (only the hidden temporary file remains).
 *
 * Throws `TypeError` for a path that is not a non-empty string, bytes that are not a `Uint8Array` or a bad
 * `options.durable`, and the file system's errors (ENOENT for a missing directory, ...). Cost: one write of the
 * bytes (plus two fsyncs when durable).
 *
 * @example
 * await writeFileAtomic('out/layer.safetensors', bytes, { durable: true });
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, options?: AtomicWriteOptions): Promise<void> {
  const fn = 'writeFileAtomic';
  assertPath(fn, 'path', path);
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, 'bytes', 'a Uint8Array', bytes);
  const durable = readDurable(fn, options);
  const temp = await TempFile.create(path);
  try {
    await writeAt(temp.handle, bytes, 0);
  } catch (err) {
    await temp.discard();
    throw err;
  }
  await temp.commit(durable);
}
