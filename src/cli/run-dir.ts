/**
 * The output folder of quantize-model (and merge):
 *
 *   DIR/plan.json                 what the run does (plan.ts); the same for every shard
 *   DIR/layers/P.safetensors      one quantized-format file per layer (P percent-encoded where not file-safe)
 *   DIR/unquantized.safetensors   the tensors kept as they are, copied byte for byte (by shard 0)
 *   DIR/model.safetensors         the whole quantized model, once every layer is there
 *
 * Every file is written atomically (a temporary file, then a rename), so a killed run leaves only complete
 * files and hidden `.NAME.PID.RANDOM.tmp` files, never a truncated file under a final name.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSafetensorsWriter, MODEL_FILE, openSafetensors, writeFileAtomic, type AtomicWriteOptions, type SafetensorsReader, type SafetensorsSource } from '../node/index.js';
import { readQuantizedModel, type QuantizedLinear } from '../quantize/index.js';
import { errorLine, inFile } from './errors.js';
import { PLAN_FORMAT, type CopiedTensor, type ModelPlan, type PlannedLayer } from './plan.js';
import { Progress, type ProgressStream } from './progress.js';
import { codebookName } from './quantize-options.js';
import { shapeText } from './text.js';

/** Every file the command writes is durable too (fsynced before its rename): a resumed batch job trusts what it finds. */
export const DURABLE: AtomicWriteOptions = { durable: true };
import { CliError } from './usage.js';

const PLAN_FILE = 'plan.json';
const LAYERS_DIR = 'layers';
export const UNQUANTIZED_FILE = 'unquantized.safetensors';
export { MODEL_FILE };

/** The file of layer `name` in DIR/layers (characters unsafe in file names percent-encoded). */
export function layerPath(dir: string, name: string): string {
  return join(dir, LAYERS_DIR, `${encodeURIComponent(name)}.safetensors`);
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function planText(plan: ModelPlan): string {
  return `${JSON.stringify(plan, null, 1)}\n`;
}

/** What differs between two plans (`there` saved, `here` wanted), for the message that refuses to mix them; null when they agree. */
export function planDifference(there: ModelPlan, here: ModelPlan): string | null {
  if (planText(there) === planText(here)) return null;
  for (const key of ['codebook', 'incoherence', 'seed'] as const) {
    if (there.options[key] !== here.options[key]) return `it was made with --${key} ${there.options[key]}, not ${here.options[key]}`;
  }
  if (JSON.stringify(there.layers) !== JSON.stringify(here.layers)) return 'it quantizes other layers (another model, --hessians or --layers)';
  return 'it was made from another model';
}

/**
 * Creates DIR and DIR/layers and saves the plan, or, when DIR already has a plan (a resumed run, another shard),
 * checks it is the same. Throws CliError when it differs.
 */
export async function savePlan(dir: string, plan: ModelPlan): Promise<void> {
  await mkdir(join(dir, LAYERS_DIR), { recursive: true });
  const path = join(dir, PLAN_FILE);
  if (await exists(path)) {
    const difference = planDifference(await loadPlan(dir), plan);
    if (difference !== null) throw new CliError(`${path}: ${difference}; use another --out, or delete the folder to start again`);
    return;
  }
  await writeFileAtomic(path, new TextEncoder().encode(planText(plan)), DURABLE);
}

/** The plan saved in DIR. Throws CliError when DIR has none or it is not a plan this version reads. */
export async function loadPlan(dir: string): Promise<ModelPlan> {
  const path = join(dir, PLAN_FILE);
  if (!(await exists(path))) throw new CliError(`${dir} is not a quantize-model output folder (it has no ${PLAN_FILE})`);
  let plan: Partial<ModelPlan>;
  try {
    plan = JSON.parse(await readFile(path, 'utf8')) as Partial<ModelPlan>;
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${errorLine(e)})`);
  }
  if (plan?.format !== PLAN_FORMAT || plan.version !== 1 || !Array.isArray(plan.layers) || !Array.isArray(plan.copies) || typeof plan.options !== 'object') {
    throw new CliError(`${path}: not a plan this quipsharp reads (format ${JSON.stringify(plan?.format)}, version ${JSON.stringify(plan?.version)})`);
  }
  return plan as ModelPlan;
}

/** A layer file's state: absent, complete and right, or unusable (why). */
export type LayerFileState = { state: 'missing' } | { state: 'ok'; layer: QuantizedLinear } | { state: 'bad'; problem: string };

/**
 * Reads a layer file back fully and checks it: a quantized-format file (every tensor, code range and record
 * validated by readQuantizedModel) holding exactly the layer `planned.name`, of the planned shape and codebook,
 * and nothing else.
 */
export async function checkLayerFile(path: string, planned: PlannedLayer, codebook: string): Promise<LayerFileState> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw e;
  }
  try {
    const { layers, tensors } = readQuantizedModel(bytes);
    const layer = layers.get(planned.name);
    const want = codebookName(codebook);
    if (!layer || layers.size !== 1 || tensors.size !== 0) return { state: 'bad', problem: `it does not hold exactly the layer ${planned.name}` };
    if (layer.outFeatures !== planned.shape[0] || layer.inFeatures !== planned.shape[1]) {
      return { state: 'bad', problem: `its layer is ${layer.outFeatures} x ${layer.inFeatures}, the weight ${shapeText(planned.shape)}` };
    }
    if (layer.codebook !== want) return { state: 'bad', problem: `its codebook is ${layer.codebook}, not ${want}` };
    return { state: 'ok', layer };
  } catch (e) {
    return { state: 'bad', problem: errorLine(e) };
  }
}

/**
 * Checks DIR/unquantized.safetensors against the plan's copies: present, its header valid against the file's
 * size (so not truncated), holding exactly those tensors with those dtypes and shapes. Returns null when it is
 * right, else what is wrong ('missing' when absent).
 */
export async function checkUnquantized(path: string, copies: readonly CopiedTensor[]): Promise<string | null> {
  if (!(await exists(path))) return 'missing';
  try {
    const file = await openSafetensors(path);
    try {
      const names = file.names();
      if (names.length !== copies.length) return `it holds ${names.length} tensors, the plan ${copies.length}`;
      for (const c of copies) {
        if (!file.has(c.name)) return `tensor ${c.name} is missing`;
        const info = file.info(c.name);
        if (info.dtype !== c.dtype || shapeText(info.shape) !== shapeText(c.shape)) return `tensor ${c.name} is ${info.dtype} ${shapeText(info.shape)}, the plan ${c.dtype} ${shapeText(c.shape)}`;
      }
      return null;
    } finally {
      await file.close();
    }
  } catch (e) {
    return errorLine(e);
  }
}

/**
 * Copies tensors of `source` byte for byte into a new safetensors file `dest`, streamed one tensor at a time and
 * atomically (memory: the largest tensor), with progress on `stderr` when given.
 */
export async function copyTensors(source: SafetensorsSource, names: readonly string[], dest: string, stderr?: ProgressStream): Promise<void> {
  const specs = new Map(names.map((n) => [n, source.info(n)] as const));
  const total = [...specs.values()].reduce((s, i) => s + i.byteLength, 0);
  const progress = stderr ? new Progress(stderr, `copying ${names.length} unquantized tensors`, { total, unit: 'B' }) : null;
  const writer = await createSafetensorsWriter(dest, specs, undefined, DURABLE);
  let done = 0;
  try {
    for (const name of names) {
      const raw = await source.readRaw(name);
      await writer.writeRaw(name, raw);
      done += raw.length;
      progress?.update(total === 0 ? 1 : done / total, name);
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.close();
  progress?.finish();
}

/** Opens a safetensors file, naming it in errors. */
export function openFile(path: string): Promise<SafetensorsReader> {
  return inFile(path, () => openSafetensors(path));
}
