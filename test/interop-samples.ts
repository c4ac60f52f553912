/**
 * Readers for QuIP#'s sample files in test/fixtures/quip-sharp/ (made with QuIP#'s own code; README.md there
 * explains every field): arrays are base64 little-endian bytes in C order; int64 arrays are given as their low and
 * high 32-bit words; float16 arrays as their bits and their float32 values.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'quip-sharp');

export interface B64Array {
  dtype: string;
  shape: number[];
  b64: string;
}
export interface Int64Array {
  dtype: string;
  shape: number[];
  lo: string;
  hi: string;
}
export interface Half {
  bits: B64Array;
  values_f32: B64Array;
}

export function sampleJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as T;
}

export function sampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(SAMPLES, name)));
}

function bytesOf(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

const ARRAYS = {
  float64: Float64Array,
  float32: Float32Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
  int8: Int8Array,
} as const;

/** A `{ dtype, shape, b64 }` array as its typed array (little-endian host assumed, as in CI). */
export function b64<D extends keyof typeof ARRAYS>(a: B64Array, dtype: D): InstanceType<(typeof ARRAYS)[D]> {
  if (a.dtype !== dtype) throw new Error(`sample array is ${a.dtype}, not ${dtype}`);
  return new ARRAYS[dtype](bytesOf(a.b64)) as InstanceType<(typeof ARRAYS)[D]>;
}

/** An int64 array given as (lo, hi) uint32 words. */
export function int64(a: Int64Array): BigInt64Array {
  const lo = new Uint32Array(bytesOf(a.lo));
  const hi = new Uint32Array(bytesOf(a.hi));
  return BigInt64Array.from(lo, (l, i) => BigInt.asIntN(64, (BigInt(hi[i]) << 32n) | BigInt(l)));
}
