/**
 * Reading `torch.save` files (the zip format PyTorch writes since 1.6) without PyTorch and without running any of
 * their code: the pickle is rebuilt by a restricted unpickler (pickle.ts) that knows only plain data, tensors,
 * storages, `collections.OrderedDict` and `torch.Size`, as `torch.load(weights_only=True)` does.
 *
 * The archive (torch-zip.ts) holds `<prefix>/data.pkl`, one raw storage `<prefix>/data/<key>` per key, a
 * `version` record (not read) and, since PyTorch 1.10, `<prefix>/byteorder`. Each tensor in the pickle is
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`, its storage
 * a persistent id `('storage', torch.<Type>Storage, key, location, numel)`. Everything the pickle claims
 * is checked against the archive before any storage is read.
 */
import { CorruptDataError, typeError } from '../errors/index.js';
import { isPickleDict, isPickleTuple, unpickle, type PickleGlobal } from './pickle.js';
import { decodeTensor, itemSize, type Tensor } from './tensor.js';
import { STORAGE_DTYPES, gatherViewBytes } from './torch-tensor.js';
import { openTorchArchive, type TorchArchive } from './torch-zip.js';
import { readZipEntry } from './zip.js';

const FN = 'readTorchFile';

/** A value readTorchFile returns: plain data and tensors (tuples and torch.Size as frozen arrays). */
export type TorchValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Tensor
  | TorchValue[]
  | readonly TorchValue[]
  | { [key: string]: TorchValue };

/**
 * The tensors may together hold at most this many times the elements of the storages they view (views that
 * overlap are copied each; a pickle that rebuilds one large view over and over is refused, not allocated).
 */
const MAX_VIEW_FACTOR = 4;

/** A storage named by a persistent id; its bytes are read once the whole pickle has been checked. */
interface StorageRef {
  key: string;
  typeName: string;
  dtype: Tensor['dtype'];
  numel: number;
}

/** A tensor whose `data` is filled from its storage once the whole pickle has been read. */
interface PendingTensor {
  tensor: Tensor;
  storage: StorageRef;
  offset: number;
  strides: number[];
}

/**
 * Reads a `torch.save` file from its bytes. Returns the saved object with dicts as plain objects (integer keys as
 * their decimal strings), lists as arrays, tuples and `torch.Size` as frozen arrays, ints as numbers (bigints
 * beyond 2^53), and each tensor in the form readSafetensors gives, `{ dtype, shape, data }`: a dense C-order copy
 * of the saved view (its storage offset and strides applied), dtype one of F64, F32, F16, BF16, I64, I32, I16, I8,
 * U8, BOOL, with `data` the matching typed array (BigInt64Array for I64; F16 and BF16 decoded exactly to a
 * Float32Array, their stored bit patterns kept in `bits`). Tensors that share a storage come out as separate
 * copies. `isTensor` tells tensors from dicts.
 *
 * Only these globals are rebuilt: `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter` (read as
 * its tensor), the storage types `torch.{Double,Float,Half,BFloat16,Long,Int,Short,Char,Byte,Bool}Storage`,
 * `torch.Size` and `collections.OrderedDict`. Nothing from the file is ever executed.
 *
 * Cost: O(file size) time; memory for the tensors' copies (F16 takes 6 bytes per element: value and bits).
 *
 * Throws `TypeError` unless `bytes` is a Uint8Array, and `CorruptDataError` (saying what is wrong) for anything
 * but a well-formed zip-format `torch.save` file: a legacy (pre-1.6) file, a damaged zip (bad CRC-32, truncated,
 * lying sizes), a global outside the whitelist (e.g. `os.system`, named in the message), an unsupported pickle
 * opcode, a storage missing or of another size than its persistent id says, a view reaching past its storage or
 * larger than it, or tensors holding more than 4 times the elements of their storages.
 *
 * @example
 * const attr = readTorchFile(new Uint8Array(fs.readFileSync('0_qkv.pt'))) as Record<string, TorchValue>;
 * (attr.Qidxs as Tensor).dtype; // 'I64'
 */
export function readTorchFile(bytes: Uint8Array): TorchValue {
  if (!(bytes instanceof Uint8Array)) throw typeError(FN, 'bytes', 'a Uint8Array', bytes);
  const archive = openTorchArchive(FN, bytes);
  const loader = new TensorLoader(archive);
  const root = unpickle(archive.pickle, {
    fn: FN,
    findGlobal: (module, name) => loader.globals.get(`${module}.${name}`),
    persistentLoad: (pid) => loader.storage(pid),
  });
  loader.fill();
  return root as TorchValue;
}

/** Checks a tuple of non-negative safe integers (a size or a stride) and returns it as a new array. */
function indexTuple(what: string, v: unknown): number[] {
  if (!isPickleTuple(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new Error(`${what} must be a tuple of non-negative integers`);
  }
  return [...(v as readonly number[])];
}

/** The whitelisted globals, and the storages and tensors the pickle names. */
class TensorLoader {
  readonly globals = new Map<string, PickleGlobal>();
  private readonly storageTypeOf = new Map<unknown, string>();
  private readonly storages = new Map<string, StorageRef>();
  private readonly storageRefs = new Set<unknown>();
  private readonly tensors = new Set<unknown>();
  private readonly pending: PendingTensor[] = [];

  constructor(private readonly archive: TorchArchive) {
    for (const typeName of STORAGE_DTYPES.keys()) {
      const g: PickleGlobal = { qualifiedName: `torch.${typeName}` };
      this.globals.set(g.qualifiedName, g);
      this.storageTypeOf.set(g, typeName);
    }
    this.define('torch._utils._rebuild_tensor_v2', (args) => this.rebuildTensor(args));
    this.define('torch._utils._rebuild_parameter', (args) => {
      if (args.length !== 3 || !this.tensors.has(args[0])) throw new Error('expects (tensor, requires_grad, hooks)');
      return args[0];
    });
    this.define('torch.Size', (args) => {
      if (args.length !== 1) throw new Error('expects one tuple');
      return Object.freeze(indexTuple('torch.Size', args[0]));
    });
  }

  private define(qualifiedName: string, call: (args: readonly unknown[]) => unknown): void {
    this.globals.set(qualifiedName, { qualifiedName, call });
  }

  private corrupt(what: string): CorruptDataError {
    return new CorruptDataError(FN, what);
  }

  /** persistent_load: ('storage', type, key, location, numel), checked against the archive's entry. */
  storage(pid: unknown): StorageRef {
    if (!isPickleTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw this.corrupt("a persistent id is not ('storage', type, key, location, numel)");
    }
    const [, type, key, , numel] = pid;
    const typeName = this.storageTypeOf.get(type);
    if (typeName === undefined) throw this.corrupt('a persistent id names no storage type');
    if (typeof key !== 'string') throw this.corrupt('a storage key is not a string');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
      throw this.corrupt(`storage '${key}' has size ${String(numel)}`);
    }
    const known = this.storages.get(key);
    if (known) {
      if (known.typeName !== typeName || known.numel !== numel) throw this.corrupt(`storage '${key}' is described two ways`);
      return known;
    }
    const entry = this.archive.storages.get(key);
    if (entry === undefined) throw this.corrupt(`storage '${key}' is missing from the archive`);
    const dtype = STORAGE_DTYPES.get(typeName)!;
    const expected = numel * itemSize(dtype);
    if (entry.size !== expected) {
      throw this.corrupt(`storage '${key}' holds ${entry.size} bytes, but ${numel} x torch.${typeName} need ${expected}`);
    }
    const ref: StorageRef = { key, typeName, dtype, numel };
    this.storages.set(key, ref);
    this.storageRefs.add(ref);
    return ref;
  }

  /** _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]): checked, filled later. */
  private rebuildTensor(args: readonly unknown[]): Tensor {
    if (args.length !== 6 && args.length !== 7) throw new Error(`expects 6 or 7 arguments, got ${args.length}`);
    const [storage, offset, size, stride, , hooks] = args;
    if (!this.storageRefs.has(storage)) throw new Error('its first argument is not a storage');
    const ref = storage as StorageRef;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw new Error(`storage offset must be a non-negative integer, got ${String(offset)}`);
    }
    const shape = indexTuple('size', size);
    const strides = indexTuple('stride', stride);
    if (strides.length !== shape.length) throw new Error(`${shape.length} sizes but ${strides.length} strides`);
    if (!(hooks === null || (isPickleDict(hooks) && Object.keys(hooks).length === 0))) {
      throw new Error('backward hooks are not supported');
    }
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel > ref.numel) {
      throw new Error(`a tensor of ${numel} elements cannot be a view of storage '${ref.key}' of ${ref.numel}`);
    }
    const last = numel === 0 ? offset - 1 : shape.reduce((a, n, d) => a + (n - 1) * strides[d], offset);
    if (last >= ref.numel) {
      throw new Error(
        `the view (size [${shape}], stride [${strides}], offset ${offset}) reaches past storage '${ref.key}' of ${ref.numel} elements`,
      );
    }
    // `data` (and `bits`) are filled by fill() once the whole pickle has been checked.
    const tensor = { dtype: ref.dtype, shape } as Tensor;
    this.tensors.add(tensor);
    this.pending.push({ tensor, storage: ref, offset, strides });
    return tensor;
  }

  /** Reads the storages the tensors view (and only those) and fills every tensor's data (and bits). */
  fill(): void {
    const byStorage = new Map<StorageRef, PendingTensor[]>();
    let viewed = 0;
    for (const p of this.pending) {
      viewed += p.tensor.shape.reduce((a, b) => a * b, 1);
      const views = byStorage.get(p.storage);
      if (views) views.push(p);
      else byStorage.set(p.storage, [p]);
    }
    let stored = 0;
    for (const s of byStorage.keys()) stored += s.numel;
    if (viewed > MAX_VIEW_FACTOR * stored) {
      throw this.corrupt(`the tensors hold ${viewed} elements, more than ${MAX_VIEW_FACTOR} x the ${stored} their storages hold`);
    }
    // One storage at a time, so that at most one raw storage is held besides the tensors' copies.
    for (const [s, views] of byStorage) {
      const bytes = readZipEntry(FN, this.archive.bytes, this.archive.storages.get(s.key)!);
      for (const { tensor, offset, strides } of views) {
        const raw = gatherViewBytes(bytes, itemSize(s.dtype), offset, tensor.shape, strides);
        const { data, bits } = decodeTensor(FN, `storage '${s.key}'`, s.dtype, tensor.shape, raw, this.archive.littleEndian) as {
          data: Tensor['data'];
          bits?: Uint8Array | Uint16Array;
        };
        Object.assign(tensor, bits === undefined ? { data } : { data, bits });
      }
    }
  }
}

export { isTensor } from './torch-tensor.js';
