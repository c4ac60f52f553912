/**
 * The gpu.js steps of a layer's incoherence maps (layer-maps.ts) on the rows of a rows x length float32 batch, for
 * recording inside one pipeline: the entrywise diagonal, the Hadamard map (fwht-plan.ts's passes with the map's
 * base table) and the randomized FFT (the phase rotation and a complex FFT of any length k). A layer's own tables
 * (diagonals, base tables, phase rotations: {@link mapTables}) are arguments of the pipeline, so that one compiled
 * plan ({@link mapKey} names what it depends on) serves every layer of the same shapes.
 *
 * The FFT is a mixed-radix Stockham FFT: k = R_1 R_2 ... (radix 4 while 4 divides it, then 2, then each odd prime
 * factor), one pass per factor, each output of a pass a sum of R inputs times powers of w = e^{-2 pi i / k} (the
 * pass's twiddles and its R-point DFT at once). The k powers of w are computed on the host in float64 (the angles
 * 2 pi e / k with e < k, so no reduction is needed) and held as a float32 constant of the plan; the exponents are
 * integers below 2k, exact in float32. A pass costs R complex multiply-adds per output, so the FFT costs
 * k (R_1 + R_2 + ...): O(k log k) for smooth k, O(k p) for a length with a large prime factor p. Complex rows are
 * interleaved (re, im); each thread computes one real output.
 *
 * Row indices come from float32 divisions, each corrected by one step (`floor(i * (1 / d))` may round across an
 * integer); every index stays below 2^24 (the caller keeps rows * length within it).
 */
import type { GPU, IPipelineHandle } from 'gpu.js';
import { primeFactors } from '../core/index.js';
import { hadamardSteps, type DeviceSteps } from './fwht-plan.js';
import type { KernelThis } from './kernel-this.js';
import { exactQuotient } from './kernel-quotient.js';
import type { DeviceMap } from './layer-maps.js';

/** y[i] = x[i] D[i mod L] (D of length L). */
function diagonalProduct(this: KernelThis<{ L: number; invL: number }>, x: number[], D: number[]): number {
  const i = this.thread.x;
  const L = this.constants.L;
  const r = exactQuotient(i, L, this.constants.invL);
  return x[i] * D[i - r * L];
}

/**
 * The phase rotation of interleaved complex rows of length N, times scale: z_j <- z_j (c_j + i s_j) scale, with
 * PH = (c_0, s_0, c_1, s_1, ...) = e^{+-i phases}.
 */
function rotatePhases(this: KernelThis<{ N: number; invN: number }>, x: number[], PH: number[], scale: number): number {
  const o = this.thread.x;
  const c = Math.floor(o * 0.5);
  const part = o - 2 * c;
  const N = this.constants.N;
  const r = exactQuotient(c, N, this.constants.invN);
  const j = c - r * N;
  const cr = PH[2 * j];
  const ci = PH[2 * j + 1];
  const zr = x[2 * c];
  const zi = x[2 * c + 1];
  if (part === 0) return (zr * cr - zi * ci) * scale;
  return (zr * ci + zi * cr) * scale;
}

/**
 * One Stockham pass of radix R over complex rows of length N, Ns the product of the earlier passes' radices:
 * output idx = jq (Ns R) + q Ns + k' (rem = q Ns + k' < Ns R) is sum_t x[jq Ns + k' + t N / R] w^(t rem N / (Ns R)),
 * w = W's root (W = (cos, -+sin) of 2 pi e / N, e < N). After the last pass (Ns R = N) the rows hold their DFTs in
 * natural order.
 */
function stockhamPass(
  this: KernelThis<{ W: number[]; N: number; invN: number; maxRadix: number }>,
  x: number[],
  R: number,
  Ns: number,
  invNs: number,
  NsR: number,
  invNsR: number,
  stride: number,
  quarter: number,
): number {
  const o = this.thread.x;
  const c = Math.floor(o * 0.5);
  const part = o - 2 * c;
  const N = this.constants.N;
  const r = exactQuotient(c, N, this.constants.invN);
  const idx = c - r * N;
  const jq = exactQuotient(idx, NsR, invNsR);
  const rem = idx - jq * NsR;
  const q = exactQuotient(rem, Ns, invNs);
  const start = r * N + jq * Ns + rem - q * Ns;
  const step = rem * quarter;
  let e = 0;
  let re = 0;
  let im = 0;
  for (let t = 0; t < this.constants.maxRadix; t++) {
    if (t >= R) break;
    const k = 2 * (start + t * stride);
    const xr = x[k];
    const xi = x[k + 1];
    const wr = this.constants.W[2 * e];
    const wi = this.constants.W[2 * e + 1];
    re += xr * wr - xi * wi;
    im += xr * wi + xi * wr;
    e = e + step;
    if (e >= N) e = e - N;
  }
  if (part === 0) return re;
  return im;
}

/** The radices of the passes of a length-N FFT: 4 while 4 divides N, then 2, then the odd prime factors. */
function fftRadices(N: number): number[] {
  const factors = primeFactors(N);
  const twos = factors.filter((f) => f === 2).length;
  const radices: number[] = new Array<number>(twos >> 1).fill(4);
  if (twos % 2 === 1) radices.push(2);
  return radices.concat(factors.filter((f) => f !== 2));
}

/** The powers w^e (e < N) of w = e^{-2 pi i / N} (conjugated for `inverse`), interleaved, as float32. */
function rootTable(N: number, inverse: boolean): Float32Array {
  const W = new Float32Array(2 * N);
  for (let e = 0; e < N; e++) {
    const angle = (2 * Math.PI * e) / N;
    W[2 * e] = Math.cos(angle);
    W[2 * e + 1] = inverse ? Math.sin(angle) : -Math.sin(angle);
  }
  return W;
}

/** e^{i phases} (or e^{-i phases} for `inverse`), interleaved, as float32. */
function phaseTable(phases: Float64Array, inverse: boolean): Float32Array {
  const PH = new Float32Array(2 * phases.length);
  phases.forEach((phi, j) => {
    PH[2 * j] = Math.cos(phi);
    PH[2 * j + 1] = inverse ? -Math.sin(phi) : Math.sin(phi);
  });
  return PH;
}

/**
 * The steps of the randomized FFT (layer-maps.ts's 'rfft' map) of `rows` interleaved rows of N complex entries:
 * forward y = F (e^{i phases} . z) / sqrt(N), inverse y = e^{-i phases} . (conj(F) z) / sqrt(N); the table argument
 * is the phase rotation (see {@link mapTables}).
 */
function rfftSteps(gpu: GPU, rows: number, N: number, inverse: boolean): DeviceSteps {
  const count = 2 * rows * N;
  const radices = fftRadices(N);
  const rotate = gpu.createKernel(rotatePhases, { output: [count], constants: { N, invN: 1 / N }, functions: [exactQuotient] });
  const kernels = [rotate];
  const scale = 1 / Math.sqrt(N);
  let passes = (x: IPipelineHandle): IPipelineHandle => x;
  if (radices.length > 0) {
    const constants = { W: rootTable(N, inverse), N, invN: 1 / N, maxRadix: Math.max(...radices) };
    const pass = gpu.createKernel(stockhamPass, { output: [count], constants, functions: [exactQuotient] });
    kernels.push(pass);
    passes = (x) => {
      let y = x;
      let Ns = 1;
      for (const R of radices) {
        y = pass(y, R, Ns, 1 / Ns, Ns * R, 1 / (Ns * R), N / R, N / (Ns * R));
        Ns *= R;
      }
      return y;
    };
  }
  const record = (x: IPipelineHandle, [PH]: IPipelineHandle[]): IPipelineHandle => (inverse ? rotate(passes(x), PH, scale) : passes(rotate(x, PH, scale)));
  return { kernels, tableCount: 1, record };
}

/** The steps doing nothing (y = x). */
const IDENTITY: DeviceSteps = { kernels: [], tableCount: 0, record: (x) => x };

/** The steps of y = x .* D on each of `rows` rows of length `length`, D the table argument (none when `present` is false). */
export function diagonalSteps(gpu: GPU, rows: number, length: number, present: boolean): DeviceSteps {
  if (!present) return IDENTITY;
  const kernel = gpu.createKernel(diagonalProduct, { output: [rows * length], constants: { L: length, invL: 1 / length }, functions: [exactQuotient] });
  return { kernels: [kernel], tableCount: 1, record: (x, [D]) => kernel(x, D) };
}

/** The steps of `map` on each of `rows` rows (no kernel for the identity), its tables taken as arguments. */
export function mapSteps(gpu: GPU, map: DeviceMap, rows: number): DeviceSteps {
  if (map.kind === 'hadamard') return hadamardSteps(gpu, rows, map.m, map.p, map.scale);
  if (map.kind === 'rfft') return rfftSteps(gpu, rows, map.phases.length, map.inverse);
  return IDENTITY;
}

/** The table arguments of {@link mapSteps} for `map`: the base table, the phase rotation, or none. */
export function mapTables(map: DeviceMap): Float32Array[] {
  if (map.kind === 'hadamard') return map.m === 1 ? [] : [map.base];
  if (map.kind === 'rfft') return [phaseTable(map.phases, map.inverse)];
  return [];
}

/** What {@link mapSteps} compiles for `map` (all but its tables), as a plan-key part. */
export function mapKey(map: DeviceMap): string {
  if (map.kind === 'hadamard') return `H${map.m}x${map.p}*${map.scale}`;
  if (map.kind === 'rfft') return `F${map.phases.length}${map.inverse ? 'i' : 'f'}`;
  return 'I';
}
