/** `randomSigns` on any backend: the CPU path is random/'s, the device path signs-plan.ts, bit for bit equal. */
import { assertInteger } from '../core/index.js';
import { randomSigns, seedKey, type Seed } from '../random/index.js';
import { runPlan } from './device.js';
import { readOptions, type BackendOptions } from './options.js';
import { resolveBackend } from './registry.js';
import { buildSignsPlan, roundKeyHalves } from './signs-plan.js';

/** Signs per device dispatch (2^17 Philox blocks; every block index of a dispatch stays below 2^24). */
const MAX_DISPATCH = 2 ** 24;

/**
 * n random +-1 signs of stream `stream` under `seed`, on the backend of `options.backend` (default: the current
 * one): entry i is -1 when bit (i mod 32) of word floor(i / 32) of the Philox stream is set, else +1. Resolves to a
 * new Int8Array, bit for bit `randomSigns(n, seed, stream)` on every backend. O(n); on a device the Philox blocks
 * are computed in float32 arithmetic on 16-bit halves, 2^24 signs per dispatch.
 *
 * Throws (as a rejected Promise) TypeError for a non-integer n or stream, a bad seed type or options object;
 * RangeError for n outside [0, 2^31], a stream outside [0, 2^32 - 1] or a seed out of range; RangeError/TypeError
 * for an unknown backend name; BackendUnavailableError when the backend named cannot run here.
 *
 * @example await randomSignsAsync(4096, 42, 1, { backend: 'webgpu' }) // equals randomSigns(4096, 42, 1)
 */
export async function randomSignsAsync(n: number, seed: Seed, stream = 0, options?: BackendOptions): Promise<Int8Array> {
  const fn = 'randomSignsAsync';
  assertInteger(fn, 'n', n, 0, 2 ** 31);
  const [k0, k1] = seedKey(fn, seed);
  assertInteger(fn, 'stream', stream, 0, 2 ** 32 - 1);
  const { backend } = readOptions(fn, options, []);
  const mode = await resolveBackend(fn, backend);
  if (mode === 'cpu') return randomSigns(n, seed, stream);
  const keys = roundKeyHalves(k0, k1);
  const out = new Int8Array(n);
  for (let i0 = 0; i0 < n; i0 += MAX_DISPATCH) {
    const count = Math.min(MAX_DISPATCH, n - i0);
    const params = Float32Array.of(Math.floor(stream / 65536), stream % 65536, i0 / 128, ...keys);
    const signs = (await runPlan(mode, `signs:${count}`, (gpu) => buildSignsPlan(gpu, count), [params])) as Float32Array;
    out.set(signs, i0);
  }
  return out;
}
