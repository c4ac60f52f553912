/**
 * The gpu.js plans of compressed inference: Y'[b][i] = sum_j c_ij . X'[b][8 j .. 8 j + 7], the inner products of a
 * batch of (transformed) inputs with the rows of decoded codebook points C, read straight from the 16-bit codes, and
 * the plan that uploads a layer's codes once to stay on the device.
 *
 * Codes arrive chunk-major (the code words of column chunk j for rows 0..m-1 contiguous, as quantize/'s CPU kernel
 * keeps them) as float32 (exact: below 2^16). Thread (i, b) walks the chunks of row i, decodes each code to its 8
 * weights (E8P12: ROW[a][q] SIGN[s][q] + SHIFT[s], code = 256 a + s; a residual stage adds a second E8P12 point or
 * grid point divided by its scale) and accumulates their dot product with the chunk of input b in float32. Every
 * index stays below 2^24 (the caller splits larger layers and batches), so float32 index arithmetic is exact.
 */
import type { GPU } from 'gpu.js';
import type { DevicePlan } from './device.js';
import type { E8P12Tables } from './decode-plan.js';
import type { KernelThis } from './kernel-this.js';

/** How one code row (one or two code words per 8 weights) decodes inside a product kernel. */
export type ProductRecipe =
  | { kind: 'e8p12'; tables: E8P12Tables }
  | { kind: 'residual-e8p12'; tables: E8P12Tables; inverseScale: number }
  | { kind: 'residual-grid'; tables: E8P12Tables; scaledGrid: Float32Array };

/** m: rows of the layer; chunks: column chunks of 8 covered by this dispatch (a type, not an interface: gpu.js wants an index signature). */
type ShapeConstants = { m: number; chunks: number };

type E8P12Constants = ShapeConstants & { ROW: number[]; SIGN: number[]; SHIFT: number[] };

/** Y'[b][i] for E8P12 codes (one word per chunk). */
function e8p12Product(this: KernelThis<E8P12Constants>, codes: number[], x: number[]): number {
  const i = this.thread.x;
  const xo = this.thread.y * 8 * this.constants.chunks;
  let acc = 0;
  for (let j = 0; j < this.constants.chunks; j++) {
    const code = codes[j * this.constants.m + i];
    const a = Math.floor(code / 256);
    const s = code - 256 * a;
    const t = this.constants.SHIFT[s];
    let dot = 0;
    for (let q = 0; q < 8; q++) dot += (this.constants.ROW[8 * a + q] * this.constants.SIGN[8 * s + q] + t) * x[xo + 8 * j + q];
    acc += dot;
  }
  return acc;
}

/** Y'[b][i] for two E8P12 words per chunk: first + second * INV. */
function residualE8P12Product(this: KernelThis<E8P12Constants & { INV: number }>, codes: number[], x: number[]): number {
  const i = this.thread.x;
  const xo = this.thread.y * 8 * this.constants.chunks;
  let acc = 0;
  for (let j = 0; j < this.constants.chunks; j++) {
    const k = 2 * (j * this.constants.m + i);
    const c1 = codes[k];
    const a1 = Math.floor(c1 / 256);
    const s1 = c1 - 256 * a1;
    const c2 = codes[k + 1];
    const a2 = Math.floor(c2 / 256);
    const s2 = c2 - 256 * a2;
    const t1 = this.constants.SHIFT[s1];
    const t2 = this.constants.SHIFT[s2];
    let dot = 0;
    for (let q = 0; q < 8; q++) {
      const w1 = this.constants.ROW[8 * a1 + q] * this.constants.SIGN[8 * s1 + q] + t1;
      const w2 = this.constants.ROW[8 * a2 + q] * this.constants.SIGN[8 * s2 + q] + t2;
      dot += (w1 + w2 * this.constants.INV) * x[xo + 8 * j + q];
    }
    acc += dot;
  }
  return acc;
}

/** Y'[b][i] for an E8P12 word and a grid index per chunk: first + GRID[second] (the grid divided by its scale). */
function residualGridProduct(this: KernelThis<E8P12Constants & { GRID: number[] }>, codes: number[], x: number[]): number {
  const i = this.thread.x;
  const xo = this.thread.y * 8 * this.constants.chunks;
  let acc = 0;
  for (let j = 0; j < this.constants.chunks; j++) {
    const k = 2 * (j * this.constants.m + i);
    const c1 = codes[k];
    const a1 = Math.floor(c1 / 256);
    const s1 = c1 - 256 * a1;
    const g = 8 * codes[k + 1];
    const t1 = this.constants.SHIFT[s1];
    let dot = 0;
    for (let q = 0; q < 8; q++) {
      const w1 = this.constants.ROW[8 * a1 + q] * this.constants.SIGN[8 * s1 + q] + t1;
      dot += (w1 + this.constants.GRID[g + q]) * x[xo + 8 * j + q];
    }
    acc += dot;
  }
  return acc;
}

/**
 * The plan of the product of an m x (8 chunks) block of codes with `batch` inputs: one call takes the resident codes
 * (what {@link buildUploadPlan} resolved to) and the inputs (a row-major batch x 8 chunks Float32Array) and resolves
 * to `batch` Float32Arrays of m inner products.
 */
export function buildProductPlan(gpu: GPU, m: number, chunks: number, batch: number, recipe: ProductRecipe): DevicePlan {
  const { ROW, SIGN, SHIFT } = recipe.tables;
  const settings = { output: [m, batch], constants: { m, chunks, ROW, SIGN, SHIFT } };
  const kernel =
    recipe.kind === 'e8p12'
      ? gpu.createKernel(e8p12Product, settings)
      : recipe.kind === 'residual-e8p12'
        ? gpu.createKernel(residualE8P12Product, { ...settings, constants: { ...settings.constants, INV: recipe.inverseScale } })
        : gpu.createKernel(residualGridProduct, { ...settings, constants: { ...settings.constants, GRID: recipe.scaledGrid } });
  return {
    run: async ([codes, x]) => (await kernel(codes as number[], x as number[])) as Float32Array[],
    async destroy() {
      kernel.destroy();
    },
  };
}

/** Entry i of the codes. */
function copyCodes(this: KernelThis<object>, codes: number[]): number {
  return codes[this.thread.x];
}

/**
 * The plan uploading `length` code words: one call takes them as a Float32Array and resolves to a device-resident
 * copy (on WebGPU a buffer handle with its own reference, released by its `delete()`; on webasm a typed array),
 * which product plans take as their codes argument without uploading them again.
 */
export function buildUploadPlan(gpu: GPU, length: number): DevicePlan {
  const kernel = gpu.createKernel(copyCodes, { output: [length], pipeline: true, immutable: true });
  return {
    run: async ([codes]) => kernel(codes as number[]),
    async destroy() {
      kernel.destroy();
    },
  };
}
