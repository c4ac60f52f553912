/**
 * Which Hessian belongs to which weight. The Hessian of weight `P.weight` is named `P.hessian`. Layers that read
 * the same input may share one instead, named after their group as QuIP# names its Hessian files
 * (`{layer}_qkv.pt`, `{layer}_up.pt`):
 *
 *   X.q_proj, X.k_proj, X.v_proj   ->  X.qkv.hessian
 *   X.up_proj, X.gate_proj         ->  X.up.hessian
 *
 * `P.hessian` is looked up first, so a layer's own Hessian wins over its group's.
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
