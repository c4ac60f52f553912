/**
 * `quipsharp` with no arguments (or `quipsharp example`): the whole job on the embedded example model. Builds a
 * small LLaMA-shaped model with correlated, outlier-heavy activations, quantizes every linear layer on all
 * cores, prints the per-layer table, saves the quantized model, reloads it and checks compressed inference
 * against the dequantized weights.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { exampleModel, type ExampleModel, type ExampleModelOptions } from '../example/index.js';
import type { Tensor } from '../io/index.js';
import { writeFileAtomic, writeSafetensorsFile } from '../node/index.js';
import { readQuantizedModel, writeQuantizedModel, type QuantizedLinear } from '../quantize/index.js';
import { matvecDifference, sameLayer } from './check.js';
import { printResult, type Context } from './context.js';
import { sharedHessianName } from './hessian-names.js';
import { layerRecord, layerTable, layerTotals } from './layer-table.js';
import { Progress, stage } from './progress.js';
import { layerWork } from './plan.js';
import { layerProgress, QUANTIZE_HELP, QUANTIZE_OPTIONS, quantizeLayer, readQuantizeOptions } from './quantize-options.js';
import { bytesText, secondsText, significant } from './text.js';
import { CliError, integerOption, parseCommandLine, UsageError } from './usage.js';
import { DURABLE } from './run-dir.js';

/** Largest accepted max relative difference between matvec and the dense product with dequantize(). */
const MATVEC_TOLERANCE = 1e-10;

const DEFAULTS = { blocks: 2, hidden: 512, intermediate: 1376, samples: 2048 };

const SPEC = {
  positionals: false,
  options: {
    out: { type: 'string' },
    blocks: { type: 'string' },
    hidden: { type: 'string' },
    intermediate: { type: 'string' },
    samples: { type: 'string' },
    'save-inputs': { type: 'boolean' },
    json: { type: 'boolean' },
    ...QUANTIZE_OPTIONS,
  },
  help: `Usage: quipsharp [example] [options]

Quantizes the embedded example model: ${DEFAULTS.blocks} LLaMA-shaped blocks (hidden ${DEFAULTS.hidden}, MLP ${DEFAULTS.intermediate}, so 14 linear
layers), with proxy Hessians from correlated activations with a few outlier channels, all from a fixed seed.
Every linear layer is quantized on all cores; the per-layer table and totals are printed, the quantized model
is saved to OUT/model.safetensors, reloaded, and matvec from the codes is checked against the dequantized
weights on every layer (exit code 1 if any differs by more than ${MATVEC_TOLERANCE} relative).

  --out DIR            where to save (default ./quipsharp-example)
  --save-inputs        also save the unquantized model and its Hessians, OUT/example-model.safetensors and
                       OUT/example-hessians.safetensors, the inputs of quipsharp quantize-model
  --blocks N           a smaller or larger example: transformer blocks (default ${DEFAULTS.blocks})
  --hidden N           hidden size, a multiple of 8 (default ${DEFAULTS.hidden})
  --intermediate N     MLP size, a multiple of 8 (default ${DEFAULTS.intermediate} = 8 x 172, a Hadamard order that is not a power of 2)
  --samples N          activation rows per Hessian (default ${DEFAULTS.samples})
${QUANTIZE_HELP}
  --json               print one JSON result on stdout instead of the table
  -h, --help           this help
`,
} as const;

function sizeOption(option: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = integerOption(option, value, 8, max);
  if (n % 8 !== 0) throw new UsageError(`${option} must be a multiple of 8 (the codebook's dimension), got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Writes an example model as quantize-model's inputs: every tensor as F32 into `modelPath`, and the Hessians as
 * F64 into `hessiansPath` under the names quantize-model looks up (one per shared group: X.qkv.hessian,
 * X.up.hessian; else P.hessian). Both atomically.
 */
export async function writeExampleInputs(model: ExampleModel, modelPath: string, hessiansPath: string): Promise<void> {
  const tensors = new Map<string, Tensor>([...model.tensors].map(([name, x]) => [name, { dtype: 'F32', shape: x.shape, data: x.data }]));
  await writeSafetensorsFile(modelPath, tensors, undefined, DURABLE);
  const hessians = new Map<string, Tensor>();
  for (const [layer, H] of model.hessians) {
    const name = sharedHessianName(layer) ?? `${layer}.hessian`;
    if (!hessians.has(name)) hessians.set(name, { dtype: 'F64', shape: [...H.shape], data: H.data });
  }
  await writeSafetensorsFile(hessiansPath, hessians, undefined, DURABLE);
}

/** Runs the example (see the help text). */
export async function exampleCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const v = args.values;
  const out = v.out ?? 'quipsharp-example';
  const options: ExampleModelOptions = {
    blocks: v.blocks === undefined ? DEFAULTS.blocks : integerOption('--blocks', v.blocks, 1, 64),
    hidden: sizeOption('--hidden', v.hidden, DEFAULTS.hidden, 8192),
    intermediate: sizeOption('--intermediate', v.intermediate, DEFAULTS.intermediate, 32768),
    samples: v.samples === undefined ? DEFAULTS.samples : integerOption('--samples', v.samples, 1, 1 << 20),
  };
  const { choices, threads } = readQuantizeOptions(v);
  const t0 = performance.now();
  const seconds: Record<string, number> = {};

  let t = performance.now();
  const describe = `${options.blocks} blocks, hidden ${options.hidden}, intermediate ${options.intermediate}, ${options.samples} samples per Hessian`;
  const model = await stage(ctx.stderr, `building the example model (${describe})`, () => exampleModel(options));
  seconds.build = (performance.now() - t) / 1000;
  await mkdir(out, { recursive: true });
  if (v['save-inputs']) await writeExampleInputs(model, join(out, 'example-model.safetensors'), join(out, 'example-hessians.safetensors'));

  // Quantize every linear layer.
  const layers = [...model.hessians].map(([name, H]) => ({ name, W: model.tensors.get(`${name}.weight`)!, H }));
  const weights = layers.reduce((s, { W }) => s + W.shape[0] * W.shape[1], 0);
  const progress = new Progress(ctx.stderr, `quantizing ${layers.length} layers`, { total: weights, unit: 'weights' });
  const forLayer = layerProgress(progress, layers.map(({ W }) => layerWork([W.shape[0], W.shape[1]])));
  const quantized = new Map<string, QuantizedLinear>();
  for (const [k, { name, W, H }] of layers.entries()) {
    const onProgress = forLayer(k, `${k + 1}/${layers.length} ${name}`);
    quantized.set(name, await quantizeLayer(ndarray(W.data, W.shape), H, { ...choices, threads, onProgress }));
  }
  seconds.quantize = progress.finish();
  const records = [...quantized].map(([name, q]) => layerRecord(name, q, 'quantized'));

  // Save, reload, check.
  t = performance.now();
  const passThrough = new Map<string, Tensor>();
  for (const [name, x] of model.tensors) if (!model.hessians.has(name.replace(/\.weight$/, ''))) passThrough.set(name, { dtype: 'F32', shape: x.shape, data: x.data });
  const path = join(out, 'model.safetensors');
  const bytes = writeQuantizedModel(quantized, passThrough, { example: JSON.stringify(options) });
  await writeFileAtomic(path, bytes, DURABLE);
  seconds.save = (performance.now() - t) / 1000;
  t = performance.now();
  const reloaded = await stage(ctx.stderr, `reloading ${path}`, async () => readQuantizedModel(await readFile(path)));
  let maxDifference = 0;
  for (const [k, [name, q]] of [...quantized].entries()) {
    const back = reloaded.layers.get(name);
    if (!back || !sameLayer(name, q, back)) throw new CliError(`${path}: layer ${name} did not reload as it was saved`);
    maxDifference = Math.max(maxDifference, matvecDifference(back, k));
  }
  seconds.check = (performance.now() - t) / 1000;
  seconds.total = (performance.now() - t0) / 1000;
  const ok = maxDifference <= MATVEC_TOLERANCE;

  const totals = layerTotals(records);
  const text = [
    layerTable(records),
    `saved ${path} (${bytesText(bytes.length)}: ${quantized.size} quantized layers, ${passThrough.size} tensors kept as they are)`,
    `reloaded: every layer identical; matvec vs dequantize: max relative difference ${significant(maxDifference)} (limit ${MATVEC_TOLERANCE}) ${ok ? 'ok' : 'FAILED'}`,
    `total ${secondsText(seconds.total)} (build ${secondsText(seconds.build)}, quantize ${secondsText(seconds.quantize)}, save and check ${secondsText(seconds.save + seconds.check)})`,
    '',
  ].join('\n');
  printResult(ctx, v.json === true, text, {
    command: 'example',
    model: options,
    out: path,
    bytes: bytes.length,
    layers: records,
    totals,
    check: { maxRelativeDifference: maxDifference, limit: MATVEC_TOLERANCE, ok },
    seconds,
  });
  if (!ok) throw new CliError(`matvec differs from dequantize by ${maxDifference} relative (limit ${MATVEC_TOLERANCE})`);
}
