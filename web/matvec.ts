/**
 * Compressed inference on the page: y = W_hat x from the 16-bit codes, on the backend the user picks (the
 * library's TypeScript, or its WebAssembly, WebGL2 and WebGPU kernels).
 */
import { randomNormal, type QuantizedLinear } from 'quipsharp';

/** The backends a product can run on, as the library names them ('auto' aside: the page always names one). */
type BackendName = Exclude<NonNullable<NonNullable<Parameters<QuantizedLinear['matvecAsync']>[1]>['backend']>, 'auto'>;

/** A backend the page can run matvec on, with the label its menu shows. */
export interface MatvecBackend {
  name: string;
  label: string;
}

/** The part of the WebGPU API read here (the DOM typings have no WebGPU). */
interface WebGPUNavigator {
  gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> };
}

/**
 * The backends this browser offers for matvec: 'cpu' (the library's TypeScript) always; 'webasm' where
 * WebAssembly runs; 'webgl' where a WebGL2 context can be created; 'webgpu' where navigator.gpu gives an
 * adapter (its vendor and architecture in the label). Cost: one WebGL2 context (released at once) and one adapter request.
 *
 * @example (await matvecBackends()).map((b) => b.name) // ['cpu', 'webasm', 'webgl', 'webgpu'] in Chromium
 */
export async function matvecBackends(): Promise<MatvecBackend[]> {
  const offered: MatvecBackend[] = [{ name: 'cpu', label: 'cpu (TypeScript)' }];
  if (typeof WebAssembly === 'object') offered.push({ name: 'webasm', label: 'webasm (WebAssembly)' });
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl) {
    offered.push({ name: 'webgl', label: 'webgl (WebGL2)' });
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
  const adapter = await (navigator as WebGPUNavigator).gpu?.requestAdapter().catch(() => null);
  if (adapter) {
    const { vendor, architecture, description } = adapter.info ?? {};
    const name = [vendor, architecture, description].filter((part) => part).join(' ');
    offered.push({ name: 'webgpu', label: `webgpu (${name || 'an unnamed adapter'})` });
  }
  return offered;
}

/** The input vector of the page's matvec: n standard normal samples of `seed` (stream 7), as float32. */
export function matvecInput(n: number, seed: number): Float32Array {
  return Float32Array.from(randomNormal(n, seed, 7));
}

/** The result of {@link runMatvec}. */
export interface MatvecRun {
  backend: string;
  y: Float32Array;
  /** Median wall-clock milliseconds of one call over the timed repetitions. */
  milliseconds: number;
}

/** One product on `backend`: the layer's synchronous matvec on 'cpu', its device twin matvecAsync elsewhere. */
function product(layer: QuantizedLinear, x: Float32Array, backend: BackendName): Promise<Float32Array> | Float32Array {
  return backend === 'cpu' ? layer.matvec(x) : layer.matvecAsync(x, { backend });
}

/**
 * y = W_hat x (float32, length m for x of length n) on `backend`, timed over `repeats` calls after one warm-up
 * call (which on a device also uploads the codes, kept there for the later calls). Rejects with RangeError for a
 * backend {@link matvecBackends} does not list, and with the layer's errors (a wrong x; BackendUnavailableError
 * when the library cannot run the backend after all).
 *
 * @example const { y } = await runMatvec(layer, matvecInput(layer.inFeatures, 0), 'webgpu');
 */
export async function runMatvec(layer: QuantizedLinear, x: Float32Array, backend: string, repeats = 5): Promise<MatvecRun> {
  if (!(await matvecBackends()).some((b) => b.name === backend)) throw new RangeError(`runMatvec: backend must be one this page offers, got ${JSON.stringify(backend)}`);
  const name = backend as BackendName;
  const y = await product(layer, x, name);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await product(layer, x, name);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { backend, y, milliseconds: times[Math.floor(times.length / 2)] };
}

/**
 * max_i |y_i - (W_hat x)_i| / max_i |(W_hat x)_i| with W_hat = layer.dequantize() multiplied out densely in
 * float64: how far the compressed float32 product is from the dense one (float32 round-off, about 1e-6).
 * Cost: O(m n) and one dequantization.
 *
 * @example denseDeviation(layer, x, (await runMatvec(layer, x, 'cpu')).y) // < 1e-5
 */
export function denseDeviation(layer: QuantizedLinear, x: Float32Array, y: Float32Array): number {
  const { data } = layer.dequantize();
  const m = layer.outFeatures;
  const n = layer.inFeatures;
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += data[i * n + j] * x[j];
    worst = Math.max(worst, Math.abs(y[i] - s));
    largest = Math.max(largest, Math.abs(s));
  }
  return largest === 0 ? worst : worst / largest;
}
