/**
 * E8P12 nearest-point quantization on any backend: the CPU path is E8P12.quantize (exact); the device path
 * (nearest-plan.ts) searches in float32 and flags the rows where float32 cannot promise the exact answer.
 */
import { assertFinite, assertFloatArray, type FloatArray } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { E8P12 } from '../lattice/index.js';
import { e8p12Tables } from './decode-plan.js';
import { runPlan } from './device.js';
import { buildNearestPlan, nearestTables, type NearestTables } from './nearest-plan.js';
import { readOptions, type BackendOptions } from './options.js';
import { resolveBackend } from './registry.js';

/** Rows per device dispatch: 2^21 rows are 2^24 inputs (every index exact in float32). */
const MAX_DISPATCH_ROWS = 2 ** 21;
/** Rows with an entry beyond this go to the CPU search: their squared distances would leave float32. */
const DEVICE_MAX_ABS = 2 ** 40;

let tables: NearestTables | undefined;

/** What {@link nearestE8P12Async} resolves to. */
export interface NearestE8P12Result {
  /** codes[r]: the E8P12 code of the point nearest to row r. */
  codes: Uint16Array;
  /**
   * Rows whose two best squared distances differ by at most 1e-5 (||x_r||^2 + ||row||^2 + 1) (row: the absolute
   * pattern of the point found), where a float32 search may pick another point than the CPU's exact search (0 on
   * 'cpu'). Every other row's code is the CPU's.
   */
  nearTies: number;
}

/**
 * The code of the E8P12 point nearest to each row of the row-major k x 8 matrix `X`, on the backend of
 * `options.backend` (default: the current one), and the count of near-ties. On 'cpu' the codes are
 * `E8P12.quantize(X).codes` (exact, ties to the CPU search order) and nearTies is 0. On a device each row searches
 * the 2 x 256 (shift, stored row) classes in float32 (X is rounded to float32 first): O(k 4096) flops; its code
 * equals the CPU's except in a near-tie, counted in nearTies. Rows with an entry beyond 2^40 in magnitude are
 * searched on the host (exactly). 2^21 rows per dispatch.
 *
 * Throws (as a rejected Promise) TypeError unless X is a Float32Array or Float64Array or for a bad options object;
 * RangeError for a length not a multiple of 8 or a non-finite entry (naming its index); RangeError/TypeError for
 * an unknown backend name; BackendUnavailableError when the backend named cannot run here.
 *
 * @example
 * const { codes, nearTies } = await nearestE8P12Async(X, { backend: 'webgpu' }); // codes as E8P12.quantize(X).codes
 */
export async function nearestE8P12Async(X: FloatArray, options?: BackendOptions): Promise<NearestE8P12Result> {
  const fn = 'nearestE8P12Async';
  assertFloatArray(fn, 'X', X);
  if (X.length % 8 !== 0) throw rangeError(fn, 'X', 'a row-major k x 8 matrix (length a multiple of 8)', `length ${X.length}`);
  assertFinite(fn, 'X', X);
  const { backend } = readOptions(fn, options, []);
  const mode = await resolveBackend(fn, backend);
  const k = X.length / 8;
  if (mode === 'cpu' || k === 0) return { codes: k === 0 ? new Uint16Array(0) : E8P12.quantize(X).codes, nearTies: 0 };
  tables ??= nearestTables(e8p12Tables((c) => E8P12.decode(c)));
  const t = tables;
  const codes = new Uint16Array(k);
  let nearTies = 0;
  const huge: number[] = [];
  for (let r0 = 0; r0 < k; r0 += MAX_DISPATCH_ROWS) {
    const rows = Math.min(MAX_DISPATCH_ROWS, k - r0);
    const input = Float32Array.from(X.subarray(8 * r0, 8 * (r0 + rows)));
    const found = (await runPlan(mode, `nearest-e8p12:${rows}`, (gpu) => buildNearestPlan(gpu, rows, t), [input])) as Float32Array;
    for (let r = 0; r < rows; r++) {
      let max = 0;
      for (let q = 8 * (r0 + r); q < 8 * (r0 + r + 1); q++) max = Math.max(max, Math.abs(X[q]));
      if (max > DEVICE_MAX_ABS) huge.push(r0 + r);
      else if (found[r] >= 65536) {
        codes[r0 + r] = found[r] - 65536;
        nearTies++;
      } else codes[r0 + r] = found[r];
    }
  }
  if (huge.length > 0) {
    const rows = new Float64Array(8 * huge.length);
    huge.forEach((r, i) => rows.set(X.subarray(8 * r, 8 * r + 8), 8 * i));
    E8P12.quantize(rows).codes.forEach((c, i) => (codes[huge[i]] = c));
  }
  return { codes, nearTies };
}
