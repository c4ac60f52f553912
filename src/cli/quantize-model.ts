/**
 * `quipsharp quantize-model`: every linear layer of a model, one layer in memory at a time, resumable and
 * shardable (run-dir.ts describes the output folder, plan.ts the plan and the shard assignment).
 */
import { join } from 'node:path';
import { openSafetensorsModel, writeFileAtomic, type SafetensorsModel } from '../node/index.js';
import type { QuantizeLinearOptions } from '../quantize/index.js';
import { assembleModel } from './assemble.js';
import { printResult, type Context } from './context.js';
import { inFile } from './errors.js';
import { openHessians, type HessianSource } from './hessian-source.js';
import { layerRecord, layerTable, methodText, type LayerRecord } from './layer-table.js';
import { assignShards, layerWork, planModel, type CopiedTensor, type ModelPlan, type PlannedLayer } from './plan.js';
import { Progress } from './progress.js';
import { layerProgress, QUANTIZE_HELP, QUANTIZE_OPTIONS, quantizeLayer, readQuantizeOptions } from './quantize-options.js';
import { checkLayerFile, checkUnquantized, copyTensors, exists, layerPath, savePlan, UNQUANTIZED_FILE, DURABLE } from './run-dir.js';
import { tensorMatrix } from './tensor-ref.js';
import { bytesText, formatTable, secondsText, shapeText, significant } from './text.js';
import { parseCommandLine, regexOption, required, shardOption, type Shard } from './usage.js';

const SPEC = {
  positionals: false,
  options: {
    model: { type: 'string' },
    hessians: { type: 'string' },
    out: { type: 'string' },
    layers: { type: 'string' },
    shard: { type: 'string' },
    json: { type: 'boolean' },
    ...QUANTIZE_OPTIONS,
  },
  help: `Usage: quipsharp quantize-model --model FILE_OR_DIR --hessians FILE_OR_DIR --out DIR [options]

Quantizes every 2-D weight P.weight of a model that has a Hessian, one layer in memory at a time, and copies
every other tensor (embeddings, norms, biases, weights without a Hessian) byte for byte. Writes one file per
layer into DIR/layers and, once every layer is there, DIR/model.safetensors: the whole quantized model.

  --model PATH         model.safetensors, a sharded model's folder (model.safetensors.index.json) or index file
  --hessians PATH      a safetensors file of tensors P.hessian, or a folder of files P.hessian.npy or
                       P.hessian.safetensors. q_proj, k_proj and v_proj of X may share X.qkv.hessian, and
                       up_proj and gate_proj X.up.hessian (P.hessian, when present, wins); a folder may
                       also hold QuIP#'s files {i}_qkv.pt, {i}_o.pt, {i}_up.pt, {i}_down.pt for block i
  --out DIR            the output folder (created)
  --layers REGEX       quantize only the layers whose name P matches (JavaScript regular expression);
                       the others are copied unquantized
  --shard I/N          do shard I of N (0 <= I < N): a deterministic share of the layers, balanced by work;
                       shard 0 also copies the unquantized tensors. Run every shard with the same arguments
${QUANTIZE_HELP}
  --json               print one JSON result on stdout instead of the table
  -h, --help           this help

Resuming: a rerun with the same arguments reads back every layer file already in DIR, keeps the good ones and
quantizes the rest (a file that fails its check is redone). Shards writing into one shared DIR finish the model
file themselves (the last one to finish writes it); shards writing into separate folders are joined with
quipsharp merge DIR... --out DIR.
`,
} as const;

/** Layers in an order that keeps those sharing a Hessian together (so it is read once), else as planned. */
function groupedByHessian(layers: PlannedLayer[]): PlannedLayer[] {
  const first = new Map<string, number>();
  layers.forEach((l, i) => {
    if (!first.has(l.hessian)) first.set(l.hessian, i);
  });
  return layers.map((l, i) => ({ l, i })).sort((a, b) => first.get(a.l.hessian)! - first.get(b.l.hessian)! || a.i - b.i).map(({ l }) => l);
}

/** What one run of quantize-model did. */
interface ModelRun {
  plan: ModelPlan;
  shard: Shard;
  records: LayerRecord[];
  /** What other shards have not written yet: layer names, and the unquantized tensors' file. */
  waiting: string[];
  model: { path: string; bytes: number } | null;
}

function copiesTable(copies: readonly CopiedTensor[]): string {
  return formatTable(
    [{ header: 'kept unquantized' }, { header: 'dtype' }, { header: 'shape', align: 'right' }, { header: 'why' }],
    copies.map((c) => [c.name, c.dtype, shapeText(c.shape), c.reason]),
  );
}

function summary(run: ModelRun, seconds: number): string {
  const { plan, shard, records } = run;
  const now = records.filter((r) => r.status === 'quantized').length;
  const lines = [layerTable(records, true), copiesTable(plan.copies)];
  const share = shard.count > 1 ? `shard ${shard.index}/${shard.count}: ${records.length} of ${plan.layers.length} layers` : `${records.length} layers`;
  lines.push(`${share} (${now} quantized now, ${records.length - now} done before) in ${secondsText(seconds)}`);
  if (run.model) lines.push(`wrote ${run.model.path} (${bytesText(run.model.bytes)})`);
  else {
    const list = run.waiting.slice(0, 3).join(', ');
    lines.push(`${run.waiting.length} files of other shards are not there yet (${list}${run.waiting.length > 3 ? ', ...' : ''}): the last shard to finish writes the model file; join separate folders with quipsharp merge`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads back this shard's layer files from an earlier run: the good ones' records, and the layers left to do. */
async function resume(ctx: Context, out: string, plan: ModelPlan, mine: PlannedLayer[]): Promise<{ done: Map<string, LayerRecord>; todo: PlannedLayer[] }> {
  const done = new Map<string, LayerRecord>();
  const todo: PlannedLayer[] = [];
  for (const layer of mine) {
    const path = layerPath(out, layer.name);
    const state = await checkLayerFile(path, layer, plan.options.codebook);
    if (state.state === 'ok') done.set(layer.name, layerRecord(layer.name, state.layer, 'done before'));
    else {
      if (state.state === 'bad') ctx.stderr.write(`${path}: ${state.problem}: quantizing it again\n`);
      todo.push(layer);
    }
  }
  return { done, todo };
}

/** Quantizes `todo` (layers sharing a Hessian in a row), writing each layer's file; returns their records. */
async function quantizeLayers(ctx: Context, out: string, model: SafetensorsModel, hessians: HessianSource, todo: PlannedLayer[], options: QuantizeLinearOptions): Promise<LayerRecord[]> {
  const order = groupedByHessian(todo);
  const weights = order.reduce((s, l) => s + l.shape[0] * l.shape[1], 0);
  const progress = new Progress(ctx.stderr, `quantizing ${order.length} layers`, { total: weights, unit: 'weights' });
  const forLayer = layerProgress(progress, order.map((l) => layerWork(l.shape)));
  const records: LayerRecord[] = [];
  for (const [k, layer] of order.entries()) {
    const { name, shape } = layer;
    const W = tensorMatrix(`${model.path}: ${name}.weight`, await model.read(`${name}.weight`));
    const H = await hessians.read(layer.hessian, shape[1], name);
    const q = await quantizeLayer(W, H, { ...options, onProgress: forLayer(k, `${k + 1}/${order.length} ${name}`) });
    await writeFileAtomic(layerPath(out, name), q.toSafetensors(name), DURABLE);
    const r = layerRecord(name, q, 'quantized');
    records.push(r);
    progress.notice(`[${k + 1}/${order.length}] ${name} ${shapeText(shape)} ${methodText(r.codebook, r.incoherence)}: relative proxy loss ${significant(r.relativeProxyLoss)}, ${secondsText(r.seconds ?? 0)}`);
  }
  if (order.length > 0) progress.finish();
  return records;
}

/** Shard 0's copy of the unquantized tensors, unless a good one is there already. */
async function copyUnquantized(ctx: Context, out: string, model: SafetensorsModel, plan: ModelPlan): Promise<void> {
  const path = join(out, UNQUANTIZED_FILE);
  const problem = await checkUnquantized(path, plan.copies);
  if (problem === null) return;
  if (problem !== 'missing') ctx.stderr.write(`${path}: ${problem}: copying again\n`);
  await copyTensors(model, plan.copies.map((c) => c.name), path, ctx.stderr);
}

/** Runs `quipsharp quantize-model` (see the help text). */
export async function quantizeModelCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const v = args.values;
  const modelPath = required('--model', v.model);
  const hessiansPath = required('--hessians', v.hessians);
  const out = required('--out', v.out);
  const select = v.layers === undefined ? null : regexOption('--layers', v.layers);
  const shard = v.shard === undefined ? { index: 0, count: 1 } : shardOption('--shard', v.shard);
  const { choices, threads } = readQuantizeOptions(v);
  const t0 = performance.now();

  const model = await inFile(modelPath, () => openSafetensorsModel(modelPath));
  let run: ModelRun;
  try {
    const hessians = await openHessians(hessiansPath);
    try {
      const plan = await planModel(model, hessians, select, choices);
      await savePlan(out, plan);
      const owner = assignShards(plan.layers, shard.count);
      const mine = plan.layers.filter((_, i) => owner[i] === shard.index);
      const { done, todo } = await resume(ctx, out, plan, mine);
      for (const r of await quantizeLayers(ctx, out, model, hessians, todo, { ...choices, threads })) done.set(r.name, r);
      if (shard.index === 0) await copyUnquantized(ctx, out, model, plan);

      // The model file is written by whichever shard finds every other file there.
      const waiting: string[] = [];
      for (const [i, layer] of plan.layers.entries()) if (owner[i] !== shard.index && !(await exists(layerPath(out, layer.name)))) waiting.push(layer.name);
      if (!(await exists(join(out, UNQUANTIZED_FILE)))) waiting.push(UNQUANTIZED_FILE);
      run = { plan, shard, records: mine.map((l) => done.get(l.name)!), waiting, model: waiting.length === 0 ? await assembleModel(out, plan, ctx.stderr) : null };
    } finally {
      await hessians.close();
    }
  } finally {
    await model.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  printResult(ctx, v.json === true, summary(run, seconds), {
    command: 'quantize-model',
    out,
    shard: run.shard,
    complete: run.model !== null,
    model: run.model?.path ?? null,
    bytes: run.model?.bytes ?? null,
    layers: run.records,
    copied: run.plan.copies,
    waiting: run.waiting,
    seconds,
  });
}
