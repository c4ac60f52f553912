/**
 * The hand-written WGSL kernel of BlockLDLQ's panel product, Y = A[:, q0 .. n) L[q0 .. n, c0 .. c1) (the same
 * product as feedback-plan.ts's gpu.js kernel, in one dispatch per 128 MiB of A instead of one per panel), for
 * the 'webgpu' backend.
 *
 * Layout: the finished columns of A are kept transposed, in reverse column order, in storage buffers of whole
 * columns (position r = n - 1 - c; column c's m rows contiguous, padded to a multiple of 4): a new panel is one
 * contiguous `writeBuffer`, and a product over columns [q0, n) reads positions [0, n - q0). Each invocation
 * computes a 4 x 4 tile of Y as a sum of outer products of a vec4 of A (4 rows) and a vec4 of L (4 columns), in
 * increasing r (decreasing column, the CPU's order), in float32.
 */
import { computePipeline, storageBuffer, uniformBuffer, USAGE, wgslDevice, type WgslBuffer, type WgslDevice } from './wgsl-device.js';

/** Invocations per workgroup along each of the two dimensions (tiles of columns, tiles of rows). */
const GROUP = 8;
/** Largest storage buffer one binding of A takes (WebGPU's guaranteed 128 MiB). */
const MAX_BINDING = 2 ** 27;

const SHADER = /* wgsl */ `
struct Shape { rows4 : u32, cols4 : u32, count : u32, lStart : u32, accumulate : u32, unused0 : u32, unused1 : u32, unused2 : u32 }
@group(0) @binding(0) var<storage, read> at : array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> l : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y : array<vec4<f32>>;
@group(0) @binding(3) var<uniform> shape : Shape;

@compute @workgroup_size(${GROUP}, ${GROUP})
fn main(@builtin(global_invocation_id) id : vec3<u32>) {
  let c4 = id.x;
  let i4 = id.y;
  if (c4 >= shape.cols4 || i4 >= shape.rows4) { return; }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var r = 0u; r < shape.count; r++) {
    let a = at[r * shape.rows4 + i4];
    let b = l[(shape.lStart + r) * shape.cols4 + c4];
    acc0 += a.x * b;
    acc1 += a.y * b;
    acc2 += a.z * b;
    acc3 += a.w * b;
  }
  let o = 4u * i4 * shape.cols4 + c4;
  if (shape.accumulate != 0u) {
    acc0 += y[o];
    acc1 += y[o + shape.cols4];
    acc2 += y[o + 2u * shape.cols4];
    acc3 += y[o + 3u * shape.cols4];
  }
  y[o] = acc0;
  y[o + shape.cols4] = acc1;
  y[o + 2u * shape.cols4] = acc2;
  y[o + 3u * shape.cols4] = acc3;
}
`;

type Pipeline = { getBindGroupLayout(i: number): unknown };
const pipelines = new WeakMap<WgslDevice, Promise<Pipeline>>();

const pad4 = (x: number): number => Math.ceil(x / 4) * 4;

/**
 * The finished residual columns of one m x n layer on the WGSL device, and the panel product over them. One
 * instance per sweep; release() destroys its buffers.
 */
export class WgslFeedback {
  private readonly rows: number;
  /** Column positions per A buffer. */
  private readonly perBuffer: number;
  private readonly buffers: WgslBuffer[] = [];
  /** Column positions [0, resident) are on the device. */
  private resident = 0;

  private constructor(
    private readonly d: WgslDevice,
    private readonly pipeline: Pipeline,
    readonly m: number,
    readonly n: number,
  ) {
    this.rows = pad4(m);
    const limit = Math.min(MAX_BINDING, d.limits.maxStorageBufferBindingSize);
    this.perBuffer = Math.max(1, Math.floor(limit / (4 * this.rows)));
  }

  /** The WGSL side of a sweep over an m x n layer (the device requested and the kernel compiled on first use). */
  static async create(m: number, n: number): Promise<WgslFeedback> {
    const d = await wgslDevice();
    if (!d) throw new Error('the WebGPU device of the WGSL kernels could not be created');
    let p = pipelines.get(d);
    if (!p) {
      p = computePipeline(d, SHADER);
      pipelines.set(d, p);
    }
    return new WgslFeedback(d, await p, m, n);
  }

  /**
   * Y = A[:, q0 .. n) L[q0 .. n, c0 .. c0 + w) (A m x n and L n x n row-major float64), m x w row-major float32,
   * after uploading the columns [q0, n) of A not yet on the device (they must be final).
   */
  async product(A: Float64Array, L: Float64Array, q0: number, c0: number, w: number): Promise<Float32Array> {
    const { d, m, n, rows, perBuffer } = this;
    const k = n - q0;
    this.upload(A, k);
    const cols = pad4(w);
    const lData = new Float32Array(k * cols);
    for (let r = 0; r < k; r++) for (let c = 0; c < w; c++) lData[r * cols + c] = L[(n - 1 - r) * n + c0 + c];
    const lBuffer = storageBuffer(d, lData);
    const bytes = 4 * rows * cols;
    const y = d.createBuffer({ size: bytes, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    const staging = d.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const uniforms: WgslBuffer[] = [];
    try {
      const encoder = d.createCommandEncoder();
      for (let b = 0; b * perBuffer < k; b++) {
        const shape = uniformBuffer(d, [rows / 4, cols / 4, Math.min(perBuffer, k - b * perBuffer), b * perBuffer, b > 0 ? 1 : 0, 0, 0, 0]);
        uniforms.push(shape);
        const bindGroup = d.createBindGroup({
          layout: this.pipeline.getBindGroupLayout(0),
          entries: [this.buffers[b], lBuffer, y, shape].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const pass = encoder.beginComputePass();
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(Math.ceil(cols / 4 / GROUP), Math.ceil(rows / 4 / GROUP), 1);
        pass.end();
      }
      encoder.copyBufferToBuffer(y, 0, staging, 0, bytes);
      d.queue.submit([encoder.finish()]);
      await staging.mapAsync(USAGE.MAP_READ);
      const padded = new Float32Array(staging.getMappedRange().slice(0));
      const out = new Float32Array(m * w);
      for (let i = 0; i < m; i++) out.set(padded.subarray(i * cols, i * cols + w), i * w);
      return out;
    } finally {
      for (const u of uniforms) u.destroy();
      lBuffer.destroy();
      y.destroy();
      staging.destroy();
    }
  }

  /** Destroys the device copies of A. */
  release(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }

  /** Uploads column positions [resident, k) of A (columns n - k .. n - 1 - resident), one write per buffer touched. */
  private upload(A: Float64Array, k: number): void {
    const { d, m, n, rows, perBuffer } = this;
    while (this.resident < k) {
      const b = Math.floor(this.resident / perBuffer);
      if (b === this.buffers.length) {
        const positions = Math.min(perBuffer, n - b * perBuffer);
        this.buffers.push(d.createBuffer({ size: 4 * rows * positions, usage: USAGE.STORAGE | USAGE.COPY_DST }));
      }
      const first = this.resident;
      const last = Math.min(k, (b + 1) * perBuffer);
      const data = new Float32Array((last - first) * rows);
      for (let r = first; r < last; r++) {
        const c = n - 1 - r;
        for (let i = 0; i < m; i++) data[(r - first) * rows + i] = A[i * n + c];
      }
      d.queue.writeBuffer(this.buffers[b], 4 * (first - b * perBuffer) * rows, data);
      this.resident = last;
    }
  }
}
