/**
 * What `quipsharp eval` measures beside the quantized layer: the proxy loss and weight error of any W_hat, and
 * the round-to-nearest baseline (no incoherence, no adaptive rounding).
 */
import { matrixFromRowMajor, readMatrix, type Matrix, type MatrixInput } from '../core/index.js';
import type { Codebook } from '../lattice/index.js';
import { proxyLoss } from '../ldlq/index.js';

/** How far W_hat is from W. */
export interface WeightComparison {
  /** tr((W - W_hat) H (W - W_hat)^T). */
  proxyLoss: number;
  /** proxyLoss / tr(W H W^T) (0 when both are 0). */
  relativeProxyLoss: number;
  /** ||W - W_hat||_F / ||W||_F (0 when both are 0). */
  weightError: number;
}

/** max |x_i| and sum (x_i / max)^2 of `x - y` (y omitted: of x): a Frobenius norm that cannot overflow. */
function scaledSquares(x: Float64Array, y?: Float64Array): { max: number; sum: number } {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(y ? x[i] - y[i] : x[i]));
  let sum = 0;
  if (max > 0) {
    for (let i = 0; i < x.length; i++) {
      const d = (y ? x[i] - y[i] : x[i]) / max;
      sum += d * d;
    }
  }
  return { max, sum };
}

/**
 * The proxy loss, relative proxy loss and relative Frobenius error of W_hat against W (both m x n) under the
 * Hessian H (n x n). Cost: two proxy losses (2 m n^2). Throws as proxyLoss does (shapes, non-finite entries,
 * an asymmetric H).
 *
 * @example compareWeights(W, q.dequantize(), H).relativeProxyLoss // tr(R H R^T) / tr(W H W^T)
 */
export function compareWeights(W: MatrixInput, What: MatrixInput, H: MatrixInput): WeightComparison {
  const w = readMatrix('compareWeights', 'W', W);
  const wh = readMatrix('compareWeights', 'What', What);
  const loss = proxyLoss(W, What, H);
  const energy = proxyLoss(W, matrixFromRowMajor(new Float64Array(w.rows * w.cols), w.rows, w.cols), H);
  const err = scaledSquares(w.data, wh.data);
  const norm = scaledSquares(w.data);
  return {
    proxyLoss: loss,
    relativeProxyLoss: loss === 0 ? 0 : loss / energy,
    weightError: err.max === 0 ? 0 : (err.max / norm.max) * Math.sqrt(err.sum / norm.sum),
  };
}

/**
 * Round-to-nearest: every row of W cut into the codebook's vectors and each rounded to its nearest codebook
 * point at the pipeline's scale s = rms(W) / codebook.optScale (one scale for the layer), W_hat = s Q(W / s).
 * For a scalar codebook this is plain uniform rounding. Cost: one codebook.quantize of m n / dim vectors. Throws
 * as readMatrix does (not a matrix, non-finite entries) and RangeError when the codebook's dim does not divide n.
 *
 * @example roundToNearest(W, new ScalarCodebook(2)) // W rounded to 4 levels
 */
export function roundToNearest(W: MatrixInput, codebook: Codebook): Matrix {
  const w = readMatrix('roundToNearest', 'W', W);
  const { max, sum } = scaledSquares(w.data);
  const s = (max * Math.sqrt(sum / w.data.length)) / codebook.optScale;
  if (s === 0) return matrixFromRowMajor(new Float64Array(w.data.length), w.rows, w.cols);
  const scaled = w.data.map((x) => x / s);
  const values = codebook.quantize(scaled).values;
  for (let i = 0; i < values.length; i++) values[i] *= s;
  return matrixFromRowMajor(values, w.rows, w.cols);
}
