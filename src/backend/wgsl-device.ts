/**
 * The WebGPU device of the hand-written WGSL kernels (gpu.js keeps its own): requested once from `navigator.gpu`
 * with the adapter's full storage-buffer limits, and the small buffer helpers those kernels share. Types are
 * structural (the parts of the WebGPU API used here), so the library needs no DOM or @webgpu/types declarations.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- the WebGPU objects are typed structurally below */

/** The parts of a GPUBuffer used here. */
export interface WgslBuffer {
  readonly size: number;
  destroy(): void;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/** The parts of a GPUDevice used here. */
export interface WgslDevice {
  readonly limits: { maxStorageBufferBindingSize: number; maxComputeWorkgroupsPerDimension: number };
  readonly queue: { writeBuffer(buffer: WgslBuffer, offset: number, data: ArrayBufferView): void; submit(commands: unknown[]): void };
  createBuffer(descriptor: { size: number; usage: number }): WgslBuffer;
  createShaderModule(descriptor: { code: string }): unknown;
  createComputePipeline(descriptor: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): { getBindGroupLayout(i: number): unknown };
  createBindGroup(descriptor: { layout: unknown; entries: Array<{ binding: number; resource: { buffer: WgslBuffer } }> }): unknown;
  createCommandEncoder(): any;
  pushErrorScope(filter: 'validation'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** GPUBufferUsage flags. */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** GPUMapMode.READ. */
const MAP_READ = 0x1;

let device: Promise<WgslDevice | null> | undefined;

/**
 * The WGSL kernels' device, or null when `navigator.gpu` gives no adapter (callers resolve the backend first, so a
 * null here means the adapter went away). Requested once; a lost device is requested again on the next call.
 */
export function wgslDevice(): Promise<WgslDevice | null> {
  device ??= (async () => {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<any> } } }).navigator?.gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (!adapter) return null;
    const d = (await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    })) as WgslDevice & { lost: Promise<unknown> };
    void d.lost.then(() => {
      device = undefined;
    });
    return d;
  })().catch(() => null);
  return device;
}

/** A storage buffer holding `data` (padded to a multiple of 4 bytes), written once. */
export function storageBuffer(d: WgslDevice, data: ArrayBufferView, extraUsage = 0): WgslBuffer {
  const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
  const buffer = d.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_DST | extraUsage });
  if (data.byteLength % 4 === 0) d.queue.writeBuffer(buffer, 0, data);
  else {
    const padded = new Uint8Array(size);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    d.queue.writeBuffer(buffer, 0, padded);
  }
  return buffer;
}

/** A uniform buffer holding the u32 values `words`. */
export function uniformBuffer(d: WgslDevice, words: number[]): WgslBuffer {
  const data = Uint32Array.from({ length: Math.ceil(words.length / 4) * 4 }, (_, i) => words[i] ?? 0);
  const buffer = d.createBuffer({ size: data.byteLength, usage: USAGE.UNIFORM | USAGE.COPY_DST });
  d.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** A compute pipeline of `code` (entry point `main`), or an Error with the compiler's message. */
export async function computePipeline(d: WgslDevice, code: string): Promise<{ getBindGroupLayout(i: number): unknown }> {
  d.pushErrorScope('validation');
  const pipeline = d.createComputePipeline({ layout: 'auto', compute: { module: d.createShaderModule({ code }), entryPoint: 'main' } });
  const error = await d.popErrorScope();
  if (error) throw new Error(`WGSL pipeline: ${error.message}`);
  return pipeline;
}

/**
 * Runs one dispatch of `pipeline` over `groups` workgroups with the buffers `bindings` (binding i = bindings[i]) and
 * reads back `bytes` bytes of `output`. The staging buffer is created and destroyed per call.
 */
export async function dispatchAndRead(
  d: WgslDevice,
  pipeline: { getBindGroupLayout(i: number): unknown },
  bindings: WgslBuffer[],
  groups: [number, number, number],
  output: WgslBuffer,
  bytes: number,
): Promise<ArrayBuffer> {
  const bindGroup = d.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const staging = d.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const encoder = d.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...groups);
    pass.end();
    encoder.copyBufferToBuffer(output, 0, staging, 0, bytes);
    d.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_READ);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}
