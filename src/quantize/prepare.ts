/**
 * QuIP# Algorithm 1 up to the rounding, for one layer: rescale, regularize, incoherence processing, block LDL,
 * and the scaling of W' to the codebook's unit. Pure and synchronous, so that the main thread and a worker run
 * the very same code.
 */
import type { DenseMatrix } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { supportedHadamardOrder } from '../hadamard/index.js';
import { incoherenceProcessInPlace } from '../incoherence/index.js';
import type { Codebook } from '../lattice/index.js';
import { blockLDLWithRetryInPlace } from '../ldlq/index.js';
import type { IncoherenceChoice } from './options.js';
import type { IncoherenceRecord } from './record.js';
import type { Seed } from '../random/index.js';

/** The processed layer, ready for BlockLDLQ. */
export interface PreparedLayer {
  m: number;
  n: number;
  /** The rounding input W' / scale (row-major m x n). */
  U: Float64Array;
  /** The unit block-lower L of the block LDL of H' (row-major n x n). */
  L: Float64Array;
  /** The diagonal blocks D_k of that LDL, one after another (block k at k g^2, row-major g x g). */
  D: Float64Array;
  /** H' itself (row-major n x n), kept only when tuning passes need it. */
  Hp: Float64Array | null;
  record: IncoherenceRecord;
  /** rms(W') / codebook.optScale (0 for an all-zero layer, whose U is then 0). */
  scale: number;
  rescale: Float64Array | null;
  /** mean(diag H) of the (rescaled) H before regularization: H' = V (H / mu + sigma I) V^T. */
  mu: number;
  /** The sigma the factorization succeeded with. */
  sigmaReg: number;
  retries: number;
}

/** The choices prepareLayer needs. */
export interface PrepareOptions {
  codebook: Codebook;
  incoherence: IncoherenceChoice;
  seed: Seed;
  sigmaReg: number;
  rescale: boolean;
  keepHessian: boolean;
}

/** The transform 'auto' picks for an m x n layer, or a RangeError saying which sizes each method supports. */
export function chooseIncoherence(fn: string, choice: IncoherenceChoice, m: number, n: number): 'rht' | 'rfft' | 'none' {
  if (choice === 'none') return 'none';
  const hadamard = supportedHadamardOrder(m) && supportedHadamardOrder(n);
  if (choice === 'rht' || (choice === 'auto' && hadamard)) {
    for (const [arg, d] of [['W.shape[0]', m], ['W.shape[1]', n]] as const) {
      if (!supportedHadamardOrder(d)) {
        throw rangeError(fn, arg, "a Hadamard order for incoherence 'rht' (1, 2, or a multiple of 4 that supportedHadamardOrder accepts; 'rfft' takes any even size)", String(d));
      }
    }
    return 'rht';
  }
  for (const [arg, d] of [['W.shape[0]', m], ['W.shape[1]', n]] as const) {
    if (d % 2 !== 0) {
      throw rangeError(fn, arg, `even for incoherence '${choice}' (the RFFT pairs entries; 'rht' needs a Hadamard order, 'none' takes any size)`, String(d));
    }
  }
  return 'rfft';
}

/** s_j = (H_jj / (W^T W)_jj)^(1/4), 1 where either diagonal entry is 0 (QuIP#'s rescaling, made total). */
function rescaleVector(w: DenseMatrix, h: DenseMatrix): Float64Array {
  const { rows: m, cols: n } = w;
  const colSq = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) colSq[j] += w.data[i * n + j] * w.data[i * n + j];
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const hjj = h.data[j * n + j];
    s[j] = hjj > 0 && colSq[j] > 0 ? Math.sqrt(Math.sqrt(hjj) / Math.sqrt(colSq[j])) : 1;
  }
  return s;
}

/** rms of a vector without overflow: max |x| * sqrt(mean((x / max)^2)). */
export function rootMeanSquare(x: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]));
  if (max === 0) return 0;
  let sq = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] / max;
    sq += v * v;
  }
  return max * Math.sqrt(sq / x.length);
}

/**
 * Runs every step before the rounding, in place, on validated dense copies that the caller owns (w is m x n,
 * h n x n exactly symmetric): w becomes the rounding input U = W' / scale and h the unit block-lower L of H''s
 * block LDL, so a layer costs no copy of W or H here (with `keepHessian`, one copy of H' for the tuning passes).
 * The factorization is retried once with 10 x sigmaReg; a second failure throws NotPositiveDefiniteError naming
 * `fn`, argument H and the pivot.
 */
export function prepareLayer(
  fn: string,
  w: DenseMatrix,
  h: DenseMatrix,
  o: PrepareOptions,
  onStage: (stage: 'incoherence' | 'factorize') => void = () => {},
): PreparedLayer {
  const { rows: m, cols: n } = w;
  const method = chooseIncoherence(fn, o.incoherence, m, n);
  const W = w.data;
  const H = h.data;
  let rescale: Float64Array | null = null;
  if (o.rescale) {
    rescale = rescaleVector(w, h);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) W[i * n + j] *= rescale[j];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] /= rescale[i] * rescale[j];
  }
  // H <- H / mean(diag H) + sigma I, with the mean taken without overflow.
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(H[i * n + i]));
  let meanScaled = 0;
  for (let i = 0; i < n; i++) meanScaled += H[i * n + i] / (maxDiag || 1);
  const mu = (meanScaled / n) * (maxDiag || 1);
  if (!(mu > 0)) throw rangeError(fn, 'H', 'a matrix with a positive mean diagonal (a proxy Hessian E[x x^T])', `mean(diag H) = ${mu}`);
  for (let k = 0; k < H.length; k++) H[k] /= mu;
  for (let i = 0; i < n; i++) H[i * n + i] += o.sigmaReg;

  onStage('incoherence');
  let record: IncoherenceRecord = { method: 'none' };
  if (method !== 'none') record = { seed: o.seed, ...incoherenceProcessInPlace(fn, W, m, n, H, method, o.seed) };

  onStage('factorize');
  const { L, D, sigmaReg, retries, Hp } = factorizeWithRetry(fn, H, n, o.codebook.dim, o.sigmaReg, o.keepHessian);

  const scale = rootMeanSquare(W) / o.codebook.optScale;
  if (scale > 0) for (let k = 0; k < W.length; k++) W[k] /= scale;
  return { m, n, U: W, L, D, Hp, record, scale, rescale, mu, sigmaReg, retries };
}

/**
 * The block LDL of the row-major n x n H' = V (H / mu + sigma I) V^T, in place (H' becomes L; with
 * `keepHessian` a copy is factored and H' is kept, as the tuning passes need it), retried once with 10 x sigma:
 * V (H / mu + 10 sigma I) V^T = H' + 9 sigma I since V is orthogonal (a kept H' gets the same update). A second
 * failure throws NotPositiveDefiniteError naming `fn`, H and the pivot.
 */
export function factorizeWithRetry(
  fn: string,
  Hp: Float64Array,
  n: number,
  g: number,
  sigma: number,
  keepHessian: boolean,
): { L: Float64Array; D: Float64Array; sigmaReg: number; retries: number; Hp: Float64Array | null } {
  const L = keepHessian ? Hp.slice() : Hp;
  const { D, sigmaReg, retries } = blockLDLWithRetryInPlace(L, n, g, sigma, fn, 'H');
  if (keepHessian && retries > 0) for (let i = 0; i < n; i++) Hp[i * n + i] += 9 * sigma;
  return { L, D, sigmaReg, retries, Hp: keepHessian ? Hp : null };
}
