/**
 * Where quantize-model finds Hessians (`--hessians FILE_OR_DIR`):
 * - a safetensors file (or a sharded set through its index): the tensor named `P.hessian` (or a group's name,
 *   see hessian-names.ts);
 * - a folder: a file `NAME.npy` or `NAME.safetensors` per Hessian NAME (`P.hessian.npy`, `X.qkv.hessian.npy`);
 *   a `.safetensors` file holds the tensor `hessian` (as `quipsharp hessian` writes it) or a single tensor. Failing
 *   those, QuIP#'s own files `{i}_qkv.pt`, `{i}_o.pt`, `{i}_up.pt`, `{i}_down.pt` (the Hessian's name is then the
 *   file's name).
 * Each Hessian is read when its layer is quantized; the last one read is kept, so layers sharing one (q, k, v)
 * read it once when they come in a row, and it is let go when the next one is read.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MatrixInput } from '../core/index.js';
import type { Tensor } from '../io/index.js';
import { openSafetensors, openSafetensorsModel, readNpyFile, type SafetensorsSource } from '../node/index.js';
import { inFile } from './errors.js';
import { hessianCandidates, quipSharpHessianFileName } from './hessian-names.js';
import { readQuipSharpHessianFile, tensorMatrix } from './tensor-ref.js';
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

  /** The file of Hessian `name`: `name` itself for a QuIP# file (`0_qkv.pt`), else `name.npy` or `name.safetensors`. */
  private fileOf(name: string): string | null {
    const candidates = name.endsWith('.pt') ? [name] : [`${name}.npy`, `${name}.safetensors`];
    const file = candidates.find((f) => this.files.has(f));
    return file === undefined ? null : join(this.dir, file);
  }

  find(layer: string): string | null {
    const quipSharp = quipSharpHessianFileName(layer);
    const names = quipSharp === null ? hessianCandidates(layer) : [...hessianCandidates(layer), quipSharp];
    return names.find((c) => this.fileOf(c) !== null) ?? null;
  }

  async shape(name: string): Promise<number[] | null> {
    const path = this.fileOf(name)!;
    if (!path.endsWith('.safetensors')) return null; // .npy and .pt: checked when read
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
    if (path.endsWith('.pt')) return readQuipSharpHessianFile(path);
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

/**
 * Opens `--hessians`: a folder of per-Hessian files, or a safetensors file / sharded set of tensors. Throws CliError
 * for a single `.pt` file (one QuIP# Hessian cannot serve a model: its folder can).
 */
export async function openHessians(path: string): Promise<HessianSource> {
  if ((await stat(path)).isDirectory()) {
    const files = new Set((await readdir(path, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name));
    if (files.has('model.safetensors.index.json')) return new TensorFileSource(path, await inFile(path, () => openSafetensorsModel(path)));
    return new FolderSource(path, files);
  }
  if (path.endsWith('.pt')) throw new CliError(`--hessians ${path}: a .pt file is one QuIP# Hessian: give the folder of QuIP#'s files {layer}_{qkv,o,up,down}.pt`);
  return new TensorFileSource(path, await inFile(path, () => openSafetensorsModel(path)));
}
