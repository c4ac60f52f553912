/**
 * Which Hessian belongs to which weight. The Hessian of weight `P.weight` is named `P.hessian`. Layers that read
 * the same input may share one instead, named after their group as QuIP# names its Hessian files
 * (`{layer}_qkv.pt`, `{layer}_up.pt`):
 *
 *   X.q_proj, X.k_proj, X.v_proj   ->  X.qkv.hessian
 *   X.up_proj, X.gate_proj         ->  X.up.hessian
 *
 * `P.hessian` is looked up first, so a layer's own Hessian wins over its group's. A folder may also hold QuIP#'s
 * own files, `{i}_qkv.pt`, `{i}_o.pt`, `{i}_up.pt`, `{i}_down.pt` for block i (quipSharpHessianFileName), tried
 * after these names.
 */

const GROUPS: [RegExp, string][] = [
  [/^(.+)\.(q_proj|k_proj|v_proj)$/, 'qkv'],
  [/^(.+)\.(up_proj|gate_proj)$/, 'up'],
];

/** The shared Hessian name of layer `P`'s group (`X.qkv.hessian`), or null for a layer in no group. */
export function sharedHessianName(layer: string): string | null {
  for (const [pattern, group] of GROUPS) {
    const m = pattern.exec(layer);
    if (m) return `${m[1]}.${group}.hessian`;
  }
  return null;
}

/**
 * The Hessian names tried for layer `P`, in order: `P.hessian`, then its group's.
 *
 * @example hessianCandidates('model.layers.0.self_attn.k_proj') // ['model.layers.0.self_attn.k_proj.hessian', 'model.layers.0.self_attn.qkv.hessian']
 */
export function hessianCandidates(layer: string): string[] {
  const shared = sharedHessianName(layer);
  return shared === null ? [`${layer}.hessian`] : [`${layer}.hessian`, shared];
}

/** QuIP#'s Hessian file of each projection of a block: the group of layers that read the same input. */
const QUIP_SHARP_GROUPS: Record<string, string> = { q: 'qkv', k: 'qkv', v: 'qkv', o: 'o', up: 'up', gate: 'up', down: 'down' };

/**
 * The name of the QuIP# Hessian file of layer `P` (`{i}_{group}.pt`, as QuIP#'s hessian_offline writes them), or
 * null: for a `P` holding `layers.{i}.` (at its start or after a dot) and ending in one of the projections
 * `q_proj`, `k_proj`, `v_proj` (group `qkv`), `o_proj` (`o`), `up_proj`, `gate_proj` (`up`) or `down_proj`
 * (`down`). Only the block index and the projection matter, so any model prefix works.
 *
 * @example quipSharpHessianFileName('model.layers.3.mlp.gate_proj') // '3_up.pt'
 */
export function quipSharpHessianFileName(layer: string): string | null {
  const m = /(?:^|\.)layers\.(\d+)\.(?:.+\.)?(q|k|v|o|up|gate|down)_proj$/.exec(layer);
  return m ? `${m[1]}_${QUIP_SHARP_GROUPS[m[2]]}.pt` : null;
}
