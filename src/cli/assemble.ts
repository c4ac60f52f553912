/**
 * DIR/model.safetensors from a complete output folder: every layer file read back and checked, then the layers'
 * tensors and the unquantized tensors streamed into one quantized-format file, one tensor at a time (memory: the
 * largest layer file while checking, the largest tensor while copying).
 *
 * The file is a function of the plan and the codes only: the layers' entries carry no report (whose timings
 * differ from run to run; the layer files keep it), and the safetensors layout is sorted, so an interrupted and
 * resumed run, a sharded run and merge, and a single run all give the same bytes.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorSpec } from '../io/index.js';
import { createSafetensorsWriter, type SafetensorsWriter } from '../node/index.js';
import { formatMetadata, layerTensors, type LayerEntry, type QuantizedLinear, type QuantizedLinearFields } from '../quantize/index.js';
import type { ModelPlan } from './plan.js';
import { Progress, type ProgressStream } from './progress.js';
import { checkLayerFile, layerPath, MODEL_FILE, openFile, UNQUANTIZED_FILE, DURABLE } from './run-dir.js';
import { CliError } from './usage.js';

/** A layer's stored fields without its report. */
function withoutReport(q: QuantizedLinear): QuantizedLinearFields {
  return { outFeatures: q.outFeatures, inFeatures: q.inFeatures, codebook: q.codebook, codes: q.codes, incoherence: q.incoherence, scale: q.scale, rescale: q.rescale, report: null };
}

/** Streams every tensor of the file at `path` (the ones named) into `writer`, raw. */
async function copyInto(writer: SafetensorsWriter, path: string, names: readonly string[], advance: (bytes: number, name: string) => void): Promise<void> {
  const file = await openFile(path);
  try {
    for (const name of names) {
      const raw = await file.readRaw(name);
      await writer.writeRaw(name, raw);
      advance(raw.length, name);
    }
  } finally {
    await file.close();
  }
}

/**
 * Writes DIR/model.safetensors (atomically) from DIR's plan, layer files and unquantized tensors. Throws
 * CliError naming a layer file that is missing or fails its check. Returns the path and its size in bytes.
 */
export async function assembleModel(dir: string, plan: ModelPlan, stderr: ProgressStream): Promise<{ path: string; bytes: number }> {
  const specs = new Map<string, TensorSpec>();
  const entries: LayerEntry[] = [];
  const owned: string[][] = [];
  let total = 0;
  const checking = new Progress(stderr, `checking ${plan.layers.length} layer files`);
  for (const [k, layer] of plan.layers.entries()) {
    const path = layerPath(dir, layer.name);
    const state = await checkLayerFile(path, layer, plan.options.codebook);
    if (state.state !== 'ok') throw new CliError(`${path}: ${state.state === 'missing' ? 'missing' : state.problem}; rerun quantize-model (the shard that owns the layer) to redo it`);
    const { tensors, entry } = layerTensors(withoutReport(state.layer), state.layer.codebook, layer.name);
    for (const [name, t] of tensors) {
      specs.set(name, { dtype: t.dtype, shape: t.shape });
      total += t.data.byteLength;
    }
    owned.push(tensors.map(([name]) => name));
    entries.push(entry);
    checking.update((k + 1) / plan.layers.length, layer.name);
  }
  checking.finish();

  const unquantizedPath = join(dir, UNQUANTIZED_FILE);
  const unquantized = await openFile(unquantizedPath);
  try {
    for (const c of plan.copies) {
      if (specs.has(c.name)) throw new CliError(`tensor ${c.name} of the model has the name of a quantized layer's own tensor`);
      const info = unquantized.info(c.name);
      specs.set(c.name, info);
      total += info.byteLength;
    }
  } finally {
    await unquantized.close();
  }
  const path = join(dir, MODEL_FILE);
  const writer = await createSafetensorsWriter(path, specs, formatMetadata(entries, plan.metadata), DURABLE);
  const writing = new Progress(stderr, `writing ${path}`, { total, unit: 'B' });
  let done = 0;
  const advance = (bytes: number, name: string) => writing.update(total === 0 ? 1 : (done += bytes) / total, name);
  try {
    for (const [k, layer] of plan.layers.entries()) await copyInto(writer, layerPath(dir, layer.name), owned[k], advance);
    await copyInto(writer, unquantizedPath, plan.copies.map((c) => c.name), advance);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.close();
  writing.finish();
  return { path, bytes: (await stat(path)).size };
}
