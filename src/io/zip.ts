/**
 * Reading zip archives (as `.npz` files are) with every entry checked: the central directory is read here (with
 * its zip64 extensions), deflated entries are inflated by fflate, and each entry's size and CRC-32 are compared with
 * the directory's, as Python's zipfile does. fflate's own `unzipSync` checks neither, so a flipped bit in a stored
 * entry or a directory that lies about sizes would pass through it unnoticed.
 *
 * Supported: stored (method 0) and deflated (method 8) entries, one disk, no encryption. Every failure is a
 * `CorruptDataError(fn, 'zip archive: ...')`.
 */
import { inflateSync } from 'fflate';
import { CorruptDataError } from '../errors/index.js';
import { copyBytes, readU16, readU32, readU64 } from './bytes.js';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  headerOffset: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Deflate's best compression ratio is below 1032:1; a claim beyond it is a lie (or a bomb). */
const MAX_DEFLATE_RATIO = 1032;

/** The high half of code page 437, the zip format's name encoding when the UTF-8 flag is not set. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/**
 * The entries of a zip archive, from its central directory, in directory order. Checks the end-of-directory
 * record (and the zip64 one when present), that each directory entry and local header lies inside the archive,
 * that no entry is encrypted or of an unsupported method, that names are unique, and that the entries' byte
 * ranges do not overlap (no two names share compressed data). Cost: linear in the directory.
 */
export function readZipDirectory(fn: string, bytes: Uint8Array): ZipEntry[] {
  const fail = (what: string): never => {
    throw new CorruptDataError(fn, `zip archive: ${what}`);
  };
  const u16 = (at: number): number => (at + 2 <= bytes.length ? readU16(bytes, at) : fail('truncated'));
  const u32 = (at: number): number => (at + 4 <= bytes.length ? readU32(bytes, at) : fail('truncated'));
  const u64 = (at: number): number => {
    if (at + 8 > bytes.length) fail('truncated');
    const v = readU64(bytes, at);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : fail(`a zip64 offset or size of ${v} is beyond 2^53 - 1`);
  };

  // the end-of-directory record: 22 bytes plus a comment of up to 65535 bytes, at the end
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (readU32(bytes, at) === END_OF_DIRECTORY && at + 22 + readU16(bytes, at + 20) <= bytes.length) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('no end-of-central-directory record (not a zip file, or truncated)');
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) fail('multi-disk archives are not supported');
  let count = u16(end + 10);
  let directorySize = u32(end + 12);
  let directoryOffset = u32(end + 16);
  if (end >= 20 && u32(end - 20) === ZIP64_LOCATOR) {
    const at = u64(end - 12);
    if (u32(at) !== ZIP64_END_OF_DIRECTORY) fail('the zip64 locator does not point at a zip64 end-of-directory record');
    count = u64(at + 32);
    directorySize = u64(at + 40);
    directoryOffset = u64(at + 48);
  }
  if (directoryOffset + directorySize > bytes.length) fail('the central directory lies beyond the end of the archive');

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = directoryOffset;
  for (let k = 0; k < count; k++) {
    if (u32(at) !== DIRECTORY_ENTRY) fail(`central directory entry ${k} has a bad signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const nameStart = at + 46;
    if (nameStart + nameLength + extraLength > bytes.length) fail(`central directory entry ${k} is truncated`);
    const name = decodeName(bytes.subarray(nameStart, nameStart + nameLength), (flags & 0x800) !== 0, fail);
    const entry: ZipEntry = {
      name,
      method,
      crc32: u32(at + 16),
      compressedSize: u32(at + 20),
      size: u32(at + 24),
      headerOffset: u32(at + 42),
    };
    const extraStart = nameStart + nameLength;
    readZip64Extra(bytes.subarray(extraStart, extraStart + extraLength), entry, u64, extraStart);
    if (flags & 1) fail(`entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) {
      fail(`entry ${JSON.stringify(name)} uses compression method ${method} (only stored and deflated are supported)`);
    }
    if (names.has(name)) fail(`entry name ${JSON.stringify(name)} appears twice`);
    names.add(name);
    entries.push(entry);
    at = extraStart + extraLength + commentLength;
  }
  checkDisjoint(entries, bytes, fail);
  return entries;
}

/** Replaces the 0xFFFFFFFF placeholders of `entry` with the zip64 extra field's 64-bit values, in its order. */
function readZip64Extra(extra: Uint8Array, entry: ZipEntry, u64: (at: number) => number, base: number): void {
  for (let p = 0; p + 4 <= extra.length; p += 4 + readU16(extra, p + 2)) {
    if (readU16(extra, p) !== 0x0001) continue;
    let q = base + p + 4;
    for (const key of ['size', 'compressedSize', 'headerOffset'] as const) {
      if (entry[key] === 0xffffffff) {
        entry[key] = u64(q);
        q += 8;
      }
    }
    return;
  }
}

function decodeName(raw: Uint8Array, utf8: boolean, fail: (what: string) => never): string {
  if (utf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('an entry name flagged UTF-8 is not valid UTF-8');
    }
  }
  return Array.from(raw, (b) => (b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80])).join('');
}

/** Offset of an entry's data: after its local header, whose name and extra field lengths may differ. */
function dataOffset(bytes: Uint8Array, e: ZipEntry, fail: (what: string) => never): number {
  const h = e.headerOffset;
  if (h + 30 > bytes.length || readU32(bytes, h) !== LOCAL_HEADER) {
    fail(`entry ${JSON.stringify(e.name)} has no local header at offset ${h}`);
  }
  const start = h + 30 + readU16(bytes, h + 26) + readU16(bytes, h + 28);
  if (start + e.compressedSize > bytes.length) fail(`entry ${JSON.stringify(e.name)} runs past the end of the archive`);
  return start;
}

function checkDisjoint(entries: ZipEntry[], bytes: Uint8Array, fail: (what: string) => never): void {
  const ranges = entries.map((e) => ({ e, from: e.headerOffset, to: dataOffset(bytes, e, fail) + e.compressedSize }));
  ranges.sort((a, b) => a.from - b.from);
  for (let k = 1; k < ranges.length; k++) {
    if (ranges[k].from < ranges[k - 1].to) {
      fail(`entries ${JSON.stringify(ranges[k - 1].e.name)} and ${JSON.stringify(ranges[k].e.name)} overlap`);
    }
  }
}

/**
 * The uncompressed bytes of one entry (a new buffer), checked against the directory's size and CRC-32. Sizes
 * are checked before anything is allocated: a stored entry's sizes must agree, a deflated one may not claim more
 * than deflate can produce from its compressed bytes.
 */
export function readZipEntry(fn: string, bytes: Uint8Array, e: ZipEntry): Uint8Array {
  const fail = (what: string): never => {
    throw new CorruptDataError(fn, `zip archive: entry ${JSON.stringify(e.name)}: ${what}`);
  };
  const start = dataOffset(bytes, e, (what) => {
    throw new CorruptDataError(fn, `zip archive: ${what}`);
  });
  const packed = bytes.subarray(start, start + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) {
    if (e.size !== e.compressedSize) fail(`stored with ${e.compressedSize} bytes but ${e.size} claimed`);
    out = copyBytes(packed, 0, packed.length);
  } else {
    if (e.size > MAX_DEFLATE_RATIO * e.compressedSize + 64) {
      fail(`claims ${e.size} bytes from ${e.compressedSize} compressed, more than deflate can produce`);
    }
    try {
      out = inflateSync(packed, { out: new Uint8Array(e.size) });
    } catch (err) {
      return fail(`bad deflate data (${(err as Error).message})`);
    }
  }
  if (out.length !== e.size) fail(`inflates to ${out.length} bytes, but the directory says ${e.size}`);
  const crc = crc32(out);
  if (crc !== e.crc32) fail(`CRC-32 is 0x${crc.toString(16)}, but the directory says 0x${e.crc32.toString(16)}`);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as zip stores it. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
