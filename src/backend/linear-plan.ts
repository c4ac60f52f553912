/**
 * The gpu.js plans of compressed inference (QuIP# Algorithm 2): the product Y'[b][i] = sum_j c_ij . X'[b][8 j .. 8 j + 7]
 * of a batch of transformed inputs with the rows of decoded codebook points C, read straight from the 16-bit codes,
 * chained with the layer's incoherence maps (transform-plan.ts) into one pipeline, and the plan that uploads a
 * layer's codes once to stay on the device.
 *
 * Codes arrive chunk-major (the code words of column chunk j for rows 0..m-1 contiguous, as quantize/'s CPU kernel
 * keeps them) as float32 (exact: below 2^16). Thread b m + i walks the chunks of row i of a block of column chunks,
 * decodes each code to its 8 weights (E8P12: ROW[a][q] SIGN[s][q] + SHIFT[s], code = 256 a + s; a residual stage
 * adds a second E8P12 point or grid point divided by its scale) and accumulates their dot product with the block's
 * columns of input b in float32. Every index stays below 2^24 (the caller splits larger layers and batches), so
 * float32 index arithmetic is exact.
 */
import type { GPU, IKernelRunShortcut, IPipelineHandle } from 'gpu.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { E8P12Tables } from './decode-plan.js';
import type { KernelThis } from './kernel-this.js';
import { exactQuotient } from './kernel-quotient.js';
import type { DeviceMaps } from './layer-maps.js';
import { withArity, type DeviceSteps } from './fwht-plan.js';
import { diagonalSteps, mapKey, mapSteps, mapTables } from './transform-plan.js';

/** How one code row (one or two code words per 8 weights) decodes inside a product kernel. */
export type ProductRecipe =
  | { kind: 'e8p12'; tables: E8P12Tables }
  | { kind: 'residual-e8p12'; tables: E8P12Tables; inverseScale: number }
  | { kind: 'residual-grid'; tables: E8P12Tables; scaledGrid: Float32Array };

/**
 * m: rows of the layer; invM: 1 / m; chunks: column chunks of 8 of the block; n: the row stride of the inputs (a type,
 * not an interface: gpu.js wants an index signature).
 */
type ShapeConstants = { m: number; invM: number; chunks: number; n: number };

type E8P12Constants = ShapeConstants & { ROW: number[]; SIGN: number[]; SHIFT: number[] };

/*
 * The three product kernels below decode codes inline rather than through a shared gpu.js kernel function: measured
 * on webasm (4096 x 4096 matvec), a call per weight made the kernel 2.7x slower.
 */

/** Y'[b][i] of the block of chunks [first, first + chunks) for E8P12 codes (one word per chunk). */
function e8p12Product(this: KernelThis<E8P12Constants>, codes: number[], x: number[], first: number): number {
  const o = this.thread.x;
  const m = this.constants.m;
  const b = exactQuotient(o, m, this.constants.invM);
  const i = o - b * m;
  const xo = b * this.constants.n + 8 * first;
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

/** Y'[b][i] for two E8P12 words per chunk: the first word's point plus the second's times INV. */
function residualE8P12Product(this: KernelThis<E8P12Constants & { INV: number }>, codes: number[], x: number[], first: number): number {
  const o = this.thread.x;
  const m = this.constants.m;
  const b = exactQuotient(o, m, this.constants.invM);
  const i = o - b * m;
  const xo = b * this.constants.n + 8 * first;
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

/** Y'[b][i] for an E8P12 word and a grid index per chunk: the word's point plus GRID[index] (the grid divided by its scale). */
function residualGridProduct(this: KernelThis<E8P12Constants & { GRID: number[] }>, codes: number[], x: number[], first: number): number {
  const o = this.thread.x;
  const m = this.constants.m;
  const b = exactQuotient(o, m, this.constants.invM);
  const i = o - b * m;
  const xo = b * this.constants.n + 8 * first;
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

/** A block of column chunks [first, first + chunks) of a layer, with its resident codes as the plan's argument. */
export interface ProductBlock {
  first: number;
  chunks: number;
}

/** The product kernel of `rows` inputs (row stride n) with a block of `chunks` column chunks of m code rows. */
function productKernel(gpu: GPU, m: number, n: number, chunks: number, rows: number, recipe: ProductRecipe): IKernelRunShortcut {
  const { ROW, SIGN, SHIFT } = recipe.tables;
  const settings = { output: [rows * m], constants: { m, invM: 1 / m, chunks, n, ROW, SIGN, SHIFT }, functions: [exactQuotient] };
  if (recipe.kind === 'e8p12') return gpu.createKernel(e8p12Product, settings);
  if (recipe.kind === 'residual-e8p12') return gpu.createKernel(residualE8P12Product, { ...settings, constants: { ...settings.constants, INV: recipe.inverseScale } });
  return gpu.createKernel(residualGridProduct, { ...settings, constants: { ...settings.constants, GRID: recipe.scaledGrid } });
}

/** a[i] + b[i]. */
function sum(this: KernelThis<object>, a: number[], b: number[]): number {
  return a[this.thread.x] + b[this.thread.x];
}

/** What one forward plan compiles: the layer's shape, code blocks and decoding, the kinds and sizes of its maps. */
export interface ForwardShape {
  m: number;
  n: number;
  rows: number;
  blocks: ProductBlock[];
  recipe: ProductRecipe;
  /** Any layer's maps of these kinds and sizes: only what {@link forwardKey} names is compiled in. */
  maps: DeviceMaps;
}

/** The table arguments of a forward plan for a layer's `maps`, in the order the plan takes them. */
export function forwardTables(maps: DeviceMaps): Float32Array[] {
  const { inputDiagonal, outputDiagonal } = maps;
  return [...(inputDiagonal ? [inputDiagonal] : []), ...mapTables(maps.input), ...mapTables(maps.output), ...(outputDiagonal ? [outputDiagonal] : [])];
}

/** What buildForwardPlan compiles in of `maps` (their kinds, sizes and scales; not their tables), as a plan-key part. */
export function forwardKey(maps: DeviceMaps): string {
  return `${maps.inputDiagonal ? 'D' : ''}${mapKey(maps.input)}|${mapKey(maps.output)}${maps.outputDiagonal ? 'D' : ''}`;
}

/**
 * The plan of a whole decode-matmul without hostScale, y_b = outputDiagonal .* Out(C In(inputDiagonal .* x_b)) for
 * `rows` inputs x_b, as ONE gpu.js pipeline: the input diagonal and map, the product of each block of codes (the
 * partial products summed on the device), the output map and diagonal, intermediates on the device and one readback.
 * One call takes the row-major rows x n float32 inputs, the layer's tables ({@link forwardTables}) and each block's
 * resident codes (what {@link buildUploadPlan} resolved to), and resolves to the rows x m float32 result. The plan
 * serves every layer with the same shape and {@link forwardKey}.
 */
export function buildForwardPlan(gpu: GPU, { m, n, rows, blocks, recipe, maps }: ForwardShape): DevicePlan {
  const stages = [
    diagonalSteps(gpu, rows, n, maps.inputDiagonal !== null),
    mapSteps(gpu, maps.input, rows),
    mapSteps(gpu, maps.output, rows),
    diagonalSteps(gpu, rows, m, maps.outputDiagonal !== null),
  ];
  const [inputDiagonal, input, output, outputDiagonal] = stages;
  // one product kernel per block width (all blocks but the last have the same)
  const products = new Map<number, IKernelRunShortcut>();
  for (const { chunks } of blocks) if (!products.has(chunks)) products.set(chunks, productKernel(gpu, m, n, chunks, rows, recipe));
  const add = blocks.length > 1 ? gpu.createKernel(sum, { output: [rows * m] }) : undefined;
  const kernels = [...stages.flatMap((s) => s.kernels), ...products.values(), ...(add ? [add] : [])];
  const tableCount = stages.reduce((c, s) => c + s.tableCount, 0);
  const orchestrate = (x: IPipelineHandle, ...rest: IPipelineHandle[]): IPipelineHandle => {
    const tables = rest.slice(0, tableCount);
    const codes = rest.slice(tableCount);
    const next = (s: DeviceSteps): IPipelineHandle[] => tables.splice(0, s.tableCount);
    const v = input.record(inputDiagonal.record(x, next(inputDiagonal)), next(input));
    let y: IPipelineHandle = undefined;
    blocks.forEach(({ first, chunks }, g) => {
      const part = (products.get(chunks) as IKernelRunShortcut)(codes[g], v, first);
      y = add && g > 0 ? add(y, part) : part;
    });
    return outputDiagonal.record(output.record(y, next(output)), next(outputDiagonal));
  };
  return pipelinePlan(gpu, kernels, withArity(orchestrate, 1 + tableCount + blocks.length));
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
