/**
 * Tensors named on the command line: `W.npy`, `model.safetensors:NAME`, `arrays.npz:NAME`, a sharded model's
 * `model.safetensors.index.json:NAME` or `MODEL_DIR:NAME`. The name may be left out of a container holding one
 * tensor.
 */
import { stat } from 'node:fs/promises';
import ndarray from 'ndarray';
import type { MatrixInput } from '../core/index.js';
import type { Tensor } from '../io/index.js';
import { openSafetensorsModel, readNpyFile, readNpzFile } from '../node/index.js';
import { inFile } from './errors.js';
import { CliError, UsageError } from './usage.js';
import { shapeText } from './text.js';

/** A parsed tensor reference. */
export interface TensorRef {
  /** The file or directory. */
  path: string;
  /** The tensor's name inside it, or null for a `.npy` file or a container's only tensor. */
  name: string | null;
  kind: 'npy' | 'npz' | 'safetensors';
  /** The reference as typed, for messages. */
  text: string;
}

const REF_FORMS = 'FILE.npy, FILE.safetensors[:TENSOR], FILE.npz[:ARRAY] or MODEL_DIR:TENSOR';

/**
 * Parses a reference (see the module comment). A `:` after `.safetensors`, `.npz` or `.json` starts the tensor
 * name; otherwise `DIR:NAME` is a model directory when DIR is one. Throws UsageError for anything else.
 *
 * @example await parseTensorRef('--weight', 'model.safetensors:lm_head.weight') // { path: 'model.safetensors', name: 'lm_head.weight', kind: 'safetensors', ... }
 */
export async function parseTensorRef(option: string, text: string): Promise<TensorRef> {
  if (/\.npy$/.test(text)) return { path: text, name: null, kind: 'npy', text };
  const container = /^(.+?\.(safetensors|npz|json))(?::(.*))?$/.exec(text);
  if (container) {
    const name = container[3] === undefined || container[3] === '' ? null : container[3];
    return { path: container[1], name, kind: container[2] === 'npz' ? 'npz' : 'safetensors', text };
  }
  const colon = text.lastIndexOf(':');
  if (colon > 0 && colon < text.length - 1) {
    const dir = text.slice(0, colon);
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (isDir) return { path: dir, name: text.slice(colon + 1), kind: 'safetensors', text };
  }
  throw new UsageError(`${option} must be ${REF_FORMS}, got ${JSON.stringify(text)}`);
}

/** The one name of `names`, or `wanted`; CliError naming what is there otherwise. */
function pick(ref: TensorRef, names: string[]): string {
  const list = () => `${names.slice(0, 6).join(', ')}${names.length > 6 ? `, ... (${names.length} in all)` : ''}`;
  if (ref.name === null) {
    if (names.length === 1) return names[0];
    throw new CliError(`${ref.path} holds ${names.length} tensors (${list()}): name one as ${ref.path}:NAME`);
  }
  if (!names.includes(ref.name)) throw new CliError(`${ref.path} has no tensor ${JSON.stringify(ref.name)} (it has ${list()})`);
  return ref.name;
}

/** Reads the tensor a reference names (a `.npy` or `.npz` file whole; one tensor's bytes of a safetensors file). */
export async function readTensorRef(ref: TensorRef): Promise<Tensor> {
  return inFile(ref.path, async () => {
    if (ref.kind === 'npy') return readNpyFile(ref.path);
    if (ref.kind === 'npz') {
      const arrays = await readNpzFile(ref.path);
      return arrays.get(pick(ref, [...arrays.keys()]))!;
    }
    const model = await openSafetensorsModel(ref.path);
    try {
      return await model.read(pick(ref, model.names()));
    } finally {
      await model.close();
    }
  });
}

/** The dtypes a weight, Hessian or activation may have (the small floats are decoded to float32 exactly). */
const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2']);

/** The elements of a floating-point tensor; CliError naming `what` for an integer or boolean one. */
export function floatData(what: string, tensor: Tensor): Float32Array | Float64Array {
  if (!FLOAT_DTYPES.has(tensor.dtype)) throw new CliError(`${what} is ${tensor.dtype}: it must be floating point (F64, F32, F16, BF16 or F8)`);
  return tensor.data as Float32Array | Float64Array;
}

/**
 * A floating-point tensor as a matrix (a view, no copy) for quantizeLinear, checked to be 2-D, non-empty and, when
 * given, of `rows` x `cols`. Throws CliError naming `what`.
 */
export function tensorMatrix(what: string, tensor: Tensor, expected?: { rows?: number; cols?: number; why?: string }): MatrixInput {
  const data = floatData(what, tensor);
  const { shape } = tensor;
  if (shape.length !== 2 || shape[0] === 0 || shape[1] === 0) throw new CliError(`${what} must be a non-empty matrix, got shape [${shape.join(', ')}]`);
  const [rows, cols] = shape;
  if ((expected?.rows !== undefined && rows !== expected.rows) || (expected?.cols !== undefined && cols !== expected.cols)) {
    const want = `${expected.rows ?? 'any'} x ${expected.cols ?? 'any'}`;
    throw new CliError(`${what} is ${shapeText(shape)}, expected ${want}${expected.why ? ` (${expected.why})` : ''}`);
  }
  return ndarray(data, [rows, cols]) as MatrixInput;
}
