/**
 * Deterministic stand-ins for an LLM's linear layers. Real transformer layers have a few input channels whose
 * activations (and so Hessian diagonal) are tens of times larger than the rest, correlated channels, and weights
 * with heavy-tailed outliers: exactly what incoherence processing and LDLQ are for. So the example builds them
 * in: weights Gaussian with 1% of the entries times 20; activations from 16 latent factors mixed into the
 * channels plus noise, with four channels times 30; H = (1/N) X^T X from those activations. Everything is
 * drawn from the seeded streams, so every run, platform and thread count gives the same numbers.
 */
import { assertInteger, type Matrix } from '../core/index.js';
import { matrixFromRowMajor } from '../core/index.js';
import { HessianAccumulator } from '../quantize/index.js';
import { randomNormal, randomUniform } from '../random/index.js';

/** A layer and its proxy Hessian. */
export interface ExampleLayer {
  /** m x n weights (out x in). */
  W: Matrix;
  /** n x n proxy Hessian E[x x^T] of the layer's inputs. */
  H: Matrix;
}

/** A tensor of the example model, as a model file holds it. */
export interface ExampleTensor {
  shape: number[];
  data: Float32Array;
}

/** An example model: named float32 tensors, and the proxy Hessian of each linear layer's input. */
export interface ExampleModel {
  /** Every tensor by its LLaMA-style name (`model.layers.0.self_attn.q_proj.weight`, norms, embeddings). */
  tensors: Map<string, ExampleTensor>;
  /**
   * Proxy Hessians by layer name: key `P` for the weight `P.weight` (`model.layers.0.mlp.down_proj`). Layers that
   * read the same input share one Hessian object: q, k and v projections, and the up and gate projections.
   */
  hessians: Map<string, Matrix>;
}

/** Options of {@link exampleModel}. */
export interface ExampleModelOptions {
  /** Transformer blocks (default 2). */
  blocks?: number;
  /** Hidden size (default 512). */
  hidden?: number;
  /** MLP intermediate size (default 1376 = 172 x 8: a Hadamard order that is not a power of two). */
  intermediate?: number;
  /** Vocabulary size of the (unquantized) embedding (default 1024). */
  vocab?: number;
  /** Activation samples per Hessian (default 2048). */
  samples?: number;
  /** Seed (default 2024). */
  seed?: number;
}

/**
 * N x n activations (row-major float32, N = samples): x = M z + e with z 16 latent N(0, 1) factors, M a fixed
 * Gaussian n x 16 mixing and e unit Gaussian noise, then the channels 3, n/4, n/2 and n - 5 times 30 (outlier
 * channels, as LLM activations have). Seeded (streams `stream` .. `stream + 2`; `stream` keeps different layers'
 * inputs independent). Cost O(16 N n). Throws TypeError for non-integers, RangeError for samples outside
 * [1, 2^24] or n outside [8, 2^16].
 *
 * @example
 * const H = new HessianAccumulator(1024).add(exampleActivations(2048, 1024, 7)).hessian(); // 2048 rows of 1024
 */
export function exampleActivations(samples: number, n: number, seed: number, stream = 12): Float32Array {
  const fn = 'exampleActivations';
  assertInteger(fn, 'samples', samples, 1, 2 ** 24);
  assertInteger(fn, 'n', n, 8, 2 ** 16);
  const factors = 16;
  const mix = randomNormal(factors * n, seed, stream);
  const latent = randomNormal(samples * factors, seed, stream + 1);
  const X = randomNormal(samples * n, seed, stream + 2);
  for (let s = 0; s < samples; s++) {
    for (let f = 0; f < factors; f++) {
      const z = latent[s * factors + f];
      for (let j = 0; j < n; j++) X[s * n + j] += z * mix[f * n + j];
    }
  }
  const loud = [3, n >> 2, n >> 1, n - 5];
  for (let s = 0; s < samples; s++) for (const j of loud) X[s * n + j] *= 30;
  return Float32Array.from(X);
}

/** m x n weights, Gaussian with 1% of the entries times 20 (float64). */
function exampleWeights(m: number, n: number, seed: number, stream: number): Float64Array {
  const W = randomNormal(m * n, seed, stream);
  const pick = randomUniform(m * n, seed, stream + 1);
  for (let i = 0; i < W.length; i++) if (pick[i] < 0.01) W[i] *= 20;
  return W;
}

/**
 * One example layer: W (m x n) Gaussian with 1% of its entries 20 times larger (outlier weights), and
 * H = (1/N) X^T X (n x n) of N = `samples` rows X = exampleActivations(samples, n, seed). Seeded. Cost
 * O(samples n^2) for H. Throws TypeError for non-integers, RangeError for m outside [1, 2^16], n outside
 * [8, 2^16] or samples outside [1, 2^24].
 *
 * @example const { W, H } = exampleLayer(512, 1376, 2048, 2024); // what `npm run demo` quantizes
 */
export function exampleLayer(m: number, n: number, samples: number, seed: number): ExampleLayer {
  const fn = 'exampleLayer';
  assertInteger(fn, 'm', m, 1, 2 ** 16);
  assertInteger(fn, 'n', n, 8, 2 ** 16);
  const H = new HessianAccumulator(n).add(exampleActivations(samples, n, seed)).hessian();
  return { W: matrixFromRowMajor(exampleWeights(m, n, seed, 10), m, n), H };
}

/**
 * A small LLaMA-shaped model: `blocks` transformer blocks, each with attention projections q, k, v, o
 * (hidden x hidden) and MLP projections gate, up (intermediate x hidden) and down (hidden x intermediate),
 * RMS-norm weights, an embedding and an output head (both vocab x hidden, left unquantized as QuIP# leaves
 * them), with the Hessian of every linear layer's input. Cost: O(blocks samples (hidden^2 + intermediate^2)).
 *
 * @example
 * const { tensors, hessians } = exampleModel({ blocks: 1, hidden: 256, intermediate: 688 });
 * hessians.get('model.layers.0.mlp.down_proj') // the 688 x 688 Hessian of down_proj's input
 */
export function exampleModel(options: ExampleModelOptions = {}): ExampleModel {
  const fn = 'exampleModel';
  const { blocks = 2, hidden = 512, intermediate = 1376, vocab = 1024, samples = 2048, seed = 2024 } = options;
  assertInteger(fn, 'options.blocks', blocks, 1, 64);
  assertInteger(fn, 'options.hidden', hidden, 8, 8192);
  assertInteger(fn, 'options.intermediate', intermediate, 8, 32768);
  assertInteger(fn, 'options.vocab', vocab, 1, 1 << 20);
  assertInteger(fn, 'options.samples', samples, 1, 1 << 20);
  const tensors = new Map<string, ExampleTensor>();
  const hessians = new Map<string, Matrix>();
  let stream = 100;
  const put = (name: string, shape: number[], data: Float64Array | Float32Array) => tensors.set(name, { shape, data: Float32Array.from(data) });
  const hessianOf = (n: number) => {
    const X = exampleActivations(samples, n, seed, (stream += 3));
    return new HessianAccumulator(n).add(X).hessian();
  };
  put('model.embed_tokens.weight', [vocab, hidden], randomNormal(vocab * hidden, seed, 1));
  for (let b = 0; b < blocks; b++) {
    const p = `model.layers.${b}`;
    put(`${p}.input_layernorm.weight`, [hidden], new Float32Array(hidden).fill(1));
    put(`${p}.post_attention_layernorm.weight`, [hidden], new Float32Array(hidden).fill(1));
    const attnIn = hessianOf(hidden);
    const attnOut = hessianOf(hidden);
    const mlpIn = hessianOf(hidden);
    const mlpMid = hessianOf(intermediate);
    const linear = (name: string, m: number, n: number, H: Matrix) => {
      put(`${name}.weight`, [m, n], exampleWeights(m, n, seed, (stream += 2)));
      hessians.set(name, H);
    };
    for (const proj of ['q_proj', 'k_proj', 'v_proj']) linear(`${p}.self_attn.${proj}`, hidden, hidden, attnIn);
    linear(`${p}.self_attn.o_proj`, hidden, hidden, attnOut);
    for (const proj of ['gate_proj', 'up_proj']) linear(`${p}.mlp.${proj}`, intermediate, hidden, mlpIn);
    linear(`${p}.mlp.down_proj`, hidden, intermediate, mlpMid);
  }
  put('model.norm.weight', [hidden], new Float32Array(hidden).fill(1));
  put('lm_head.weight', [vocab, hidden], randomNormal(vocab * hidden, seed, 2));
  return { tensors, hessians };
}
