/**
 * The gpu.js kernel of BlockLDLQ's feedback product on a device: one step of
 *   Y = sum_j A_j L_j,
 * the product of the finished residual columns A[:, q0 .. n) (m rows, held on the device as column panels A_j of
 * k columns each) with the rows of L they multiply, L[q0 .. n, c0 .. c1) (k x w per panel). A step adds one
 * panel's share to the running sum: Y' = Y + A_j L_j, every entry a float32 dot product of length k. Y and Y' are
 * device-resident (a gpu.js pipeline handle on WebGPU, a typed array on webasm), so a product of J panels makes J
 * dispatches and one readback.
 *
 * Y is m x w row-major and flat (output index i w + c); the row i = floor(index / w) is corrected by one where the
 * float32 division rounds across an integer. Every index stays below 2^24 (the caller keeps m k and m w below it),
 * so float32 index arithmetic is exact.
 */
import type { GPU } from 'gpu.js';
import type { DevicePlan } from './device.js';
import type { KernelThis } from './kernel-this.js';

/** k: columns of one resident A panel; w: columns of the product. (A type: gpu.js wants an index signature.) */
type PanelShape = { k: number; w: number };

/** Y'[i][c] = Y[i][c] + sum_t A_j[i][t] L_j[t][c], A_j m x k and L_j k x w, row-major. */
function accumulatePanel(this: KernelThis<PanelShape>, y: number[], a: number[], l: number[]): number {
  const index = this.thread.x;
  const k = this.constants.k;
  const w = this.constants.w;
  let i = Math.floor(index / w);
  if (i * w > index) i = i - 1;
  if ((i + 1) * w <= index) i = i + 1;
  const c = index - i * w;
  let sum = 0;
  for (let t = 0; t < k; t++) sum += a[i * k + t] * l[t * w + c];
  return y[index] + sum;
}

/**
 * The plan of one step for m rows, panels of k columns and products of w columns on `gpu`: a call takes
 * [Y (device-resident, m w), A_j (device-resident, m k), L_j (a k x w Float32Array)] and resolves to Y' (device
 * resident: a new buffer each call, the caller deletes Y once Y' exists).
 */
export function buildFeedbackStepPlan(gpu: GPU, m: number, k: number, w: number): DevicePlan {
  const kernel = gpu.createKernel(accumulatePanel, { output: [m * w], constants: { k, w }, pipeline: true, immutable: true });
  return {
    run: async ([y, a, l]) => kernel(y as number[], a as number[], l as number[]),
    async destroy() {
      kernel.destroy();
    },
  };
}
