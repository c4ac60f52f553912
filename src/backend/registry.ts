/**
 * The current backend, the availability probes, and the resolution of a requested backend name to one that runs
 * here. `'auto'` prefers WebGPU (an adapter must answer), then WebGL2, then the CPU, and never fails; a backend
 * named explicitly that cannot run throws BackendUnavailableError saying how to enable it.
 */
import { BackendUnavailableError } from '../errors/index.js';
import { loadGpuJs } from './gpu-js.js';
import { readBackendName, type BackendName, type ResolvedBackend } from './names.js';

// The CPU by default: the library's exact answers (bit for bit the synchronous functions') and no gpu.js loaded
// until a device is asked for; setBackend('auto') opts every device-capable call into the best device here.
let current: BackendName = 'cpu';

/**
 * Sets the backend every device-capable call uses when its `{ backend }` option is omitted (initially `'cpu'`).
 * Only the name is checked here; whether the backend can run is checked by the first call that uses it (WebGPU's
 * adapter answers asynchronously). Throws TypeError for a non-string, RangeError for an unknown name (listing the
 * supported ones).
 *
 * @example setBackend('webasm'); await fwhtRowsAsync(data, rows, n) // runs as WebAssembly
 */
export function setBackend(name: BackendName): void {
  current = readBackendName('setBackend', 'name', name);
}

/**
 * The backend name set by {@link setBackend} (`'cpu'` unless changed), unresolved.
 *
 * @example getBackend() // 'cpu'
 */
export function getBackend(): BackendName {
  return current;
}

/** The WebGPU adapter's self-description, as far as the adapter gives one. */
interface AdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

let adapterProbe: { gpu: GpuLike; adapter: Promise<AdapterLike | null> } | undefined;

/** The WebGPU adapter of `navigator.gpu`, or null: probed once per `navigator.gpu` object (it may be wired later). */
function webgpuAdapter(): Promise<AdapterLike | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return Promise.resolve(null);
  if (adapterProbe?.gpu !== gpu) adapterProbe = { gpu, adapter: gpu.requestAdapter().catch(() => null) };
  return adapterProbe.adapter;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

const HOW_TO_ENABLE = {
  webgpu: isNode
    ? "no WebGPU adapter answered. In Node install the optional peer dependency 'webgpu' (npm install webgpu) and " +
      'a Vulkan driver (Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers), then ' +
      "await useNodeWebGPU() from 'quipsharp/node' before the first call"
    : 'navigator.gpu gave no adapter: use a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu; ' +
      'software rendering: --use-webgpu-adapter=swiftshader)',
  webgl: isNode
    ? "WebGL2 needs a browser (gpu.js's headless-gl is not supported); in Node use 'webgpu' or 'webasm'"
    : 'this browser gives no WebGL2 context (hardware acceleration or WebGL may be disabled)',
  webasm: 'this JavaScript engine has no WebAssembly (or gpu.js rejects it)',
} as const;

/** gpu.js, or null where the optional peer dependency is not installed. */
async function gpuJsIfInstalled(): Promise<Awaited<ReturnType<typeof loadGpuJs>> | null> {
  try {
    return await loadGpuJs();
  } catch {
    return null;
  }
}

/** Every device backend runs gpu.js kernels: without the package none is available. */
const INSTALL_GPU_JS = "the device backends run gpu.js kernels: install the optional peer dependency 'gpu.js' (npm install gpu.js)";

/** Why `name` cannot run here (and how to enable it), or null when it can. */
async function unavailable(name: ResolvedBackend): Promise<string | null> {
  if (name === 'cpu') return null;
  const gpuJs = await gpuJsIfInstalled();
  if (!gpuJs) return INSTALL_GPU_JS;
  const ok = name === 'webgpu' ? (await webgpuAdapter()) !== null : name === 'webgl' ? gpuJs.GPU.isWebGL2Supported : gpuJs.GPU.isWebAssemblySupported;
  return ok ? null : HOW_TO_ENABLE[name];
}

/**
 * The backend a call of `fn` runs on: `requested` (the call's argument `arg`, by default its `{ backend }` option;
 * checked; the current backend when undefined), with `'auto'` resolved. Throws TypeError/RangeError for a bad name, BackendUnavailableError
 * when the backend named cannot run here.
 */
export async function resolveBackend(fn: string, requested: unknown, arg = 'options.backend'): Promise<ResolvedBackend> {
  const name = requested === undefined ? current : readBackendName(fn, arg, requested);
  if (name === 'auto') {
    if ((await unavailable('webgpu')) === null) return 'webgpu';
    if ((await unavailable('webgl')) === null) return 'webgl';
    return 'cpu';
  }
  const why = await unavailable(name);
  if (why !== null) throw new BackendUnavailableError(fn, name, why);
  return name;
}

/** What {@link describeBackend} reports. */
export interface BackendDescription {
  /** The backend calls run on (after resolving `'auto'`). */
  backend: ResolvedBackend;
  /** The device: the WebGPU adapter's vendor, architecture, device and description, or what runs the kernels. */
  device: string;
  /** For WebGPU: whether the adapter is a software fallback (lavapipe, SwiftShader); otherwise undefined. */
  isFallbackAdapter?: boolean;
}

/**
 * The backend `name` resolves to (default: the current one) and a description of the device behind it, for
 * benchmark reports. Throws as the device calls do for a bad or unavailable backend.
 *
 * @example await describeBackend('webgpu') // { backend: 'webgpu', device: 'mesa llvmpipe ...', isFallbackAdapter: true }
 */
export async function describeBackend(name?: BackendName): Promise<BackendDescription> {
  const backend = await resolveBackend('describeBackend', name, 'name');
  if (backend === 'cpu') return { backend, device: 'TypeScript on the main thread' };
  if (backend === 'webasm') return { backend, device: 'WebAssembly (f32x4 SIMD) via gpu.js' };
  if (backend === 'webgl') return { backend, device: 'WebGL2 via gpu.js' };
  const adapter = (await webgpuAdapter()) as AdapterLike;
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p) => p);
  const isFallbackAdapter = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  return { backend, device: parts.length > 0 ? parts.join(' / ') : 'unnamed WebGPU adapter', isFallbackAdapter };
}
