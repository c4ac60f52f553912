/**
 * The gpu.js side of the device backends: one `GPU` instance per mode, and a bounded cache of compiled plans (gpu.js
 * pipelines) keyed by kernel and shape.
 */
import type { GPU, IKernelRunShortcut, PipelineFunction } from 'gpu.js';
import type { DeviceMode } from './names.js';
import { loadGpuJs, webGPUContext } from './gpu-js.js';
import { forgetWgslDevice } from './wgsl-device.js';

/** gpu.js's name of each device mode. */
const GPU_JS_MODE = { webasm: 'webasm', webgpu: 'webgpu', webgl: 'webgl2' } as const;

const instances = new Map<DeviceMode, GPU>();

/** The `GPU` instance of `mode`, created on first use. */
export async function gpuFor(mode: DeviceMode): Promise<GPU> {
  let gpu = instances.get(mode);
  if (!gpu) {
    const { GPU } = await loadGpuJs();
    gpu = instances.get(mode) ?? new GPU({ mode: GPU_JS_MODE[mode] });
    instances.set(mode, gpu);
  }
  return gpu;
}

/** A compiled device plan built for one operation and shape: a Promise-returning call and its release. */
export interface DevicePlan {
  run(args: unknown[]): Promise<unknown>;
  destroy(): Promise<void>;
}

/**
 * The plan of gpu.js kernels created for it, chained by `orchestrate` into one gpu.js pipeline: on WebGPU one
 * command encoder, intermediates in device buffers, one readback (on webasm one shared memory). A run that gpu.js
 * degraded to its CPU mode throws. Destroying the plan destroys the pipeline and the kernels.
 */
export function pipelinePlan(gpu: GPU, kernels: IKernelRunShortcut[], orchestrate: PipelineFunction): DevicePlan {
  const pipeline = gpu.createPipeline(orchestrate);
  return {
    async run(args) {
      const result = await pipeline(...(args as Parameters<typeof pipeline>));
      // gpu.js may degrade a kernel it cannot compile to its own CPU mode: a caller who named a device gets it or an
      // error. (Its WebGL kernels report the backend 'gpu' while the instance's mode is 'webgl2'.)
      if (pipeline.backend === 'cpu' && gpu.mode !== 'cpu') {
        throw new Error(`gpu.js ran a ${gpu.mode} plan on '${pipeline.backend}' instead (${pipeline.fallbackReason ?? 'no reason given'})`);
      }
      return result;
    },
    async destroy() {
      await pipeline.destroy();
      for (const k of kernels) k.destroy();
    },
  };
}

interface PlanEntry {
  plan: DevicePlan;
  /** Calls in flight; an evicted plan is destroyed when the last one settles. */
  busy: number;
  evicted: boolean;
}

/** Plans kept per process; the least recently used one beyond this is destroyed. */
const MAX_PLANS = 48;
/** Insertion order is recency order: a hit is deleted and re-inserted. */
const plans = new Map<string, PlanEntry>();

function retire(entry: PlanEntry): void {
  entry.evicted = true;
  if (entry.busy === 0) void entry.plan.destroy();
}

/**
 * Runs the plan of `key` (kernel name and shape, e.g. `fwht:4096x4096:normalized`) on `mode` with `args`, building
 * it with `build` on a cache miss, and resolves to the plan's result (plain typed arrays: one readback at the end).
 * The least recently used plans beyond MAX_PLANS are destroyed (their buffers and pipelines released) once no call
 * of theirs is in flight.
 */
export async function runPlan(mode: DeviceMode, key: string, build: (gpu: GPU) => DevicePlan, args: unknown[]): Promise<unknown> {
  const id = `${mode}|${key}`;
  let entry = plans.get(id);
  if (entry) plans.delete(id);
  else {
    const gpu = await gpuFor(mode);
    entry = plans.get(id) ?? { plan: build(gpu), busy: 0, evicted: false };
    plans.delete(id);
  }
  plans.set(id, entry);
  if (plans.size > MAX_PLANS) {
    const [oldest, evicted] = plans.entries().next().value as [string, PlanEntry];
    plans.delete(oldest);
    retire(evicted);
  }
  entry.busy++;
  try {
    return await entry.plan.run(args);
  } finally {
    entry.busy--;
    if (entry.evicted && entry.busy === 0) void entry.plan.destroy();
  }
}

/** Number of cached plans (for tests of the cache). */
export function cachedPlanCount(): number {
  return plans.size;
}

let generation = 0;

/**
 * How many times disposeDevices() ran: device state made before a call (a layer's resident codes) belongs to
 * destroyed devices after it, and is made again.
 */
export function deviceGeneration(): number {
  return generation;
}

/**
 * Destroys every cached plan, every `GPU` instance (their kernels, buffers and pipelines) and the WebGPU device
 * (the one gpu.js's and the WGSL kernels share); the next device call creates them again, and a layer's codes are
 * uploaded again by its next device product. Resolves when the devices are released. In Node, Dawn's binding keeps
 * about one core busy polling while a WebGPU device exists, even an idle one: call this when the device work is
 * done.
 *
 * @example
 * await fwhtRowsAsync(data, rows, n, { backend: 'webasm' });
 * await disposeDevices(); // frees the compiled kernels and device memory
 */
export async function disposeDevices(): Promise<void> {
  const entries = [...plans.values()];
  plans.clear();
  const gpus = [...instances.values()];
  instances.clear();
  generation++;
  for (const entry of entries) retire(entry);
  await Promise.all(gpus.map((g) => g.destroy()));
  forgetWgslDevice();
  await (await webGPUContext(false))?.destroy();
}
