/** The layers the guide measures, built once per run from fixed seeds with the library's example generator. */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { exampleLayer, incoherenceRHT, type ExampleLayer, type IncoherenceRHTResult, type Matrix } from '../../src/index.js';
import { denseData } from './measure.js';

/** Shape and seed of the outlier layer of chapters 1 and 2: `exampleLayer(M, N, SAMPLES, SEED)`. */
export const OUTLIER_LAYER = { m: 256, n: 256, samples: 1024, seed: 2024 } as const;

let cached: ExampleLayer | undefined;

/** exampleLayer(256, 256, 1024, 2024): Gaussian weights with 1% of entries times 20, H with four loud channels. */
export function outlierLayer(): ExampleLayer {
  cached ??= exampleLayer(OUTLIER_LAYER.m, OUTLIER_LAYER.n, OUTLIER_LAYER.samples, OUTLIER_LAYER.seed);
  return cached;
}

/** Seed of the RHT signs in chapters 1 and 2. */
export const RHT_SEED = 1;

let processed: IncoherenceRHTResult | undefined;

/** incoherenceRHT(outlierLayer().W, outlierLayer().H, { seed: RHT_SEED }). */
export function processedOutlierLayer(): IncoherenceRHTResult {
  const { W, H } = outlierLayer();
  processed ??= incoherenceRHT(W, H, { seed: RHT_SEED });
  return processed;
}

/**
 * QuIP's incoherence of a symmetric H (n x n): mu_H = sqrt(n) max_ij |Q_ij| over an orthonormal eigenvector
 * matrix Q of H (H = Q Lambda Q^T), between 1 and sqrt(n). Uses ml-matrix's symmetric eigensolver (O(n^3)):
 * the library itself needs no eigendecomposition, so this lives with the guide. For repeated eigenvalues the
 * eigenvectors, and so this value, depend on the basis chosen in the eigenspace; the guide's Hessians have none.
 */
export function hessianIncoherence(H: Matrix): number {
  const n = H.shape[0];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(denseData(H).subarray(i * n, (i + 1) * n)));
  const Q = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true }).eigenvectorMatrix;
  let max = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) max = Math.max(max, Math.abs(Q.get(i, j)));
  return Math.sqrt(n) * max;
}
