/**
 * What the page measures, with the library only (no DOM): incoherence before and after processing, the
 * distribution of the weights, and the proxy loss of nearest rounding against BlockLDLQ with and without
 * incoherence processing.
 */
import {
  incoherence,
  incoherenceProcess,
  matrixFromRowMajor,
  proxyLoss,
  quantizeLinear,
  type CodebookName,
  type Matrix,
  type QuantizedLinear,
  type QuantizeProgress,
} from 'quipsharp';

/** A weight matrix's incoherence figures. */
export interface WeightFigures {
  /** QuIP's incoherence mu = max |W_ij| sqrt(m n) / ||W||_F (= max |W_ij| / rms(W)). */
  mu: number;
  /** max |W_ij|. */
  maxAbs: number;
  /** ||W||_F (unchanged by the orthogonal processing). */
  frobenius: number;
  /** The entries in units of rms(W): W_ij sqrt(m n) / ||W||_F, for the histogram. */
  standardized: Float64Array;
}

/** W before and after incoherence processing (W' = U W V^T), and the transform used. */
export interface IncoherenceSummary {
  method: 'rht' | 'rfft';
  before: WeightFigures;
  after: WeightFigures;
}

function weightFigures(W: Matrix): WeightFigures {
  const data = W.data;
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(data[i]));
  const mu = incoherence(W);
  const rms = maxAbs / mu;
  return { mu, maxAbs, frobenius: rms * Math.sqrt(data.length), standardized: data.map((x) => x / rms) };
}

/**
 * mu, max |W_ij|, ||W||_F and the standardized entries of W and of W' = U W V^T, the incoherence processing
 * that quantizeLinear applies for the same seed (RHT where both sizes are Hadamard orders, else RFFT).
 * Cost: the transform, O((m n + n^2) log n), and O(m n). Throws the library's errors (an all-zero W, sizes
 * neither transform supports).
 *
 * @example incoherenceSummary(W, H, 0).after.mu // about sqrt(2 ln(2 m n)) for a processed layer
 */
export function incoherenceSummary(W: Matrix, H: Matrix, seed: number): IncoherenceSummary {
  const processed = incoherenceProcess(W, H, { seed });
  return { method: processed.method, before: weightFigures(W), after: weightFigures(processed.W) };
}

/** Counts of `values` in `bins` equal bins over [lo, hi) (values outside are not counted). */
export function histogram(values: Float64Array, lo: number, hi: number, bins: number): Float64Array {
  const counts = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (const v of values) {
    const b = Math.floor((v - lo) / width);
    if (b >= 0 && b < bins) counts[b]++;
  }
  return counts;
}

/** How one run of the comparison rounds: BlockLDLQ or nearest rounding, with or without incoherence processing. */
export interface RoundingPlan {
  rounding: 'nearest' | 'BlockLDLQ';
  incoherence: boolean;
}

/** The comparison's runs in the order {@link compareRounding} makes them: QuIP#'s own first. */
export const ROUNDING_PLANS: readonly RoundingPlan[] = [
  { rounding: 'BlockLDLQ', incoherence: true },
  { rounding: 'BlockLDLQ', incoherence: false },
  { rounding: 'nearest', incoherence: true },
  { rounding: 'nearest', incoherence: false },
];

/** One of the four quantizations of the comparison, with its proxy loss under the layer's H. */
export interface RoundingRun extends RoundingPlan {
  /** tr((W - W_hat) H (W - W_hat)^T). */
  proxyLoss: number;
  /** proxyLoss / tr(W H W^T). */
  relativeProxyLoss: number;
}

/** The comparison: the layer quantized as QuIP# does it (BlockLDLQ with incoherence), and all four runs. */
export interface RoundingComparison {
  layer: QuantizedLinear;
  runs: RoundingRun[];
}

/** Options of {@link compareRounding}: those of quantizeLinear the page exposes. */
export interface ComparisonOptions {
  codebook: CodebookName;
  seed: number;
  threads: number;
}

/** The n x n identity. */
function identity(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return matrixFromRowMajor(data, n, n);
}

/**
 * Quantizes W four ways with quantizeLinear and measures each W_hat by its proxy loss under H: BlockLDLQ uses H;
 * nearest rounding is BlockLDLQ with H = I (its block LDL has L = I, so there is no feedback and every vector
 * of W / scale is rounded to its nearest codebook point, at the pipeline's scale); with or without incoherence
 * processing (options.seed; 'none'), in the order of ROUNDING_PLANS. The first run, BlockLDLQ with incoherence, is
 * what QuIP# does, and its layer is returned. `onProgress(k, progress)` reports run k of ROUNDING_PLANS as
 * quantizeLinear reports it.
 *
 * Cost: four quantizeLinear calls (O(n^3 / 3 + m n^2 / 2) each) and four proxy losses (O(m n^2) each).
 * Throws (rejects with) quantizeLinear's errors.
 *
 * @example const { runs } = await compareRounding(W, H, { codebook: 'e8p12', seed: 0, threads: 4 }, () => {});
 */
export async function compareRounding(
  W: Matrix,
  H: Matrix,
  options: ComparisonOptions,
  onProgress: (run: number, progress: QuantizeProgress) => void,
): Promise<RoundingComparison> {
  const [m, n] = W.shape;
  const energy = proxyLoss(W, matrixFromRowMajor(new Float64Array(m * n), m, n), H);
  const I = identity(n);
  const layers: QuantizedLinear[] = [];
  const runs: RoundingRun[] = [];
  for (const [k, plan] of ROUNDING_PLANS.entries()) {
    const q = await quantizeLinear(W, plan.rounding === 'BlockLDLQ' ? H : I, {
      codebook: options.codebook,
      seed: options.seed,
      threads: options.threads,
      incoherence: plan.incoherence ? 'auto' : 'none',
      onProgress: (p) => onProgress(k, p),
    });
    const loss = proxyLoss(W, q.dequantize(), H);
    layers.push(q);
    runs.push({ rounding: plan.rounding, incoherence: plan.incoherence, proxyLoss: loss, relativeProxyLoss: loss / energy });
  }
  return { layer: layers[0], runs };
}
