/**
 * Where quantize-model finds Hessians (`--hessians FILE_OR_DIR`):
 * - a safetensors file (or a sharded set through its index): the tensor named `P.hessian` (or a group's name,
 *   see hessian-names.ts);
 * - a folder: a file `NAME.npy` or `NAME.safetensors` per Hessian NAME (`P.hessian.npy`, `X.qkv.hessian.npy`);
 *   a `.safetensors` file holds the tensor `hessian` (as `quipsharp hessian` writes it) or a single tensor.
 * Each Hessian is read when its layer is quantized; the last one read is kept, so layers sharing one (q, k, v)
 * read it once when they come in a row.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MatrixInput } from '../core/index.js';
import type { Tensor } from '../io/index.js';
import { openSafetensors, openSafetensorsModel, readNpyFile, type SafetensorsSource } from '../node/index.js';
import { inFile } from './errors.js';
import { hessianCandidates } from './hessian-names.js';
import { tensorMatrix } from './tensor-ref.js';
import { CliError } from './usage.js';

/** Hessians by name. */
export interface HessianSource {
  /** The name of layer P's Hessian (the first of its candidates present), or null. */
  find(layer: string): string | null;
  /** The Hessian's shape when known without reading it (a safetensors header), else null. */
  shape(name: string): Promise<number[] | null>;
  /** The Hessian as an n x n matrix (checked against n). */
  read(name: string, n: number, layer: string): Promise<MatrixInput>;
  close(): Promise<void>;
}

/** The tensor in a per-Hessian safetensors file: `hessian`, or the file's only tensor. */
function tensorInFile(file: SafetensorsSource, path: string): string {
  const names = file.names();
  if (names.includes('hessian')) return 'hessian';
  if (names.length === 1) return names[0];
  throw new CliError(`${path}: a Hessian file must hold a tensor named "hessian" or a single tensor, found ${names.length}: ${names.slice(0, 5).join(', ')}`);
}

abstract class CachedSource implements HessianSource {
  private last: { name: string; tensor: Tensor } | null = null;

  abstract find(layer: string): string | null;
  abstract shape(name: string): Promise<number[] | null>;
  abstract close(): Promise<void>;
  protected abstract load(name: string): Promise<Tensor>;
  protected abstract where(name: string): string;

  async read(name: string, n: number, layer: string): Promise<MatrixInput> {
    if (this.last?.name !== name) {
      this.last = null; // let the previous Hessian go before the next is read
      this.last = { name, tensor: await this.load(name) };
    }
    return tensorMatrix(`Hessian ${this.where(name)}`, this.last.tensor, { rows: n, cols: n, why: `${layer}.weight has ${n} inputs` });
  }
}

class TensorFileSource extends CachedSource {
  constructor(
    private readonly path: string,
    private readonly file: SafetensorsSource,
  ) {
    super();
  }

  find(layer: string): string | null {
    return hessianCandidates(layer).find((c) => this.file.has(c)) ?? null;
  }

  async shape(name: string): Promise<number[]> {
    return this.file.info(name).shape;
  }

  protected load(name: string): Promise<Tensor> {
    return this.file.read(name);
  }

  protected where(name: string): string {
    return `${this.path}:${name}`;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

class FolderSource extends CachedSource {
  constructor(
    private readonly dir: string,
    private readonly files: Set<string>,
  ) {
    super();
  }

  private fileOf(name: string): string | null {
    for (const ext of ['.npy', '.safetensors']) if (this.files.has(`${name}${ext}`)) return join(this.dir, `${name}${ext}`);
    return null;
  }

  find(layer: string): string | null {
    return hessianCandidates(layer).find((c) => this.fileOf(c) !== null) ?? null;
  }

  async shape(name: string): Promise<number[] | null> {
    const path = this.fileOf(name)!;
    if (path.endsWith('.npy')) return null;
    return inFile(path, async () => {
      const file = await openSafetensors(path);
      try {
        return file.info(tensorInFile(file, path)).shape;
      } finally {
        await file.close();
      }
    });
  }

  protected async load(name: string): Promise<Tensor> {
    const path = this.fileOf(name)!;
    return inFile(path, async () => {
      if (path.endsWith('.npy')) return readNpyFile(path);
      const file = await openSafetensors(path);
      try {
        return await file.read(tensorInFile(file, path));
      } finally {
        await file.close();
      }
    });
  }

  protected where(name: string): string {
    return this.fileOf(name)!;
  }

  async close(): Promise<void> {}
}

/** Opens `--hessians`: a folder of per-Hessian files, or a safetensors file / sharded set of tensors. */
export async function openHessians(path: string): Promise<HessianSource> {
  if ((await stat(path)).isDirectory()) {
    const files = new Set((await readdir(path, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name));
    if (files.has('model.safetensors.index.json')) return new TensorFileSource(path, await inFile(path, () => openSafetensorsModel(path)));
    return new FolderSource(path, files);
  }
  return new TensorFileSource(path, await inFile(path, () => openSafetensorsModel(path)));
}
