/**
 * `quipsharp inspect FILE`: what a quantized file holds, from its header alone (a model file of any size is
 * listed without reading its data): each layer's shape, codebook, incoherence, stored bits per weight and size,
 * the report's proxy loss when it has one, and the tensors passed through. Any other safetensors file is listed
 * tensor by tensor. A quantize-model output folder is listed layer by layer: done or not yet.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FORMAT_NAME, ownedNames, readLayerEntries } from '../quantize/index.js';
import { printResult, type Context } from './context.js';
import { methodText } from './layer-table.js';
import { exists, layerPath, loadPlan, MODEL_FILE, openFile, UNQUANTIZED_FILE } from './run-dir.js';
import { bytesText, formatTable, shapeText, significant } from './text.js';
import { parseCommandLine, UsageError } from './usage.js';

const SPEC = {
  positionals: true,
  options: { json: { type: 'boolean' } },
  help: `Usage: quipsharp inspect FILE_OR_DIR

Lists a quantized file's layers (shape, codebook and incoherence, stored bits per weight, bytes, relative proxy
loss when recorded) and the tensors it keeps unquantized, from the header only. Any other safetensors file is
listed tensor by tensor; a quantize-model output folder layer by layer, done or not yet.

  --json               print one JSON result on stdout instead of the tables
  -h, --help           this help
`,
} as const;

/** The JSON of one file's layers and other tensors. */
async function inspectFile(path: string): Promise<{ text: string; result: object }> {
  const file = await openFile(path);
  try {
    const size = (await stat(path)).size;
    const quantized = file.metadata['quipsharp.format'] === FORMAT_NAME;
    const entries = quantized ? readLayerEntries(path, file.metadata) : [];
    const owned = new Set<string>();
    const layers = entries.map((e) => {
      const names = ownedNames(e);
      for (const n of names) owned.add(n);
      const bytes = names.reduce((s, n) => s + (file.has(n) ? file.info(n).byteLength : 0), 0);
      return {
        name: e.name,
        shape: [e.outFeatures, e.inFeatures],
        codebook: e.codebook,
        incoherence: e.incoherence,
        seed: e.seed,
        rescale: e.rescale,
        bytes,
        bitsPerWeight: (8 * bytes) / (e.outFeatures * e.inFeatures),
        relativeProxyLoss: e.report?.relativeProxyLoss ?? null,
      };
    });
    const tensors = file
      .names()
      .filter((n) => !owned.has(n))
      .map((n) => {
        const { dtype, shape, byteLength } = file.info(n);
        return { name: n, dtype, shape, bytes: byteLength };
      });
    const weights = layers.reduce((s, l) => s + l.shape[0] * l.shape[1], 0);
    const layerBytes = layers.reduce((s, l) => s + l.bytes, 0);
    const lines: string[] = [];
    if (quantized) {
      lines.push(
        formatTable(
          [{ header: 'layer' }, { header: 'shape (out x in)', align: 'right' }, { header: 'method' }, { header: 'bits/weight', align: 'right' }, { header: 'bytes', align: 'right' }, { header: 'rel. proxy loss', align: 'right' }],
          layers.map((l) => [l.name, shapeText(l.shape), methodText(l.codebook, l.incoherence), l.bitsPerWeight.toFixed(3), bytesText(l.bytes), significant(l.relativeProxyLoss)]),
        ),
      );
    }
    const heading = quantized ? 'kept unquantized' : 'tensor';
    if (tensors.length > 0) lines.push(formatTable([{ header: heading }, { header: 'dtype' }, { header: 'shape', align: 'right' }, { header: 'bytes', align: 'right' }], tensors.map((t) => [t.name, t.dtype, shapeText(t.shape), bytesText(t.bytes)])));
    lines.push(
      quantized
        ? `${path}: ${bytesText(size)}; ${layers.length} quantized layers (${(weights / 1e6).toPrecision(3)}M weights, ${weights === 0 ? '-' : ((8 * layerBytes) / weights).toFixed(3)} bits/weight, ${bytesText(layerBytes)}), ${tensors.length} other tensors`
        : `${path}: ${bytesText(size)}; not a quipsharp quantized file: ${tensors.length} tensors`,
    );
    return { text: `${lines.join('\n')}\n`, result: { command: 'inspect', path, bytes: size, quantized, metadata: file.metadata, layers, tensors } };
  } finally {
    await file.close();
  }
}

/** A quantize-model output folder: which layers are done. */
async function inspectRunDir(dir: string): Promise<{ text: string; result: object }> {
  const plan = await loadPlan(dir);
  const layers = await Promise.all(plan.layers.map(async (l) => ({ name: l.name, shape: l.shape, hessian: l.hessian, done: await exists(layerPath(dir, l.name)) })));
  const unquantized = await exists(join(dir, UNQUANTIZED_FILE));
  const model = await exists(join(dir, MODEL_FILE));
  const done = layers.filter((l) => l.done).length;
  const table = formatTable(
    [{ header: 'layer' }, { header: 'shape (out x in)', align: 'right' }, { header: 'Hessian' }, { header: 'file' }],
    layers.map((l) => [l.name, shapeText(l.shape), l.hessian, l.done ? 'done' : 'not yet']),
  );
  const o = plan.options;
  const text = `${table}\n${dir}: ${o.codebook}, incoherence ${o.incoherence}, seed ${o.seed}; ${done} of ${layers.length} layers done, ${plan.copies.length} tensors kept unquantized (${unquantized ? 'copied' : 'not copied yet'}); ${MODEL_FILE} ${model ? 'written' : 'not written yet'}\n`;
  return { text, result: { command: 'inspect', path: dir, options: o, layers, copies: plan.copies, unquantized, model } };
}

/** Runs `quipsharp inspect` (see the help text). */
export async function inspectCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'give the file to inspect' : 'give one file to inspect');
  const path = args.positionals[0];
  const { text, result } = (await stat(path)).isDirectory() ? await inspectRunDir(path) : await inspectFile(path);
  printResult(ctx, args.values.json === true, text, result);
}
