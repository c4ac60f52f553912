/**
 * The device side of a quantized layer's compressed inference: the codes of one layer uploaded once per backend and
 * kept on the device until released, and the product Y' = X' C^T of a batch of transformed inputs with the decoded
 * code rows (QuIP# Algorithm 2's inner loop), computed from the codes. The input and output transforms stay with the
 * layer (quantize/); this module sees only codes, shapes and float32 inputs.
 */
import { DisposedError, rangeError } from '../errors/index.js';
import { E8P12, E8P12Codebook, ResidualE8Codebook, type Codebook } from '../lattice/index.js';
import { e8p12Tables, type E8P12Tables } from './decode-plan.js';
import { runPlan } from './device.js';
import { buildProductPlan, buildUploadPlan, type ProductRecipe } from './linear-plan.js';
import type { DeviceMode } from './names.js';
import { readOptions } from './options.js';
import { readWebGPUKernel, type WebGPUKernel, type WebGPUKernelOptions } from './webgpu-kernel.js';
import { resolveBackend } from './registry.js';
import { wgslDevice } from './wgsl-device.js';
import { uploadWgslCodes, WGSL_MAX_ROWS, type WgslCodes } from './wgsl-linear.js';

/** Largest float32 index a gpu.js kernel computes exactly: code words and inputs per dispatch stay below it. */
const MAX_EXACT = 2 ** 24;

/**
 * The options of the device-capable products of a quantized layer: `backend`, and on 'webgpu' the kernel, 'wgsl'
 * (hand-written, E8P12 layers; the default for them) or 'gpu.js' (generated; every supported codebook).
 */
export type ProductOptions = WebGPUKernelOptions;

let tables: E8P12Tables | undefined;
/** A number per codebook object, naming its compiled plans (two codebooks may share a name). */
const codebookIds = new WeakMap<Codebook, number>();
let nextId = 0;
const idOf = (codebook: Codebook): number => codebookIds.get(codebook) ?? (codebookIds.set(codebook, nextId), nextId++);
const e8p12TablesOnce = (): E8P12Tables => (tables ??= e8p12Tables((c) => E8P12.decode(c)));

const recipes = new WeakMap<Codebook, ProductRecipe | undefined>();

/** The device recipe of `codebook` (built once per codebook object), or undefined when no device kernel decodes it. */
function recipeOf(codebook: Codebook): ProductRecipe | undefined {
  if (!recipes.has(codebook)) recipes.set(codebook, buildRecipe(codebook));
  return recipes.get(codebook);
}

function buildRecipe(codebook: Codebook): ProductRecipe | undefined {
  if (codebook instanceof E8P12Codebook) return { kind: 'e8p12', tables: e8p12TablesOnce() };
  if (!(codebook instanceof ResidualE8Codebook)) return undefined;
  const grid = codebook.residualGrid();
  const size = grid.length / 8;
  if (size === 65536) {
    const e8 = E8P12.grid();
    if (grid.every((v, i) => v === e8[i])) return { kind: 'residual-e8p12', tables: e8p12TablesOnce(), inverseScale: 1 / codebook.residualScale };
    return undefined;
  }
  if (size > 4096) return undefined;
  return { kind: 'residual-grid', tables: e8p12TablesOnce(), scaledGrid: Float32Array.from(grid, (v) => v / codebook.residualScale) };
}

/** The code product on one backend: a block's resident codes and how to multiply with them. */
interface Resident {
  /** Batch x m inner products (row-major float32) of the block with `batch` inputs (batch x 8 chunks). */
  product(x: Float32Array, batch: number): Promise<Float32Array>;
  release(): void;
}

/** A block of column chunks [first, first + chunks) of the layer. */
interface Block {
  first: number;
  chunks: number;
}

/**
 * The device state of one quantized layer: its chunk-major codes (m rows, n / 8 chunks, `words` code words per
 * chunk), uploaded on the first product of each backend and kept there until {@link DeviceLayer.dispose}. Layers
 * beyond 2^24 code words are held as several blocks of column chunks whose partial products are summed.
 */
export class DeviceLayer {
  private readonly words: number;
  private readonly recipe: ProductRecipe | undefined;
  private readonly blocks: Block[];
  private readonly resident = new Map<string, Promise<Resident[]>>();
  private inFlight = 0;
  private disposed = false;

  /**
   * `codesT` chunk-major (see quantize/'s chunkMajor), `m` rows, `n` columns (a multiple of 8), `codebook` the
   * layer's. `maxWords` bounds the code words of one block (default 2^24, the float32-exact index range).
   */
  constructor(
    private readonly codebook: Codebook,
    private readonly codesT: Uint16Array,
    private readonly m: number,
    private readonly n: number,
    maxWords = MAX_EXACT,
  ) {
    this.words = codebook.codeWords;
    this.recipe = recipeOf(codebook);
    const perBlock = Math.max(1, Math.floor(maxWords / (m * this.words)));
    this.blocks = [];
    for (let first = 0; first < n / 8; first += perBlock) this.blocks.push({ first, chunks: Math.min(perBlock, n / 8 - first) });
  }

  /**
   * The backend a product of `fn` runs on for `options` (undefined: the current one), 'cpu' included, after the
   * checks of the options and of this layer's fitness for a device: throws DisposedError after dispose(),
   * TypeError for a bad options object or kernel name, RangeError/TypeError/BackendUnavailableError as
   * resolveBackend does, RangeError for a codebook no device kernel decodes or a layer too tall for one.
   */
  async backendOf(fn: string, options: unknown): Promise<{ mode: 'cpu' | DeviceMode; kernel: WebGPUKernel }> {
    const { backend } = readOptions(fn, options, []);
    const requested = readWebGPUKernel(fn, options);
    const mode = await resolveBackend(fn, backend);
    const wgslable = this.recipe?.kind === 'e8p12';
    if (requested === 'wgsl' && !wgslable) {
      throw rangeError(fn, 'options.webgpuKernel', "'gpu.js' for a layer whose codebook is not E8P12", "'wgsl'");
    }
    const kernel: WebGPUKernel = requested ?? (wgslable ? 'wgsl' : 'gpu.js');
    if (mode === 'cpu') return { mode, kernel };
    if (!this.recipe) {
      throw rangeError(fn, 'this.codebook', `E8P12, E8P12RVQ3B or E8P12RVQ4B on the '${mode}' backend (use 'cpu')`, `'${this.codebook.name}'`);
    }
    if (this.m * this.words > MAX_EXACT || (kernel === 'wgsl' && mode === 'webgpu' && this.m > WGSL_MAX_ROWS)) {
      throw rangeError(fn, 'this.outFeatures', `at most ${Math.min(MAX_EXACT / this.words, kernel === 'wgsl' ? WGSL_MAX_ROWS : Infinity)} on the '${mode}' backend (use 'cpu')`, String(this.m));
    }
    return { mode, kernel };
  }

  /**
   * Y' = X' C^T for `batch` inputs X' (row-major batch x n float32), C the decoded m x n code matrix: resolves to
   * the batch x m products, row-major, in float64 (each the float32 sum of its block's terms, blocks summed in
   * float64). Uploads the codes on the first call of each (mode, kernel). Call it inside {@link DeviceLayer.use}.
   */
  async product(mode: DeviceMode, kernel: WebGPUKernel, x: Float32Array, batch: number): Promise<Float64Array> {
    const residents = await this.residentOn(mode === 'webgpu' ? kernel : 'gpu.js', mode);
    const { m, n } = this;
    const Y = new Float64Array(batch * m);
    for (let g = 0; g < this.blocks.length; g++) {
      const { first, chunks } = this.blocks[g];
      const width = 8 * chunks;
      // Inputs per dispatch: the index b * width + 8 j + q and the output index b * m + i stay below 2^24.
      const step = Math.max(1, Math.min(Math.floor(MAX_EXACT / width), Math.floor(MAX_EXACT / m)));
      for (let b0 = 0; b0 < batch; b0 += step) {
        const rows = Math.min(step, batch - b0);
        const part = new Float32Array(rows * width);
        for (let b = 0; b < rows; b++) part.set(x.subarray((b0 + b) * n + 8 * first, (b0 + b) * n + 8 * first + width), b * width);
        const y = await residents[g].product(part, rows);
        for (let k = 0; k < rows * m; k++) Y[b0 * m + k] += y[k];
      }
    }
    return Y;
  }

  /**
   * Runs `body` (a call of the public method `fn` on this layer) as a call in flight: dispose() waits for it before
   * releasing the codes. Rejects with DisposedError, without running body, once dispose() was called.
   */
  async use<T>(fn: string, body: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new DisposedError(fn);
    this.inFlight++;
    try {
      return await body();
    } finally {
      this.inFlight--;
      if (this.disposed && this.inFlight === 0) this.releaseAll();
    }
  }

  /**
   * Releases this layer's device copies of its codes (once the products in flight have finished); later products
   * throw DisposedError. Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.inFlight === 0) this.releaseAll();
  }

  /** Number of (backend, kernel) pairs holding a device copy of the codes (0 after dispose()). */
  get residentBackends(): number {
    return this.resident.size;
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private releaseAll(): void {
    const all = [...this.resident.values()];
    this.resident.clear();
    for (const r of all) void r.then((list) => list.forEach((b) => b.release()), () => undefined);
  }

  /** The blocks' resident codes on `mode` with `kernel`, uploaded on first use. */
  private residentOn(kernel: WebGPUKernel, mode: DeviceMode): Promise<Resident[]> {
    const key = `${mode}:${kernel}`;
    let r = this.resident.get(key);
    if (!r) {
      r = kernel === 'wgsl' ? this.uploadWgsl() : this.uploadGpuJs(mode);
      this.resident.set(key, r);
      r.catch(() => this.resident.delete(key));
    }
    return r;
  }

  private async uploadGpuJs(mode: DeviceMode): Promise<Resident[]> {
    const recipe = this.recipe as ProductRecipe;
    const { m, words } = this;
    const out: Resident[] = [];
    for (const { first, chunks } of this.blocks) {
      const length = m * chunks * words;
      const codes = Float32Array.from(this.codesT.subarray(first * m * words, first * m * words + length));
      const handle = (await runPlan(mode, `codes-upload:${length}`, (gpu) => buildUploadPlan(gpu, length), [codes])) as { delete?: () => void };
      const id = `${recipe.kind}:${idOf(this.codebook)}`;
      out.push({
        async product(x, batch) {
          const rows = (await runPlan(mode, `product:${id}:${m}x${chunks}x${batch}`, (gpu) => buildProductPlan(gpu, m, chunks, batch, recipe), [handle, x])) as Float32Array[];
          const y = new Float32Array(batch * m);
          rows.forEach((row, b) => y.set(row, b * m));
          return y;
        },
        release: () => handle.delete?.(),
      });
    }
    return out;
  }

  private async uploadWgsl(): Promise<Resident[]> {
    const d = await wgslDevice();
    if (!d) throw new Error('the WebGPU device of the WGSL kernels could not be created');
    const { m } = this;
    const out: WgslCodes[] = [];
    for (const { first, chunks } of this.blocks) {
      out.push(await uploadWgslCodes(d, e8p12TablesOnce(), this.codesT.subarray(first * m, (first + chunks) * m), m, chunks));
    }
    return out;
  }
}
