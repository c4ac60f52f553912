/**
 * The device plan of `randomSigns`: Philox4x32-10 (random/philox.ts) in float32 arithmetic. gpu.js kernels compute
 * in float32, which holds integers exactly only below 2^24, so every 32-bit word is carried as two 16-bit halves
 * (hi, lo). A 32 x 32-bit product is four 16 x 16-bit products, each split exactly into its high and low 16 bits
 * by cutting one factor into bytes (every partial product and sum stays below 2^24); the products are then summed
 * column by column with carries. XOR acts on 16-bit halves (gpu.js's bitwise operators, exact below 2^24). Every
 * division is by a power of two, written as a multiplication by its inverse (exact; WGSL's float division need
 * not be correctly rounded).
 *
 * Kernel 1 computes, per 16-bit half of the stream's words, the Philox block holding it; kernel 2 expands the
 * halves into the signs (sign i is bit i mod 16 of half floor(i / 16): halves are stored low half first).
 */
import type { GPU } from 'gpu.js';
import { pipelinePlan, type DevicePlan } from './device.js';
import type { KernelThis } from './kernel-this.js';

/** Low 16 bits of a b, for integers a, b < 2^16. */
function mulLo16(a: number, b: number): number {
  const bh = Math.floor(b * 0.00390625);
  const y = a * bh;
  const yh = Math.floor(y * 0.00390625);
  const s = (y - 256 * yh) * 256 + a * (b - 256 * bh);
  return s - 65536 * Math.floor(s * 0.0000152587890625);
}

/** High 16 bits of a b, for integers a, b < 2^16 (see mulLo16: a b = yh 2^16 + s). */
function mulHi16(a: number, b: number): number {
  const bh = Math.floor(b * 0.00390625);
  const y = a * bh;
  const yh = Math.floor(y * 0.00390625);
  const s = (y - 256 * yh) * 256 + a * (b - 256 * bh);
  return yh + Math.floor(s * 0.0000152587890625);
}

/**
 * Half `i mod 2` (0: low, 1: high) of word floor(i / 2) of the stream: word w is word w mod 4 of Philox block
 * b = params[2] + floor(w / 4), counter (b, stream, 0, 0). params = [stream hi, stream lo, first block, then the
 * ten round keys as k0 hi, k0 lo, k1 hi, k1 lo].
 */
function philoxHalf(this: KernelThis<Record<string, never>>, params: number[]): number {
  const i = this.thread.x;
  const w = Math.floor(i * 0.5);
  const b = params[2] + Math.floor(w * 0.25);
  let c0h = Math.floor(b * 0.0000152587890625);
  let c0l = b - 65536 * c0h;
  let c1h = params[0];
  let c1l = params[1];
  let c2h = 0;
  let c2l = 0;
  let c3h = 0;
  let c3l = 0;
  for (let round = 0; round < 10; round++) {
    // (hi0, lo0) = 0xd2511f53 c0, halves 0xd251 = 53841 and 0x1f53 = 8019
    const a00 = mulHi16(c0l, 8019);
    const t1 = a00 + mulLo16(c0h, 8019) + mulLo16(c0l, 53841);
    const u1 = Math.floor(t1 * 0.0000152587890625);
    const t2 = mulHi16(c0h, 8019) + mulHi16(c0l, 53841) + mulLo16(c0h, 53841) + u1;
    const u2 = Math.floor(t2 * 0.0000152587890625);
    const lo0l = mulLo16(c0l, 8019);
    const lo0h = t1 - 65536 * u1;
    const hi0l = t2 - 65536 * u2;
    const hi0h = mulHi16(c0h, 53841) + u2;
    // (hi1, lo1) = 0xcd9e8d57 c2, halves 0xcd9e = 52638 and 0x8d57 = 36183
    const b00 = mulHi16(c2l, 36183);
    const s1 = b00 + mulLo16(c2h, 36183) + mulLo16(c2l, 52638);
    const v1 = Math.floor(s1 * 0.0000152587890625);
    const s2 = mulHi16(c2h, 36183) + mulHi16(c2l, 52638) + mulLo16(c2h, 52638) + v1;
    const v2 = Math.floor(s2 * 0.0000152587890625);
    const lo1l = mulLo16(c2l, 36183);
    const lo1h = s1 - 65536 * v1;
    const hi1l = s2 - 65536 * v2;
    const hi1h = mulHi16(c2h, 52638) + v2;
    const k = 3 + 4 * round;
    const n0h = (hi1h ^ c1h) ^ params[k];
    const n0l = (hi1l ^ c1l) ^ params[k + 1];
    const n2h = (hi0h ^ c3h) ^ params[k + 2];
    const n2l = (hi0l ^ c3l) ^ params[k + 3];
    c0h = n0h;
    c0l = n0l;
    c1h = lo1h;
    c1l = lo1l;
    c2h = n2h;
    c2l = n2l;
    c3h = lo0h;
    c3l = lo0l;
  }
  const r = w - 4 * Math.floor(w * 0.25);
  const high = i - 2 * w;
  let half = c3l;
  if (r === 0) half = high === 1 ? c0h : c0l;
  if (r === 1) half = high === 1 ? c1h : c1l;
  if (r === 2) half = high === 1 ? c2h : c2l;
  if (r === 3) half = high === 1 ? c3h : c3l;
  return half;
}

/** Sign i: -1 when bit i mod 16 of half floor(i / 16) is set, else +1. */
function signOfBit(this: KernelThis<Record<string, never>>, halves: number[]): number {
  const i = this.thread.x;
  const q = Math.floor(i * 0.0625);
  // a bitwise shift, not a division by pow(2, .), which WGSL computes as exp2(log2(.)) and may round
  const bit = (halves[q] >> (i - 16 * q)) & 1;
  return bit === 1 ? -1 : 1;
}

/** The plan of `count` signs (a multiple of 128 or the stream's last chunk): one call takes the params and resolves to the signs. */
export function buildSignsPlan(gpu: GPU, count: number): DevicePlan {
  const halves = 2 * Math.ceil(count / 32);
  const words = gpu.createKernel(philoxHalf, { output: [halves], functions: [mulLo16, mulHi16] });
  const signs = gpu.createKernel(signOfBit, { output: [count] });
  return pipelinePlan(gpu, [words, signs], (params) => signs(words(params)));
}

/** The round keys of Philox4x32-10 for key (k0, k1) as 16-bit halves: k0 hi, k0 lo, k1 hi, k1 lo per round. */
export function roundKeyHalves(k0: number, k1: number): number[] {
  const out: number[] = [];
  for (let round = 0; round < 10; round++) {
    out.push(k0 >>> 16, k0 & 0xffff, k1 >>> 16, k1 & 0xffff);
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return out;
}
