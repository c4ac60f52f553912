/**
 * Sharded models as Hugging Face stores them: `model.safetensors.index.json`, whose `weight_map` maps each tensor
 * name to the shard file holding it (`model-00001-of-00004.safetensors`, ...), next to the shards.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CorruptDataError, rangeError } from '../errors/index.js';
import { describeJson, parseJson, type Tensor } from '../io/index.js';
import { assertPath } from './atomic.js';
import {
  openReader,
  type FileReader,
  type SafetensorsReader,
  type SafetensorsSource,
  type SafetensorsTensorInfo,
} from './safetensors-reader.js';

/** The file name of a sharded model's index. */
export const MODEL_INDEX = 'model.safetensors.index.json';
/** The file name of a single-file model. */
export const MODEL_FILE = 'model.safetensors';

/** A model's tensors across its shard files. */
export interface SafetensorsModel extends SafetensorsSource {
  /** The index file, or the single safetensors file. */
  readonly path: string;
  /** The open shards, in the order the index first names them. */
  readonly shards: readonly SafetensorsReader[];
}

class ShardedModel implements SafetensorsModel {
  private closed = false;

  constructor(
    readonly path: string,
    readonly shards: readonly FileReader[],
    /** Tensor name -> its shard, in the index's order. */
    private readonly shardOf: Map<string, FileReader>,
  ) {}

  names(): string[] {
    return [...this.shardOf.keys()];
  }

  has(name: string): boolean {
    return this.shardOf.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    const fn = 'SafetensorsModel.info';
    return this.shard(fn, name).infoAs(fn, name);
  }

  async read(name: string): Promise<Tensor> {
    const fn = 'SafetensorsModel.read';
    return this.shard(fn, name).readAs(fn, name);
  }

  async readRaw(name: string): Promise<Uint8Array> {
    const fn = 'SafetensorsModel.readRaw';
    return this.shard(fn, name).readRawAs(fn, name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeAll(this.shards);
  }

  private shard(fn: string, name: string): FileReader {
    if (this.closed) throw rangeError(fn, 'the model', 'open', 'closed');
    const shard = this.shardOf.get(name);
    if (shard === undefined) throw rangeError(fn, 'name', `a tensor of ${this.path}`, JSON.stringify(name));
    return shard;
  }
}

async function closeAll(readers: readonly SafetensorsReader[]): Promise<void> {
  await Promise.all(readers.map((r) => r.close()));
}

/**
 * Reads an index's `weight_map` (tensor name -> shard file name), checking it is an object of strings naming
 * files inside the index's directory. Returns the map with resolved shard paths.
 */
async function readIndex(fn: string, indexPath: string): Promise<Map<string, string>> {
  const fail = (what: string): never => {
    throw new CorruptDataError(fn, `${indexPath}: ${what}`);
  };
  const bytes = await readFile(indexPath);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('index: not valid UTF-8');
  }
  const root = parseJson(fn, `${indexPath}: index`, text);
  if (!(root instanceof Map)) return fail(`index: must be a JSON object, got ${describeJson(root)}`);
  const weightMap = root.get('weight_map');
  if (!(weightMap instanceof Map)) {
    return fail(`index field "weight_map": must be an object of shard file names, got ${describeJson(weightMap ?? null)}`);
  }
  const dir = resolve(dirname(indexPath));
  const out = new Map<string, string>();
  for (const [name, file] of weightMap) {
    const where = `index field "weight_map": tensor ${JSON.stringify(name)}`;
    if (typeof file !== 'string' || file === '') fail(`${where}: the shard must be a file name, got ${describeJson(file)}`);
    const path = resolve(dir, file as string);
    const inside = relative(dir, path);
    if (isAbsolute(file as string) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..') {
      fail(`${where}: shard ${JSON.stringify(file)} is outside the model's directory`);
    }
    out.set(name, join(dir, inside));
  }
  return out;
}

/**
 * Opens a model for reading one tensor at a time across its shards. `path` is a directory holding
 * `model.safetensors.index.json` (or, for an unsharded model, `model.safetensors`), an index file itself, or a
 * single `.safetensors` file. Every shard named by the index's `weight_map` is opened and its header validated (as
 * `openSafetensors` does), and every tensor of the map must be in the shard the map names. `names()` lists the
 * map's tensors in its order (tensors a shard holds but the map does not name are not listed). Call `close()` when
 * done.
 *
 * Throws `TypeError` for a path that is not a string; `RangeError` for a directory with neither file;
 * `CorruptDataError` naming the file for a malformed index (not JSON, no `weight_map` object of strings, a shard
 * outside the model's directory, a tensor missing from its shard) or shard; and the file system's errors (a missing
 * shard: ENOENT). On error, shards already opened are closed. Cost: one header read per shard.
 *
 * @example
 * const model = await openSafetensorsModel('Llama-2-7b-hf');
 * const w = await model.read('model.layers.0.self_attn.q_proj.weight');
 * await model.close();
 */
export async function openSafetensorsModel(path: string): Promise<SafetensorsModel> {
  const fn = 'openSafetensorsModel';
  assertPath(fn, 'path', path);
  let target = path;
  if ((await stat(path)).isDirectory()) {
    const candidates = [join(path, MODEL_INDEX), join(path, MODEL_FILE)];
    const found = await Promise.all(candidates.map((p) => stat(p).then((s) => s.isFile(), () => false)));
    const k = found.indexOf(true);
    if (k < 0) throw rangeError(fn, 'path', `a directory holding ${MODEL_INDEX} or ${MODEL_FILE}`, JSON.stringify(path));
    target = candidates[k];
  }
  if (!target.endsWith('.json')) {
    const reader = await openReader(fn, target);
    return new ShardedModel(target, [reader], new Map(reader.names().map((n) => [n, reader])));
  }

  const weightMap = await readIndex(fn, target);
  const files = [...new Set(weightMap.values())];
  const opened = await Promise.allSettled(files.map((f) => openReader(fn, f)));
  const shards = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAll(shards);
    throw failed.reason;
  }
  const byFile = new Map(shards.map((s) => [s.path, s]));
  const shardOf = new Map<string, FileReader>();
  for (const [name, file] of weightMap) {
    const shard = byFile.get(file) as FileReader;
    if (!shard.has(name)) {
      await closeAll(shards);
      const where = `${target}: index field "weight_map"`;
      throw new CorruptDataError(fn, `${where}: tensor ${JSON.stringify(name)} is not in its shard ${file}`);
    }
    shardOf.set(name, shard);
  }
  return new ShardedModel(target, shards, shardOf);
}
