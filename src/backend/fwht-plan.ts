/**
 * The device passes of a Hadamard transform of the rows of a rows x n float32 matrix, n = m 2^k: ceil(k / 2)
 * radix-4 passes (each output a signed sum of 4 inputs, its signs a row of H_4 held as a constant table; the last
 * pass of radix 2 when k is odd), then, for m > 1, an m x m base table mixing the m segments of length 2^k of each
 * row (the order of HadamardPlan, hadamard/plan.ts). The base table is any m x m float32 matrix (quipsharp's H_m,
 * its transpose, QuIP#'s H_K), so the same passes serve fwhtRowsAsync and the incoherence maps of a layer. Every
 * index fits in float32 exactly (a dispatch covers at most 2^24 entries); divisions are by powers of two, except
 * one by m, corrected.
 */
import type { GPU, IKernelRunShortcut, IPipelineHandle, PipelineFunction } from 'gpu.js';
import { hadamardBase } from '../hadamard/index.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { KernelThis } from './kernel-this.js';
import { exactQuotient } from './kernel-quotient.js';

/**
 * Largest radix of one pass. Measured on lavapipe for 4096 x 4096 (upload and readback included): radix 2 and 4
 * about 7.5 s, 8 about 8.4 s, 16 about 14 s (each output reads `radix` inputs per pass); 4 halves radix 2's passes.
 */
const RADIX = 4;
const LOG_RADIX = Math.log2(RADIX);

/** H_RADIX row-major: (-1)^popcount(u & t); its top-left R x R block is H_R for every power of two R <= RADIX. */
const H_RADIX = Float32Array.from({ length: RADIX * RADIX }, (_, i) => {
  let bits = (i >> LOG_RADIX) & i & (RADIX - 1);
  let sign = 1;
  for (; bits > 0; bits &= bits - 1) sign = -sign;
  return sign;
});

/**
 * One pass: the stages of spans h, 2h, ..., (R / 2) h at once. Output i belongs to the group of R entries
 * base + t h (t < R), at position u in it; it is scale sum_t H_R[u][t] x[base + t h]. Divisions by the powers of
 * two h and R are multiplications by their inverses (exact; WGSL's float division need not be correctly rounded).
 */
function radixPass(this: KernelThis<{ H: number[]; radix: number }>, x: number[], h: number, invH: number, R: number, invR: number, scale: number): number {
  const i = this.thread.x;
  const q = Math.floor(i * invH);
  const u = q - R * Math.floor(q * invR);
  const base = i - u * h;
  let sum = 0;
  for (let t = 0; t < this.constants.radix; t++) {
    if (t >= R) break;
    sum += this.constants.H[u * this.constants.radix + t] * x[base + t * h];
  }
  return sum * scale;
}

/**
 * The base table mixing: with i = r n + a p + b (row r, segment a < m, offset b < p), output i is
 * scale sum_c B[a][c] y[r n + c p + b], B row-major m x m.
 */
function mixSegments(this: KernelThis<{ m: number; invM: number; p: number; invP: number }>, y: number[], B: number[], scale: number): number {
  const i = this.thread.x;
  const m = this.constants.m;
  const p = this.constants.p;
  const q = Math.floor(i * this.constants.invP);
  const b = i - q * p;
  const r = exactQuotient(q, m, this.constants.invM);
  const a = q - r * m;
  const start = r * m * p + b;
  let sum = 0;
  for (let c = 0; c < this.constants.m; c++) {
    sum += B[a * m + c] * y[start + c * p];
  }
  return sum * scale;
}

/** The base matrix H_m (or its transpose) as float32, row-major. */
function baseTable(m: number, transpose: boolean): Float32Array {
  const H = hadamardBase(m);
  const B = new Float32Array(m * m);
  for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) B[a * m + c] = transpose ? H[c * m + a] : H[a * m + c];
  return B;
}

/** The (h, R) of each pass of an FWHT of length p: h = 1, RADIX, RADIX^2, ..., R = min(RADIX, p / h); one pass for p = 1. */
function passesOf(p: number): Array<[number, number]> {
  const passes: Array<[number, number]> = [];
  for (let h = 1; h < p; h *= RADIX) passes.push([h, Math.min(RADIX, p / h)]);
  return passes.length > 0 ? passes : [[1, 1]];
}

/**
 * Kernels of a device transform and how an orchestration (a pipelinePlan's body) records them. The transform's
 * tables (base matrices, phases, diagonals) are arguments of the plan, not constants, so that one compiled plan
 * serves every layer of the same shape.
 */
export interface DeviceSteps {
  /** The kernels created for the steps (destroyed with the plan). */
  kernels: IKernelRunShortcut[];
  /** Number of table arguments `record` takes. */
  tableCount: number;
  /** Records the steps on the handle `x` with the handles of their tables; returns the result's handle. */
  record(x: IPipelineHandle, tables: IPipelineHandle[]): IPipelineHandle;
}

/**
 * The steps of y = scale (B kron H_p) x on each of `rows` rows of length m p (p a power of two): the FWHT passes
 * of every segment of length p, then (for m > 1) the mixing by the row-major m x m table B, the steps' one table
 * argument (none for m = 1, where B = [1]). `scale` is applied by the last step. rows m p must be at most 2^24.
 */
export function hadamardSteps(gpu: GPU, rows: number, m: number, p: number, scale: number): DeviceSteps {
  const count = rows * m * p;
  const pass = gpu.createKernel(radixPass, { output: [count], constants: { H: H_RADIX, radix: RADIX } });
  const passes = passesOf(p);
  if (m === 1) {
    const record = (x: IPipelineHandle): IPipelineHandle => {
      let y = x;
      passes.forEach(([h, R], j) => {
        y = pass(y, h, 1 / h, R, 1 / R, j === passes.length - 1 ? scale : 1);
      });
      return y;
    };
    return { kernels: [pass], tableCount: 0, record };
  }
  const mix = gpu.createKernel(mixSegments, { output: [count], constants: { m, invM: 1 / m, p, invP: 1 / p }, functions: [exactQuotient] });
  const record = (x: IPipelineHandle, [B]: IPipelineHandle[]): IPipelineHandle => {
    let y = x;
    for (const [h, R] of passes) y = pass(y, h, 1 / h, R, 1 / R, 1);
    return mix(y, B, scale);
  };
  return { kernels: [pass, mix], tableCount: 1, record };
}

/**
 * `orchestrate` declaring `count` parameters: gpu.js hands a pipeline as many argument handles as its orchestration's
 * declared length, which a rest parameter does not give.
 */
export function withArity(orchestrate: PipelineFunction, count: number): PipelineFunction {
  return Object.defineProperty(orchestrate, 'length', { value: count });
}

/**
 * The plan for `rows` rows of length n = m p (p = 2^k; m = 1 for the FWHT) by quipsharp's H_n (or H_n^T), scaled by
 * `scale`, on `gpu`: one call takes the rows x n input (a Float32Array) and resolves to the transformed Float32Array.
 */
export function buildHadamardPlan(gpu: GPU, rows: number, m: number, p: number, transpose: boolean, scale: number): DevicePlan {
  const steps = hadamardSteps(gpu, rows, m, p, scale);
  const tables = steps.tableCount > 0 ? [baseTable(m, transpose)] : [];
  const plan = pipelinePlan(
    gpu,
    steps.kernels,
    withArity((x, ...B) => steps.record(x, B), 1 + tables.length),
  );
  return { run: ([x]) => plan.run([x, ...tables]), destroy: () => plan.destroy() };
}
