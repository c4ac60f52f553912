/** `quipsharp quantize`: one layer from a weight and a Hessian to a quantized layer file. */
import { writeFileAtomic } from '../node/index.js';
import type { Context } from './context.js';
import { printResult } from './context.js';
import { assertOutputFolder } from './errors.js';
import { layerRecord, layerTable } from './layer-table.js';
import { Progress, stage } from './progress.js';
import { QUANTIZE_HELP, QUANTIZE_OPTIONS, quantizeLayer, readQuantizeOptions } from './quantize-options.js';
import { parseTensorRef, readTensorRef, tensorMatrix } from './tensor-ref.js';
import { bytesText } from './text.js';
import { parseCommandLine, required } from './usage.js';
import { DURABLE } from './run-dir.js';

const SPEC = {
  positionals: false,
  options: {
    weight: { type: 'string' },
    hessian: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    ...QUANTIZE_OPTIONS,
  },
  help: `Usage: quipsharp quantize --weight W --hessian H --out layer.safetensors [options]

Quantizes one linear layer with QuIP# (incoherence processing, BlockLDLQ on an E8 lattice codebook) and writes
it as a quantized-format safetensors file.

  --weight REF         the out x in weight: W.npy, FILE.safetensors:TENSOR, FILE.npz:ARRAY or MODEL_DIR:TENSOR
  --hessian REF        its in x in proxy Hessian E[x x^T], in the same forms (see quipsharp hessian), or a
                       QuIP# Hessian file H.pt ({ flatH, mu, n, ct })
  --out FILE           the layer file to write (atomically: a temporary file, then a rename)
  --name P             the layer's name in the file, its tensors P.codes, ... (default: the weight tensor's
                       name without ".weight", else "layer")
${QUANTIZE_HELP}
  --json               print one JSON result on stdout instead of the table
  -h, --help           this help

Example:
  quipsharp quantize --weight model.safetensors:model.layers.0.mlp.up_proj.weight \\
    --hessian hessians.safetensors:model.layers.0.mlp.up.hessian --out up_proj.safetensors
`,
} as const;

/** The layer name for a weight reference: its tensor name without `.weight`, else 'layer'. */
function defaultName(tensorName: string | null): string {
  if (tensorName === null) return 'layer';
  return tensorName.endsWith('.weight') && tensorName.length > 7 ? tensorName.slice(0, -7) : tensorName;
}

/** Runs `quipsharp quantize` (see the help text). */
export async function quantizeCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const v = args.values;
  const weightRef = await parseTensorRef('--weight', required('--weight', v.weight));
  const hessianRef = await parseTensorRef('--hessian', required('--hessian', v.hessian));
  const out = required('--out', v.out);
  const { choices, threads } = readQuantizeOptions(v);
  const name = v.name ?? defaultName(weightRef.name);
  await assertOutputFolder('--out', out);

  const W = tensorMatrix(`--weight ${weightRef.text}`, await stage(ctx.stderr, `reading ${weightRef.text}`, () => readTensorRef(weightRef)));
  const [m, n] = W.shape;
  const H = tensorMatrix(`--hessian ${hessianRef.text}`, await stage(ctx.stderr, `reading ${hessianRef.text}`, () => readTensorRef(hessianRef)), {
    rows: n,
    cols: n,
    why: `the weight has ${n} inputs`,
  });
  const progress = new Progress(ctx.stderr, `quantizing ${name}`, { total: m * n, unit: 'weights' });
  const q = await quantizeLayer(W, H, { ...choices, threads, onProgress: (p) => progress.update(p.fraction, p.stage) });
  progress.finish();
  const bytes = q.toSafetensors(name);
  await writeFileAtomic(out, bytes, DURABLE);

  const record = layerRecord(name, q, 'quantized');
  const text = `${layerTable([record])}\nwrote ${out} (${bytesText(bytes.length)})\n`;
  printResult(ctx, v.json === true, text, { command: 'quantize', weight: weightRef.text, hessian: hessianRef.text, out, bytes: bytes.length, seed: choices.seed, layer: record });
}
