/**
 * A quantized layer's incoherence maps in the form the device backends run them (backend/'s DeviceMaps): QuIP#
 * Algorithm 2 as y = hostScale (outputDiagonal .* Out(C In(inputDiagonal .* x))), C the decoded codes, from the
 * layer's incoherence record, its rescale vector and its scale.
 */
import { exponentOf, timesPow2 } from '../core/index.js';
import { hadamardBase, hadamardFactorization } from '../hadamard/index.js';
import { quipSharpHadamardBase, quipSharpHadamardFactor } from '../interop/index.js';
import type { DeviceMap, DeviceMaps } from '../backend/index.js';
import type { IncoherenceRecord } from './record.js';

/** An m x m +-1 table as float32, transposed or not. */
function baseTable(H: Int8Array, m: number, transpose: boolean): Float32Array {
  const B = new Float32Array(m * m);
  for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) B[a * m + c] = transpose ? H[c * m + a] : H[a * m + c];
  return B;
}

/** quipsharp's H_length = H_m kron H_p (hadamard/), transposed or not, times scale. */
function rhtMap(length: number, transpose: boolean, scale: number): DeviceMap {
  const { m, k } = hadamardFactorization(length) as { m: number; k: number };
  return { kind: 'hadamard', m, p: 2 ** k, base: baseTable(hadamardBase(m), m, transpose), scale };
}

/** QuIP#'s M_length = (H_K kron S_p) / fround(sqrt(length)) (interop/), transposed or not. */
function quipSharpMap(length: number, transpose: boolean): DeviceMap {
  const { K, p } = quipSharpHadamardFactor(length) as { K: number; p: number };
  const base = K === 1 ? Float32Array.of(1) : baseTable(quipSharpHadamardBase(K), K, transpose);
  return { kind: 'hadamard', m: K, p, base, scale: 1 / Math.fround(Math.sqrt(length)) };
}

/**
 * d scaled by the power of two 2^-e that brings max |d_i| into [1/2, 1) (at most 1 after rounding to float32), with e; null (and 0) for
 * no diagonal. An all-zero d stays zero (e = 0).
 */
function normalizedDiagonal(d: ArrayLike<number> | null): { diagonal: Float32Array | null; e: number } {
  if (d === null) return { diagonal: null, e: 0 };
  let max = 0;
  for (let j = 0; j < d.length; j++) max = Math.max(max, Math.abs(d[j]));
  if (max === 0) return { diagonal: new Float32Array(d.length), e: 0 };
  // 2^(e - 1) <= max < 2^e: the entries divided by 2^e are below 1 in magnitude
  const e = exponentOf(max) + 1;
  return { diagonal: Float32Array.from(d, (v) => timesPow2(v, -e)), e };
}

/** The entrywise product of the given diagonals (each of length n, or null), or null when none is given. */
function productOf(n: number, ...factors: Array<ArrayLike<number> | null>): Float64Array | null {
  const given = factors.filter((f): f is ArrayLike<number> => f !== null);
  if (given.length === 0) return null;
  const d = new Float64Array(n).fill(1);
  for (const f of given) for (let j = 0; j < n; j++) d[j] *= f[j];
  return d;
}

/**
 * The device maps of an m x n layer with incoherence `record`, rescale vector s (or null) and scale:
 * W_hat x = hostScale (outputDiagonal .* Out(C In(inputDiagonal .* x))).
 * - 'rht': inputDiagonal = signsV / s, In = H_n / sqrt(n); Out = H_m^T / sqrt(m), outputDiagonal = signsU (rhtInverse).
 * - 'rfft': inputDiagonal = 1 / s (or none), In = the forward RFFT with phasesV; Out = the inverse RFFT with phasesU.
 * - 'none': inputDiagonal = 1 / s (or none), In and Out identities.
 * - 'quip-sharp': inputDiagonal = SU / (scaleWH s), In = M_n^T; Out = M_m, outputDiagonal = SV (QuIP#'s tables).
 * Each diagonal is scaled by a power of two to max |entry| in [1/2, 1) (then rounded to float32; entries below
 * 2^-149 of the largest vanish), the power moved into hostScale = scale * 2^(e_in + e_out). H_n's split n = m' 2^k is
 * hadamardFactorization's, QuIP#'s quipSharpHadamardFactor's. Cost O(m + n + m'^2). The record must be valid for
 * m x n (checkRecord): unchecked here. Throws RangeError (from hadamardBase) for an RHT base order beyond 32768.
 *
 * @example
 * const maps = deviceMapsOf({ method: 'none' }, null, 0.5, 4, 8); // identities, hostScale 0.5
 */
export function deviceMapsOf(record: IncoherenceRecord, rescale: Float64Array | null, scale: number, m: number, n: number): DeviceMaps {
  const inverseRescale = rescale && Float64Array.from(rescale, (v) => 1 / v);
  let input: DeviceMap = { kind: 'identity' };
  let output: DeviceMap = { kind: 'identity' };
  let inputDiagonal: ArrayLike<number> | null = inverseRescale;
  let outputDiagonal: ArrayLike<number> | null = null;
  if (record.method === 'rht') {
    inputDiagonal = productOf(n, record.signsV, inverseRescale);
    outputDiagonal = record.signsU;
    input = rhtMap(n, false, 1 / Math.sqrt(n));
    output = rhtMap(m, true, 1 / Math.sqrt(m));
  } else if (record.method === 'rfft') {
    input = { kind: 'rfft', phases: record.phasesV, inverse: false };
    output = { kind: 'rfft', phases: record.phasesU, inverse: true };
  } else if (record.method === 'quip-sharp') {
    inputDiagonal = productOf(n, record.SU, record.scaleWH && Float64Array.from(record.scaleWH, (v) => 1 / v), inverseRescale);
    outputDiagonal = record.SV;
    input = quipSharpMap(n, true);
    output = quipSharpMap(m, false);
  }
  const inD = normalizedDiagonal(inputDiagonal);
  const outD = normalizedDiagonal(outputDiagonal);
  return { inputDiagonal: inD.diagonal, input, output, outputDiagonal: outD.diagonal, hostScale: timesPow2(timesPow2(scale, inD.e), outD.e) };
}
