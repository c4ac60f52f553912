/**
 * The incoherence record of a quantized layer: which orthogonal maps U (output side, m) and V (input side, n)
 * turned W into W' = U W V^T, with what they need to be applied again (signs or phases). Inference applies V
 * to the input and U^T to the output, so W_hat x = U^T W_hat' (V x).
 */
import { assertInteger } from '../core/index.js';
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { supportedHadamardOrder } from '../hadamard/index.js';
import { rfftInverse, rfftTransform, rht, rhtInverse } from '../incoherence/index.js';
import type { Seed } from '../random/index.js';
import { quipSharpHadamardRowsInPlace } from '../interop/index.js';
import { requireQuipSharpShape } from './quip-sharp.js';

/** The randomized Hadamard transform: U = V_m S_U / sqrt(m), V = V_n S_V / sqrt(n), signs from `seed`. */
export interface RHTRecord {
  method: 'rht';
  seed: Seed;
  /** Output-side signs (length m): randomSigns(m, seed, 0). */
  signsU: Int8Array;
  /** Input-side signs (length n): randomSigns(n, seed, 1). */
  signsV: Int8Array;
}

/** The randomized FFT: U = Q(phasesU), V = Q(phasesV) (see rfftTransform), phases from `seed`. */
export interface RFFTRecord {
  method: 'rfft';
  seed: Seed;
  /** Output-side phases (length m / 2): randomPhases(m / 2, seed, 2). */
  phasesU: Float64Array;
  /** Input-side phases (length n / 2): randomPhases(n / 2, seed, 3). */
  phasesV: Float64Array;
}

/** No incoherence processing: U and V are identities. */
export interface NoIncoherenceRecord {
  method: 'none';
}

/**
 * QuIP#'s own maps, as its layers store them: W_hat = diag(SV) M_m W_hat' M_n^T diag(SU) diag(scaleWH)^-1 with
 * M_k QuIP#'s Hadamard transform (its H_K tables), SU on the input side and SV (fused with QuIP#'s scales) on the
 * output side. The layer's `scale` is 1.
 */
export interface QuipSharpRecord {
  method: 'quip-sharp';
  /** Input side, length n. */
  SU: Float64Array;
  /** Output side, length m, with Wscale, the RMS scale and any fused-part scale folded in. */
  SV: Float64Array;
  /** QuIP#'s input scaling, length n, or null. */
  scaleWH: Float64Array | null;
}

/**
 * How a quantized layer's codes map back to W: the incoherence processing it was quantized under, with what
 * reverses it (signs, phases, or QuIP#'s own maps), discriminated by `method`.
 */
export type IncoherenceRecord = RHTRecord | RFFTRecord | NoIncoherenceRecord | QuipSharpRecord;

/** x' = V x for the input side (a new Float64Array). */
export function applyInputMap(record: IncoherenceRecord, x: Float64Array): Float64Array {
  if (record.method === 'rht') return rht(x, record.signsV);
  if (record.method === 'rfft') return rfftTransform(x, record.phasesV);
  if (record.method === 'quip-sharp') {
    const { SU, scaleWH } = record;
    const y = new Float64Array(x.length);
    for (let j = 0; j < y.length; j++) y[j] = (scaleWH ? x[j] / scaleWH[j] : x[j]) * SU[j];
    return quipSharpHadamardRowsInPlace(y, 1, y.length, { transpose: true });
  }
  return x;
}

/** y = U^T y' for the output side (a new Float64Array). */
export function applyOutputMapTranspose(record: IncoherenceRecord, y: Float64Array): Float64Array {
  if (record.method === 'rht') return rhtInverse(y, record.signsU);
  if (record.method === 'rfft') return rfftInverse(y, record.phasesU);
  if (record.method === 'quip-sharp') {
    const out = quipSharpHadamardRowsInPlace(y.slice(), 1, y.length);
    for (let i = 0; i < out.length; i++) out[i] *= record.SV[i];
    return out;
  }
  return y;
}

/**
 * Storage the record needs in a quantized file, in bits: one bit per sign, 64 per phase, nothing for 'none', 64
 * per entry of QuIP#'s SU, SV and scaleWH.
 */
export function recordBits(record: IncoherenceRecord): number {
  if (record.method === 'rht') return record.signsU.length + record.signsV.length;
  if (record.method === 'rfft') return 64 * (record.phasesU.length + record.phasesV.length);
  if (record.method === 'quip-sharp') return 64 * (record.SU.length + record.SV.length + (record.scaleWH?.length ?? 0));
  return 0;
}

/** Validates a record for an m x n layer (for `fn`, argument `arg`). */
export function checkRecord(fn: string, arg: string, record: unknown, m: number, n: number): IncoherenceRecord {
  const r = record as { method?: unknown; seed?: Seed; signsU?: unknown; signsV?: unknown; phasesU?: unknown; phasesV?: unknown } | null;
  if (typeof r !== 'object' || r === null) throw typeError(fn, arg, "an incoherence record { method: 'rht' | 'rfft' | 'none', ... }", record);
  if (r.method === 'none') return { method: 'none' };
  if (r.method === 'rht') {
    for (const [side, signs, len] of [['signsU', r.signsU, m], ['signsV', r.signsV, n]] as const) {
      if (!(signs instanceof Int8Array)) throw typeError(fn, `${arg}.${side}`, 'an Int8Array of +-1', signs);
      if (signs.length !== len) throw rangeError(fn, `${arg}.${side}`, `of length ${len}`, `length ${signs.length}`);
      for (let i = 0; i < len; i++) {
        if (signs[i] !== 1 && signs[i] !== -1) throw rangeError(fn, `${arg}.${side}`, '+-1 everywhere', `${signs[i]} at index ${i}`);
      }
      if (!supportedHadamardOrder(len)) throw rangeError(fn, `${arg}.${side}`, 'of a supported Hadamard order length', String(len));
    }
    return { method: 'rht', seed: r.seed ?? 0, signsU: r.signsU as Int8Array, signsV: r.signsV as Int8Array };
  }
  if (r.method === 'rfft') {
    for (const [side, phases, len] of [['phasesU', r.phasesU, m / 2], ['phasesV', r.phasesV, n / 2]] as const) {
      if (!(phases instanceof Float64Array)) throw typeError(fn, `${arg}.${side}`, 'a Float64Array of phases', phases);
      assertInteger(fn, `${arg}.${side}.length`, phases.length, len, len);
      for (let i = 0; i < phases.length; i++) {
        if (!Number.isFinite(phases[i])) throw rangeError(fn, `${arg}.${side}`, 'finite everywhere', `${phases[i]} at index ${i}`);
      }
    }
    return { method: 'rfft', seed: r.seed ?? 0, phasesU: r.phasesU as Float64Array, phasesV: r.phasesV as Float64Array };
  }
  if (r.method === 'quip-sharp') {
    const q = record as Partial<QuipSharpRecord>;
    requireQuipSharpShape(fn, `${arg}.SV.length`, `${arg}.SU.length`, m, n);
    for (const [side, v, len, positive] of [['SU', q.SU, n, false], ['SV', q.SV, m, false], ['scaleWH', q.scaleWH, n, true]] as const) {
      if (side === 'scaleWH' && (v === null || v === undefined)) continue;
      if (!(v instanceof Float64Array)) throw typeError(fn, `${arg}.${side}`, 'a Float64Array', v);
      if (v.length !== len) throw rangeError(fn, `${arg}.${side}`, `of length ${len}`, `length ${v.length}`);
      for (let i = 0; i < len; i++) {
        if (!Number.isFinite(v[i]) || (positive && !(v[i] > 0))) throw rangeError(fn, `${arg}.${side}`, positive ? 'finite and positive everywhere' : 'finite everywhere', `${v[i]} at index ${i}`);
      }
    }
    return { method: 'quip-sharp', SU: q.SU!, SV: q.SV!, scaleWH: q.scaleWH ?? null };
  }
  throw rangeError(fn, `${arg}.method`, "'rht', 'rfft', 'none' or 'quip-sharp'", describeValue(r.method));
}
