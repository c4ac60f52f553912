/**
 * The plan of a quantize-model run: which tensors of the model are quantized (every 2-D `P.weight` with a
 * Hessian, selected by --layers) and which are copied as they are, in the model's order, with the options that
 * determine the codes. The plan is saved as DIR/plan.json; every shard of a run computes the same plan, and a
 * resumed run or a merge refuses a folder whose plan differs.
 */
import type { Dtype } from '../io/index.js';
import { E8P12 } from '../lattice/index.js';
import type { SafetensorsModel } from '../node/index.js';
import type { HessianSource } from './hessian-source.js';
import { hessianCandidates } from './hessian-names.js';
import type { QuantizeChoices } from './quantize-options.js';
import { shapeText } from './text.js';
import { CliError } from './usage.js';

/** A layer to quantize. */
export interface PlannedLayer {
  /** The prefix P of its weight `P.weight`: the layer's name in the output. */
  name: string;
  /** [outFeatures, inFeatures]. */
  shape: [number, number];
  /** The name of its Hessian (`P.hessian`, `X.qkv.hessian`, ...). */
  hessian: string;
}

/** A tensor copied to the output unchanged, and why. */
export interface CopiedTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  reason: 'no Hessian' | 'not selected by --layers' | 'not a 2-D weight';
}

/** What a run does (saved as plan.json). */
export interface ModelPlan {
  format: typeof PLAN_FORMAT;
  version: 1;
  options: { codebook: string; incoherence: string; seed: string };
  layers: PlannedLayer[];
  copies: CopiedTensor[];
  /** The source model's metadata strings, kept in the output. */
  metadata: Record<string, string>;
}

export const PLAN_FORMAT = 'quipsharp-quantize-model-plan';

const FLOATS = new Set<Dtype>(['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2']);

/** The source's metadata (every shard's, first shard first), without the quantized format's own keys. */
function sourceMetadata(model: SafetensorsModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const shard of model.shards) {
    for (const key of Object.keys(shard.metadata).sort()) if (!key.startsWith('quipsharp.') && !(key in out)) out[key] = shard.metadata[key];
  }
  return out;
}

/**
 * The plan for `model`: every tensor in the model's order, a 2-D `P.weight` with a Hessian (and matching
 * `select`, when given) to be quantized, everything else copied. Throws CliError for a layer that cannot be
 * quantized as asked (an integer weight, inputs not a multiple of 8, a Hessian of the wrong shape) and when no
 * layer is left to quantize.
 */
export async function planModel(model: SafetensorsModel, hessians: HessianSource, select: RegExp | null, choices: QuantizeChoices): Promise<ModelPlan> {
  const layers: PlannedLayer[] = [];
  const copies: CopiedTensor[] = [];
  let weights = 0;
  let firstWeight: string | null = null;
  for (const name of model.names()) {
    const { dtype, shape } = model.info(name);
    const copy = (reason: CopiedTensor['reason']) => copies.push({ name, dtype, shape, reason });
    if (!name.endsWith('.weight') || name === '.weight' || shape.length !== 2) {
      copy('not a 2-D weight');
      continue;
    }
    weights++;
    const P = name.slice(0, -'.weight'.length);
    firstWeight ??= P;
    const hessian = hessians.find(P);
    if (hessian === null) {
      copy('no Hessian');
      continue;
    }
    if (select !== null && !select.test(P)) {
      copy('not selected by --layers');
      continue;
    }
    const [m, n] = shape;
    if (!FLOATS.has(dtype)) throw new CliError(`${name} is ${dtype}: only floating-point weights can be quantized (exclude it with --layers)`);
    if (m === 0 || n % E8P12.dim !== 0 || n === 0) {
      throw new CliError(`${name} is ${shapeText(shape)}: its inputs must be a positive multiple of ${E8P12.dim}, the codebook's dimension (exclude it with --layers)`);
    }
    const hs = await hessians.shape(hessian);
    if (hs !== null && (hs.length !== 2 || hs[0] !== n || hs[1] !== n)) {
      throw new CliError(`Hessian ${hessian} is ${shapeText(hs)}, expected ${n} x ${n} for ${name} (${shapeText(shape)})`);
    }
    layers.push({ name: P, shape: [m, n], hessian });
  }
  if (layers.length === 0) {
    const why =
      weights === 0
        ? 'the model has no 2-D ".weight" tensor'
        : `none of its ${weights} 2-D weights has a Hessian${select ? ' and matches --layers' : ''} (for ${firstWeight}.weight: ${hessianCandidates(firstWeight!).join(' or ')})`;
    throw new CliError(`nothing to quantize: ${why}`);
  }
  return {
    format: PLAN_FORMAT,
    version: 1,
    options: { codebook: choices.codebook, incoherence: choices.incoherence, seed: String(choices.seed) },
    layers,
    copies,
    metadata: sourceMetadata(model),
  };
}

/**
 * The work of quantizing an m x n layer, for balancing shards and weighting progress: the rounding's m n^2 plus
 * the factorization's n^3 / 3 multiply-adds.
 *
 * @example layerWork([4096, 11008]) // 4096 * 11008^2 + 11008^3 / 3
 */
export function layerWork([m, n]: readonly [number, number]): number {
  return m * n * n + (n * n * n) / 3;
}

/**
 * The shard of every layer (`plan.layers` order): the longest-processing-time rule, deterministic. Layers sorted
 * by work (largest first, then by name) each go to the shard with the least work so far (the lowest index on a
 * tie), so the shards' work differs by at most one layer's. Every process of a sharded run computes the same
 * assignment from the same plan. Cost: O(L log L + L N) for L layers and N shards.
 *
 * @example assignShards(plan.layers, 4) // [0, 1, 2, 3, 3, 2, ...]: shard of plan.layers[i]
 */
export function assignShards(layers: readonly PlannedLayer[], count: number): number[] {
  const order = layers.map((_, i) => i).sort((a, b) => layerWork(layers[b].shape) - layerWork(layers[a].shape) || (layers[a].name < layers[b].name ? -1 : 1));
  const load = new Array<number>(count).fill(0);
  const shard = new Array<number>(layers.length);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    shard[i] = best;
    load[best] += layerWork(layers[i].shape);
  }
  return shard;
}
