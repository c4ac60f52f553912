/** The `webgpuKernel` option of the calls that have both a hand-written WGSL kernel and gpu.js's generated one. */
import { typeError } from '../errors/index.js';
import type { BackendOptions } from './options.js';

/** Which kernel a WebGPU call runs: the hand-written WGSL one or gpu.js's generated one. */
export type WebGPUKernel = 'wgsl' | 'gpu.js';

/** The options of a call with both WebGPU kernels. */
export interface WebGPUKernelOptions extends BackendOptions {
  /** On the 'webgpu' backend, the kernel to run (default 'wgsl' where the call has one); ignored on other backends. */
  webgpuKernel?: WebGPUKernel;
}

/** `options.webgpuKernel` (undefined when absent), or a TypeError naming `fn` for another value. */
export function readWebGPUKernel(fn: string, options: unknown): WebGPUKernel | undefined {
  const value = (options as WebGPUKernelOptions | undefined)?.webgpuKernel;
  if (value !== undefined && value !== 'wgsl' && value !== 'gpu.js') throw typeError(fn, 'options.webgpuKernel', "'wgsl', 'gpu.js' or undefined", value);
  return value;
}
