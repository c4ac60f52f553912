/**
 * QuIP#'s quantized layers: the dict its quantize_linear saves per layer (`{ Qidxs, SU, SV, scaleWH, fused,
 * shapes, scales, A, B }`), read into what running the layer needs, written back, and decoded to W_hat.
 *
 * Conventions (QuIP#'s): SU is the input side (length n = in_features), SV the output side (length m); both are
 * float16, SV with Wscale and the layer's RMS scale fused in. With M_k QuIP#'s transform (hadamard.ts),
 *   W_hat = diag(SV) M_m W_hat' M_n^T diag(SU) diag(scaleWH)^-1,
 * W_hat' the decoded codes; at inference x is divided by scaleWH, times SU, rotated by M_n^T, multiplied by W_hat',
 * rotated by M_m and times SV. A fused layer (q/k/v or up/gate stacked) multiplies the rows of part i by scales[i].
 */
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { assertFinite, matrixFromRowMajor, transpose, type Matrix } from '../core/index.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, type Codebook } from '../lattice/index.js';
import { float16Bits, float16Value } from './float16.js';
import { quipSharpHadamardRowsInPlace, requireQuipSharpFactor } from './hadamard.js';
import { isQuipSharpCodebookName, packQuipSharp, quipSharpLayout, unpackQuipSharp, type QuipSharpCodebookName } from './pack.js';
import { floatValues, readTensor, scalarValue } from './tensor-input.js';

/** One of the layers stacked in a fused QuIP# layer: its output rows, and the scale QuIP# multiplies them by. */
export interface QuipSharpPart {
  rows: number;
  scale: number;
}

/** A QuIP# layer in quipsharp's terms: what running or decoding it needs. */
export interface QuipSharpLayer {
  codebook: QuipSharpCodebookName;
  /** Output features (rows of W): a multiple of 16. */
  m: number;
  /** Input features: a multiple of 64. */
  n: number;
  /** The codes in quipsharp's layout: m x (n / 8) groups, `codeWords` Uint16 slots each, row-major. */
  codes: Uint16Array;
  /** QuIP#'s SU: the input-side signs, length n (the stored float16 values). */
  SU: Float64Array;
  /** QuIP#'s SV: the output-side signs times Wscale and the RMS scale, length m (the stored float16 values). */
  SV: Float64Array;
  /** QuIP#'s input scaling (rescale_WH): W_hat's columns are divided by it; null when absent. */
  scaleWH: Float64Array | null;
  /** The stacked layers (one part of m rows and scale 1 for a layer that is not fused). */
  parts: QuipSharpPart[];
}

/** The quipsharp codebook object for a QuIP# codebook name. */
export function quipSharpCodebook(name: QuipSharpCodebookName): Codebook {
  return name === 'E8P12' ? E8P12 : name === 'E8P12RVQ3B' ? E8P12RVQ3B : E8P12RVQ4B;
}

const FLOATS = ['F16', 'F32', 'F64'] as const;

/** Reads shapes and scales (QuIP#'s fused layers), checking that they tile the m x n layer. */
function readParts(fn: string, a: Record<string, unknown>, m: number, n: number): QuipSharpPart[] {
  const { shapes, scales, fused } = a;
  if (!Array.isArray(shapes) || shapes.length === 0) throw typeError(fn, 'attr.shapes', 'a non-empty list of [rows, cols]', shapes);
  if (!Array.isArray(scales) || scales.length !== shapes.length) {
    throw typeError(fn, 'attr.scales', `a list of ${shapes.length} numbers (one per shape)`, scales);
  }
  if (fused !== shapes.length > 1) {
    throw rangeError(fn, 'attr.fused', `${shapes.length > 1} for ${shapes.length} shape(s)`, String(fused));
  }
  let total = 0;
  const parts = shapes.map((s: unknown, i: number) => {
    if (!Array.isArray(s) || s.length !== 2 || !Number.isSafeInteger(s[0]) || s[0] < 1 || s[1] !== n) {
      throw rangeError(fn, `attr.shapes[${i}]`, `[rows, ${n}]`, Array.isArray(s) ? `[${s.join(', ')}]` : String(s));
    }
    total += s[0];
    return { rows: s[0] as number, scale: scalarValue(fn, `attr.scales[${i}]`, scales[i]) };
  });
  if (total !== m) throw rangeError(fn, 'attr.shapes', `rows adding up to SV's length ${m}`, `${total} rows`);
  return parts;
}

/**
 * Reads a QuIP# layer dict (as readTorchFile returns its `.pt`, or safetensors tensors of the same names) saved
 * with the codebook `codebook`: the codes unpacked from `Qidxs` (unpackQuipSharp), SU and SV as their stored
 * values (F16 in QuIP#'s files; F32 and F64 tensors are read as they are), scaleWH, m = len(SV),
 * n = len(SU), and the fused parts (shapes, scales: numbers or 0-dim tensors).
 *
 * Cost: O(m n). Throws TypeError for a missing or mistyped field and RangeError for a codebook name QuIP# does
 * not have, shapes QuIP# cannot pack (m not a multiple of 16, n not a multiple of 64, or an n its transform does
 * not support), a Qidxs shape that does not match, non-finite or non-positive scales, a low-rank correction (A, B
 * not null) or a separate Wscale other than 1 (older QuIP# formats), which are not supported.
 *
 * @example readQuipSharpLayer(readTorchFile(bytes) as Record<string, unknown>, 'E8P12').codes
 */
export function readQuipSharpLayer(attr: Record<string, unknown>, codebook: QuipSharpCodebookName): QuipSharpLayer {
  const fn = 'readQuipSharpLayer';
  if (typeof attr !== 'object' || attr === null) throw typeError(fn, 'attr', 'a QuIP# layer dict', attr);
  if (!isQuipSharpCodebookName(codebook)) throw rangeError(fn, 'codebook', "'E8P12', 'E8P12RVQ3B' or 'E8P12RVQ4B'", String(codebook));
  for (const key of ['A', 'B'] as const) {
    if (attr[key] !== null && attr[key] !== undefined) {
      throw rangeError(fn, `attr.${key}`, 'null (low-rank corrections are not supported)', describeValue(attr[key]));
    }
  }
  if (attr.Wscale !== undefined && scalarValue(fn, 'attr.Wscale', attr.Wscale) !== 1) {
    throw rangeError(fn, 'attr.Wscale', '1 or absent (older QuIP# layers with a separate Wscale are not supported)', String(attr.Wscale));
  }
  const SU = floatValues(fn, 'attr.SU', readTensor(fn, 'attr.SU', attr.SU, FLOATS, [-1]));
  const SV = floatValues(fn, 'attr.SV', readTensor(fn, 'attr.SV', attr.SV, FLOATS, [-1]));
  const n = SU.length;
  const m = SV.length;
  requireQuipSharpFactor(fn, 'attr.SU.length', n);
  requireQuipSharpFactor(fn, 'attr.SV.length', m);
  if (m % 16 !== 0 || n % 64 !== 0 || m === 0 || n === 0) {
    throw rangeError(fn, 'attr', 'a layer with m = len(SV) a multiple of 16 and n = len(SU) a multiple of 64', `m = ${m}, n = ${n}`);
  }
  const words = (n / 64) * quipSharpLayout(codebook).wordsPer64;
  const Q = readTensor(fn, 'attr.Qidxs', attr.Qidxs, ['I64'], [m, words]);
  const codes = unpackQuipSharp(Q.data as BigInt64Array, { rows: m, codebook });
  let scaleWH: Float64Array | null = null;
  if (attr.scaleWH !== null && attr.scaleWH !== undefined) {
    scaleWH = floatValues(fn, 'attr.scaleWH', readTensor(fn, 'attr.scaleWH', attr.scaleWH, FLOATS, [n]));
    assertPositive(fn, 'attr.scaleWH', scaleWH);
  }
  return { codebook, m, n, codes, SU, SV, scaleWH, parts: readParts(fn, attr, m, n) };
}

/** Throws RangeError naming the first entry of `v` that is not > 0. */
function assertPositive(fn: string, arg: string, v: Float64Array): void {
  const bad = v.findIndex((x) => !(x > 0));
  if (bad >= 0) throw rangeError(fn, arg, 'positive everywhere', `${v[bad]} at index ${bad}`);
}

/** A finite Float64Array of `length` entries at `layer.<key>`, or a RangeError/TypeError for `fn`. */
function checkVector(fn: string, key: string, v: unknown, length: number, what: string): void {
  if (!(v instanceof Float64Array)) throw typeError(fn, `layer.${key}`, `a Float64Array (${what})`, v);
  if (v.length !== length) throw rangeError(fn, `layer.${key}`, `of length ${length} (${what})`, `length ${v.length}`);
  assertFinite(fn, `layer.${key}`, v);
}

/**
 * Checks a QuipSharpLayer for `fn`: a QuIP# codebook, m and n QuIP# can transform and pack (multiples of 16 and
 * 64), codes of the right length, finite SU (n) and SV (m), a positive scaleWH (n) or null, parts adding up to m.
 */
function checkLayer(fn: string, layer: QuipSharpLayer): Codebook {
  if (typeof layer !== 'object' || layer === null) throw typeError(fn, 'layer', 'a QuipSharpLayer', layer);
  const { codebook, m, n, codes, SU, SV, scaleWH, parts } = layer;
  if (!isQuipSharpCodebookName(codebook)) throw rangeError(fn, 'layer.codebook', "'E8P12', 'E8P12RVQ3B' or 'E8P12RVQ4B'", String(codebook));
  requireQuipSharpFactor(fn, 'layer.m', m);
  requireQuipSharpFactor(fn, 'layer.n', n);
  if (m % 16 !== 0) throw rangeError(fn, 'layer.m', 'a multiple of 16 (QuIP# packs 16 rows per tile)', String(m));
  if (n % 64 !== 0) throw rangeError(fn, 'layer.n', 'a multiple of 64 (QuIP# packs 64 inputs per tile)', String(n));
  const cb = quipSharpCodebook(codebook);
  const slots = (m * n * cb.codeWords) / 8;
  if (!(codes instanceof Uint16Array)) throw typeError(fn, 'layer.codes', 'a Uint16Array', codes);
  if (codes.length !== slots) throw rangeError(fn, 'layer.codes', `of length m * n / 8 * ${cb.codeWords} = ${slots}`, `length ${codes.length}`);
  if (codebook === 'E8P12RVQ3B') {
    for (let i = 1; i < slots; i += 2) {
      if (codes[i] > 255) throw rangeError(fn, `layer.codes[${i}]`, 'an 8-bit E81B residual index (below 256)', String(codes[i]));
    }
  }
  checkVector(fn, 'SU', SU, n, 'the input side');
  checkVector(fn, 'SV', SV, m, 'the output side');
  if (scaleWH !== null) {
    checkVector(fn, 'scaleWH', scaleWH, n, 'the input scaling');
    assertPositive(fn, 'layer.scaleWH', scaleWH);
  }
  const ok = Array.isArray(parts) && parts.length > 0 && parts.every((p) => Number.isSafeInteger(p?.rows) && p.rows > 0 && Number.isFinite(p.scale));
  if (!ok || parts.reduce((t, p) => t + p.rows, 0) !== m) {
    throw rangeError(fn, 'layer.parts', `a list of { rows, scale } with rows adding up to m = ${m}`, describeValue(parts));
  }
  return cb;
}

/** A float16 tensor of `values` in readTorchFile's form (values rounded to float16, ties to even). */
function float16Tensor(fn: string, arg: string, values: Float64Array) {
  const bits = Uint16Array.from(values, float16Bits);
  const data = Float32Array.from(bits, float16Value);
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw rangeError(fn, `${arg}[${bad}]`, 'within float16 range (|x| < 65520)', String(values[bad]));
  return { dtype: 'F16' as const, shape: [values.length], data, bits };
}

/**
 * The dict QuIP#'s quantize_linear saves for a layer, from a QuipSharpLayer: Qidxs packed by packQuipSharp (an
 * int64 tensor of m rows), SU and SV rounded to float16 (ties to even; exact for values read from QuIP#), scaleWH
 * as float32 or null, A = B = null, fused, shapes and scales from `parts`. Tensors are in readTorchFile's form.
 * readQuipSharpLayer reads it back to the same layer (when SU, SV are float16 values).
 *
 * Cost: O(m n). Throws TypeError/RangeError (naming the field of `layer`) for a layer QuIP# cannot hold: see
 * dequantizeQuipSharp; and RangeError for SU or SV beyond float16's range.
 *
 * @example quipSharpLayerToAttr(readQuipSharpLayer(attr, 'E8P12')) // the same dict again
 */
export function quipSharpLayerToAttr(layer: QuipSharpLayer): Record<string, unknown> {
  const fn = 'quipSharpLayerToAttr';
  checkLayer(fn, layer);
  const { codebook, m, n, codes, SU, SV, scaleWH, parts } = layer;
  const Qidxs = packQuipSharp(codes, { rows: m, codebook });
  return {
    Qidxs: { dtype: 'I64', shape: [m, Qidxs.length / m], data: Qidxs },
    A: null,
    B: null,
    SU: float16Tensor(fn, 'layer.SU', SU),
    SV: float16Tensor(fn, 'layer.SV', SV),
    scaleWH: scaleWH === null ? null : { dtype: 'F32', shape: [n], data: Float32Array.from(scaleWH) },
    fused: parts.length > 1,
    shapes: parts.map((p) => [p.rows, n]),
    scales: parts.map((p) => p.scale),
  };
}

/**
 * The weight matrix a QuIP# layer represents, in float64 (the reference for its matvec):
 *   W_hat = diag(SV * partScale) M_m W_hat' M_n^T diag(SU / scaleWH),
 * with W_hat' = the codebook's decoding of the codes (quipsharp's E8P12 / E8P12RVQ3B / E8P12RVQ4B), M_k QuIP#'s
 * transform, partScale the scale of the fused part each row belongs to and scaleWH taken as 1 when absent.
 *
 * Cost: O(m n (log n + K_n + log m + K_m)) with K QuIP#'s base orders; 3 m n floats.
 * Throws TypeError/RangeError naming the field of `layer` for: a codebook QuIP# does not have; m, n that QuIP#
 * cannot transform or pack (m a multiple of 16, n of 64); codes of another length than m n / 8 slots per code
 * word (or an E8P12RVQ3B residual above 255); SU, SV, scaleWH not finite Float64Arrays of length n, m, n (scaleWH
 * positive, or null); parts not adding up to m rows.
 *
 * @example dequantizeQuipSharp(readQuipSharpLayer(attr, 'E8P12')) // 192 x 256 for QuIP#'s sample layer
 */
export function dequantizeQuipSharp(layer: QuipSharpLayer): Matrix {
  const fn = 'dequantizeQuipSharp';
  const cb = checkLayer(fn, layer);
  const { m, n, codes, SU, SV, scaleWH, parts } = layer;
  const W = cb.decodeRows(codes, new Float64Array(m * n));
  quipSharpHadamardRowsInPlace(W, m, n); // W' M_n^T
  const Wt = transpose(W, m, n);
  quipSharpHadamardRowsInPlace(Wt, n, m); // (M_m W' M_n^T)^T
  const out = transpose(Wt, n, m);
  const colScale = Float64Array.from(SU, (s, j) => (scaleWH ? s / scaleWH[j] : s));
  for (let i = 0, p = 0, end = parts[0].rows; i < m; i++) {
    if (i === end) end += parts[++p].rows;
    const rowScale = SV[i] * parts[p].scale;
    for (let j = 0; j < n; j++) out[i * n + j] *= rowScale * colScale[j];
  }
  return matrixFromRowMajor(out, m, n);
}
