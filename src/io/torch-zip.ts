/**
 * The zip container of a `torch.save` file (read with zip.ts, every entry's size and CRC-32 checked): the one
 * `<prefix>/data.pkl`, the storages `<prefix>/data/<key>` and the byte order `<prefix>/byteorder`.
 */
import { CorruptDataError } from '../errors/index.js';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

export interface TorchArchive {
  /** The archive's bytes. */
  bytes: Uint8Array;
  /** The pickle, `<prefix>/data.pkl`. */
  pickle: Uint8Array;
  /** Byte order of the storages (`<prefix>/byteorder`; little-endian when absent, as in files before PyTorch 1.10). */
  littleEndian: boolean;
  /** The storage entries `<prefix>/data/<key>`, by key. */
  storages: ReadonlyMap<string, ZipEntry>;
}

/**
 * Opens a `torch.save` archive: finds the one `<prefix>/data.pkl` and reads it and `<prefix>/byteorder`. Throws
 * CorruptDataError for a legacy (pre-1.6) torch.save file, anything that is not a sound zip archive, or an archive
 * without exactly one `<prefix>/data.pkl`.
 */
export function openTorchArchive(fn: string, bytes: Uint8Array): TorchArchive {
  // A legacy torch.save file starts with a pickled magic number: PROTO 2, then LONG1 of 10 bytes.
  if (bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a) {
    throw new CorruptDataError(fn, 'a legacy (pre-1.6) torch.save file; re-save it with a current PyTorch (zip format)');
  }
  const entries = readZipDirectory(fn, bytes);
  const pickles = entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pickles.length !== 1) {
    throw new CorruptDataError(fn, `expected one '<name>/data.pkl' in the archive, found ${pickles.length}`);
  }
  const prefix = pickles[0].name.slice(0, -'data.pkl'.length);
  const storages = new Map<string, ZipEntry>();
  let order: ZipEntry | undefined;
  for (const e of entries) {
    if (e.name.startsWith(`${prefix}data/`)) storages.set(e.name.slice(prefix.length + 'data/'.length), e);
    if (e.name === `${prefix}byteorder`) order = e;
  }
  let littleEndian = true;
  if (order) {
    const text = new TextDecoder().decode(readZipEntry(fn, bytes, order)).trim();
    if (text !== 'little' && text !== 'big') {
      throw new CorruptDataError(fn, `byteorder must be 'little' or 'big', got '${text.slice(0, 20)}'`);
    }
    littleEndian = text === 'little';
  }
  return { bytes, pickle: readZipEntry(fn, bytes, pickles[0]), littleEndian, storages };
}
