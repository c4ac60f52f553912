/** Measurements shared by the chapters: nearest rounding at the pipeline's scale and relative errors. */
import { matrixFromRowMajor, proxyLoss, type Codebook, type Matrix, type QuantizedLinear, type QuantizeReport } from '../../src/index.js';
import { rms } from './stats.js';

/**
 * The row-major Float64Array behind a matrix the library returned (its results are contiguous row-major float64
 * matrices) or one built with matrixFromRowMajor over a Float64Array. Throws for any other view, so the chapters
 * never read a strided view as if it were dense.
 */
export function denseData(M: Matrix): Float64Array {
  const [rows, cols] = M.shape;
  if (!(M.data instanceof Float64Array) || M.offset !== 0 || M.stride[0] !== cols || M.stride[1] !== 1 || M.data.length !== rows * cols) {
    throw new Error(`denseData: expected a contiguous row-major Float64Array matrix of shape ${rows} x ${cols}`);
  }
  return M.data;
}

/**
 * Nearest rounding at the pipeline's working scale: What = s Q(W / s), s = rms(W) / codebook.optScale (no error
 * feedback). Returns What as a matrix.
 */
export function roundNearest(W: Matrix, codebook: Codebook): Matrix {
  const data = denseData(W);
  const s = rms(data) / codebook.optScale;
  const { values } = codebook.quantize(data.map((v) => v / s));
  return matrixFromRowMajor(values.map((v) => v * s), W.shape[0], W.shape[1]);
}

/** ||A - B||_F / ||A||_F. */
export function relativeError(A: Matrix, B: Matrix): number {
  const a = denseData(A);
  const b = denseData(B);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] * a[i];
  }
  return Math.sqrt(num / den);
}

/** tr(W H W^T), the proxy loss of rounding every weight to 0 (the denominator of the relative proxy loss). */
export function proxyEnergy(W: Matrix, H: Matrix): number {
  return proxyLoss(W, matrixFromRowMajor(new Float64Array(W.shape[0] * W.shape[1]), W.shape[0], W.shape[1]), H);
}

/** proxyLoss(W, What, H) / tr(W H W^T): the relative proxy loss of the report (`energy`: tr(W H W^T) if known). */
export function relativeProxyLoss(W: Matrix, What: Matrix, H: Matrix, energy = proxyEnergy(W, H)): number {
  return proxyLoss(W, What, H) / energy;
}

/** The report of a layer quantizeLinear just made (always present there; null only for layers read from fields). */
export function reportOf(q: QuantizedLinear): QuantizeReport {
  if (!q.report) throw new Error('reportOf: the layer has no report (it was not made by quantizeLinear)');
  return q.report;
}
