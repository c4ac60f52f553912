/**
 * The device side of a quantized layer's compressed inference (QuIP# Algorithm 2): the codes of one layer uploaded
 * once per backend and kept on the device until released, and the whole forward pass of a batch,
 * y_b = hostScale (outputDiagonal .* Out(C In(inputDiagonal .* x_b))) with C the decoded code matrix and the maps of
 * layer-maps.ts, run on the device as one pipeline (gpu.js) or one command encoder (WGSL) with a single readback.
 * The host only scales each input row by a power of two and the result back.
 */
import { DisposedError, rangeError } from '../errors/index.js';
import { E8P12, E8P12Codebook, ResidualE8Codebook, type Codebook } from '../lattice/index.js';
import { e8p12Tables, type E8P12Tables } from './decode-plan.js';
import { deviceGeneration, runPlan } from './device.js';
import { buildForwardPlan, buildUploadPlan, forwardKey, forwardTables, type ProductBlock, type ProductRecipe } from './linear-plan.js';
import type { DeviceMaps } from './layer-maps.js';
import { exponentOf, timesPow2, type FloatArray } from '../core/index.js';
import type { DeviceMode } from './names.js';
import { readOptions } from './options.js';
import { readWebGPUKernel, type WebGPUKernel, type WebGPUKernelOptions } from './webgpu-kernel.js';
import { resolveBackend } from './registry.js';
import { wgslDevice } from './wgsl-device.js';
import { uploadWgslCodes, WGSL_MAX_CODES, WGSL_MAX_FEATURES, WGSL_MAX_ROWS } from './wgsl-linear.js';

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

/** A layer's codes resident on one backend with its forward pass (without hostScale). */
interface Resident {
  /** The batch x m float32 results (row-major) of `batch` inputs (row-major batch x n float32, max |x| <= 1). */
  forward(x: Float32Array, batch: number): Promise<Float32Array>;
  release(): void;
}

/**
 * The device state of one quantized layer: its chunk-major codes (m rows, n / 8 chunks, `words` code words per
 * chunk) and its incoherence maps, the codes uploaded on the first forward pass of each backend and kept there until
 * {@link DeviceLayer.dispose}. For gpu.js, layers beyond 2^24 code words are held as several blocks of column chunks
 * whose partial products are summed on the device, inside the pipeline.
 */
export class DeviceLayer {
  private readonly words: number;
  private readonly recipe: ProductRecipe | undefined;
  private readonly blocks: ProductBlock[];
  private maps: DeviceMaps | undefined;
  private readonly resident = new Map<string, Promise<Resident>>();
  /** The deviceGeneration() the resident copies were made in. */
  private generation = deviceGeneration();
  private inFlight = 0;
  private disposed = false;

  /**
   * `codesT` chunk-major (see quantize/'s chunkMajor), `m` rows, `n` columns (a multiple of 8), `codebook` the
   * layer's, `mapsOf` the layer's device maps (called once, on the first forward pass on a device, so that CPU-only
   * layers never build them). `maxWords` bounds the code words of one gpu.js block (default 2^24, the float32-exact
   * index range).
   */
  constructor(
    private readonly codebook: Codebook,
    private readonly codesT: Uint16Array,
    private readonly m: number,
    private readonly n: number,
    private readonly mapsOf: () => DeviceMaps,
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
   * resolveBackend does, RangeError for a codebook no device kernel decodes or a layer too large for the kernel
   * (gpu.js: m code words per chunk at most 2^24; WGSL: wgsl-linear.ts's WGSL_MAX_ROWS, WGSL_MAX_FEATURES and
   * WGSL_MAX_CODES).
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
    const wgsl = kernel === 'wgsl' && mode === 'webgpu';
    const maxRows = wgsl ? Math.min(WGSL_MAX_ROWS, WGSL_MAX_FEATURES) : MAX_EXACT / this.words;
    const where = `on the '${mode}' backend${wgsl ? " with the 'wgsl' kernel" : ''} (use 'cpu')`;
    if (this.m > maxRows) throw rangeError(fn, 'this.outFeatures', `at most ${maxRows} ${where}`, String(this.m));
    if (wgsl && this.n > WGSL_MAX_FEATURES) throw rangeError(fn, 'this.inFeatures', `at most ${WGSL_MAX_FEATURES} ${where}`, String(this.n));
    if (wgsl && (this.m * this.n) / 8 > WGSL_MAX_CODES) {
      throw rangeError(fn, 'this.codes.length', `at most ${WGSL_MAX_CODES} codes ${where}`, String((this.m * this.n) / 8));
    }
    return { mode, kernel };
  }

  /**
   * Y = X W_hat^T for `batch` inputs X (row-major batch x n, finite float32 or float64), W_hat the layer's weights:
   * resolves to the batch x m results, row-major, in float64. Row b is scaled on the host by a power of two 2^-e_b so
   * that max |x_b| < 1 (a row of zeros stays zeros; float64 entries beyond float32's range are scaled into it),
   * converted to float32, and run through the whole chain on the device, the input diagonal and map, the code
   * product, the output map and diagonal, with one readback; the host then multiplies row b by hostScale 2^e_b in
   * float64. Each entry carries the float32 rounding of the transforms and sums: about 1e-6 of max |y_b|.
   *
   * gpu.js runs at most floor(2^24 / max(m, n)) rows per pipeline (every index of a run below 2^24): a larger batch
   * takes several runs, each with one readback. Uploads the codes on the first call of each (mode, kernel). Call it
   * inside {@link DeviceLayer.use}, after {@link DeviceLayer.backendOf}.
   */
  async forward(mode: DeviceMode, kernel: WebGPUKernel, x: FloatArray, batch: number): Promise<Float64Array> {
    const { m, n } = this;
    const maps = this.mapsOnce();
    const resident = await this.residentOn(mode === 'webgpu' ? kernel : 'gpu.js', mode);
    const input = new Float32Array(batch * n);
    const exponents = new Array<number>(batch).fill(0);
    for (let b = 0; b < batch; b++) {
      let max = 0;
      for (let j = b * n; j < (b + 1) * n; j++) max = Math.max(max, Math.abs(x[j]));
      if (max === 0) continue;
      const e = (exponents[b] = exponentOf(max) + 1);
      for (let j = b * n; j < (b + 1) * n; j++) input[j] = timesPow2(x[j], -e);
    }
    const y = await resident.forward(input, batch);
    const Y = new Float64Array(batch * m);
    for (let b = 0; b < batch; b++) {
      for (let i = b * m; i < (b + 1) * m; i++) Y[i] = timesPow2(y[i] * maps.hostScale, exponents[b]);
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
    for (const r of all) void r.then((resident) => resident.release(), () => undefined);
  }

  /** The layer's device maps, built on first use. */
  private mapsOnce(): DeviceMaps {
    return (this.maps ??= this.mapsOf());
  }

  /** The layer's resident codes on `mode` with `kernel`, uploaded on first use. */
  private residentOn(kernel: WebGPUKernel, mode: DeviceMode): Promise<Resident> {
    // a copy made before disposeDevices() lives on a destroyed device: upload again
    if (this.generation !== deviceGeneration()) {
      this.resident.clear();
      this.generation = deviceGeneration();
    }
    const key = `${mode}:${kernel}`;
    let r = this.resident.get(key);
    if (!r) {
      r = kernel === 'wgsl' ? this.uploadWgsl() : this.uploadGpuJs(mode);
      this.resident.set(key, r);
      const upload = r;
      upload.catch(() => {
        if (this.resident.get(key) === upload) this.resident.delete(key);
      });
    }
    return r;
  }

  private async uploadGpuJs(mode: DeviceMode): Promise<Resident> {
    const { m, n, words, blocks } = this;
    const recipe = this.recipe as ProductRecipe;
    const maps = this.mapsOnce();
    const tables = forwardTables(maps);
    // the plan's name: everything compiled into it (layers of one shape, codebook and kinds of maps share it)
    const key = `forward:${recipe.kind}:${idOf(this.codebook)}:${m}x${n}:${blocks[0].chunks}:${forwardKey(maps)}`;
    const handles: Array<{ delete?: () => void }> = [];
    for (const { first, chunks } of blocks) {
      const length = m * chunks * words;
      const codes = Float32Array.from(this.codesT.subarray(first * m * words, first * m * words + length));
      handles.push((await runPlan(mode, `codes-upload:${length}`, (gpu) => buildUploadPlan(gpu, length), [codes])) as { delete?: () => void });
    }
    // rows per run: every index of the chain (b n + j, b m + i, the FFT's exponents below n) stays below 2^24
    const step = Math.max(1, Math.floor(MAX_EXACT / Math.max(m, n)));
    return {
      async forward(x, batch) {
        const y = new Float32Array(batch * m);
        for (let b0 = 0; b0 < batch; b0 += step) {
          const rows = Math.min(step, batch - b0);
          const part = x.subarray(b0 * n, (b0 + rows) * n);
          const shape = { m, n, rows, blocks, recipe, maps };
          y.set((await runPlan(mode, `${key}:${rows}`, (gpu) => buildForwardPlan(gpu, shape), [part, ...tables, ...handles])) as Float32Array, b0 * m);
        }
        return y;
      },
      release: () => handles.forEach((h) => h.delete?.()),
    };
  }

  private async uploadWgsl(): Promise<Resident> {
    const d = await wgslDevice();
    if (!d) throw new Error('the WebGPU device of the WGSL kernels could not be created');
    return uploadWgslCodes(d, e8p12TablesOnce(), this.codesT, this.m, this.n / 8, this.mapsOnce());
  }
}
