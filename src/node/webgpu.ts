/**
 * WebGPU in Node through Dawn: the optional peer dependency `webgpu` (node-webgpu), wired into `navigator.gpu`
 * where gpu.js and quipsharp's `'webgpu'` backend look for it.
 */

/** The parts of the `webgpu` package used here. */
interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<unknown> };
  globals: object;
}

/**
 * The GPU object Dawn created. Held until releaseNodeWebGPU: if it is garbage-collected while devices made from it
 * are alive, Dawn can abort the process; while it is referenced, Node does not exit.
 */
let dawnGpu: { requestAdapter(): Promise<unknown> } | undefined;
let wiring: Promise<boolean> | undefined;

async function wire(): Promise<boolean> {
  const name = 'webgpu'; // a variable, so bundlers leave the optional dependency out of the build
  let dawn: DawnModule;
  try {
    dawn = (await import(name)) as DawnModule;
  } catch {
    return false;
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu === undefined) {
    Object.assign(globalThis, dawn.globals);
    dawnGpu = dawn.create([]);
    if (g.navigator === undefined) g.navigator = { gpu: dawnGpu };
    else Object.defineProperty(g.navigator, 'gpu', { value: dawnGpu, configurable: true });
  }
  const gpu = g.navigator?.gpu as { requestAdapter(): Promise<unknown> };
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/**
 * Makes WebGPU available to quipsharp in Node: imports the optional peer dependency `webgpu` (Dawn) when it is
 * installed, installs its globals and `navigator.gpu` (unless a `navigator.gpu` exists already), and resolves to
 * whether a WebGPU adapter answers. It never throws: without the package, or without a Vulkan/Metal/D3D12 driver,
 * it resolves to false and `'auto'` falls back. Idempotent (later calls return the first call's answer).
 *
 * On a Linux machine without a GPU, Mesa's software Vulkan driver (lavapipe) gives an adapter; on Debian 12:
 * `apt-get install -t bookworm-backports mesa-vulkan-drivers` (the default suite's 22.3 is too old).
 *
 * @example
 * ```ts
 * import { useNodeWebGPU } from 'quipsharp/node';
 * if (await useNodeWebGPU()) setBackend('webgpu');
 * ```
 */
export function useNodeWebGPU(): Promise<boolean> {
  wiring ??= wire();
  return wiring;
}

/**
 * Lets a Node process that used WebGPU exit: destroys gpu.js's shared WebGPU device and removes the `navigator.gpu`
 * that {@link useNodeWebGPU} installed (Dawn keeps Node running while it is referenced). Call it last, after
 * `await disposeDevices()`; a later useNodeWebGPU() wires WebGPU again. Does nothing if useNodeWebGPU installed
 * nothing. Never throws.
 *
 * @example
 * ```ts
 * await disposeDevices();
 * await releaseNodeWebGPU(); // the process can now exit
 * ```
 */
export async function releaseNodeWebGPU(): Promise<void> {
  const installed = dawnGpu;
  if (wiring) await wiring;
  wiring = undefined;
  if (installed === undefined) return;
  try {
    const { WebGPUContext } = (await import('gpu.js')) as unknown as { WebGPUContext?: { destroy(): Promise<void> } };
    await WebGPUContext?.destroy();
  } catch {
    // gpu.js not loadable: no device of its to destroy
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu === installed) {
    if (Object.keys(g.navigator).length === 1) delete g.navigator;
    else delete g.navigator.gpu;
  }
  dawnGpu = undefined;
}
