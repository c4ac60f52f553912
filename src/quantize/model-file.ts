/**
 * Whole files in the quantized format (format.ts): any number of quantized layers and pass-through tensors in
 * one safetensors file, read all at once and validated completely before anything is returned.
 */
import { CorruptDataError, rangeError, typeError } from '../errors/index.js';
import { readSafetensors, writeSafetensors, type Tensor } from '../io/index.js';
import { formatMetadata, layerFields, layerTensors, ownedNames, readLayerEntries, type LayerEntry } from './format.js';
import { QuantizedLinear } from './quantized-linear.js';

/** A quantized model as a file holds it. */
export interface QuantizedModel {
  /** The quantized layers by name (the prefix P of their tensors; `P.weight` in the original model). */
  layers: Map<string, QuantizedLinear>;
  /** Every other tensor (embeddings, norms, biases, unquantized weights), exactly as stored. */
  tensors: Map<string, Tensor>;
  /** The metadata strings other than the format's own. */
  metadata: Record<string, string>;
}

/** Throws CorruptDataError for an error the QuantizedLinear constructor raised on a file's fields. */
function buildLayer(fn: string, entry: LayerEntry, get: (name: string) => Tensor | undefined): QuantizedLinear {
  const fields = layerFields(fn, entry, get);
  try {
    return new QuantizedLinear(fields);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new CorruptDataError(fn, `layer ${JSON.stringify(entry.name)}: ${e.message}`);
    throw e;
  }
}

/**
 * Reads a quantized file (one layer or a whole model) from its bytes. Every layer is rebuilt and checked (tensor
 * dtypes and shapes against the metadata, codes in the codebook's range, signs, phases and scales valid) before
 * the result is returned, so a bad file never half-loads: it throws CorruptDataError naming the part, the
 * tensor and the field. Cost: one pass over the bytes.
 *
 * @example
 * const { layers, tensors } = readQuantizedModel(readFileSync('llama-2bit/model.safetensors'));
 * layers.get('model.layers.0.mlp.down_proj')!.matvec(x);
 */
export function readQuantizedModel(bytes: Uint8Array): QuantizedModel {
  const fn = 'readQuantizedModel';
  const { tensors, metadata } = readSafetensors(bytes);
  const entries = readLayerEntries(fn, metadata);
  const layers = new Map<string, QuantizedLinear>();
  const owned = new Set<string>();
  for (const entry of entries) {
    layers.set(entry.name, buildLayer(fn, entry, (name) => tensors.get(name)));
    for (const name of ownedNames(entry)) owned.add(name);
  }
  const rest = new Map<string, Tensor>();
  for (const [name, t] of tensors) if (!owned.has(name)) rest.set(name, t);
  const other: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (!k.startsWith('quipsharp.')) other[k] = v;
  return { layers, tensors: rest, metadata: other };
}

/**
 * Writes quantized layers and pass-through tensors into one file (bytes). Tensor names must not collide: a
 * pass-through tensor named like a layer's own tensors (`P.codes`, ...) is a RangeError. Metadata keys starting
 * with `quipsharp.` are the format's and may not be given.
 *
 * @example
 * const bytes = writeQuantizedModel(new Map([['model.layers.0.mlp.down_proj', q]]), new Map(), { source: 'example' });
 */
export function writeQuantizedModel(
  layers: Map<string, QuantizedLinear>,
  tensors: Map<string, Tensor> = new Map(),
  metadata: Record<string, string> = {},
): Uint8Array {
  const fn = 'writeQuantizedModel';
  if (!(layers instanceof Map)) throw typeError(fn, 'layers', 'a Map from layer name to QuantizedLinear', layers);
  if (!(tensors instanceof Map)) throw typeError(fn, 'tensors', 'a Map from name to tensor', tensors);
  for (const k of Object.keys(metadata)) if (k.startsWith('quipsharp.')) throw rangeError(fn, 'metadata', 'keys not starting with "quipsharp." (the format\'s own)', JSON.stringify(k));
  const all = new Map<string, Tensor>(tensors);
  const entries: LayerEntry[] = [];
  for (const [name, layer] of layers) {
    if (!(layer instanceof QuantizedLinear)) throw typeError(fn, `layers.get(${JSON.stringify(name)})`, 'a QuantizedLinear', layer);
    if (typeof name !== 'string' || name === '') throw typeError(fn, 'layers', 'non-empty string names', name);
    const { tensors: own, entry } = layerTensors(layer, layer.codebook, name);
    for (const [t, v] of own) {
      if (all.has(t)) throw rangeError(fn, 'tensors', `names distinct from the layers' own tensors`, `${JSON.stringify(t)} used twice`);
      all.set(t, v);
    }
    entries.push(entry);
  }
  return writeSafetensors(all, formatMetadata(entries, metadata));
}

/** The one layer of a file, or the one named `name`. */
export function readQuantizedLayer(fn: string, bytes: Uint8Array, name?: string): QuantizedLinear {
  const model = readQuantizedModel(bytes);
  if (name === undefined) {
    if (model.layers.size !== 1) {
      throw rangeError(fn, 'name', `one of the file's layers (${[...model.layers.keys()].slice(0, 5).join(', ')}${model.layers.size > 5 ? ', ...' : ''})`, `no name for a file of ${model.layers.size} layers`);
    }
    return model.layers.values().next().value!;
  }
  const layer = model.layers.get(name);
  if (!layer) throw rangeError(fn, 'name', `one of the file's layers (${[...model.layers.keys()].slice(0, 5).join(', ')})`, JSON.stringify(name));
  return layer;
}
