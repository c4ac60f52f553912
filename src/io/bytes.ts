/**
 * Byte-level helpers shared by the file formats: the host's byte order, in-place byte swapping, and
 * little-endian integer reads that check bounds first.
 */

/** True on little-endian hosts (every platform Node and the browsers run on today). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reverses the byte order of every `itemSize`-byte item of `bytes` in place (a no-op for 1-byte items).
 * `bytes.length` must be a multiple of `itemSize`. Cost: one pass over the bytes.
 */
export function swapBytesInPlace(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let lo = i, hi = i + itemSize - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = t;
    }
  }
}

/** Unsigned little-endian 16-bit integer at `offset` (the caller checked `offset + 2 <= bytes.length`). */
export function readU16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

/** Unsigned little-endian 32-bit integer at `offset` (the caller checked `offset + 4 <= bytes.length`). */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/** Unsigned little-endian 64-bit integer at `offset`, exact, as a bigint. */
export function readU64(bytes: Uint8Array, offset: number): bigint {
  return BigInt(readU32(bytes, offset)) | (BigInt(readU32(bytes, offset + 4)) << 32n);
}

/** Writes `value` (0 <= value < 2^53) as an unsigned little-endian 64-bit integer at `offset`. */
export function writeU64(bytes: Uint8Array, offset: number, value: number): void {
  const lo = value % 2 ** 32;
  const hi = (value - lo) / 2 ** 32;
  for (let k = 0; k < 4; k++) {
    bytes[offset + k] = (lo >>> (8 * k)) & 0xff;
    bytes[offset + 4 + k] = (hi >>> (8 * k)) & 0xff;
  }
}

/** A byte view of any typed array's elements (no copy). */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * A copy of `bytes[begin, end)` in a new buffer at offset 0 (aligned for any typed array). Unlike `bytes.slice`,
 * it copies for a Node `Buffer` too, whose `slice` returns a view.
 */
export function copyBytes(bytes: Uint8Array, begin: number, end: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(end - begin);
  out.set(bytes.subarray(begin, end));
  return out;
}
