/**
 * The quantized-layer format: a quantized layer as named safetensors tensors plus one metadata entry, so one
 * file holds one layer or a whole model (quantized layers beside unquantized tensors passed through as they
 * are). The layout is specified in docs/format.md:
 *
 *   P.codes      U16 [outFeatures, inFeatures / dim * codeWords]   the code words, row-major
 *   P.signs_u    U8  [ceil(outFeatures / 8)]   RHT only: bit (i mod 8) of byte floor(i / 8) set when sign i is -1
 *   P.signs_v    U8  [ceil(inFeatures / 8)]    likewise, input side
 *   P.phases_u   F64 [outFeatures / 2]         RFFT only
 *   P.phases_v   F64 [inFeatures / 2]
 *   P.su         F64 [inFeatures]               QuIP#'s maps only: SU, SV and (optional) scaleWH
 *   P.sv         F64 [outFeatures]
 *   P.scale_wh   F64 [inFeatures]
 *   P.scale      F64 [1]
 *   P.rescale    F64 [inFeatures]              only with rescaling
 *
 * and metadata `quipsharp.format` = "quipsharp-quantized", `quipsharp.format_version` = "1",
 * `quipsharp.layers` = a JSON array of { name: P, codebook, incoherence, seed (decimal string), outFeatures,
 * inFeatures, rescale (boolean), report? }.
 */
import { CorruptDataError, typeError } from '../errors/index.js';
import type { Tensor, TensorDataTypes } from '../io/index.js';
import { builtinCodebook } from './options.js';
import type { QuantizedLinearFields, QuantizeReport } from './quantized-linear.js';
import type { IncoherenceRecord } from './record.js';

export const FORMAT_NAME = 'quipsharp-quantized';
export const FORMAT_VERSION = 1;
const KEY_FORMAT = 'quipsharp.format';
const KEY_VERSION = 'quipsharp.format_version';
const KEY_LAYERS = 'quipsharp.layers';

/** One layer's entry in the `quipsharp.layers` metadata. */
export interface LayerEntry {
  name: string;
  codebook: string;
  incoherence: IncoherenceRecord['method'];
  seed: string;
  /** QuIP#'s maps only: whether the layer has a scaleWH tensor. */
  scaleWH?: boolean;
  outFeatures: number;
  inFeatures: number;
  rescale: boolean;
  report?: QuantizeReport;
}

/** The layer's fields as they are stored, with its metadata entry. */
export interface StoredLayer {
  fields: QuantizedLinearFields;
  entry: LayerEntry;
}

function packSigns(signs: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(signs.length / 8));
  for (let i = 0; i < signs.length; i++) if (signs[i] < 0) out[i >> 3] |= 1 << (i & 7);
  return out;
}

function unpackSigns(bits: Uint8Array, n: number): Int8Array {
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3] >> (i & 7)) & 1 ? -1 : 1;
  return out;
}

/** The tensors (named `${name}.codes`, ...) and the metadata entry of one layer. */
export function layerTensors(fields: QuantizedLinearFields, codebookName: string, name: string): { tensors: [string, Tensor][]; entry: LayerEntry } {
  const { outFeatures: m, inFeatures: n, incoherence: record } = fields;
  const words = fields.codes.length / m;
  const tensors: [string, Tensor][] = [[`${name}.codes`, { dtype: 'U16', shape: [m, words], data: fields.codes }]];
  if (record.method === 'rht') {
    const su = packSigns(record.signsU);
    const sv = packSigns(record.signsV);
    tensors.push([`${name}.signs_u`, { dtype: 'U8', shape: [su.length], data: su }], [`${name}.signs_v`, { dtype: 'U8', shape: [sv.length], data: sv }]);
  } else if (record.method === 'rfft') {
    tensors.push(
      [`${name}.phases_u`, { dtype: 'F64', shape: [m / 2], data: record.phasesU }],
      [`${name}.phases_v`, { dtype: 'F64', shape: [n / 2], data: record.phasesV }],
    );
  } else if (record.method === 'quip-sharp') {
    tensors.push([`${name}.su`, { dtype: 'F64', shape: [n], data: record.SU }], [`${name}.sv`, { dtype: 'F64', shape: [m], data: record.SV }]);
    if (record.scaleWH) tensors.push([`${name}.scale_wh`, { dtype: 'F64', shape: [n], data: record.scaleWH }]);
  }
  tensors.push([`${name}.scale`, { dtype: 'F64', shape: [1], data: Float64Array.of(fields.scale) }]);
  if (fields.rescale) tensors.push([`${name}.rescale`, { dtype: 'F64', shape: [n], data: fields.rescale }]);
  const entry: LayerEntry = {
    name,
    codebook: codebookName,
    incoherence: record.method,
    seed: record.method === 'rht' || record.method === 'rfft' ? String(record.seed) : '0',
    outFeatures: m,
    inFeatures: n,
    rescale: fields.rescale !== null,
  };
  if (record.method === 'quip-sharp') entry.scaleWH = record.scaleWH !== null;
  if (fields.report) entry.report = fields.report;
  return { tensors, entry };
}

/** The format's metadata for these layers (plus any other strings the caller keeps). */
export function formatMetadata(entries: LayerEntry[], extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [KEY_FORMAT]: FORMAT_NAME, [KEY_VERSION]: String(FORMAT_VERSION), [KEY_LAYERS]: JSON.stringify(entries) };
}

/** The tensor names a layer entry owns (so a model reader can tell them from pass-through tensors). */
export function ownedNames(entry: LayerEntry): string[] {
  const p = entry.name;
  const names = [`${p}.codes`, `${p}.scale`];
  if (entry.incoherence === 'rht') names.push(`${p}.signs_u`, `${p}.signs_v`);
  if (entry.incoherence === 'rfft') names.push(`${p}.phases_u`, `${p}.phases_v`);
  if (entry.incoherence === 'quip-sharp') names.push(`${p}.su`, `${p}.sv`, ...(entry.scaleWH ? [`${p}.scale_wh`] : []));
  if (entry.rescale) names.push(`${p}.rescale`);
  return names;
}

/**
 * The layer entries of a file's metadata, validated: the format name, a version this reader knows, and every
 * entry's fields. Throws CorruptDataError naming `fn` and what is wrong.
 */
export function readLayerEntries(fn: string, metadata: Record<string, string>): LayerEntry[] {
  if (metadata[KEY_FORMAT] !== FORMAT_NAME) {
    throw new CorruptDataError(fn, `metadata ${KEY_FORMAT} is ${JSON.stringify(metadata[KEY_FORMAT] ?? null)}, expected "${FORMAT_NAME}" (not a quipsharp quantized file)`);
  }
  const version = Number(metadata[KEY_VERSION]);
  if (!Number.isInteger(version) || version < 1) throw new CorruptDataError(fn, `metadata ${KEY_VERSION} is ${JSON.stringify(metadata[KEY_VERSION] ?? null)}, expected a positive integer`);
  if (version > FORMAT_VERSION) {
    throw new CorruptDataError(fn, `format version ${version} is newer than this reader's ${FORMAT_VERSION}: read it with a newer quipsharp`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata[KEY_LAYERS] ?? '');
  } catch {
    throw new CorruptDataError(fn, `metadata ${KEY_LAYERS} is not valid JSON`);
  }
  if (!Array.isArray(parsed)) throw new CorruptDataError(fn, `metadata ${KEY_LAYERS} must be a JSON array of layer entries`);
  const seen = new Set<string>();
  return parsed.map((e, i) => {
    const where = `metadata ${KEY_LAYERS}[${i}]`;
    const r = e as Partial<LayerEntry> | null;
    if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || r.name === '') throw new CorruptDataError(fn, `${where}.name must be a non-empty string`);
    if (seen.has(r.name)) throw new CorruptDataError(fn, `${where}.name ${JSON.stringify(r.name)} is repeated`);
    seen.add(r.name);
    if (typeof r.codebook !== 'string' || !builtinCodebook(r.codebook)) {
      throw new CorruptDataError(fn, `${where}.codebook ${JSON.stringify(r.codebook ?? null)} is not a codebook this reader knows (E8P12, E8P12RVQ3B, E8P12RVQ4B)`);
    }
    if (r.incoherence !== 'rht' && r.incoherence !== 'rfft' && r.incoherence !== 'none' && r.incoherence !== 'quip-sharp') {
      throw new CorruptDataError(fn, `${where}.incoherence must be "rht", "rfft", "none" or "quip-sharp"`);
    }
    if (r.scaleWH !== undefined && typeof r.scaleWH !== 'boolean') throw new CorruptDataError(fn, `${where}.scaleWH must be a boolean`);
    if (typeof r.seed !== 'string' || !/^\d{1,20}$/.test(r.seed) || BigInt(r.seed) >= 1n << 64n) throw new CorruptDataError(fn, `${where}.seed must be a decimal string below 2^64`);
    for (const k of ['outFeatures', 'inFeatures'] as const) {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 24) throw new CorruptDataError(fn, `${where}.${k} must be an integer in [1, 2^24]`);
    }
    if (typeof r.rescale !== 'boolean') throw new CorruptDataError(fn, `${where}.rescale must be a boolean`);
    return r as LayerEntry;
  });
}

function seedOf(s: string): number | bigint {
  const b = BigInt(s);
  return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/**
 * A layer's fields from its tensors (looked up with `get`), checked against its entry: every tensor present, of
 * the right dtype and shape. Throws CorruptDataError naming the tensor and field; the caller then constructs the
 * QuantizedLinear (whose constructor checks the codes' range).
 */
export function layerFields(fn: string, entry: LayerEntry, get: (name: string) => Tensor | undefined): QuantizedLinearFields {
  const { name: p, outFeatures: m, inFeatures: n } = entry;
  const cb = builtinCodebook(entry.codebook)!;
  if (n % cb.dim !== 0) throw new CorruptDataError(fn, `layer ${JSON.stringify(p)}: inFeatures ${n} is not a multiple of ${cb.name}'s dim ${cb.dim}`);
  const tensor = <D extends keyof TensorDataTypes>(suffix: string, dtype: D, shape: number[]): TensorDataTypes[D] => {
    const t = get(`${p}.${suffix}`);
    if (!t) throw new CorruptDataError(fn, `layer ${JSON.stringify(p)}: tensor "${p}.${suffix}" is missing`);
    if (t.dtype !== dtype) throw new CorruptDataError(fn, `tensor "${p}.${suffix}" field "dtype" is ${t.dtype}, expected ${dtype}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CorruptDataError(fn, `tensor "${p}.${suffix}" field "shape" is [${t.shape.join(', ')}], expected [${shape.join(', ')}] for a ${m} x ${n} ${cb.name} layer`);
    }
    return t.data as TensorDataTypes[D];
  };
  const codes = tensor('codes', 'U16', [m, (n / cb.dim) * cb.codeWords]);
  let incoherence: IncoherenceRecord;
  const seed = seedOf(entry.seed);
  if (entry.incoherence === 'rht') {
    incoherence = {
      method: 'rht',
      seed,
      signsU: unpackSigns(tensor('signs_u', 'U8', [Math.ceil(m / 8)]), m),
      signsV: unpackSigns(tensor('signs_v', 'U8', [Math.ceil(n / 8)]), n),
    };
  } else if (entry.incoherence === 'rfft') {
    if (m % 2 || n % 2) throw new CorruptDataError(fn, `layer ${JSON.stringify(p)}: an RFFT layer needs even shapes, got ${m} x ${n}`);
    incoherence = { method: 'rfft', seed, phasesU: tensor('phases_u', 'F64', [m / 2]), phasesV: tensor('phases_v', 'F64', [n / 2]) };
  } else if (entry.incoherence === 'quip-sharp') {
    incoherence = { method: 'quip-sharp', SU: tensor('su', 'F64', [n]), SV: tensor('sv', 'F64', [m]), scaleWH: entry.scaleWH ? tensor('scale_wh', 'F64', [n]) : null };
  } else {
    incoherence = { method: 'none' };
  }
  const scale = tensor('scale', 'F64', [1])[0];
  const rescale = entry.rescale ? tensor('rescale', 'F64', [n]) : null;
  return { outFeatures: m, inFeatures: n, codebook: cb, codes, incoherence, scale, rescale, report: entry.report ?? null };
}

/** Throws TypeError unless `name` is a non-empty string (a tensor-name prefix). */
export function checkLayerName(fn: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw typeError(fn, 'name', 'a non-empty string', name);
  return name;
}
