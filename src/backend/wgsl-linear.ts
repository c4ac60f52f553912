/**
 * The hand-written WGSL kernel of compressed inference with E8P12 codes: Y'[b][i] = sum_j c_ij . X'[b][8 j ..],
 * the same product as linear-plan.ts's gpu.js kernel, with the codes packed two 16-bit codes per u32 (half the
 * device memory and the bytes read), the decode tables as vec4 pairs, and each invocation serving one row and four
 * inputs of the batch (each code decoded once per four inputs).
 */
import type { E8P12Tables } from './decode-plan.js';
import { computePipeline, dispatchAndRead, storageBuffer, uniformBuffer, USAGE, type WgslBuffer, type WgslDevice } from './wgsl-device.js';

/** Invocations per workgroup (along the rows). */
const WORKGROUP = 64;
/** Rows the kernel takes: ceil(m / 64) workgroups within WebGPU's guaranteed 65535 per dimension. */
export const WGSL_MAX_ROWS = WORKGROUP * 65535;
/** Inputs of the batch one invocation serves. */
const BATCH_PER_INVOCATION = 4;

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

/** The compiled kernel and its constant tables, per device. */
interface Program {
  pipeline: { getBindGroupLayout(i: number): unknown };
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

/** An m x (8 chunks) block of E8P12 codes resident on the WGSL device, with its product kernel. */
export interface WgslCodes {
  /** The inner products of the block with `batch` inputs (row-major batch x 8 chunks): batch x m, row-major. */
  product(x: Float32Array, batch: number): Promise<Float32Array>;
  /** Releases the codes' buffer. */
  release(): void;
}

/**
 * Uploads the chunk-major E8P12 codes of an m x (8 chunks) block (codes.length = m chunks) to `d`, packed two per
 * u32. The caller keeps m chunks and batch m below the device's storage-buffer limit.
 */
export async function uploadWgslCodes(d: WgslDevice, tables: E8P12Tables, codes: Uint16Array, m: number, chunks: number): Promise<WgslCodes> {
  const program = await programFor(d, tables);
  const resident = storageBuffer(d, codes);
  return {
    async product(x, batch) {
      const input = storageBuffer(d, x);
      const bytes = 4 * batch * m;
      const output = d.createBuffer({ size: bytes, usage: USAGE.STORAGE | USAGE.COPY_SRC });
      const shape = uniformBuffer(d, [m, chunks, batch, 0]);
      try {
        const groups: [number, number, number] = [Math.ceil(m / WORKGROUP), Math.ceil(batch / BATCH_PER_INVOCATION), 1];
        const bindings = [resident, input, output, shape, program.rows, program.signs, program.shifts];
        return new Float32Array(await dispatchAndRead(d, program.pipeline, bindings, groups, output, bytes));
      } finally {
        input.destroy();
        output.destroy();
        shape.destroy();
      }
    },
    release: () => resident.destroy(),
  };
}
