/** `quipsharp hessian`: a layer's proxy Hessian from activation dumps, with HessianAccumulator. */
import { writeSafetensorsFile } from '../node/index.js';
import { HessianAccumulator } from '../quantize/index.js';
import { printResult, type Context } from './context.js';
import { assertOutputFolder } from './errors.js';
import { Progress } from './progress.js';
import { floatData, parseTensorRef, readTensorRef } from './tensor-ref.js';
import { bytesText, shapeText } from './text.js';
import { CliError, parseCommandLine, required, UsageError } from './usage.js';
import { DURABLE } from './run-dir.js';

const SPEC = {
  positionals: true,
  options: {
    activations: { type: 'string', multiple: true },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Usage: quipsharp hessian --activations A.npy [B.npy ...] --out H.safetensors

Accumulates the proxy Hessian H = (1/N) sum_r x_r x_r^T of a layer's inputs from activation dumps (each an
array of rows x_r of n features: N x n, or batch x tokens x n, any float dtype) and writes H.safetensors with
the tensors "hessian" (F64, n x n), "mean" (F64, n: (1/N) sum_r x_r) and "count" (I64 scalar: N). The sums
are kept in double-double, so the split of the rows into files does not change H. Each file is read whole.

  --activations REF... the dumps: A.npy, FILE.safetensors:TENSOR, FILE.npz:ARRAY (more may follow as arguments)
  --out FILE           the Hessian file to write (atomically)
  --json               print one JSON result on stdout
  -h, --help           this help

The result is what quantize and quantize-model read: --hessian H.safetensors:hessian, or as the file
P.hessian.safetensors in a --hessians folder.
`,
} as const;

/** Runs `quipsharp hessian` (see the help text). */
export async function hessianCommand(argv: string[], ctx: Context): Promise<void> {
  const args = parseCommandLine(SPEC, argv, ctx.stdout);
  if (!args) return;
  const files = [...(args.values.activations ?? []), ...args.positionals];
  if (files.length === 0) throw new UsageError('--activations is required');
  const out = required('--out', args.values.out);
  const refs = await Promise.all(files.map((f) => parseTensorRef('--activations', f)));
  await assertOutputFolder('--out', out);

  const progress = new Progress(ctx.stderr, `accumulating ${refs.length} activation files`);
  let acc: HessianAccumulator | null = null;
  for (const [k, ref] of refs.entries()) {
    const tensor = await readTensorRef(ref);
    const data = floatData(`activations ${ref.text}`, tensor);
    if (tensor.shape.length < 2 || data.length === 0) throw new CliError(`activations ${ref.text} must be rows x features (2-D or more, non-empty), got shape [${tensor.shape.join(', ')}]`);
    const n = tensor.shape[tensor.shape.length - 1];
    acc ??= new HessianAccumulator(n);
    if (n !== acc.n) throw new CliError(`activations ${ref.text} have ${n} features (shape ${shapeText(tensor.shape)}), the earlier files ${acc.n}`);
    acc.add(data);
    progress.update((k + 1) / refs.length, ref.text);
  }
  progress.finish();
  const sums = acc!; // files is not empty
  const H = sums.hessian();
  const n = sums.n;
  await writeSafetensorsFile(out, {
    hessian: { dtype: 'F64', shape: [n, n], data: H.data },
    mean: { dtype: 'F64', shape: [n], data: sums.mean() },
    count: { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(sums.count)) },
  }, undefined, DURABLE);
  const text = `H: ${n} x ${n} from ${sums.count} rows in ${refs.length} files; wrote ${out} (${bytesText(8 * n * n)} of Hessian)\n`;
  printResult(ctx, args.values.json === true, text, { command: 'hessian', activations: files, out, features: n, rows: sums.count });
}
