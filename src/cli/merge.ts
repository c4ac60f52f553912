/**
 * `quipsharp merge DIR... --out DIR`: joins the output folders of sharded quantize-model runs (each holding some
 * of the layer files, shard 0's the unquantized tensors) into one folder and writes its model file. The folders
 * must share one plan (the same model, Hessians and options).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../node/index.js';
import { assembleModel } from './assemble.js';
import { printResult, type Context } from './context.js';
import { layerRecord, layerTable, type LayerRecord } from './layer-table.js';
import type { ModelPlan } from './plan.js';
import { Progress } from './progress.js';
import { checkLayerFile, checkUnquantized, copyTensors, layerPath, loadPlan, openFile, planDifference, savePlan, UNQUANTIZED_FILE, DURABLE } from './run-dir.js';
import { bytesText } from './text.js';
import { CliError, parseCommandLine, required, UsageError } from './usage.js';

const SPEC = {
  positionals: true,
  options: {
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Usage: quipsharp merge DIR... --out DIR

Joins the output folders of the shards of one quantize-model run (quantize-model --shard I/N --out DIR_I) and
writes OUT/model.safetensors. Every layer file is read back and checked; each layer is taken from the first
folder that has a good copy. OUT may be one of the input folders.

  --out DIR            the joined folder (created)
  --json               print one JSON result on stdout instead of the table
  -h, --help           this help

Example:
  quipsharp merge run-0 run-1 run-2 run-3 --out quantized
`,
} as const;

/** Runs `quipsharp merge` (see the help text). */
export async function mergeCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const out = required('--out', args.values.out);
  const dirs = args.positionals;
  if (dirs.length === 0) throw new UsageError('give the folders to merge: quipsharp merge DIR... --out DIR');
  const t0 = performance.now();

  const plans = await Promise.all(dirs.map((d) => loadPlan(d)));
  const plan: ModelPlan = plans[0];
  for (const [k, other] of plans.entries()) {
    const difference = planDifference(other, plan);
    if (difference !== null) throw new CliError(`${dirs[k]} is not a shard of the same run as ${dirs[0]}: ${difference}`);
  }
  await savePlan(out, plan);
  const same = (a: string, b: string) => resolve(a) === resolve(b);

  const records: LayerRecord[] = [];
  const missing: string[] = [];
  const progress = new Progress(ctx.stderr, `merging ${plan.layers.length} layers`);
  for (const [k, layer] of plan.layers.entries()) {
    let found = false;
    for (const d of dirs) {
      const path = layerPath(d, layer.name);
      const state = await checkLayerFile(path, layer, plan.options.codebook);
      if (state.state === 'bad') progress.notice(`${path}: ${state.problem}: skipped`);
      if (state.state !== 'ok') continue;
      if (!same(d, out)) await writeFileAtomic(layerPath(out, layer.name), await readFile(path), DURABLE);
      records.push(layerRecord(layer.name, state.layer, `from ${d}`));
      found = true;
      break;
    }
    if (!found) missing.push(layer.name);
    progress.update((k + 1) / plan.layers.length, layer.name);
  }
  progress.finish();
  if (missing.length > 0) {
    throw new CliError(`${missing.length} layers are in none of the folders (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): run the shards that own them first`);
  }

  const source = await firstGood(dirs, plan);
  if (source === null) throw new CliError(`none of the folders has a good ${UNQUANTIZED_FILE} (shard 0 writes it): run shard 0 first`);
  if (!same(source, out)) {
    const file = await openFile(join(source, UNQUANTIZED_FILE));
    try {
      await copyTensors(file, plan.copies.map((c) => c.name), join(out, UNQUANTIZED_FILE));
    } finally {
      await file.close();
    }
  }
  const model = await assembleModel(out, plan, ctx.stderr);
  const seconds = (performance.now() - t0) / 1000;
  const text = `${layerTable(records, true)}\nwrote ${model.path} (${bytesText(model.bytes)})\n`;
  printResult(ctx, args.values.json === true, text, { command: 'merge', inputs: dirs, out, model: model.path, bytes: model.bytes, layers: records, copied: plan.copies, seconds });
}

/** The first folder whose unquantized tensors are complete, or null. */
async function firstGood(dirs: string[], plan: ModelPlan): Promise<string | null> {
  for (const d of dirs) if ((await checkUnquantized(join(d, UNQUANTIZED_FILE), plan.copies)) === null) return d;
  return null;
}
