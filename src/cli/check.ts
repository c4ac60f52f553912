/** The self-check of the example run: compressed inference against the dense dequantized weights. */
import { gemmAccumulate } from '../ldlq/index.js';
import type { QuantizedLinear } from '../quantize/index.js';
import { randomNormal } from '../random/index.js';

/**
 * max_i |(q.matvec(x))_i - (W_hat x)_i| / max_i |(W_hat x)_i| for a seeded standard normal x, with
 * W_hat = q.dequantize() multiplied densely: how far the code path (Algorithm 2, W_hat never formed) is from
 * the matrix it stands for. Float64 round-off gives about 1e-15. Cost: one dequantize (m n) and two products.
 */
export function matvecDifference(q: QuantizedLinear, seed: number): number {
  const { outFeatures: m, inFeatures: n } = q;
  const x = randomNormal(n, seed, 77);
  const y = q.matvec(x);
  const dense = new Float64Array(m);
  gemmAccumulate(m, 1, n, { data: q.dequantize().data, offset: 0, ld: n, trans: false }, { data: x, offset: 0, ld: 1, trans: false }, dense, 0, 1);
  let diff = 0;
  let size = 0;
  for (let i = 0; i < m; i++) {
    diff = Math.max(diff, Math.abs(y[i] - dense[i]));
    size = Math.max(size, Math.abs(dense[i]));
  }
  return size === 0 ? diff : diff / size;
}

/** True when two layers are stored alike: the same quantized-format bytes (codes, record, scales, report). */
export function sameLayer(name: string, a: QuantizedLinear, b: QuantizedLinear): boolean {
  const x = a.toSafetensors(name);
  const y = b.toSafetensors(name);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
