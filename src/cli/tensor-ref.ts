/**
 * Tensors named on the command line: `W.npy`, `model.safetensors:NAME`, `arrays.npz:NAME`, a sharded model's
 * `model.safetensors.index.json:NAME` or `MODEL_DIR:NAME`. The name may be left out of a container holding one
 * tensor. A Hessian may also be a QuIP# Hessian file `H.pt` (read as the dense matrix it describes).
 */
import { readFile, stat } from 'node:fs/promises';
import ndarray from 'ndarray';
import type { MatrixInput } from '../core/index.js';
import { describeValue } from '../errors/index.js';
import { quipSharpHessianToDense } from '../interop/index.js';
import { isTensor, readTorchFile, type Tensor, type TorchValue } from '../io/index.js';
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
  /** `quip-sharp-hessian`: a QuIP# Hessian file `{ flatH, mu, n, ct }` (a `.pt` given to --hessian). */
  kind: 'npy' | 'npz' | 'safetensors' | 'quip-sharp-hessian';
  /** The reference as typed, for messages. */
  text: string;
}

const REF_FORMS = 'FILE.npy, FILE.safetensors[:TENSOR], FILE.npz[:ARRAY] or MODEL_DIR:TENSOR';

/** The one option whose tensor is a Hessian, and so may be a QuIP# Hessian file. */
const HESSIAN_OPTION = '--hessian';

/**
 * Parses a reference (see the module comment). A `:` after `.safetensors`, `.npz` or `.json` starts the tensor
 * name; otherwise `DIR:NAME` is a model directory when DIR is one. A `.pt` file is a QuIP# Hessian file, taken by
 * --hessian only. Throws UsageError for anything else.
 *
 * @example await parseTensorRef('--weight', 'model.safetensors:lm_head.weight') // { path: 'model.safetensors', name: 'lm_head.weight', kind: 'safetensors', ... }
 */
export async function parseTensorRef(option: string, text: string): Promise<TensorRef> {
  if (/\.npy$/.test(text)) return { path: text, name: null, kind: 'npy', text };
  if (/\.pt$/.test(text)) {
    if (option !== HESSIAN_OPTION) throw new UsageError(`${option} must be ${REF_FORMS} (a .pt file is read only as a QuIP# Hessian, by ${HESSIAN_OPTION}), got ${JSON.stringify(text)}`);
    return { path: text, name: null, kind: 'quip-sharp-hessian', text };
  }
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
    if (ref.kind === 'quip-sharp-hessian') return readQuipSharpHessianFile(ref.path);
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

/** The fields of a QuIP# Hessian file, as its hessian_offline scripts save them. */
const QUIP_SHARP_HESSIAN_FIELDS = ['flatH', 'mu', 'n', 'ct'];

/** True for a pickled dict (not a tensor, list or scalar). */
function isDict(value: TorchValue): value is { [key: string]: TorchValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isTensor(value);
}

/** What a torch.save file holds, for messages: `a dict of Qidxs, SU, ...`, `a tensor (F32, [3, 4])`, `Array(2)`. */
function torchValueText(value: TorchValue): string {
  if (isTensor(value)) return `a tensor (${value.dtype}, [${value.shape.join(', ')}])`;
  if (!isDict(value)) return describeValue(value);
  const keys = Object.keys(value);
  return keys.length === 0 ? 'an empty dict' : `a dict of ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? `, ... (${keys.length} keys)` : ''}`;
}

/**
 * Reads a QuIP# Hessian file (a `torch.save` dict `{ flatH, mu, n, ct }`, see quipSharpHessianToDense) as the
 * dense n x n second moment E[x x^T] it describes, as QuIP#'s quantize_linear expands it: H = flatH (the lower
 * triangle of the centred covariance, mirrored) + mu mu^T, in float32. The entries are float32 values, so the
 * tensor is F32 (exact, half the memory of F64). Cost: O(n^2) time; the file's bytes, its flatH (2 n^2 bytes) and
 * a float64 n x n (8 n^2 bytes) while it is read, 4 n^2 bytes kept.
 *
 * Throws CliError when the file is not such a dict, and (with the path in the message) the reader's
 * CorruptDataError for a damaged file and quipSharpHessianToDense's TypeError/RangeError for fields of the wrong
 * type, length or a non-finite entry.
 *
 * @example await readQuipSharpHessianFile('hessians/0_qkv.pt') // { dtype: 'F32', shape: [4096, 4096], data }
 */
export async function readQuipSharpHessianFile(path: string): Promise<Tensor> {
  return inFile(path, async () => {
    const value = readTorchFile(new Uint8Array(await readFile(path)));
    if (!isDict(value) || QUIP_SHARP_HESSIAN_FIELDS.some((k) => !(k in value))) {
      throw new CliError(`${path}: not a QuIP# Hessian file: it must hold a dict { ${QUIP_SHARP_HESSIAN_FIELDS.join(', ')} }, found ${torchValueText(value)}`);
    }
    const H = quipSharpHessianToDense(value);
    return { dtype: 'F32', shape: [...H.shape], data: Float32Array.from(H.data) };
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
