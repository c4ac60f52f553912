/**
 * Seeded random streams: the one contract every module and backend shares.
 *
 * A seed (integer 0..2^53-1, or bigint 0..2^64-1) gives the Philox key
 * (seed mod 2^32, floor(seed / 2^32) mod 2^32). Stream s, block b uses counter (b, s, 0, 0) and
 * yields the 32-bit words w[4b], ..., w[4b+3]. Everything below is a fixed function of those words,
 * so results are identical on every platform and can be regenerated entry by entry on a GPU.
 */
import { rangeError, typeError } from '../errors/index.js';
import { assertInteger } from '../core/index.js';
import { philox4x32 } from './philox.js';

/**
 * A seed of the Philox streams: an integer 0..2^53-1, or a bigint 0..2^64-1 (the full 64-bit key).
 * The key is (seed mod 2^32, floor(seed / 2^32) mod 2^32); the same seed gives the same bits everywhere.
 *
 * @example
 * randomSigns(8, 42, 1); randomSigns(8, 42n, 1) // the same signs: 42 and 42n are one key
 */
export type Seed = number | bigint;

/**
 * Philox key words of a seed, after validating it for `fn` (the seed is the argument `arg` of fn): for other
 * folders, not public.
 */
export function seedKey(fn: string, seed: unknown, arg = 'seed'): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw rangeError(fn, arg, 'an integer in [0, 2^64 - 1]', `${seed}n`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw typeError(fn, arg, 'an integer in [0, 2^53 - 1] or a bigint in [0, 2^64 - 1]', seed);
  }
  if (seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw rangeError(fn, arg, 'an integer in [0, 2^53 - 1] or a bigint in [0, 2^64 - 1]', String(seed));
  }
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** Words per stream: its 2^32 blocks of four (block b has counter (b, stream, 0, 0)). */
const STREAM_WORDS = 2 ** 34;

/**
 * The opening of every sampling function `fn`: checks the entry count n (argument `countArg`, at most 2^31),
 * the seed and the stream, and returns the first words(n) words of the stream.
 */
function checkedWords(fn: string, countArg: string, n: unknown, seed: unknown, stream: unknown, words: (n: number) => number): Uint32Array {
  assertInteger(fn, countArg, n, 0, 2 ** 31);
  const [k0, k1] = seedKey(fn, seed);
  assertInteger(fn, 'stream', stream, 0, 2 ** 32 - 1);
  return wordsFrom(k0, k1, stream, 0, words(n));
}

/**
 * Words w[start .. start + count - 1] of stream `stream` under `seed` (see the file comment), a new
 * Uint32Array. A stream holds 2^34 words (2^32 blocks of four), so start + count <= 2^34; count <= 2^31.
 * Cost: one Philox4x32-10 block (10 rounds of two 32-bit multiplies) per four words; any start is random access.
 * Throws TypeError for non-integers (or a bad seed type), RangeError outside those bounds.
 *
 * @example philoxWords(0, 0, 0, 4) // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philoxWords(seed: Seed, stream: number, start: number, count: number): Uint32Array {
  const fn = 'philoxWords';
  const [k0, k1] = seedKey(fn, seed);
  assertInteger(fn, 'stream', stream, 0, 2 ** 32 - 1);
  assertInteger(fn, 'start', start, 0, STREAM_WORDS);
  assertInteger(fn, 'count', count, 0, 2 ** 31);
  if (start + count > STREAM_WORDS) {
    throw rangeError(fn, 'count', `at most 2^34 - start = ${STREAM_WORDS - start} (a stream has 2^34 words)`, String(count));
  }
  return wordsFrom(k0, k1, stream, start, count);
}

/** The words w[start .. start + count) of a stream, start + count <= 2^34 (so every block index is below 2^32). */
function wordsFrom(k0: number, k1: number, stream: number, start: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  const block = new Uint32Array(4);
  const first = Math.floor(start / 4);
  const last = Math.floor((start + count - 1) / 4);
  for (let b = first; b <= last && count > 0; b++) {
    philox4x32(b, stream, 0, 0, k0, k1, block);
    for (let r = 0; r < 4; r++) {
      const w = 4 * b + r - start;
      if (w >= 0 && w < count) out[w] = block[r];
    }
  }
  return out;
}

/**
 * n random +-1 signs as a new Int8Array: entry i is -1 when bit (i mod 32) of word floor(i / 32) of the stream is
 * set, else +1. Incoherence processing uses stream 0 for the left (output) dimension and stream 1 for the right
 * (input) one. O(n). Throws TypeError for a non-integer n or stream or a bad seed type, RangeError for
 * n outside [0, 2^31], a stream outside [0, 2^32 - 1] or a seed out of range (see docs/random.md).
 *
 * @example randomSigns(4, 42, 1) // the first four signs of stream 1 under seed 42
 */
export function randomSigns(n: number, seed: Seed, stream = 0): Int8Array {
  const words = checkedWords('randomSigns', 'n', n, seed, stream, (n) => Math.ceil(n / 32));
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = (words[i >>> 5] >>> (i & 31)) & 1 ? -1 : 1;
  return out;
}

/** 53-bit uniform in [0, 1) from words a (high 32 bits) and b (top 21 bits used). */
function uniform53(a: number, b: number): number {
  return (a * 2 ** 21 + Math.floor(b / 2 ** 11)) / 2 ** 53;
}

/**
 * k random phases in [0, 2 pi) as a new Float64Array: phase j = 2 pi (w[2j] 2^21 + floor(w[2j+1] / 2^11)) / 2^53.
 * RFFT incoherence uses stream 2 (left) and 3 (right). O(k): one Philox block per two phases. Throws as
 * {@link randomSigns} does (for k).
 *
 * @example randomPhases(512, 42, 3) // the phases of a 1024-wide RFFT side
 */
export function randomPhases(k: number, seed: Seed, stream = 0): Float64Array {
  const words = checkedWords('randomPhases', 'k', k, seed, stream, (k) => 2 * k);
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) out[j] = 2 * Math.PI * uniform53(words[2 * j], words[2 * j + 1]);
  return out;
}

/**
 * n uniform samples in [0, 1) as a new Float64Array: sample j = (w[2j] 2^21 + floor(w[2j+1] / 2^11)) / 2^53, a
 * multiple of 2^-53, bit-identical everywhere. O(n): one Philox block per two samples. Throws as
 * {@link randomSigns} does.
 *
 * @example randomUniform(3, 7) // three samples of stream 0 under seed 7
 */
export function randomUniform(n: number, seed: Seed, stream = 0): Float64Array {
  const words = checkedWords('randomUniform', 'n', n, seed, stream, (n) => 2 * n);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = uniform53(words[2 * j], words[2 * j + 1]);
  return out;
}

/**
 * n standard normal samples as a new Float64Array, by the Box-Muller transform on pairs of 53-bit uniforms
 * u = randomUniform: z[2j] = r cos(2 pi u[2j+1]), z[2j+1] = r sin(2 pi u[2j+1]) with r = sqrt(-2 ln(1 - u[2j]))
 * (a prefix of the samples for n + 1). Math.log/cos/sin may differ in the last bit between JS engines; the
 * uniforms never do. O(n): per two samples one Philox block, a log, a square root, a cosine and a sine. Throws as
 * {@link randomSigns} does.
 *
 * @example randomNormal(1024, 3) // 1024 N(0, 1) samples
 */
export function randomNormal(n: number, seed: Seed, stream = 0): Float64Array {
  const words = checkedWords('randomNormal', 'n', n, seed, stream, (n) => 4 * Math.ceil(n / 2));
  const pairs = Math.ceil(n / 2);
  const out = new Float64Array(n);
  for (let j = 0; j < pairs; j++) {
    const u = uniform53(words[4 * j], words[4 * j + 1]);
    const v = uniform53(words[4 * j + 2], words[4 * j + 3]);
    const r = Math.sqrt(-2 * Math.log(1 - u));
    out[2 * j] = r * Math.cos(2 * Math.PI * v);
    if (2 * j + 1 < n) out[2 * j + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
