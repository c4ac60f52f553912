/** The names of the compute backends and the check of a backend argument. */
import { rangeError, typeError } from '../errors/index.js';

/** Every name `setBackend` and the `{ backend }` option accept. */
export const BACKEND_NAMES = ['auto', 'cpu', 'webasm', 'webgpu', 'webgl'] as const;

/**
 * A compute backend: `'cpu'` is the library's own TypeScript; `'webasm'` (WebAssembly with SIMD), `'webgpu'` (WGSL
 * compute shaders) and `'webgl'` (WebGL2 fragment shaders) run gpu.js kernels; `'auto'` picks WebGPU when an
 * adapter answers, else WebGL2, else the CPU.
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A backend after `'auto'` is resolved. */
export type ResolvedBackend = Exclude<BackendName, 'auto'>;

/** A backend that runs gpu.js kernels. */
export type DeviceMode = Exclude<ResolvedBackend, 'cpu'>;

/** `value` as a BackendName, or a TypeError (not a string) / RangeError (an unknown name) naming `fn` and `arg`. */
export function readBackendName(fn: string, arg: string, value: unknown): BackendName {
  const expected = `one of ${BACKEND_NAMES.map((n) => `'${n}'`).join(', ')}`;
  if (typeof value !== 'string') throw typeError(fn, arg, expected, value);
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) throw rangeError(fn, arg, expected, JSON.stringify(value));
  return value as BackendName;
}
