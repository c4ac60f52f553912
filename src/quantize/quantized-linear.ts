/**
 * A quantized linear layer and compressed inference (QuIP# Algorithm 2): y = W_hat x computed from the codes,
 * W_hat = U^T (scale C) V diag(1 / rescale), with C the matrix of decoded codebook points, U and V the
 * incoherence maps of the record, never materializing W_hat.
 */
import {
  assertFinite,
  assertFloatArray,
  assertInteger,
  matrixFromRowMajor,
  readMatrix,
  type FloatArray,
  type DenseMatrix,
  type Matrix,
  type MatrixInput,
} from '../core/index.js';
import { dequantizeQuipSharp } from '../interop/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { reverseIncoherenceRFFT, reverseIncoherenceRHT } from '../incoherence/index.js';
import type { Codebook } from '../lattice/index.js';
import { chunkMajor, decoderFor, type CodeDecoder } from './decoder.js';
import { resolveCodebook, type QuantizeStage } from './options.js';
import { checkLayerName } from './format.js';
import { fieldsFromQuipSharp, quipSharpAttrOf, quipSharpLayerOf } from './quip-sharp.js';
import type { QuipSharpCodebookName } from '../interop/index.js';
import { readQuantizedLayer, writeQuantizedModel } from './model-file.js';
import { applyInputMap, applyOutputMapTranspose, checkRecord, recordBits, type IncoherenceRecord } from './record.js';
import { DeviceLayer, type ProductOptions } from '../backend/index.js';
import { deviceMapsOf } from './device-maps.js';

/** What quantizeLinear measured, in the units of the W and H the user gave. */
export interface QuantizeReport {
  /** tr((W - W_hat) H (W - W_hat)^T). */
  proxyLoss: number;
  /** proxyLoss / tr(W H W^T) (0 when both are 0). */
  relativeProxyLoss: number;
  /** ||W - W_hat||_F / ||W||_F (0 when both are 0). */
  weightError: number;
  /** Everything a file stores per weight: codes, signs or phases, scales. */
  bitsPerWeight: number;
  /** The sigmaReg the factorization succeeded with (10x the requested one after a retry). */
  sigmaReg: number;
  /** 0, or 1 when the first factorization failed and was retried with 10 x sigmaReg. */
  retries: number;
  /** Threads the rounding ran on. */
  threads: number;
  /** Wall-clock seconds per stage and in total. */
  seconds: Record<QuantizeStage, number> & { total: number };
}

/** The fields a QuantizedLinear is made of (what a file stores). */
export interface QuantizedLinearFields {
  outFeatures: number;
  inFeatures: number;
  /** A built-in codebook's name ('E8P12', 'E8P12RVQ3B', 'E8P12RVQ4B', or 'e8p12'...) or a Codebook. */
  codebook: string | Codebook;
  /** Row-major outFeatures x (inFeatures / dim) x codeWords code words. */
  codes: Uint16Array;
  incoherence: IncoherenceRecord;
  /** W_hat' = scale * C (rms(W') / codebook.optScale at quantization; 0 for an all-zero layer). */
  scale: number;
  /** Per-input-column rescaling s (W was quantized as W diag(s)), or null. */
  rescale: Float64Array | null;
  report?: QuantizeReport | null;
}

/**
 * A quantized m x n linear layer: codes, incoherence record and scales, with compressed matvec and matmul.
 * It stands for W_hat = U^T (scale * C) V diag(s)^-1, C the decoded codes (m x n), U, V the incoherence maps and s
 * the optional rescaling; `matvec` computes W_hat x from the codes without forming W_hat. Built by
 * quantizeLinear, read from files (fromSafetensors, fromQuipSharp, readQuantizedModel), or from its fields.
 *
 * @example
 * const q = await quantizeLinear(W, H, { seed: 0 });
 * const y = q.matvec(x);                           // W_hat x, x of length inFeatures
 * const again = QuantizedLinear.fromSafetensors(q.toSafetensors('down_proj'));
 */
export class QuantizedLinear {
  /** Output features m (rows of W). */
  readonly outFeatures: number;
  /** Input features n (columns of W; a multiple of the codebook's dim). */
  readonly inFeatures: number;
  /** The codebook's name, e.g. 'E8P12'. */
  readonly codebook: string;
  /** Storage per weight: codebook bits plus signs or phases and scales. */
  readonly bitsPerWeight: number;
  /** Row-major outFeatures x (inFeatures / dim) x codeWords code words of the processed weights W'. */
  readonly codes: Uint16Array;
  /** The incoherence processing the codes are under, with what reverses it (signs, phases or QuIP#'s maps). */
  readonly incoherence: IncoherenceRecord;
  /** W_hat' = scale * C: rms(W') / codebook.optScale at quantization (0 for an all-zero layer). */
  readonly scale: number;
  /** Per-input-column rescaling s (W was quantized as W diag(s)), or null. */
  readonly rescale: Float64Array | null;
  /** What quantizeLinear measured (null for a layer built from stored fields). */
  readonly report: QuantizeReport | null;
  /** The codebook object the codes belong to. */
  readonly codebookObject: Codebook;
  private readonly codesT: Uint16Array;
  private readonly decoder: CodeDecoder;
  /** The codes on the device backends, created by the first async product. */
  private device: DeviceLayer | undefined;

  /**
   * Builds a layer from its fields, validating them: shapes positive integers with the codebook's dim dividing
   * inFeatures, codes of the right length and in the codebook's range, a record matching the shapes, a finite
   * scale >= 0 and a finite positive rescale vector of length inFeatures. Throws TypeError/RangeError naming
   * the field.
   */
  constructor(fields: QuantizedLinearFields) {
    const fn = 'QuantizedLinear';
    if (typeof fields !== 'object' || fields === null) throw typeError(fn, 'fields', 'an object', fields);
    const { outFeatures: m, inFeatures: n } = fields;
    assertInteger(fn, 'fields.outFeatures', m, 1, 2 ** 24);
    assertInteger(fn, 'fields.inFeatures', n, 1, 2 ** 24);
    const cb = resolveCodebook(fn, 'fields.codebook', fields.codebook);
    if (n % cb.dim !== 0) throw rangeError(fn, 'fields.inFeatures', `a multiple of the codebook's dim ${cb.dim}`, String(n));
    if (!(fields.codes instanceof Uint16Array)) throw typeError(fn, 'fields.codes', 'a Uint16Array', fields.codes);
    const words = m * (n / cb.dim) * cb.codeWords;
    if (fields.codes.length !== words) throw rangeError(fn, 'fields.codes', `of length ${words} (outFeatures * inFeatures / ${cb.dim} * ${cb.codeWords})`, `length ${fields.codes.length}`);
    checkCodeRange(fn, cb, fields.codes);
    const record = checkRecord(fn, 'fields.incoherence', fields.incoherence, m, n);
    const scale = fields.scale;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) throw rangeError(fn, 'fields.scale', 'a finite number >= 0', String(scale));
    const rescale = fields.rescale ?? null;
    if (rescale !== null) {
      if (!(rescale instanceof Float64Array)) throw typeError(fn, 'fields.rescale', 'a Float64Array or null', rescale);
      if (rescale.length !== n) throw rangeError(fn, 'fields.rescale', `of length ${n}`, `length ${rescale.length}`);
      for (let j = 0; j < n; j++) {
        if (!(rescale[j] > 0 && rescale[j] < Infinity)) throw rangeError(fn, 'fields.rescale', 'finite and positive everywhere', `${rescale[j]} at index ${j}`);
      }
    }
    this.outFeatures = m;
    this.inFeatures = n;
    this.codebook = cb.name;
    this.codebookObject = cb;
    this.codes = fields.codes;
    this.incoherence = record;
    this.scale = scale;
    this.rescale = rescale;
    this.report = fields.report ?? null;
    this.bitsPerWeight = cb.bitsPerWeight + (recordBits(record) + 64 + (rescale ? 64 * n : 0)) / (m * n);
    this.codesT = chunkMajor(fields.codes, m, n / cb.dim, cb.codeWords);
    this.decoder = decoderFor(cb);
  }

  /**
   * y = W_hat x for one input vector, from the codes: x / rescale, the input-side transform V, the code
   * inner products (8 multiply-adds per 16-bit code), scale, the output-side transform U^T. O(m n / 8) code
   * reads and O(m n) multiply-adds, plus O((m + n) log) for the transforms; W_hat is never formed.
   *
   * `x` is a Float32Array or Float64Array of inFeatures finite entries; the result has x's type (computed in
   * float64, rounded once). `out` (optional, of x's type and length outFeatures) may be x itself or overlap it:
   * x is read completely before out is written. Throws TypeError unless x is a Float32Array or Float64Array (or
   * out is of x's type), RangeError for a length other than inFeatures (outFeatures for out) or a non-finite entry.
   *
   * @example const y = layer.matvec(new Float32Array(layer.inFeatures).fill(1));
   */
  matvec(x: Float64Array, out?: Float64Array): Float64Array;
  matvec(x: Float32Array, out?: Float32Array): Float32Array;
  matvec(x: FloatArray, out?: FloatArray): FloatArray {
    const fn = 'QuantizedLinear.matvec';
    this.checkInput(fn, x);
    if (out !== undefined) {
      if (out.constructor !== x.constructor) throw typeError(fn, 'out', `a ${x.constructor.name} (the type of x)`, out);
      if (out.length !== this.outFeatures) throw rangeError(fn, 'out', `of length outFeatures = ${this.outFeatures}`, `length ${out.length}`);
    }
    const x64 = Float64Array.from(x);
    const y = this.outputSide(this.codeProduct(this.inputSide(x64)));
    const result = out ?? (x instanceof Float32Array ? new Float32Array(this.outFeatures) : new Float64Array(this.outFeatures));
    result.set(y);
    return result;
  }

  /**
   * Y = X W_hat^T for a batch: X is batch x inFeatures (any 2-D ndarray view), the result batch x outFeatures
   * (float64). Row b of the result equals matvec(row b of X) up to float64 round-off. The codes are decoded
   * once per batch, not once per row: O(m n batch) multiply-adds from O(m n / 8) code reads, plus the transforms
   * per row. Throws TypeError for a non-matrix X, RangeError for X without inFeatures columns or a non-finite entry.
   *
   * @example
   * const Y = layer.matmul(ndarray(new Float32Array(16 * layer.inFeatures), [16, layer.inFeatures])); // 16 x outFeatures
   */
  matmul(X: MatrixInput): Matrix {
    const fn = 'QuantizedLinear.matmul';
    const x = this.readBatch(fn, X);
    const { inFeatures: n, outFeatures: m } = this;
    const B = x.rows;
    // Transform every row on the input side, then lay the batch out column-interleaved (n x B) for the kernel.
    const Xt = new Float64Array(n * B);
    for (let b = 0; b < B; b++) {
      const r = this.inputSide(x.data.subarray(b * n, (b + 1) * n).slice());
      for (let k = 0; k < n; k++) Xt[k * B + b] = r[k];
    }
    const Y = new Float64Array(m * B);
    this.decoder.matmulAccumulate(this.codesT, m, n, B, Xt, Y);
    const out = new Float64Array(B * m);
    const col = new Float64Array(m);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < m; i++) col[i] = Y[i * B + b] * this.scale;
      out.set(applyOutputMapTranspose(this.incoherence, col), b * m);
    }
    return matrixFromRowMajor(out, B, m);
  }

  /**
   * This layer as a quantized-format safetensors file (docs/format.md), its tensors named `${name}.codes`, ...
   * (default name 'layer'). Read it back with {@link QuantizedLinear.fromSafetensors} or readQuantizedModel.
   * Cost: one copy of the codes and the record into the file's bytes. Throws TypeError for a name that is not a
   * non-empty string.
   *
   * @example
   * writeFileSync('down_proj.safetensors', layer.toSafetensors('model.layers.0.mlp.down_proj'));
   */
  toSafetensors(name = 'layer'): Uint8Array {
    checkLayerName('QuantizedLinear.toSafetensors', name);
    return writeQuantizedModel(new Map([[name, this]]));
  }

  /**
   * The layer stored in a quantized-format file: the only one, or the one named `name`. Throws CorruptDataError
   * for a file that is not in the format, is of a newer format version, names a codebook this reader does not
   * know, or whose tensors do not match the layer's shapes; RangeError when `name` is missing or unknown.
   *
   * @example
   * const layer = QuantizedLinear.fromSafetensors(readFileSync('down_proj.safetensors'));
   */
  static fromSafetensors(bytes: Uint8Array, name?: string): QuantizedLinear {
    const fn = 'QuantizedLinear.fromSafetensors';
    if (name !== undefined) checkLayerName(fn, name);
    return readQuantizedLayer(fn, bytes, name);
  }

  /**
   * A layer QuIP# saved: its layer dict (`{ Qidxs, SU, SV, scaleWH, fused, shapes, scales }`, as readTorchFile
   * returns the `.pt`, or safetensors tensors of the same names) and its codebook ('E8P12', 'E8P12RVQ3B',
   * 'E8P12RVQ4B'). The layer runs with QuIP#'s own transforms (its H_K tables), its stored float16 SU and SV
   * and its scaleWH, so matvec, matmul and dequantize give what QuIP# computes. Errors as readQuipSharpLayer.
   *
   * @example
   * const layer = QuantizedLinear.fromQuipSharp(readTorchFile(bytes) as Record<string, unknown>, { codebook: 'E8P12' });
   */
  static fromQuipSharp(attr: Record<string, unknown>, options: { codebook: QuipSharpCodebookName }): QuantizedLinear {
    if (typeof options !== 'object' || options === null) throw optionsTypeError('QuantizedLinear.fromQuipSharp', options);
    return new QuantizedLinear(fieldsFromQuipSharp(attr, options.codebook));
  }

  /**
   * This layer as QuIP#'s layer dict (packed Qidxs, SU and SV as float16 with the scale fused into SV, scaleWH,
   * fused = false), for a layer in QuIP#'s transform (quantized with compat 'quip-sharp' or read with
   * fromQuipSharp). Throws RangeError for other layers (quipsharp's Hadamard constructions and signs are not
   * QuIP#'s) and for shapes QuIP# cannot pack (outFeatures a multiple of 16, inFeatures of 64).
   *
   * @example
   * const attr = (await quantizeLinear(W, H, { compat: 'quip-sharp', seed: 0 })).toQuipSharp(); // { Qidxs, SU, SV, ... }
   */
  toQuipSharp(): Record<string, unknown> {
    return quipSharpAttrOf('QuantizedLinear.toQuipSharp', { ...this, codebook: this.codebookObject });
  }

  /**
   * W_hat (outFeatures x inFeatures, float64), materialized: for checks and export, not for inference. Cost:
   * decoding every code and the inverse incoherence transforms of the m x n result (the fast Hadamard transforms or
   * FFTs of its rows and columns); 8 m n bytes.
   *
   * @example
   * const What = layer.dequantize(); // What.get(i, j): the weight the codes stand for
   */
  dequantize(): Matrix {
    const { outFeatures: m, inFeatures: n, incoherence: record } = this;
    let W: Float64Array;
    if (record.method === 'quip-sharp') {
      W = dequantizeQuipSharp(quipSharpLayerOf('QuantizedLinear.dequantize', { ...this, codebook: this.codebookObject }, record)).data;
    } else {
      W = this.codebookObject.decodeRows(this.codes);
      for (let k = 0; k < W.length; k++) W[k] *= this.scale;
      if (record.method === 'rht') W = reverseIncoherenceRHT(matrixFromRowMajor(W, m, n), record.signsU, record.signsV).data;
      if (record.method === 'rfft') W = reverseIncoherenceRFFT(matrixFromRowMajor(W, m, n), record.phasesU, record.phasesV).data;
    }
    const s = this.rescale;
    if (s) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) W[i * n + j] /= s[j];
    return matrixFromRowMajor(W, m, n);
  }

  /**
   * y = W_hat x on the backend of `options.backend` (default: the current one; see setBackend): the async twin of
   * {@link QuantizedLinear.matvec}, the whole of QuIP# Algorithm 2 on the device. The host scales x by a power of two
   * to max |x| < 1 and converts it to float32 (so float64 inputs beyond float32's range are fine); the device runs
   * x / rescale and the input-side transform V, the product with the codes straight from the 16-bit codes (E8P12,
   * E8P12RVQ3B and E8P12RVQ4B layers) and the output-side transform U^T, in float32, as one chain with the
   * intermediates kept on the device and one readback; the host multiplies by scale and the power of two in float64.
   * The first device call uploads the codes (2 bytes per code word with the WGSL kernel, 4 with gpu.js's; the WGSL
   * kernel also keeps the layer's transform tables there, gpu.js's passes them with each call), and they stay there
   * until {@link QuantizedLinear.dispose}. On 'cpu' the result is matvec's exactly; on a device each entry agrees with
   * it to a small multiple of 1e-6 of max |y| (float32 transforms and sums: measured below 5e-7 on webasm and WebGPU
   * for every incoherence method).
   *
   * `x`: a Float32Array or Float64Array of inFeatures finite entries; the result has x's type. `options.webgpuKernel`
   * picks the WebGPU kernel: 'wgsl' (hand-written; the default for E8P12) or 'gpu.js' (every supported codebook).
   *
   * Rejects with the errors of matvec (naming QuantizedLinear.matvecAsync), TypeError for a bad options object,
   * RangeError/TypeError for an unknown backend name, BackendUnavailableError when the backend named cannot run
   * here, RangeError on a device for a codebook it does not decode, DisposedError after dispose().
   *
   * @example const y = await layer.matvecAsync(x, { backend: 'webgpu' }); // x: Float32Array(inFeatures)
   */
  matvecAsync(x: Float64Array, options?: ProductOptions): Promise<Float64Array>;
  matvecAsync(x: Float32Array, options?: ProductOptions): Promise<Float32Array>;
  async matvecAsync(x: FloatArray, options?: ProductOptions): Promise<FloatArray> {
    const fn = 'QuantizedLinear.matvecAsync';
    this.checkInput(fn, x);
    const device = this.deviceLayer();
    return device.use(fn, async () => {
      const { mode, kernel } = await device.backendOf(fn, options);
      if (mode === 'cpu') return x instanceof Float32Array ? this.matvec(x) : this.matvec(x); // one overload each
      const y = await device.forward(mode, kernel, x, 1);
      return x instanceof Float32Array ? Float32Array.from(y) : y;
    });
  }

  /**
   * Y = X W_hat^T for a batch on the backend of `options.backend`: the async twin of {@link QuantizedLinear.matmul}
   * (X any batch x inFeatures 2-D ndarray view; the result batch x outFeatures, float64), the whole of Algorithm 2
   * on the device for every row as in {@link QuantizedLinear.matvecAsync} (each row scaled by its own power of two),
   * with its agreement; each code is decoded once per 4 rows of X by the WGSL kernel, once per row by gpu.js's.
   * Rejects with the errors of matmul (naming QuantizedLinear.matmulAsync) and those of matvecAsync for the options.
   *
   * @example const Y = await layer.matmulAsync(ndarray(new Float32Array(16 * layer.inFeatures), [16, layer.inFeatures]), { backend: 'webasm' });
   */
  async matmulAsync(X: MatrixInput, options?: ProductOptions): Promise<Matrix> {
    const fn = 'QuantizedLinear.matmulAsync';
    const x = this.readBatch(fn, X);
    const device = this.deviceLayer();
    return device.use(fn, async () => {
      const { mode, kernel } = await device.backendOf(fn, options);
      if (mode === 'cpu') return this.matmul(X);
      return matrixFromRowMajor(await device.forward(mode, kernel, x.data, x.rows), x.rows, this.outFeatures);
    });
  }

  /**
   * Releases the device copies of this layer's codes (after the async products in flight finish). Afterwards the
   * async products reject with DisposedError on every backend; the synchronous CPU methods (matvec, matmul,
   * dequantize, ...) never use the device and keep working. Idempotent; cheap when no device call was made.
   *
   * @example await layer.matvecAsync(x, { backend: 'webgpu' }); layer.dispose();
   */
  dispose(): void {
    this.deviceLayer().dispose();
  }

  /** The device state (nothing uploaded or built until its first device call), created on first use. */
  private deviceLayer(): DeviceLayer {
    const { incoherence, rescale, scale, outFeatures: m, inFeatures: n } = this;
    this.device ??= new DeviceLayer(this.codebookObject, this.codesT, m, n, () => deviceMapsOf(incoherence, rescale, scale, m, n));
    return this.device;
  }

  /** The checks of an input vector: a float array of inFeatures finite entries. */
  private checkInput(fn: string, x: unknown): asserts x is FloatArray {
    assertFloatArray(fn, 'x', x);
    if (x.length !== this.inFeatures) throw rangeError(fn, 'x', `of length inFeatures = ${this.inFeatures}`, `length ${x.length}`);
    assertFinite(fn, 'x', x);
  }

  /** X read as a dense float64 batch x inFeatures matrix, or the errors of a bad one. */
  private readBatch(fn: string, X: MatrixInput): DenseMatrix {
    const x = readMatrix(fn, 'X', X);
    if (x.cols !== this.inFeatures) throw rangeError(fn, 'X', `of shape [batch, ${this.inFeatures}] (inFeatures columns)`, `shape [${x.rows}, ${x.cols}]`);
    return x;
  }

  /** x' = V (x / rescale), overwriting nothing the caller owns (x is a private float64 copy). */
  private inputSide(x: Float64Array): Float64Array {
    const s = this.rescale;
    if (s) for (let j = 0; j < x.length; j++) x[j] /= s[j];
    return applyInputMap(this.incoherence, x);
  }

  /** C x' (scaled by `scale` on the way out). */
  private codeProduct(x: Float64Array): Float64Array {
    const y = new Float64Array(this.outFeatures);
    this.decoder.matvecAccumulate(this.codesT, this.outFeatures, this.inFeatures, x, y);
    for (let i = 0; i < y.length; i++) y[i] *= this.scale;
    return y;
  }

  /** y = U^T y'. */
  private outputSide(y: Float64Array): Float64Array {
    return applyOutputMapTranspose(this.incoherence, y);
  }
}

function optionsTypeError(fn: string, options: unknown): TypeError {
  return typeError(fn, 'options', "an object { codebook: 'E8P12' | 'E8P12RVQ3B' | 'E8P12RVQ4B' }", options);
}

/** Code words beyond the codebook's range (e.g. an 8-bit residual word above 255) are refused. */
function checkCodeRange(fn: string, cb: Codebook, codes: Uint16Array): void {
  const probe = new Uint16Array(cb.codeWords);
  const maxima = new Uint16Array(cb.codeWords);
  for (let k = 0; k < codes.length; k++) {
    const w = k % cb.codeWords;
    if (codes[k] > maxima[w]) maxima[w] = codes[k];
  }
  probe.set(maxima);
  try {
    cb.decodeRows(probe);
  } catch (e) {
    throw rangeError(fn, 'fields.codes', `code words valid for ${cb.name}`, e instanceof Error ? e.message : String(e));
  }
}
