/**
 * The device plan of E8P12 nearest-point quantization of k x 8 rows, with the margin of each answer.
 *
 * E8P12's points for shift t (+1/4 for even sign bytes, -1/4 for odd) are sigma .* ROW[a] + t over the 256 stored
 * rows a and the 128 negation masks sigma with an even number of -1s (decode-plan.ts's tables). For y = x - t the
 * squared distance is ||y||^2 + ||ROW[a]||^2 - 2 sum_q sigma_q g_q with g_q = ROW[a][q] y_q, so the best mask of
 * (a, t) takes sigma_q = sign(g_q) and, when that has an odd number of -1s, flips the coordinate of least |g_q|;
 * the runner-up of (a, t) flips the two least (even case) or the second least (odd case) instead. Thread r scans
 * the 512 classes (a, t) in float32, keeps the best point and the second-best distance over all 65536 codes, and
 * returns code + 65536 when the two differ by at most TIE (||x||^2 + ||ROW[a]||^2 + 1), a near-tie: float32 sums
 * of terms of that size cannot promise the CPU's exact answer there.
 */
import type { GPU } from 'gpu.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { E8P12Tables } from './decode-plan.js';
import type { KernelThis } from './kernel-this.js';

/** Relative margin below which two distances count as a near-tie. */
export const TIE = 1e-5;

/** The nearest-point tables: stored rows, their squared norms, and the sign byte of (odd shift, mask). */
export interface NearestTables {
  /** 256 x 8, the stored rows (ROW of decode-plan.ts). */
  ROW: Float32Array;
  /** ||ROW[a]||^2. */
  NORM: Float32Array;
  /** SIGN_BYTE[256 odd + mask]: the sign byte negating the coordinates of `mask` (bit q: coordinate q) with parity odd. */
  SIGN_BYTE: Float32Array;
}

/** The nearest-point tables read off the decode tables. */
export function nearestTables({ ROW, SIGN, SHIFT }: E8P12Tables): NearestTables {
  const NORM = new Float32Array(256);
  for (let a = 0; a < 256; a++) for (let q = 0; q < 8; q++) NORM[a] += ROW[8 * a + q] ** 2;
  const SIGN_BYTE = new Float32Array(512);
  for (let s = 0; s < 256; s++) {
    let mask = 0;
    for (let q = 0; q < 8; q++) if (SIGN[8 * s + q] < 0) mask |= 1 << q;
    SIGN_BYTE[(SHIFT[s] < 0 ? 256 : 0) + mask] = s;
  }
  return { ROW, NORM, SIGN_BYTE };
}

/** Code (+ 65536 for a near-tie) of the E8P12 point nearest to row thread.x of x. */
function nearestE8P12(this: KernelThis<{ ROW: number[]; NORM: number[]; SIGN_BYTE: number[]; TIE: number }>, x: number[]): number {
  const o = 8 * this.thread.x;
  let xx = 0;
  for (let q = 0; q < 8; q++) xx += x[o + q] * x[o + q];
  let best = 3.0e38;
  let second = 3.0e38;
  let bestCode = 0;
  let bestNorm = 0;
  for (let odd = 0; odd < 2; odd++) {
    const t = 0.25 - 0.5 * odd;
    let yy = 0;
    for (let q = 0; q < 8; q++) yy += (x[o + q] - t) * (x[o + q] - t);
    for (let a = 0; a < 256; a++) {
      let sum = 0;
      let negatives = 0;
      let mask = 0;
      let least = 3.0e38;
      let next = 3.0e38;
      let leastBit = 1;
      let bit = 1;
      for (let q = 0; q < 8; q++) {
        const g = this.constants.ROW[8 * a + q] * (x[o + q] - t);
        const ag = Math.abs(g);
        sum += ag;
        if (g < 0) {
          negatives += 1;
          mask += bit;
        }
        if (ag < least) {
          next = least;
          least = ag;
          leastBit = bit;
        } else if (ag < next) {
          next = ag;
        }
        bit = bit * 2;
      }
      let score = sum;
      let runnerUp = sum - 2 * (least + next);
      if (negatives % 2 === 1) {
        score = sum - 2 * least;
        runnerUp = sum - 2 * next;
        // flip the bit of the least |g|: clear it when set, else set it
        if (Math.floor(mask / leastBit) % 2 === 1) mask -= leastBit;
        else mask += leastBit;
      }
      const base = yy + this.constants.NORM[a];
      const d = base - 2 * score;
      const d2 = base - 2 * runnerUp;
      if (d < best) {
        second = Math.min(best, d2);
        best = d;
        bestCode = 256 * a + this.constants.SIGN_BYTE[256 * odd + mask];
        bestNorm = this.constants.NORM[a];
      } else {
        second = Math.min(second, d);
      }
    }
  }
  let tie = 0;
  if (second - best <= this.constants.TIE * (xx + bestNorm + 1)) tie = 1;
  return bestCode + 65536 * tie;
}

/** The plan quantizing `rows` rows: one call takes them (a Float32Array of 8 rows values) and resolves to code + 65536 tie per row. */
export function buildNearestPlan(gpu: GPU, rows: number, tables: NearestTables): DevicePlan {
  const kernel = gpu.createKernel(nearestE8P12, { output: [rows], constants: { ...tables, TIE } });
  return pipelinePlan(gpu, [kernel], (x) => kernel(x));
}
