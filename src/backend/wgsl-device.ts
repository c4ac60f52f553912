/**
 * The WebGPU device of the hand-written WGSL kernels (gpu.js's own shared device, so that both kinds of kernel use
 * one), and the small buffer helpers those kernels share. Types are structural (the parts of the WebGPU API used
 * here), so the library needs no DOM or @webgpu/types declarations.
 */
import { webGPUContext } from './gpu-js.js';

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
 * The WGSL kernels' device: gpu.js's shared WebGPU device (requested with the adapter's full storage-buffer limits),
 * or null when `navigator.gpu` gives no adapter (callers resolve the backend first, so a null here means the adapter
 * went away). Asked for once; a lost device is asked for again on the next call.
 */
export function wgslDevice(): Promise<WgslDevice | null> {
  device ??= (async () => {
    const context = await webGPUContext(true);
    if (!context) return null;
    const d = (await context.acquire()).device as WgslDevice & { lost: Promise<unknown> };
    void d.lost.then(() => {
      device = undefined;
    });
    return d;
  })().catch(() => null);
  return device;
}

/**
 * Forgets the WGSL kernels' device, so that the next {@link wgslDevice} asks again; disposeDevices() calls it when it
 * destroys gpu.js's device (Dawn's Node binding polls a live device on about one core).
 */
export function forgetWgslDevice(): void {
  device = undefined;
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

/** The u32 word holding the float32 nearest `x` (a float field of a uniform buffer written by uniformBuffer). */
export function floatWord(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0];
}

/** A compiled compute pipeline (the part of a GPUComputePipeline used here). */
export type WgslPipeline = { getBindGroupLayout(i: number): unknown };

/** Workgroups per dimension WebGPU guarantees: larger dispatches are spread over a second dimension. */
const MAX_GROUPS_PER_DIMENSION = 65535;

/**
 * The dispatch size of `count` workgroups (count <= 65535^2): [count, 1, 1] when it fits one dimension, else
 * [65535, ceil(count / 65535), 1]; a kernel recovers its linear workgroup index as wid.x + wid.y * nwg.x and skips
 * the indices >= count.
 */
export function spreadGroups(count: number): [number, number, number] {
  if (count <= MAX_GROUPS_PER_DIMENSION) return [Math.max(1, count), 1, 1];
  return [MAX_GROUPS_PER_DIMENSION, Math.ceil(count / MAX_GROUPS_PER_DIMENSION), 1];
}

/**
 * One operation on the WGSL device: dispatches recorded in order into one compute pass of one command encoder
 * (WebGPU makes each dispatch's storage writes visible to the next), the per-operation buffers it owns, and one
 * readback at the end. Usage: `const r = new WgslRecording(d); r.dispatch(...); ...; await r.read(out, bytes)`;
 * read() (or release(), on an error before it) destroys every buffer the recording created.
 */
export class WgslRecording {
  private readonly encoder: any;
  private readonly pass: any;
  private readonly owned: WgslBuffer[] = [];

  constructor(readonly d: WgslDevice) {
    this.encoder = d.createCommandEncoder();
    this.pass = this.encoder.beginComputePass();
  }

  /** A storage buffer of `bytes` bytes (rounded up to 4) owned by this operation, contents undefined; readable by read(). */
  scratch(bytes: number): WgslBuffer {
    return this.own(this.d.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC }));
  }

  /** A storage buffer holding `data`, written before the recorded work runs, owned by this operation; readable by read(). */
  upload(data: ArrayBufferView): WgslBuffer {
    return this.own(storageBuffer(this.d, data, USAGE.COPY_SRC));
  }

  /** Records a dispatch of `pipeline` over `groups` workgroups with binding i = bindings[i]. */
  dispatch(pipeline: WgslPipeline, bindings: WgslBuffer[], groups: [number, number, number]): void {
    const bindGroup = this.d.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(...groups);
  }

  /** A uniform buffer of the u32 `words`, owned by this operation. */
  uniform(words: number[]): WgslBuffer {
    return this.own(uniformBuffer(this.d, words));
  }

  /**
   * Ends the pass, copies the first `bytes` bytes of `output` to a staging buffer, submits the operation and
   * resolves to those bytes; every buffer of the operation is destroyed afterwards (also on failure).
   */
  async read(output: WgslBuffer, bytes: number): Promise<ArrayBuffer> {
    try {
      const staging = this.own(this.d.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST }));
      this.pass.end();
      this.encoder.copyBufferToBuffer(output, 0, staging, 0, bytes);
      this.d.queue.submit([this.encoder.finish()]);
      await staging.mapAsync(MAP_READ);
      return staging.getMappedRange().slice(0);
    } finally {
      this.release();
    }
  }

  /** Destroys the buffers of the operation (read() does; call it when recording fails before read()). */
  release(): void {
    for (const b of this.owned.splice(0)) b.destroy();
  }

  private own(buffer: WgslBuffer): WgslBuffer {
    this.owned.push(buffer);
    return buffer;
  }
}
