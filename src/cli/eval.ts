/**
 * `quipsharp eval`: how good a quantized layer is, beside what simpler methods give on the same layer: 2-bit
 * round-to-nearest on a uniform scalar grid, and E8P12 with BlockLDLQ but no incoherence processing.
 */
import { readFile } from 'node:fs/promises';
import { ScalarCodebook } from '../lattice/index.js';
import { readQuantizedModel } from '../quantize/index.js';
import { compareWeights, roundToNearest, type WeightComparison } from './baselines.js';
import { printResult, type Context } from './context.js';
import { inFile } from './errors.js';
import { methodText } from './layer-table.js';
import { Progress, stage } from './progress.js';
import { quantizeLayer } from './quantize-options.js';
import { parseTensorRef, readTensorRef, tensorMatrix } from './tensor-ref.js';
import { formatTable, significant } from './text.js';
import { CliError, integerOption, parseCommandLine, required } from './usage.js';

const SPEC = {
  positionals: false,
  options: {
    weight: { type: 'string' },
    hessian: { type: 'string' },
    quantized: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Usage: quipsharp eval --weight W --hessian H --quantized layer.safetensors[:LAYER]

Proxy loss tr((W - W_hat) H (W - W_hat)^T) of a quantized layer, beside two baselines computed here on the
same W and H: 2-bit round-to-nearest (a uniform 4-level grid at the MSE-optimal step for the layer's RMS, no
incoherence, no adaptive rounding) and E8P12 with BlockLDLQ but without incoherence processing.

  --weight REF         the original weight (W.npy, FILE.safetensors:TENSOR, FILE.npz:ARRAY, MODEL_DIR:TENSOR)
  --hessian REF        its proxy Hessian
  --quantized FILE     the quantized layer file, :LAYER to pick one layer of a model file
  --threads N          worker threads of the E8P12 baseline (default: every core)
  --json               print one JSON result on stdout instead of the table
  -h, --help           this help
`,
} as const;

interface EvalRow extends WeightComparison {
  method: string;
  bitsPerWeight: number;
}

/** Runs `quipsharp eval` (see the help text). */
export async function evalCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const v = args.values;
  const weightRef = await parseTensorRef('--weight', required('--weight', v.weight));
  const hessianRef = await parseTensorRef('--hessian', required('--hessian', v.hessian));
  const quantizedText = required('--quantized', v.quantized);
  const threads = v.threads === undefined ? undefined : integerOption('--threads', v.threads, 1, 1024);
  const m = /^(.+?\.safetensors)(?::(.+))?$/.exec(quantizedText);
  const [file, layerName] = m ? [m[1], m[2]] : [quantizedText, undefined];

  const W = tensorMatrix(`--weight ${weightRef.text}`, await readTensorRef(weightRef));
  const [rows, cols] = W.shape;
  const H = tensorMatrix(`--hessian ${hessianRef.text}`, await readTensorRef(hessianRef), { rows: cols, cols, why: `the weight has ${cols} inputs` });
  const { layers } = await inFile(file, async () => readQuantizedModel(await readFile(file)));
  const names = [...layers.keys()];
  const name = layerName ?? (names.length === 1 ? names[0] : null);
  if (name === null) throw new CliError(`${file} holds ${names.length} layers (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}): name one as ${file}:LAYER`);
  const q = layers.get(name);
  if (!q) throw new CliError(`${file} has no layer ${JSON.stringify(name)}`);
  if (q.outFeatures !== rows || q.inFeatures !== cols) throw new CliError(`${file}:${name} is ${q.outFeatures} x ${q.inFeatures}, the weight ${rows} x ${cols}`);

  const rowsOut: EvalRow[] = [];
  const measure = async (method: string, bitsPerWeight: number, What: Parameters<typeof compareWeights>[1]) =>
    rowsOut.push({ method, bitsPerWeight, ...(await stage(ctx.stderr, `measuring ${method}`, () => compareWeights(W, What, H))) });
  await measure(`${name} (${methodText(q.codebook, q.incoherence.method)})`, q.bitsPerWeight, q.dequantize());
  const scalar = new ScalarCodebook(2);
  await measure('round-to-nearest, 2-bit scalar', scalar.bitsPerWeight + 64 / (rows * cols), roundToNearest(W, scalar));
  const progress = new Progress(ctx.stderr, 'quantizing with E8P12 without incoherence', { total: rows * cols, unit: 'weights' });
  const plain = await quantizeLayer(W, H, { incoherence: 'none', threads, onProgress: (p) => progress.update(p.fraction, p.stage) });
  progress.finish();
  await measure('E8P12, BlockLDLQ, no incoherence', plain.bitsPerWeight, plain.dequantize());

  const table = formatTable(
    [{ header: 'method' }, { header: 'bits/weight', align: 'right' }, { header: 'proxy loss', align: 'right' }, { header: 'rel. proxy loss', align: 'right' }, { header: 'weight error', align: 'right' }],
    rowsOut.map((r) => [r.method, r.bitsPerWeight.toFixed(3), significant(r.proxyLoss), significant(r.relativeProxyLoss), significant(r.weightError)]),
  );
  printResult(ctx, v.json === true, table, { command: 'eval', weight: weightRef.text, hessian: hessianRef.text, quantized: file, layer: name, results: rowsOut });
}
