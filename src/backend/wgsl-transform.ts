/**
 * The incoherence maps of QuIP# Algorithm 2 (layer-maps.ts's DeviceMap) as hand-written WGSL kernels, recorded into
 * a WgslRecording so that a whole layer runs in one command encoder with its data on the device:
 *
 * - a diagonal: y_j = d_j x_j;
 * - 'hadamard' (B kron H_p): the FWHT of each segment of p = 2^b entries, its low 12 bits in workgroup memory
 *   (tiles of 4096 floats, radix-4 stages) and the bits above by global passes of up to 3 bits each (strides 2^12,
 *   2^15, ...; the stages of an FWHT commute), then the mix y_a = scale sum_c B_ac x_c of the m segments (four
 *   entries per invocation when 4 divides p);
 * - 'rfft': the complex DFT of length k of the interleaved pairs, with the phase rotation and 1/sqrt(k). A power
 *   of two k runs Stockham autosort passes (radix 4, one radix 2 first when log2 k is odd) over two ping-pong
 *   buffers; any other k runs Bluestein's chirp-z: with w_j = e^{-pi i j^2 / k},
 *   X_a = w_a sum_b (z_b w_b) conj(w_{a-b}), the cyclic convolution of length M = 2^ceil(log2(2k - 1)) computed as
 *   IFFT(FFT(z . w) . FFT(conj w)), the inverse FFT by the forward one on swapped parts (IFFT(v) M =
 *   swap(FFT(swap(v))), swap(x + iy) = y + ix); the inverse RFFT uses conj(F) z = swap(F swap(z)) likewise.
 *
 * Tables are computed on the host in float64 and rounded once to float32: twiddles e^{-2 pi i t / M}, chirps with
 * the exact angle pi (j^2 mod 2k) / k, FFT(conj w) / M by the library's float64 FFT, the phase rotations. The
 * tables of a transform length are shared by every map of that length on a device (counted, destroyed with the
 * last map using them); a map's own tables (phases, base, diagonal) are destroyed by its release(). Every kernel is
 * compiled once per device. Data is float32 (complex as vec2), rows of a batch x length buffer; a kernel's
 * invocations beyond the work return early, so batches and lengths need not be multiples of a workgroup.
 */
import { mulMod } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import { fft } from '../fft/index.js';
import type { DeviceMap } from './layer-maps.js';
import {
  computePipeline,
  floatWord,
  spreadGroups,
  storageBuffer,
  type WgslBuffer,
  type WgslDevice,
  type WgslPipeline,
  type WgslRecording,
} from './wgsl-device.js';

/** Invocations per workgroup of the element-wise kernels and of the workgroup-memory FWHT. */
const WORKGROUP = 256;
/** Floats of one workgroup-memory FWHT tile: WebGPU's guaranteed 16 KiB of workgroup storage. */
const TILE = 4096;
const TILE_BITS = 12;
/** Most bits of the FWHT one global pass transforms (2^3 = 8 entries per invocation). */
const GLOBAL_BITS = 3;

/** The linear invocation index of an element-wise kernel dispatched with spreadGroups, and its bound check. */
const ENTRY = /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>, @builtin(local_invocation_index) lid : u32) {
  let i = (wid.x + wid.y * nwg.x) * ${WORKGROUP}u + lid;
  if (i >= shape.total) { return; }`;

const CMUL = /* wgsl */ `
fn cmul(a : vec2<f32>, b : vec2<f32>) -> vec2<f32> { return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }`;

/** The base-table mix of segments whose entries are of type `unit` (f32, or vec4<f32> for four at a time). */
function mixShader(unit: string): string {
  return /* wgsl */ `
struct Shape { total : u32, m : u32, p : u32, scale : f32 }
@group(0) @binding(0) var<storage, read> src : array<${unit}>;
@group(0) @binding(1) var<storage, read_write> dst : array<${unit}>;
@group(0) @binding(2) var<storage, read> base : array<f32>;
@group(0) @binding(3) var<uniform> shape : Shape;
${ENTRY}
  let len = shape.m * shape.p;
  let r = i % len;
  let a = r / shape.p;
  let o = i - r + r % shape.p;
  var acc = ${unit}(0.0);
  for (var c = 0u; c < shape.m; c++) { acc += base[a * shape.m + c] * src[o + c * shape.p]; }
  dst[i] = acc * shape.scale;
}`;
}

/**
 * A Stockham pass of radix `radix` over rows of M complex entries (span = M / radix butterflies per row,
 * sub-transforms of ns entries, twiddle tw[e step] = e^{-2 pi i e step / M}): the bindings, and butterfly j of row
 * block `off` with its position q in the sub-transform, then `body`.
 */
function stockhamShader(radix: number, body: string): string {
  return /* wgsl */ `
struct Shape { total : u32, span : u32, ns : u32, step : u32 }
@group(0) @binding(0) var<storage, read> src : array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> dst : array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> tw : array<vec2<f32>>;
@group(0) @binding(3) var<uniform> shape : Shape;
${CMUL}
${ENTRY}
  let j = i % shape.span;
  let off = (i - j) * ${radix}u;
  let q = j % shape.ns;${body}`;
}

/** The bindings and entry of the kernels at the two ends of an RFFT (fftLoad, fftStore; each declares its Shape). */
const FFT_ENDS = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src : array<vec2<f32>>;
@group(0) @binding(1) var<storage, read_write> dst : array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> rot : array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> chirp : array<vec2<f32>>;
@group(0) @binding(4) var<uniform> shape : Shape;
${CMUL}
${ENTRY}`;

/** The WGSL source of each kernel (entry point main). */
const SHADERS = {
  /** data[i] *= diag[i mod length]. */
  diagonal: /* wgsl */ `
struct Shape { total : u32, length : u32, unused0 : u32, unused1 : u32 }
@group(0) @binding(0) var<storage, read_write> data : array<f32>;
@group(0) @binding(1) var<storage, read> diag : array<f32>;
@group(0) @binding(2) var<uniform> shape : Shape;
${ENTRY}
  data[i] = data[i] * diag[i % shape.length];
}`,

  /** The FWHT of bits [0, bits) of each tile of 4096 entries (bits <= 12), times scale. */
  fwhtTile: /* wgsl */ `
struct Shape { total : u32, bits : u32, scale : f32, unused : u32 }
@group(0) @binding(0) var<storage, read_write> data : array<f32>;
@group(0) @binding(1) var<uniform> shape : Shape;
var<workgroup> tile : array<f32, ${TILE}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>, @builtin(local_invocation_index) lid : u32) {
  let base = (wid.x + wid.y * nwg.x) * ${TILE}u;
  for (var t = lid; t < ${TILE}u; t += ${WORKGROUP}u) {
    let i = base + t;
    if (i < shape.total) { tile[t] = data[i]; }
  }
  workgroupBarrier();
  var s = 0u;
  for (; s + 1u < shape.bits; s += 2u) {
    let h = 1u << s;
    for (var q = lid; q < ${TILE / 4}u; q += ${WORKGROUP}u) {
      let i = ((q >> s) << (s + 2u)) | (q & (h - 1u));
      let x0 = tile[i];
      let x1 = tile[i + h];
      let x2 = tile[i + 2u * h];
      let x3 = tile[i + 3u * h];
      tile[i] = (x0 + x1) + (x2 + x3);
      tile[i + h] = (x0 - x1) + (x2 - x3);
      tile[i + 2u * h] = (x0 + x1) - (x2 + x3);
      tile[i + 3u * h] = (x0 - x1) - (x2 - x3);
    }
    workgroupBarrier();
  }
  if (s < shape.bits) {
    let h = 1u << s;
    for (var q = lid; q < ${TILE / 2}u; q += ${WORKGROUP}u) {
      let i = ((q >> s) << (s + 1u)) | (q & (h - 1u));
      let x0 = tile[i];
      let x1 = tile[i + h];
      tile[i] = x0 + x1;
      tile[i + h] = x0 - x1;
    }
    workgroupBarrier();
  }
  for (var t = lid; t < ${TILE}u; t += ${WORKGROUP}u) {
    let i = base + t;
    if (i < shape.total) { data[i] = tile[t] * shape.scale; }
  }
}`,

  /** The FWHT of bits [log2 stride, log2 stride + bits) of the rows (bits <= 3), one group of 2^bits per invocation. */
  fwhtGlobal: /* wgsl */ `
struct Shape { total : u32, stride : u32, bits : u32, unused : u32 }
@group(0) @binding(0) var<storage, read_write> data : array<f32>;
@group(0) @binding(1) var<uniform> shape : Shape;
${ENTRY}
  let r = 1u << shape.bits;
  let first = (i / shape.stride) * shape.stride * r + i % shape.stride;
  var v : array<f32, ${1 << GLOBAL_BITS}>;
  for (var t = 0u; t < r; t++) { v[t] = data[first + t * shape.stride]; }
  for (var h = 1u; h < r; h <<= 1u) {
    for (var t = 0u; t < r; t++) {
      if ((t & h) == 0u) {
        let a = v[t];
        let b = v[t + h];
        v[t] = a + b;
        v[t + h] = a - b;
      }
    }
  }
  for (var t = 0u; t < r; t++) { data[first + t * shape.stride] = v[t]; }
}`,

  /** dst[row][a p + t] = scale sum_c base[a m + c] src[row][c p + t] (p in floats). */
  mix: mixShader('f32'),
  /** The same on vec4 units (p in vec4s), when the segment length is a multiple of 4. */
  mix4: mixShader('vec4<f32>'),

  /**
   * dst[row][j] (rows of M) = the FFT's input: for j < k, z_j = src[row][j] rotated by the phase (forward) or
   * swapped (inverse), times the chirp w_j under Bluestein; 0 for k <= j < M.
   */
  fftLoad: /* wgsl */ `
struct Shape { total : u32, k : u32, M : u32, flags : u32 }
${FFT_ENDS}
  let j = i % shape.M;
  if (j >= shape.k) { dst[i] = vec2<f32>(0.0); return; }
  var z = src[(i / shape.M) * shape.k + j];
  if ((shape.flags & 1u) != 0u) { z = z.yx; } else { z = cmul(z, rot[j]); }
  if ((shape.flags & 2u) != 0u) { z = cmul(z, chirp[j]); }
  dst[i] = z;
}`,

  /** One radix-2 Stockham pass of length-M FFTs (span = M / 2 butterflies per row, sub-transforms of ns). */
  fftRadix2: stockhamShader(2, /* wgsl */ `
  let a = src[off + j];
  let b = cmul(src[off + j + shape.span], tw[q * shape.step]);
  let o = off + (j - q) * 2u + q;
  dst[o] = a + b;
  dst[o + shape.ns] = a - b;
}`),

  /** One radix-4 Stockham pass of length-M FFTs (span = M / 4 butterflies per row, sub-transforms of ns). */
  fftRadix4: stockhamShader(4, /* wgsl */ `
  let e = q * shape.step;
  let v0 = src[off + j];
  let v1 = cmul(src[off + j + shape.span], tw[e]);
  let v2 = cmul(src[off + j + 2u * shape.span], tw[2u * e]);
  let v3 = cmul(src[off + j + 3u * shape.span], tw[3u * e]);
  let t0 = v0 + v2;
  let t1 = v0 - v2;
  let t2 = v1 + v3;
  let d = v1 - v3;
  let t3 = vec2<f32>(d.y, -d.x);
  let o = off + (j - q) * 4u + q;
  dst[o] = t0 + t2;
  dst[o + shape.ns] = t1 + t3;
  dst[o + 2u * shape.ns] = t0 - t2;
  dst[o + 3u * shape.ns] = t1 - t3;
}`),

  /** Bluestein's spectrum product, written swapped for the inverse FFT: data[i] = swap(data[i] . bhat[i mod M]). */
  fftPointwise: /* wgsl */ `
struct Shape { total : u32, M : u32, unused0 : u32, unused1 : u32 }
@group(0) @binding(0) var<storage, read_write> data : array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> bhat : array<vec2<f32>>;
@group(0) @binding(2) var<uniform> shape : Shape;
${CMUL}
${ENTRY}
  data[i] = cmul(data[i], bhat[i % shape.M]).yx;
}`,

  /**
   * dst[row][a] (rows of k) = the RFFT's output from the FFT's src[row][a] (rows of M): swapped and times the
   * chirp under Bluestein, times scale, then swapped and rotated back by the phase (inverse).
   */
  fftStore: /* wgsl */ `
struct Shape { total : u32, k : u32, M : u32, flags : u32, scale : f32, unused0 : u32, unused1 : u32, unused2 : u32 }
${FFT_ENDS}
  let a = i % shape.k;
  var v = src[(i / shape.k) * shape.M + a];
  if ((shape.flags & 2u) != 0u) { v = cmul(v.yx, chirp[a]); }
  v = v * shape.scale;
  if ((shape.flags & 1u) != 0u) { let r = rot[a]; v = cmul(v.yx, vec2<f32>(r.x, -r.y)); }
  dst[i] = v;
}`,
} as const;

type Kernels = Record<keyof typeof SHADERS, WgslPipeline>;
const kernels = new WeakMap<WgslDevice, Promise<Kernels>>();

/** Every transform kernel compiled for `d` (once per device). */
function kernelsFor(d: WgslDevice): Promise<Kernels> {
  let k = kernels.get(d);
  if (!k) {
    const names = Object.keys(SHADERS) as Array<keyof typeof SHADERS>;
    k = Promise.all(names.map((name) => computePipeline(d, SHADERS[name]))).then((list) => Object.fromEntries(names.map((name, i) => [name, list[i]])) as Kernels);
    kernels.set(d, k);
    k.catch(() => kernels.delete(d));
  }
  return k;
}

/** Records the element-wise kernel `pipeline` over `total` invocations with `bindings` and the uniform `words`. */
function elementwise(rec: WgslRecording, pipeline: WgslPipeline, bindings: WgslBuffer[], total: number, words: number[]): void {
  rec.dispatch(pipeline, [...bindings, rec.uniform([total, ...words])], spreadGroups(Math.ceil(total / WORKGROUP)));
}

/**
 * A map of the rows of a batch x length float32 buffer on the WGSL device, recorded into an operation. Built once
 * per layer; encode() may be called by any number of operations, also concurrently.
 */
export interface WgslRowMap {
  /** Row length (floats). */
  readonly length: number;
  /** The most bytes per row of any buffer encode() allocates (the caller sizes its batches by it). */
  readonly rowBytes: number;
  /**
   * Records the map of the `batch` rows held in `data` (batch x length float32, owned by `rec`, which it may
   * overwrite) and returns the buffer holding the result (`data` itself or a buffer of `rec`).
   */
  encode(rec: WgslRecording, data: WgslBuffer, batch: number): WgslBuffer;
  /** Destroys the map's own device tables (and its reference to shared ones). */
  release(): void;
}

/** The identity map. */
const identity = (length: number): WgslRowMap => ({ length, rowBytes: 4 * length, encode: (_rec, data) => data, release: () => undefined });

/**
 * The WGSL map y = diag .* x of rows of `length` floats (diag uploaded once as float32), or the identity for null.
 * Throws RangeError (naming uploadWgslCodes and `arg`) unless diag has `length` entries.
 *
 * @example const scale = await wgslDiagonal(d, maps.inputDiagonal, n, 'maps.inputDiagonal'); scale.encode(rec, x, batch)
 */
export async function wgslDiagonal(d: WgslDevice, diag: Float32Array | null, length: number, arg: string): Promise<WgslRowMap> {
  if (diag === null) return identity(length);
  if (diag.length !== length) throw rangeError('uploadWgslCodes', arg, `of length ${length}`, `length ${diag.length}`);
  const k = await kernelsFor(d);
  const table = storageBuffer(d, diag);
  return {
    length,
    rowBytes: 4 * length,
    encode(rec, data, batch) {
      elementwise(rec, k.diagonal, [data, table], batch * length, [length, 0, 0]);
      return data;
    },
    release: () => table.destroy(),
  };
}

/**
 * The WGSL form of the DeviceMap `map` of rows of `length` floats (see layer-maps.ts for the maps): its kernels
 * compiled and its tables uploaded to `d`. Per row, 'hadamard' costs O(length (log p + m)), 'rfft' O(M log M)
 * with M = k for a power of two k = length / 2, else the power of two M >= 2k - 1.
 *
 * Throws RangeError (naming uploadWgslCodes, the caller of every WGSL layer, and the map's argument `arg`) when
 * the map's shape does not fit `length`: a hadamard m p != length, p not a power of two, or a base of other than
 * m^2 entries; an odd length or phases other than length / 2 for rfft.
 *
 * @example const v = await wgslRowMap(d, { kind: 'hadamard', m: 1, p: 4096, base: Float32Array.of(1), scale: 1 / 64 }, 4096, 'maps.input')
 */
export async function wgslRowMap(d: WgslDevice, map: DeviceMap, length: number, arg: string): Promise<WgslRowMap> {
  switch (map.kind) {
    case 'identity':
      return identity(length);
    case 'hadamard':
      return hadamardMap(d, map, length, arg);
    case 'rfft':
      return rfftMap(d, map, length, arg);
  }
}

async function hadamardMap(d: WgslDevice, map: Extract<DeviceMap, { kind: 'hadamard' }>, length: number, arg: string): Promise<WgslRowMap> {
  const { m, p, base, scale } = map;
  const fn = 'uploadWgslCodes';
  if (!Number.isInteger(m) || !Number.isInteger(p) || m < 1 || p < 1 || (p & (p - 1)) !== 0 || m * p !== length) {
    throw rangeError(fn, `${arg} (m, p)`, `m >= 1 and a power of two p with m p = ${length}`, `(${m}, ${p})`);
  }
  if (base.length !== m * m) throw rangeError(fn, `${arg}.base`, `of length ${m * m} (m^2)`, `length ${base.length}`);
  const k = await kernelsFor(d);
  const bits = Math.log2(p);
  const table = m > 1 ? storageBuffer(d, base) : undefined;
  return {
    length,
    rowBytes: 4 * length,
    encode(rec, data, batch) {
      const total = batch * length;
      for (let s = TILE_BITS; s < bits; s += GLOBAL_BITS) {
        const r = Math.min(GLOBAL_BITS, bits - s);
        elementwise(rec, k.fwhtGlobal, [data], total >> r, [2 ** s, r, 0]);
      }
      const tileScale = table ? 1 : scale;
      if (bits > 0 || tileScale !== 1) {
        const words = [total, Math.min(bits, TILE_BITS), floatWord(tileScale), 0];
        rec.dispatch(k.fwhtTile, [data, rec.uniform(words)], spreadGroups(Math.ceil(total / TILE)));
      }
      if (!table) return data;
      const out = rec.scratch(4 * total);
      const width = p % 4 === 0 ? 4 : 1;
      elementwise(rec, width === 4 ? k.mix4 : k.mix, [data, out, table], total / width, [m, p / width, floatWord(scale)]);
      return out;
    },
    release: () => table?.destroy(),
  };
}

/** The device tables of one FFT length k, shared by the rfft maps of that length on a device. */
interface LengthTables {
  /** The FFT's length (k, or Bluestein's power of two). */
  M: number;
  /** e^{-2 pi i t / M}, t < M. */
  twiddles: WgslBuffer;
  /** Bluestein's chirp w_j (k entries) and FFT(conj w) / M (M entries), or undefined for a power of two k. */
  chirp?: WgslBuffer;
  bhat?: WgslBuffer;
  /** Maps holding these tables. */
  users: number;
}

const lengthTables = new WeakMap<WgslDevice, Map<number, LengthTables>>();

const isPowerOfTwo = (k: number): boolean => (k & (k - 1)) === 0;

/** Interleaved float32 of the complex float64 (re, im). */
function complex32(re: Float64Array, im: Float64Array, scale = 1): Float32Array {
  const out = new Float32Array(2 * re.length);
  for (let j = 0; j < re.length; j++) {
    out[2 * j] = re[j] * scale;
    out[2 * j + 1] = im[j] * scale;
  }
  return out;
}

/** The shared tables of length k on `d`, built on first use (add a user; dropLengthTables removes it). */
function acquireLengthTables(d: WgslDevice, k: number): LengthTables {
  let byLength = lengthTables.get(d);
  if (!byLength) lengthTables.set(d, (byLength = new Map()));
  let t = byLength.get(k);
  if (!t) {
    t = buildLengthTables(d, k);
    byLength.set(k, t);
  }
  t.users++;
  return t;
}

function dropLengthTables(d: WgslDevice, k: number, t: LengthTables): void {
  if (--t.users > 0) return;
  lengthTables.get(d)?.delete(k);
  t.twiddles.destroy();
  t.chirp?.destroy();
  t.bhat?.destroy();
}

function buildLengthTables(d: WgslDevice, k: number): LengthTables {
  const M = isPowerOfTwo(k) ? k : 2 ** Math.ceil(Math.log2(2 * k - 1));
  const re = new Float64Array(M);
  const im = new Float64Array(M);
  for (let t = 0; t < M; t++) {
    re[t] = Math.cos((2 * Math.PI * t) / M);
    im[t] = -Math.sin((2 * Math.PI * t) / M);
  }
  const twiddles = storageBuffer(d, complex32(re, im));
  if (M === k) return { M, twiddles, users: 0 };
  // w_j = e^{-pi i (j^2 mod 2k) / k}: the angle reduced exactly before the float64 cosine.
  const wr = new Float64Array(k);
  const wi = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const angle = (Math.PI * mulMod(j, j, 2 * k)) / k;
    wr[j] = Math.cos(angle);
    wi[j] = -Math.sin(angle);
  }
  // The convolution kernel conj(w_j) at the cyclic positions j and M - j, then its spectrum.
  const br = new Float64Array(M);
  const bi = new Float64Array(M);
  for (let j = 0; j < k; j++) {
    br[j] = br[(M - j) % M] = wr[j];
    bi[j] = bi[(M - j) % M] = -wi[j];
  }
  const spectrum = fft(br, bi);
  return { M, twiddles, chirp: storageBuffer(d, complex32(wr, wi)), bhat: storageBuffer(d, complex32(spectrum.re, spectrum.im, 1 / M)), users: 0 };
}

async function rfftMap(d: WgslDevice, map: Extract<DeviceMap, { kind: 'rfft' }>, length: number, arg: string): Promise<WgslRowMap> {
  const k = length / 2;
  if (!Number.isInteger(k) || k < 1) throw rangeError('uploadWgslCodes', `${arg} length`, 'even and >= 2 (rfft)', String(length));
  if (map.phases.length !== k) throw rangeError('uploadWgslCodes', `${arg}.phases`, `of length ${k} (length / 2)`, `length ${map.phases.length}`);
  const kernel = await kernelsFor(d);
  const rot = storageBuffer(d, complex32(Float64Array.from(map.phases, Math.cos), Float64Array.from(map.phases, Math.sin)));
  const tables = acquireLengthTables(d, k);
  const { M, twiddles, chirp, bhat } = tables;
  const flags = (map.inverse ? 1 : 0) | (chirp ? 2 : 0);
  let released = false;

  /** The FFTs of the batch rows of length M in `a` (b: the ping-pong partner); the buffer holding the result. */
  const fftRows = (rec: WgslRecording, a: WgslBuffer, b: WgslBuffer, batch: number): WgslBuffer => {
    let [src, dst] = [a, b];
    let ns = 1;
    for (let bits = Math.log2(M); bits > 0; ) {
      const radix = bits % 2 === 1 ? 2 : 4;
      const span = M / radix;
      elementwise(rec, radix === 2 ? kernel.fftRadix2 : kernel.fftRadix4, [src, dst, twiddles], batch * span, [span, ns, M / (radix * ns)]);
      [src, dst] = [dst, src];
      ns *= radix;
      bits -= Math.log2(radix);
    }
    return src;
  };

  return {
    length,
    rowBytes: Math.max(4 * length, 8 * M),
    encode(rec, data, batch) {
      const a = rec.scratch(8 * batch * M);
      const b = rec.scratch(8 * batch * M);
      elementwise(rec, kernel.fftLoad, [data, a, rot, chirp ?? rot], batch * M, [k, M, flags]);
      let spectrum = fftRows(rec, a, b, batch);
      if (bhat) {
        elementwise(rec, kernel.fftPointwise, [spectrum, bhat], batch * M, [M, 0, 0]);
        spectrum = fftRows(rec, spectrum, spectrum === a ? b : a, batch);
      }
      elementwise(rec, kernel.fftStore, [spectrum, data, rot, chirp ?? rot], batch * k, [k, M, flags, floatWord(1 / Math.sqrt(k)), 0, 0, 0]);
      return data;
    },
    release() {
      if (released) return;
      released = true;
      rot.destroy();
      dropLengthTables(d, k, tables);
    },
  };
}
