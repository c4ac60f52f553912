/**
 * The embedded example layer of the demo: a deterministic stand-in for one linear layer of an LLM.
 *
 * Real transformer layers have a few input channels whose activations (and so Hessian diagonal) are tens of times
 * larger than the rest, and weights with heavy-tailed outliers. Both are what incoherence processing is for, so the
 * example builds them in: W (m x n) is Gaussian with 1% of its entries multiplied by 20, and the Hessian
 * H = X^T X / N comes from N activations with correlated channels (a random mixing of a few latent factors) plus
 * noise, a handful of channels scaled by 30. Everything is drawn from the library's seeded streams, so every run prints
 * the same numbers.
 */
import { matrixFromRowMajor, randomNormal, randomUniform, type Matrix } from '../src/index.js';

export interface ExampleLayer {
  W: Matrix;
  H: Matrix;
}

export function exampleLayer(m: number, n: number, samples: number, seed: number): ExampleLayer {
  const W = randomNormal(m * n, seed, 10);
  const pick = randomUniform(m * n, seed, 11);
  for (let i = 0; i < W.length; i++) if (pick[i] < 0.01) W[i] *= 20;

  const factors = 16;
  const mix = randomNormal(factors * n, seed, 12);
  const latent = randomNormal(samples * factors, seed, 13);
  const X = randomNormal(samples * n, seed, 14);
  for (let s = 0; s < samples; s++) {
    for (let f = 0; f < factors; f++) {
      const z = latent[s * factors + f];
      for (let j = 0; j < n; j++) X[s * n + j] += z * mix[f * n + j];
    }
  }
  const loud = [3, n >> 2, n >> 1, n - 5];
  for (let s = 0; s < samples; s++) for (const j of loud) X[s * n + j] *= 30;

  const H = new Float64Array(n * n);
  for (let s = 0; s < samples; s++) {
    const row = s * n;
    for (let i = 0; i < n; i++) {
      const xi = X[row + i] / samples;
      for (let j = 0; j <= i; j++) H[i * n + j] += xi * X[row + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[j * n + i] = H[i * n + j];
  return {
    W: matrixFromRowMajor(W, m, n),
    H: matrixFromRowMajor(H, n, n),
  };
}
