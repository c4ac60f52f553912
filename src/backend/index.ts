/**
 * Compute backends: the registry (`setBackend`, `getBackend`, `'auto'`), the device plumbing on gpu.js, and the
 * device kernels with their CPU twins.
 *
 * Public: setBackend, getBackend, describeBackend, disposeDevices, the BackendName type, and the async calls
 * fwhtRowsAsync, hadamardTransformRowsAsync, decodeRowsAsync, randomSignsAsync. Each async call resolves on the
 * backend of its `{ backend }` option ('auto', 'cpu', 'webasm', 'webgpu', 'webgl'; default: the current one) and
 * gives the CPU function's answer (bit for bit for integer and codebook paths, to float32 rounding for sums).
 *
 * ## Internal API (for other folders' device kernels)
 *
 * **Define a kernel with a CPU twin.** Write the public async function as these do (fwht.ts is the model):
 * 1. check every argument under the public name, exactly as the CPU function does (same messages), before
 *    anything runs, so both paths reject the same inputs;
 * 2. `const mode = await resolveBackend(fn, options.backend)` (readOptions reads `{ backend, ...flags }`);
 * 3. `mode === 'cpu'`: call the CPU function (on a copy when it works in place) and return its result;
 * 4. otherwise `await runPlan(mode, key, build, args)`: `key` names the kernel and the shape (`'decode:3:4096'`),
 *    `build(gpu)` returns a DevicePlan, normally `pipelinePlan(gpu, kernels, orchestrate)` over kernels made with
 *    `gpu.createKernel(fn, { output: [count], constants })` (kernel bodies: see kernel-this.ts). Static tables
 *    go in `constants` (built once per plan); per-call data in arguments; gpu.js hands every argument over as
 *    float32, so integers must stay below 2^24 (pack at most 16 bits per value) and one dispatch at most 2^24
 *    outputs (chunk larger work, see fwht.ts).
 * The test file test/backend-<name>.test.ts then checks the device path against the CPU twin on every available
 * backend (test/backend-helpers.ts lists them and skips WebGPU without an adapter).
 *
 * **Keep buffers on the device between the kernels of one operation.** Chain the kernels inside one
 * `pipelinePlan` orchestration (`(x) => mix(pass(pass(x, 1, 16, 1), 16, 16, s), s)`): gpu.js records the chain
 * once, keeps intermediates in device buffers (WebGPU: one command encoder; webasm: one shared memory) and reads
 * back only the result. Data that must outlive one call (a layer's codes) is the next step: upload it through a
 * `pipeline: true` kernel, keep the handle, and release it with the handle's `delete()` on dispose.
 *
 * **Dispose.** Plans are cached per (mode, key), the least recently used destroyed beyond 48 (after their calls in
 * flight settle); `disposeDevices()` destroys every plan and every gpu.js `GPU` instance.
 */
export { BACKEND_NAMES } from './names.js';
export type { BackendName, ResolvedBackend, DeviceMode } from './names.js';
export { setBackend, getBackend, describeBackend, resolveBackend } from './registry.js';
export type { BackendDescription } from './registry.js';
export { disposeDevices, runPlan, pipelinePlan, cachedPlanCount } from './device.js';
export type { DevicePlan } from './device.js';
export { readOptions } from './options.js';
export type { BackendOptions } from './options.js';
export type { KernelThis } from './kernel-this.js';
export { fwhtRowsAsync, hadamardTransformRowsAsync } from './fwht.js';
export type { FwhtAsyncOptions, HadamardTransformAsyncOptions } from './fwht.js';
export { decodeRowsAsync } from './decode.js';
export { randomSignsAsync } from './signs.js';
// For quantize/: BlockLDLQ's panel products on a device (quantizeLinear with a device backend).
export { DeviceFeedback, checkFeedbackRows } from './feedback.js';
export type { FeedbackKernel } from './feedback.js';
// For quantize/ (QuantizedLinear's async products) and public: the codes of a layer kept on a device.
export { DeviceLayer } from './linear.js';
export type { DeviceMap, DeviceMaps } from './layer-maps.js';
export type { ProductOptions } from './linear.js';
export type { WebGPUKernel, WebGPUKernelOptions } from './webgpu-kernel.js';
export { nearestE8P12Async } from './nearest.js';
export type { NearestE8P12Result } from './nearest.js';
