/**
 * numpy's `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of `.npy` files.
 */
import { CorruptDataError, typeError } from '../errors/index.js';
import { parseNpy, type Npy } from './npy.js';
import { readZipDirectory, readZipEntry } from './zip.js';

/**
 * Reads a `.npz` archive: each `NAME.npy` entry, stored or deflated, read as by `readNpy`, keyed by `NAME` (the
 * name without `.npy`, as `np.load` names them), in archive order. Directory entries (names ending in "/") are
 * skipped. Every entry's size and CRC-32 are checked against the zip directory.
 *
 * Throws `TypeError` when `bytes` is not a `Uint8Array`; `CorruptDataError` for a damaged zip (no end record,
 * truncated, overlapping entries, a bad CRC, deflate errors, encryption or an unsupported compression method), an
 * entry that is not a `.npy` file, or a damaged `.npy` entry (the message names the entry). Cost: the inflation of
 * every entry plus a copy of its data.
 *
 * @example
 * const arrays = readNpz(bytes); // np.savez(f, weight=W, hessian=H) -> Map { 'weight' => Npy, 'hessian' => Npy }
 */
export function readNpz(bytes: Uint8Array): Map<string, Npy> {
  const fn = 'readNpz';
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, 'bytes', 'a Uint8Array', bytes);
  const out = new Map<string, Npy>();
  for (const entry of readZipDirectory(fn, bytes)) {
    if (entry.name.endsWith('/') && entry.size === 0) continue;
    if (!entry.name.endsWith('.npy')) {
      throw new CorruptDataError(fn, `zip archive: entry ${JSON.stringify(entry.name)} is not a .npy file`);
    }
    const name = entry.name.slice(0, -'.npy'.length);
    out.set(name, parseNpy(fn, readZipEntry(fn, bytes, entry), `entry ${JSON.stringify(entry.name)}: `));
  }
  return out;
}
