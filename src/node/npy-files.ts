/** `.npy` and `.npz` files by path. */
import { readFile } from 'node:fs/promises';
import { readNpy, readNpz, writeNpy, type Npy, type TensorData, type WriteNpyOptions } from '../io/index.js';
import { assertPath, readDurable, writeFileAtomic, type AtomicWriteOptions } from './atomic.js';

/**
 * Reads a `.npy` file: `readNpy(await readFile(path))` (same result and errors; the file is read whole).
 *
 * @example
 * const H = await readNpyFile('hessians/model.layers.0.mlp.up_proj.hessian.npy');
 */
export async function readNpyFile(path: string): Promise<Npy> {
  assertPath('readNpyFile', 'path', path);
  return readNpy(await readFile(path));
}

/**
 * Writes `writeNpy(data, shape, options)` to `path` atomically (temporary file, rename; see
 * `writeFileAtomic`, whose `durable` option `writeOptions` passes on). Throws as `writeNpy` does, plus the file
 * system's errors.
 *
 * @example
 * await writeNpyFile('W.npy', new Float32Array(12), [3, 4]);
 */
export async function writeNpyFile(
  path: string,
  data: TensorData,
  shape: readonly number[],
  options?: WriteNpyOptions,
  writeOptions?: AtomicWriteOptions,
): Promise<void> {
  assertPath('writeNpyFile', 'path', path);
  readDurable('writeNpyFile', writeOptions);
  await writeFileAtomic(path, writeNpy(data, shape, options), writeOptions);
}

/**
 * Reads a `.npz` archive: `readNpz(await readFile(path))` (same result and errors; the file is read whole).
 *
 * @example
 * const arrays = await readNpzFile('activations.npz');
 */
export async function readNpzFile(path: string): Promise<Map<string, Npy>> {
  assertPath('readNpzFile', 'path', path);
  return readNpz(await readFile(path));
}
