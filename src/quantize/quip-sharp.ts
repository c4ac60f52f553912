/**
 * QuIP#'s Algorithm 1 as its quantize_linear runs it (compat: 'quip-sharp'), and QuantizedLinear <-> QuIP#'s
 * layer dicts. quantizeLinear's own pipeline differs from QuIP#'s in its transforms (quipsharp's Hadamard
 * constructions and seeded signs) and its float64 regularization; this path uses QuIP#'s H_K tables, the sign
 * vectors the caller gives (e.g. the ones QuIP# drew) and QuIP#'s float32 Hessian regularization, so that the
 * codes are QuIP#'s own.
 *
 *   W <- W / rms(W);  H <- fl32(H / mean(diag H)) + sigma I (float32);  optional rescaling (QuIP#'s rescale_WH:
 *   H <- H / max|H|, s = (max(diag H, 1e-8) / max(diag(W^T W), 1e-8))^(1/4) in float32, W <- W diag(s),
 *   H <- diag(s)^-1 H diag(s)^-1);  W' = M_m^T diag(SV) W diag(SU) M_n,  H' = M_n^T diag(SU) H diag(SU) M_n;
 *   block LDL of H';  Wscale = rms(W') / optScale;  BlockLDLQ of W' / Wscale.
 */
import type { DenseMatrix } from '../core/index.js';
import { transformBothSides, type RowMap } from '../incoherence/index.js';
import { rangeError, typeError } from '../errors/index.js';
import {
  quipSharpHadamardRowsInPlace,
  quipSharpHessianToDense,
  quipSharpLayerToAttr,
  readQuipSharpLayer,
  regularizeQuipSharpHessian,
  requireQuipSharpFactor,
  quipSharpCodebook,
  type QuipSharpCodebookName,
  type QuipSharpLayer,
} from '../interop/index.js';
import type { Codebook } from '../lattice/index.js';
import { matrixFromRowMajor } from '../core/index.js';
import { factorizeWithRetry, rootMeanSquare, type PreparedLayer } from './prepare.js';
import type { QuantizedLinearFields } from './quantized-linear.js';
import type { QuipSharpRecord } from './record.js';

const QUIP_NAMES = ['E8P12', 'E8P12RVQ3B', 'E8P12RVQ4B'] as const;

/** QuIP#'s name of a built-in codebook, or a RangeError naming `arg`. */
export function quipSharpNameOf(fn: string, arg: string, codebook: Codebook): QuipSharpCodebookName {
  const name = QUIP_NAMES.find((q) => quipSharpCodebook(q) === codebook);
  if (!name) throw rangeError(fn, arg, "one of QuIP#'s codebooks (E8P12, E8P12RVQ3B, E8P12RVQ4B) for compat 'quip-sharp'", codebook.name);
  return name;
}

/** A +-1 vector of length n as float64 (Int8Array or float arrays of +-1). */
export function readSignVector(fn: string, arg: string, v: unknown, n: number): Float64Array {
  if (!(v instanceof Int8Array || v instanceof Float32Array || v instanceof Float64Array)) {
    throw typeError(fn, arg, `an Int8Array (or float array) of ${n} signs +-1`, v);
  }
  if (v.length !== n) throw rangeError(fn, arg, `of length ${n}`, `length ${v.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (v[i] !== 1 && v[i] !== -1) throw rangeError(fn, arg, '+-1 everywhere', `${v[i]} at index ${i}`);
    out[i] = v[i];
  }
  return out;
}

/** The dense E[x x^T] of a QuIP# Hessian dict `{ flatH, mu, n, ct }`, or undefined when H is not such a dict. */
export function quipSharpHessianInput(H: unknown): DenseMatrix | undefined {
  if (typeof H !== 'object' || H === null || !('flatH' in H)) return undefined;
  const dense = quipSharpHessianToDense(H as Record<string, unknown>);
  return { data: dense.data, rows: dense.shape[0], cols: dense.shape[1] };
}

/** X <- diag(left) X diag(right) for row-major rows x cols X (either may be null). */
function scaleSides(X: Float64Array, rows: number, cols: number, left: Float64Array | null, right: Float64Array | null): void {
  for (let i = 0; i < rows; i++) {
    const a = left ? left[i] : 1;
    for (let j = 0; j < cols; j++) X[i * cols + j] *= a * (right ? right[j] : 1);
  }
}

/** x -> M_k^T x on every row (QuIP#'s matmul_hadUt): as the right factor X M_k, as the left factor M_k^T X. */
const hadUt: RowMap = (data, rows, k) => void quipSharpHadamardRowsInPlace(data, rows, k, { transpose: true });

/** M_r^T X M_c of a row-major r x c X; returns the new array. */
function hadamardBothSides(X: Float64Array, r: number, c: number, arg: string): Float64Array {
  return transformBothSides(X, r, c, hadUt, hadUt, arg);
}

/** QuIP#'s quantize_linear up to the rounding, on validated copies (w m x n; h n x n, E[x x^T]; both overwritten). */
export function prepareQuipSharpLayer(
  fn: string,
  w: DenseMatrix,
  h: DenseMatrix,
  o: { codebook: Codebook; sigmaReg: number; rescale: boolean; signsIn: Float64Array; signsOut: Float64Array; tuneIters: number },
  onStage: (stage: 'incoherence' | 'factorize') => void,
): PreparedLayer {
  const { rows: m, cols: n } = w;
  requireQuipSharpShape(fn, 'W.shape[0]', 'W.shape[1]', m, n);
  const rms = rootMeanSquare(w.data);
  const W = w.data;
  if (rms > 0) for (let k = 0; k < W.length; k++) W[k] /= rms;
  let H = regularizeQuipSharpHessian(matrixFromRowMajor(h.data, n, n), o.sigmaReg).data;
  let scaleWH: Float64Array | null = null;
  if (o.rescale) {
    let max = 0;
    for (let k = 0; k < H.length; k++) max = Math.max(max, Math.abs(H[k]));
    for (let k = 0; k < H.length; k++) H[k] /= max;
    const colSq = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) colSq[j] += W[i * n + j] * W[i * n + j];
    scaleWH = new Float64Array(n);
    for (let j = 0; j < n; j++) scaleWH[j] = Math.max(1e-8, Math.fround(Math.sqrt(Math.sqrt(Math.max(H[j * n + j], 1e-8) / Math.max(colSq[j], 1e-8)))));
    const inv = scaleWH.map((s) => 1 / s);
    scaleSides(W, m, n, null, scaleWH);
    scaleSides(H, n, n, inv, inv);
  }
  onStage('incoherence');
  scaleSides(W, m, n, o.signsOut, o.signsIn);
  const Wp = hadamardBothSides(W, m, n, 'W');
  scaleSides(H, n, n, o.signsIn, o.signsIn);
  H = hadamardBothSides(H, n, n, 'H');
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
  onStage('factorize');
  const { L, D, sigmaReg, retries, Hp } = factorizeWithRetry(fn, H, n, o.codebook.dim, o.sigmaReg, o.tuneIters > 0);
  const Wscale = rootMeanSquare(Wp) / o.codebook.optScale;
  if (Wscale > 0) for (let k = 0; k < Wp.length; k++) Wp[k] /= Wscale;
  return {
    m,
    n,
    U: Wp,
    L,
    D,
    Hp,
    record: { method: 'quip-sharp', SU: o.signsIn, SV: o.signsOut, scaleWH },
    scale: Wscale * rms,
    rescale: null,
    mu: Number.NaN, // the report is computed directly against the user's H (QuIP#'s float32 H is not H / mu + sigma I)
    sigmaReg,
    retries,
  };
}

/**
 * A QuantizedLinear's fields from a QuIP# layer dict (`{ Qidxs, SU, SV, scaleWH, fused, shapes, scales }`, as
 * readTorchFile returns a QuIP# `.pt`, or safetensors tensors of the same names) and its codebook: QuIP#'s maps
 * and its stored float16 values are kept as they are, fused-part scales folded into SV, scale 1.
 */
export function fieldsFromQuipSharp(attr: Record<string, unknown>, codebook: QuipSharpCodebookName): QuantizedLinearFields {
  const layer = readQuipSharpLayer(attr, codebook);
  const SV = layer.SV.slice();
  let row = 0;
  for (const part of layer.parts) for (let r = 0; r < part.rows; r++, row++) SV[row] *= part.scale;
  return {
    outFeatures: layer.m,
    inFeatures: layer.n,
    codebook: quipSharpCodebook(codebook),
    codes: layer.codes,
    incoherence: { method: 'quip-sharp', SU: layer.SU, SV, scaleWH: layer.scaleWH },
    scale: 1,
    rescale: null,
  };
}

/** QuIP#'s layer dict of a layer that uses QuIP#'s maps (SV fused with the scale, rounded to float16 as QuIP# stores it). */
export function quipSharpAttrOf(fn: string, fields: QuantizedLinearFields & { codebook: Codebook }): Record<string, unknown> {
  const r = fields.incoherence;
  if (r.method !== 'quip-sharp') {
    throw rangeError(
      fn,
      'this',
      "a layer in QuIP#'s transform (quantized with { compat: 'quip-sharp' } or read with fromQuipSharp); quipsharp's own Hadamard constructions and signs are not QuIP#'s",
      `incoherence '${r.method}'`,
    );
  }
  if (fields.rescale) throw rangeError(fn, 'this', 'a layer without quipsharp rescaling (QuIP# stores scaleWH instead)', 'a rescale vector');
  return quipSharpLayerToAttr(quipSharpLayerOf(fn, fields, r));
}

/** The layer in interop's terms: QuIP#'s codebook name, SV with the layer's scale fused in, one part. */
export function quipSharpLayerOf(fn: string, fields: QuantizedLinearFields & { codebook: Codebook }, r: QuipSharpRecord): QuipSharpLayer {
  const codebook = quipSharpNameOf(fn, 'this.codebook', fields.codebook);
  const SV = r.SV.map((v) => v * fields.scale);
  return { codebook, m: fields.outFeatures, n: fields.inFeatures, codes: fields.codes, SU: r.SU, SV, scaleWH: r.scaleWH, parts: [{ rows: fields.outFeatures, scale: 1 }] };
}

/**
 * Throws RangeError unless an m x n layer has shapes QuIP# can transform and pack: m a multiple of 16 and n of
 * 64, both orders of QuIP#'s transform.
 */
export function requireQuipSharpShape(fn: string, argM: string, argN: string, m: number, n: number): void {
  requireQuipSharpFactor(fn, argM, m);
  requireQuipSharpFactor(fn, argN, n);
  if (m % 16 !== 0) throw rangeError(fn, argM, 'a multiple of 16 (QuIP# packs 16 rows per tile)', String(m));
  if (n % 64 !== 0) throw rangeError(fn, argN, 'a multiple of 64 (QuIP# packs 64 inputs per tile)', String(n));
}
