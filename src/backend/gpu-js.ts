/**
 * gpu.js, loaded on first use (CPU-only callers never load it), and its shared WebGPU device, which the
 * hand-written WGSL kernels use too (one device per process for both kinds of kernel).
 */

type GpuJs = typeof import('gpu.js');

let gpuJs: Promise<GpuJs> | undefined;

/** The gpu.js module, imported on the first call. */
export function loadGpuJs(): Promise<GpuJs> {
  gpuJs ??= import('gpu.js').then((m) => ((m as { GPU?: unknown }).GPU ? m : (m as unknown as { default: GpuJs }).default));
  return gpuJs;
}

/** gpu.js's module-level WebGPU device (not in its type declarations): requested once, shared by its kernels. */
interface WebGPUContextClass {
  acquire(): Promise<{ device: unknown }>;
  destroy(): Promise<void>;
}

/** gpu.js's WebGPUContext, or undefined when gpu.js was never loaded (then no device of its exists). */
export async function webGPUContext(load: boolean): Promise<WebGPUContextClass | undefined> {
  if (!gpuJs && !load) return undefined;
  return ((await loadGpuJs()) as unknown as { WebGPUContext?: WebGPUContextClass }).WebGPUContext;
}
