/**
 * The Hadamard transforms of the rows of a float32 matrix on any backend: the CPU path is hadamard/'s plan, the
 * device path the plan of fwht-plan.ts. Both reject the same inputs with the same messages, and both keep every
 * result in range the same way (see hadamard/range.ts): a row whose entries exceed 2^128 / (2n) is transformed
 * scaled by a power of two and scaled back, and a result beyond float32 is a RangeError.
 */
import { assertInteger, isPowerOfTwo } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { planFor, requireHadamardFactorization } from '../hadamard/index.js';
import { runPlan } from './device.js';
import { buildHadamardPlan } from './fwht-plan.js';
import { readOptions, type BackendOptions } from './options.js';
import { resolveBackend } from './registry.js';

/** Options of {@link fwhtRowsAsync}: the backend, and whether to normalize. */
export interface FwhtAsyncOptions extends BackendOptions {
  /** Scale by 1 / sqrt(n) (orthogonal; the FWHT is then its own inverse). Default false. */
  normalize?: boolean;
}

/** Options of {@link hadamardTransformRowsAsync}: those of fwhtRowsAsync, and whether to apply H^T. */
export interface HadamardTransformAsyncOptions extends FwhtAsyncOptions {
  /** Apply H^T instead of H (the same for powers of two). Default false. */
  transpose?: boolean;
}

/** Largest base order m a device transform mixes (its m x m table is a kernel constant). */
const MAX_DEVICE_BASE = 256;
/** Largest number of entries one device dispatch transforms (indices stay exact in float32; 64 MiB buffers). */
const MAX_DISPATCH = 2 ** 24;
const FLOAT32_MAX = 3.4028234663852886e38;

/** The checks of a rows-in-place call of `fn` on a Float32Array, in the order the CPU functions make them. */
function checkRowsCall(fn: string, data: unknown, rows: unknown, n: unknown, powerOfTwo: boolean): { m: number; k: number } {
  if (!(data instanceof Float32Array)) throw typeError(fn, 'data', 'a Float32Array', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  if (powerOfTwo && !isPowerOfTwo(n as number)) throw rangeError(fn, 'n', 'a power of two (1, 2, 4, ..., 2^30)', String(n));
  const { m, k } = requireHadamardFactorization(fn, 'n', n);
  if (data.length !== rows * (n as number)) throw rangeError(fn, 'data', `of length rows * n = ${rows * (n as number)}`, `length ${data.length}`);
  return { m, k };
}

/**
 * Rejects a non-finite entry of data (naming its index) and returns, per row, the power of two 2^e (e >= 0) it must
 * be scaled down by so that no partial sum of its transform leaves float32: 1 unless max |x_i| > 2^128 / (2n).
 */
function rowScales(fn: string, data: Float32Array, rows: number, n: number): Float64Array {
  const scales = new Float64Array(rows).fill(1);
  const limit = 2 ** (127 - Math.ceil(Math.log2(n)));
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const v = data[i];
      if (v - v !== 0) throw rangeError(fn, 'data', 'finite everywhere', `${v} at index ${i}`);
      max = Math.max(max, Math.abs(v));
    }
    if (max > limit) scales[r] = 2 ** Math.ceil(Math.log2(max) + Math.log2(n) + 2 - 128);
  }
  return scales;
}

/** The transform on a device: chunks of whole rows of at most MAX_DISPATCH entries, rows pre- and post-scaled. */
async function deviceTransform(fn: string, mode: 'webasm' | 'webgpu' | 'webgl', data: Float32Array, rows: number, n: number, m: number, transpose: boolean, normalize: boolean): Promise<Float32Array> {
  if (m > MAX_DEVICE_BASE) {
    throw rangeError(fn, 'n', `an order m 2^k with m <= ${MAX_DEVICE_BASE} on the '${mode}' backend (use 'cpu')`, `${n} = ${m} * ${n / m}`);
  }
  if (n > MAX_DISPATCH) throw rangeError(fn, 'n', `at most 2^24 on the '${mode}' backend (use 'cpu')`, String(n));
  const scales = rowScales(fn, data, rows, n);
  if (rows === 0) return new Float32Array(0);
  const scaled = scales.some((s) => s !== 1);
  const input = scaled ? data.slice() : data;
  if (scaled) for (let r = 0; r < rows; r++) if (scales[r] !== 1) for (let i = r * n; i < (r + 1) * n; i++) input[i] /= scales[r];
  const scale = normalize ? 1 / Math.sqrt(n) : 1;
  const out = new Float32Array(rows * n);
  const chunk = Math.max(1, Math.floor(MAX_DISPATCH / n));
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const count = Math.min(chunk, rows - r0);
    const key = `hadamard:${count}x${n}:${transpose ? 'T' : 'N'}:${scale}`;
    const part = (await runPlan(mode, key, (gpu) => buildHadamardPlan(gpu, count, m, n / m, transpose, scale), [input.subarray(r0 * n, (r0 + count) * n)])) as Float32Array;
    out.set(part, r0 * n);
  }
  for (let r = 0; r < rows; r++) {
    const s = scales[r];
    for (let i = r * n; i < (r + 1) * n; i++) {
      const y = s === 1 ? out[i] : (out[i] = out[i] * s);
      if (!(Math.abs(y) <= FLOAT32_MAX)) {
        throw rangeError(fn, 'data', `an input whose transform fits in a Float32Array (every |y_i| <= ${FLOAT32_MAX})`, `one whose transform overflows at index ${i}`);
      }
    }
  }
  return out;
}

/** The shared body of the two public calls. */
async function transformRowsAsync(fn: string, data: Float32Array, rows: number, n: number, options: unknown, powerOfTwo: boolean): Promise<Float32Array> {
  const { m } = checkRowsCall(fn, data, rows, n, powerOfTwo);
  // the FWHT reads `transpose` too, as fwhtRowsInPlace does (H^T = H for powers of two)
  const { backend, normalize, transpose } = readOptions(fn, options, ['normalize', 'transpose']);
  const mode = await resolveBackend(fn, backend);
  if (mode !== 'cpu') return deviceTransform(fn, mode, data, rows, n, m, transpose, normalize);
  const out = data.slice();
  planFor(fn, 'n', n).apply(fn, 'data', out, rows, transpose, normalize);
  return out;
}

/**
 * The FWHT of every row of the row-major rows x n float32 matrix `data` (n a power of two), on the backend of
 * `options.backend` (default: the current one): row r of the result is y[i] = sum_j (-1)^popcount(i & j) x[j], or
 * y / sqrt(n) with `normalize: true`. Resolves to a new Float32Array; data is not modified. O(rows n log n).
 *
 * The CPU result is fwhtRowsInPlace's on a copy. A device computes in float32 with its own order of additions:
 * each entry agrees with the CPU's to about log2(n) 2^-24 sum_j |x_j| (about 1e-6 relative). Device backends take
 * n up to 2^24 (tested to 32768) and run 2^24 entries per dispatch.
 *
 * Throws (as a rejected Promise) TypeError unless data is a Float32Array, for a non-integer rows or a bad options
 * object; RangeError for n not a power of two, data.length !== rows n, a non-finite entry (naming its index) or a
 * result beyond float32; RangeError/TypeError for an unknown backend name; BackendUnavailableError when the backend
 * named cannot run here.
 *
 * @example await fwhtRowsAsync(Float32Array.of(1, 2, 3, 4), 1, 4, { backend: 'webasm' }) // Float32Array [10, -2, -4, 0]
 */
export function fwhtRowsAsync(data: Float32Array, rows: number, n: number, options?: FwhtAsyncOptions): Promise<Float32Array> {
  return transformRowsAsync('fwhtRowsAsync', data, rows, n, options, true);
}

/**
 * The Hadamard transform of every row of the row-major rows x n float32 matrix `data`, for any supported order
 * n = m 2^k (see supportedHadamardOrder): row r of the result is H_n x_r (H_n^T x_r with `transpose: true`), times
 * 1 / sqrt(n) with `normalize: true`, H_n = hadamardMatrix(n). Resolves to a new Float32Array; data is not modified.
 * O(rows n (log n + m)). On a device: the FWHTs of the m segments of each row, then the m x m base matrix; base
 * orders m up to 256. Agreement with the CPU path as for {@link fwhtRowsAsync}, with log2(n) + m in place of log2(n).
 *
 * Throws as {@link fwhtRowsAsync} does, with an unsupported order (naming the nearest supported ones) in place of a
 * non-power of two, and RangeError on a device for m > 256.
 *
 * @example await hadamardTransformRowsAsync(data, 64, 12 * 256, { normalize: true, backend: 'webgpu' })
 */
export function hadamardTransformRowsAsync(data: Float32Array, rows: number, n: number, options?: HadamardTransformAsyncOptions): Promise<Float32Array> {
  return transformRowsAsync('hadamardTransformRowsAsync', data, rows, n, options, false);
}
