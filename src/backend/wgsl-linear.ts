/**
 * Compressed inference of one E8P12 layer in hand-written WGSL, the whole of QuIP# Algorithm 2 on the device:
 * y = outputDiagonal .* Out(C In(inputDiagonal .* x)) for a batch of inputs x, C the decoded m x n code matrix and
 * In, Out the layer's incoherence maps (layer-maps.ts; kernels in wgsl-transform.ts). One operation is one command
 * encoder: the upload of x, the input-side kernels, the code product, the output-side kernels and one readback,
 * every intermediate staying on the device.
 *
 * The product Y'[b][i] = sum_j c_ij . X'[b][8 j ..] is the same as linear-plan.ts's gpu.js kernel, with the codes
 * packed two 16-bit codes per u32 (half the device memory and the bytes read), the decode tables as vec4 pairs,
 * and each invocation serving one row and four inputs of the batch (each code decoded once per four inputs).
 */
import { assertInteger, assertLength } from '../core/index.js';
import { rangeError } from '../errors/index.js';
import type { E8P12Tables } from './decode-plan.js';
import type { DeviceMaps } from './layer-maps.js';
import { computePipeline, storageBuffer, WgslRecording, type WgslBuffer, type WgslDevice, type WgslPipeline } from './wgsl-device.js';
import { wgslDiagonal, wgslRowMap, type WgslRowMap } from './wgsl-transform.js';

/** Invocations per workgroup (along the rows). */
const WORKGROUP = 64;
/** Rows (m, output features) one WGSL layer takes: ceil(m / 64) workgroups within WebGPU's guaranteed 65535 per dimension. */
export const WGSL_MAX_ROWS = WORKGROUP * 65535;
/**
 * Codes (m n / 8) one WGSL layer takes: its packed codes fill one storage buffer, at most WebGPU's guaranteed
 * 128 MiB (2 bytes a code). E.g. 16384 x 32768 is the largest square-ish layer at this bound.
 */
export const WGSL_MAX_CODES = 2 ** 26;
/**
 * Features (n inputs, m outputs) one WGSL layer takes: one row's FFT scratch (8 M bytes, Bluestein's power of two
 * M < 2 (n / 2) <= 2^22) stays within a quarter of a 128 MiB storage buffer.
 */
export const WGSL_MAX_FEATURES = 2 ** 22;
/** Inputs of the batch one invocation serves. */
const BATCH_PER_INVOCATION = 4;
/** Largest storage buffer of one operation: WebGPU's guaranteed binding size (the device's, when smaller). */
const MAX_BINDING = 2 ** 27;

const SHADER = /* wgsl */ `
struct Shape { m : u32, chunks : u32, batch : u32, unused : u32 }
@group(0) @binding(0) var<storage, read> codes : array<u32>;
@group(0) @binding(1) var<storage, read> x : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y : array<f32>;
@group(0) @binding(3) var<uniform> shape : Shape;
@group(0) @binding(4) var<storage, read> rows : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> signs : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> shifts : array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id : vec3<u32>) {
  let i = id.x;
  if (i >= shape.m) { return; }
  let b0 = id.y * ${BATCH_PER_INVOCATION}u;
  let nb = min(${BATCH_PER_INVOCATION}u, shape.batch - b0);
  let stride = 2u * shape.chunks;
  var acc = vec4<f32>(0.0);
  for (var j = 0u; j < shape.chunks; j++) {
    let k = j * shape.m + i;
    let code = (codes[k >> 1u] >> ((k & 1u) * 16u)) & 0xffffu;
    let a = 2u * (code >> 8u);
    let s = code & 255u;
    let t = vec4<f32>(shifts[s]);
    let w0 = rows[a] * signs[2u * s] + t;
    let w1 = rows[a + 1u] * signs[2u * s + 1u] + t;
    let o = b0 * stride + 2u * j;
    for (var q = 0u; q < nb; q++) {
      acc[q] += dot(w0, x[o + q * stride]) + dot(w1, x[o + q * stride + 1u]);
    }
  }
  for (var q = 0u; q < nb; q++) { y[(b0 + q) * shape.m + i] = acc[q]; }
}
`;

/** The compiled product kernel and its constant tables, per device. */
interface Program {
  pipeline: WgslPipeline;
  rows: WgslBuffer;
  signs: WgslBuffer;
  shifts: WgslBuffer;
}

const programs = new WeakMap<WgslDevice, Promise<Program>>();

function programFor(d: WgslDevice, tables: E8P12Tables): Promise<Program> {
  let p = programs.get(d);
  if (!p) {
    p = computePipeline(d, SHADER).then((pipeline) => ({
      pipeline,
      rows: storageBuffer(d, tables.ROW),
      signs: storageBuffer(d, tables.SIGN),
      shifts: storageBuffer(d, tables.SHIFT),
    }));
    programs.set(d, p);
  }
  return p;
}

/** One E8P12 layer resident on the WGSL device: its codes, its maps' tables, and Algorithm 2 over them. */
export interface WgslLayer {
  /**
   * y = outputDiagonal .* Out(C In(inputDiagonal .* x)) for `batch` inputs x (row-major batch x n float32, scaled
   * by the caller to max |x| <= 1): the batch x m results, row-major float32, before the host's hostScale. One
   * command encoder per slice of the batch that fits the storage-buffer limit (normally the whole batch).
   * Throws RangeError for a batch that is not a positive integer or an x of other than batch n entries, Error
   * after release().
   */
  forward(x: Float32Array, batch: number): Promise<Float32Array>;
  /** Destroys the codes' buffer and the maps' tables (idempotent); forward() must not be called afterwards. */
  release(): void;
}

/**
 * Uploads one m x n E8P12 layer (n = 8 chunks) to `d`: its chunk-major codes (codes[j m + i] is the code of row i,
 * columns 8 j .. 8 j + 8; m chunks entries, packed two per u32) and the device tables of `maps` (diagonals,
 * Hadamard bases, FFT phases, twiddles and chirps), compiling the kernels on first use per device. Resolves to
 * the layer's {@link WgslLayer}. forward() costs O(batch m n / 8) code decodes plus the maps' O(batch (n log n +
 * m log m)) (a Hadamard base of order b adds b per entry). `maxBufferBytes` bounds every storage buffer one
 * operation allocates (default and upper bound: the device's binding limit, at most 128 MiB): forward() runs a
 * batch in slices of as many rows as fit.
 *
 * Throws RangeError (naming uploadWgslCodes) for codes of other than m chunks entries, m above WGSL_MAX_ROWS, m or
 * 8 chunks above WGSL_MAX_FEATURES, m chunks above WGSL_MAX_CODES, or maps whose shapes do not fit (m, n).
 *
 * @example
 * const layer = await uploadWgslCodes(d, tables, codesT, m, n / 8, maps);
 * const y = await layer.forward(x, 1); // times maps.hostScale on the host
 * layer.release();
 */
export async function uploadWgslCodes(
  d: WgslDevice,
  tables: E8P12Tables,
  codes: Uint16Array,
  m: number,
  chunks: number,
  maps: DeviceMaps,
  maxBufferBytes = MAX_BINDING,
): Promise<WgslLayer> {
  const fn = 'uploadWgslCodes';
  assertInteger(fn, 'm', m, 1, Math.min(WGSL_MAX_ROWS, WGSL_MAX_FEATURES));
  assertInteger(fn, 'chunks', chunks, 1, WGSL_MAX_FEATURES / 8);
  if (m * chunks > WGSL_MAX_CODES) throw rangeError(fn, 'm chunks', `at most ${WGSL_MAX_CODES} codes`, String(m * chunks));
  assertLength(fn, 'codes', codes, m * chunks, ' (m chunks)');
  const n = 8 * chunks;
  const program = await programFor(d, tables);
  const built: WgslRowMap[] = [];
  const build = async (map: Promise<WgslRowMap>): Promise<WgslRowMap> => {
    const made = await map;
    built.push(made);
    return made;
  };
  let inputSide: WgslRowMap[];
  let outputSide: WgslRowMap[];
  try {
    inputSide = [await build(wgslDiagonal(d, maps.inputDiagonal, n, 'maps.inputDiagonal')), await build(wgslRowMap(d, maps.input, n, 'maps.input'))];
    outputSide = [await build(wgslRowMap(d, maps.output, m, 'maps.output')), await build(wgslDiagonal(d, maps.outputDiagonal, m, 'maps.outputDiagonal'))];
  } catch (e) {
    for (const map of built) map.release();
    throw e;
  }
  const codesBuffer = storageBuffer(d, codes);
  // Batch rows per operation: every buffer within one storage binding, the product's ceil(rows / 4) groups within 65535.
  const rowBytes = Math.max(...built.map((map) => map.rowBytes));
  const budget = Math.min(maxBufferBytes, MAX_BINDING, d.limits.maxStorageBufferBindingSize);
  const step = Math.max(1, Math.min(BATCH_PER_INVOCATION * 65535, Math.floor(budget / rowBytes)));

  const run = async (x: Float32Array, rows: number): Promise<Float32Array> => {
    const rec = new WgslRecording(d);
    try {
      let data = rec.upload(x);
      for (const map of inputSide) data = map.encode(rec, data, rows);
      let y = rec.scratch(4 * rows * m);
      const shape = rec.uniform([m, chunks, rows, 0]);
      const groups: [number, number, number] = [Math.ceil(m / WORKGROUP), Math.ceil(rows / BATCH_PER_INVOCATION), 1];
      rec.dispatch(program.pipeline, [codesBuffer, data, y, shape, program.rows, program.signs, program.shifts], groups);
      for (const map of outputSide) y = map.encode(rec, y, rows);
      return new Float32Array(await rec.read(y, 4 * rows * m));
    } finally {
      rec.release();
    }
  };

  let released = false;
  return {
    async forward(x, batch) {
      const fn = 'WgslLayer.forward';
      if (released) throw new Error(`${fn}: the layer was released`);
      assertInteger(fn, 'batch', batch, 1, Number.MAX_SAFE_INTEGER);
      assertLength(fn, 'x', x, batch * n, ' (batch n)');
      if (batch <= step) return run(x, batch);
      const y = new Float32Array(batch * m);
      for (let b0 = 0; b0 < batch; b0 += step) {
        const rows = Math.min(step, batch - b0);
        y.set(await run(x.subarray(b0 * n, (b0 + rows) * n), rows), b0 * m);
      }
      return y;
    },
    release() {
      if (released) return;
      released = true;
      codesBuffer.destroy();
      for (const map of built) map.release();
    },
  };
}
