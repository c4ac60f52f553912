/**
 * The device plan of the Hadamard transform of the rows of a rows x n float32 matrix, n = m 2^k: ceil(k / 2)
 * radix-4 passes (each output a signed sum of 4 inputs, its signs a row of H_4 held as a constant table; the last
 * pass of radix 2 when k is odd), then, for m > 1, the m x m base matrix mixing the m
 * segments of length 2^k of each row (the order of HadamardPlan, hadamard/plan.ts). Every index fits in float32
 * exactly (a dispatch covers at most 2^24 entries); divisions are by powers of two, except one by m, corrected.
 */
import type { GPU } from 'gpu.js';
import { hadamardBase } from '../hadamard/index.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { KernelThis } from './kernel-this.js';

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
 * The base matrix mixing: with i = r n + a p + b (row r, segment a < m, offset b < p), output i is
 * scale sum_c B[a][c] y[r n + c p + b], B = H_m or its transpose.
 */
function mixSegments(this: KernelThis<{ B: number[]; m: number; p: number; invP: number }>, y: number[], scale: number): number {
  const i = this.thread.x;
  const m = this.constants.m;
  const p = this.constants.p;
  const q = Math.floor(i * this.constants.invP);
  const b = i - q * p;
  // the row r = floor(q / m); float32 division may round across an integer, so correct it by one
  let r = Math.floor(q / m);
  if (r * m > q) r = r - 1;
  if ((r + 1) * m <= q) r = r + 1;
  const a = q - r * m;
  const start = r * m * p + b;
  let sum = 0;
  for (let c = 0; c < 256; c++) {
    if (c >= m) break;
    sum += this.constants.B[a * m + c] * y[start + c * p];
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
 * The plan for `rows` rows of length n = m p (p = 2^k; m = 1 for the FWHT), scaled by `scale`, on `gpu`: one call
 * takes the rows x n input (a Float32Array) and resolves to the transformed Float32Array.
 */
export function buildHadamardPlan(gpu: GPU, rows: number, m: number, p: number, transpose: boolean, scale: number): DevicePlan {
  const count = rows * m * p;
  const pass = gpu.createKernel(radixPass, { output: [count], constants: { H: H_RADIX, radix: RADIX } });
  const passes = passesOf(p);
  if (m === 1) {
    return pipelinePlan(gpu, [pass], function (x) {
      let y = x;
      passes.forEach(([h, R], j) => {
        y = pass(y, h, 1 / h, R, 1 / R, j === passes.length - 1 ? scale : 1);
      });
      return y;
    });
  }
  const mix = gpu.createKernel(mixSegments, { output: [count], constants: { B: baseTable(m, transpose), m, p, invP: 1 / p } });
  return pipelinePlan(gpu, [pass, mix], function (x) {
    let y = x;
    for (const [h, R] of passes) y = pass(y, h, 1 / h, R, 1 / R, 1);
    return mix(y, scale);
  });
}
