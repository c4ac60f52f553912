/**
 * BlockLDLQ's dense work on a device: the product at the start of each panel of the sweep (the feedback of every
 * finished column into the new panel, X += A[:, p1 .. n) L[p1 .. n, p0 .. p1), about m n^2 / 2 multiply-adds per
 * layer) runs in float32 on a device backend; the small pushes inside a panel (at most 16 terms per entry) stay on
 * the CPU with their fixed summation order. The quantizer inputs therefore differ from the CPU path's only by the
 * float32 rounding of the panel products (about k 2^-24 sum_p |A_ip L_pc| per entry, k = n - p1), which changes a
 * code only where the two nearest codebook points are that close to equidistant.
 *
 * What crosses to the device: each finished column panel of the residual A once (kept there until dispose():
 * gpu.js's kernel holds one m x k buffer per panel, the WGSL kernel whole columns in buffers of at most 128 MiB),
 * and for each product the block of L it reads, L[p1 .. n, p0 .. p1) (each entry of L below the diagonal blocks is
 * read by exactly one product, so it is uploaded once per layer and not kept); what comes back is the m x w panel
 * result. No buffer exceeds the 128 MiB storage-buffer limit, whatever the layer's shape.
 */
import { rangeError } from '../errors/index.js';
import { sweepProductCPU, type SweepProduct } from '../ldlq/index.js';
import { runPlan } from './device.js';
import { buildFeedbackStepPlan } from './feedback-plan.js';
import { buildUploadPlan } from './linear-plan.js';
import { WgslFeedback } from './feedback-wgsl.js';
import type { DeviceMode } from './names.js';

/** Largest float32 index a gpu.js kernel computes exactly. */
const MAX_EXACT = 2 ** 24;
/** Widest panel BlockLDLQ's sweep uses (128 columns, rounded to a multiple of g <= 16). */
const MAX_PANEL = 144;

/** Which kernel a WebGPU sweep runs: the hand-written WGSL one (the default) or gpu.js's generated one. */
export type FeedbackKernel = 'wgsl' | 'gpu.js';

/** A device-resident array: a gpu.js pipeline handle (WebGPU) or a plain typed array (webasm). */
interface Resident {
  toArray?: () => Promise<Float32Array> | Float32Array;
  delete?: () => void;
}

/** Releases a resident array (a no-op for a plain typed array). */
const release = (r: unknown): void => (r as Resident).delete?.();

/**
 * Checks that a layer of m rows can run its feedback products on a device: m <= 2^24 / 144 = 116508, so that every
 * panel buffer of gpu.js's kernel is indexed exactly in float32. Throws RangeError naming `fn` and `arg` otherwise.
 *
 * @example checkFeedbackRows('quantizeLinear', 'W.shape[0]', 4096, 'webgpu') // passes
 */
export function checkFeedbackRows(fn: string, arg: string, m: number, mode: DeviceMode): void {
  const max = Math.floor(MAX_EXACT / MAX_PANEL);
  if (m > max) throw rangeError(fn, arg, `at most ${max} rows on the '${mode}' backend (use 'cpu')`, String(m));
}

/**
 * The device side of one BlockLDLQ sweep over an m x n layer: computes the sweep's products (the panel products
 * on the device, the small pushes on the CPU), keeping the finished residual columns on the device between them.
 * On 'webgpu' the product runs the hand-written WGSL kernel (feedback-wgsl.ts) unless `kernel` is 'gpu.js'; on
 * the other device backends gpu.js's kernel (feedback-plan.ts). One instance per sweep, used in the sweep's
 * order; dispose() releases its buffers (also after a failure).
 *
 * @example
 * const feedback = new DeviceFeedback('webgpu', m, n);
 * try { for (const p of steps) await feedback.compute(p); } finally { feedback.dispose(); }
 */
export class DeviceFeedback {
  private readonly engine: GpuJsFeedback | Promise<WgslFeedback>;
  private disposed = false;

  constructor(
    readonly mode: DeviceMode,
    readonly m: number,
    readonly n: number,
    readonly kernel: FeedbackKernel = 'wgsl',
  ) {
    if (mode === 'webgpu' && kernel === 'wgsl') {
      this.engine = WgslFeedback.create(m, n);
      this.engine.catch(() => undefined); // reported by the first product
    } else this.engine = new GpuJsFeedback(mode, m, n);
  }

  /**
   * Computes the product `p` of the sweep: X[:, c0 - p0 .. c1 - p0) += A[:, q0 .. q1) L[q0 .. q1, c0 .. c1). A panel
   * product (`p.panelStart`, q1 = n) runs on the device in float32 and is added to X in float64; any other runs
   * on the CPU (sweepProductCPU, bit exact). Resolves when X holds the result. Before a panel product, the columns
   * [q0, n) of A that are not yet on the device are uploaded (the panel finished since the previous one).
   * Cost on the device: m (n - q0) (c1 - c0) multiply-adds; one readback of m (c1 - c0) values.
   * Throws Error after dispose() or for a product that is not one of this sweep's (another shape, a panel wider
   * than 144 columns); rejects with the device's error if a dispatch fails.
   */
  async compute(p: SweepProduct): Promise<void> {
    if (!p.panelStart) {
      sweepProductCPU(p);
      return;
    }
    if (this.disposed) throw new Error('DeviceFeedback: used after dispose()');
    const { m, n } = this;
    const w = p.c1 - p.c0;
    if (p.m !== m || p.n !== n || p.q1 !== n || w > MAX_PANEL) throw new Error('DeviceFeedback: not a panel product of this sweep');
    const Y = await (await this.engine).product(p.A, p.L, p.q0, p.c0, w);
    const { X, p0 } = p;
    for (let i = 0; i < m; i++) {
      const row = i * p.w + p.c0 - p0;
      for (let c = 0; c < w; c++) X[row + c] += Y[i * w + c];
    }
  }

  /** Releases every device buffer of this sweep. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void Promise.resolve(this.engine).then((e) => e.release(), () => undefined);
  }
}

/** The gpu.js side of a sweep: the finished columns of A as resident k-column panels, one dispatch per panel. */
class GpuJsFeedback {
  /** The resident column panels of A, from the right: panel j holds columns [n - (j + 1) k, n - j k). */
  private readonly panels: unknown[] = [];
  /** Columns per resident panel k (the width of the sweep's first panel), known from the first panel product. */
  private k = 0;
  /** An m x w zero start of the running sum, per product width w. */
  private readonly zeros = new Map<number, unknown>();

  constructor(
    readonly mode: DeviceMode,
    readonly m: number,
    readonly n: number,
  ) {}

  /** Y = A[:, q0 .. n) L[q0 .. n, c0 .. c0 + w), m x w row-major float32, in (n - q0) / k dispatches. */
  async product(A: Float64Array, L: Float64Array, q0: number, c0: number, w: number): Promise<Float32Array> {
    await this.uploadFinished(A, q0);
    const { m, mode, k } = this;
    let y = await this.zeroStart(w);
    let owned = false; // whether y is this product's own buffer (else the shared zero start)
    try {
      for (let j = 0; j < this.panels.length; j++) {
        const block = lBlock(L, this.n, this.n - (j + 1) * k, k, c0, w);
        const next = await runPlan(mode, `feedback-step:${m}x${k}x${w}`, (gpu) => buildFeedbackStepPlan(gpu, m, k, w), [y, this.panels[j], block]);
        if (owned) release(y);
        y = next;
        owned = true;
      }
      return await readBack(y);
    } finally {
      if (owned) release(y);
    }
  }

  release(): void {
    for (const r of this.panels) release(r);
    for (const r of this.zeros.values()) release(r);
    this.panels.length = 0;
    this.zeros.clear();
  }

  /** Uploads the finished columns [q0, n) not yet resident, one k-column panel at a time. */
  private async uploadFinished(A: Float64Array, q0: number): Promise<void> {
    if (this.k === 0) this.k = this.n - q0;
    const { m, n, k } = this;
    if ((n - q0) % k !== 0 || k > MAX_PANEL) throw new Error('DeviceFeedback: the sweep is not made of equal panels of at most 144 columns');
    while (n - this.panels.length * k > q0) {
      const first = n - (this.panels.length + 1) * k;
      const panel = new Float32Array(m * k);
      for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) panel[i * k + t] = A[i * n + first + t];
      this.panels.push(await upload(this.mode, panel));
    }
  }

  /** The resident m x w zeros the running sum of a w-column product starts from. */
  private async zeroStart(w: number): Promise<unknown> {
    let z = this.zeros.get(w);
    if (z === undefined) {
      z = await upload(this.mode, new Float32Array(this.m * w));
      this.zeros.set(w, z);
    }
    return z;
  }
}
/** `data` copied to a device-resident array on `mode`. */
function upload(mode: DeviceMode, data: Float32Array): Promise<unknown> {
  return runPlan(mode, `codes-upload:${data.length}`, (gpu) => buildUploadPlan(gpu, data.length), [data]);
}

/** The device result `y` (m w float32 values) on the host. */
async function readBack(y: unknown): Promise<Float32Array> {
  const r = y as Resident;
  return (r.toArray ? await r.toArray() : y) as Float32Array;
}

/** L[first .. first + k, c0 .. c0 + w) as a row-major k x w Float32Array (L n x n row-major). */
function lBlock(L: Float64Array, n: number, first: number, k: number, c0: number, w: number): Float32Array {
  const out = new Float32Array(k * w);
  for (let t = 0; t < k; t++) for (let c = 0; c < w; c++) out[t * w + c] = L[(first + t) * n + c0 + c];
  return out;
}
