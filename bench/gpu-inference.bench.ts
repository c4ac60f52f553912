/**
 * Compressed inference and nearest-point quantization on the device backends beside the CPU path
 * (`npm run bench -- gpu`): QuantizedLinear.matvecAsync / matmulAsync of a 4096 x 4096 2-bit E8P12 layer under the
 * RHT (batch 1 and 16; on WebGPU both the hand-written WGSL kernel and gpu.js's), and nearestE8P12Async of 10^6
 * vectors, with the adapter's description. The codes and the transform tables are uploaded by the warm-up call and
 * stay on the device, so the figures are per call of the whole of QuIP# Algorithm 2 on the device: the host's
 * power-of-two scaling of x, its upload, the input diagonal and Hadamard transform, the code product, the output
 * transform and diagonal, and the one readback. On a machine without a GPU the WebGPU adapter is a software one
 * (lavapipe): the figures show the path and its overheads, not GPU speed. The same file runs unchanged on a machine
 * with a real GPU.
 */
import ndarray from 'ndarray';
import { disposeDevices, nearestE8P12Async, type ProductOptions } from '../src/backend/index.js';
import { E8P12, QuantizedLinear, randomNormal, randomSigns } from '../src/index.js';
import { deviceBackends } from './devices.js';
import { keep, measure, report, type Column, type Measurement, measureAsync } from './harness.js';

/** The device configurations that run here (each WebGPU kernel separately), after printing each device. */
async function deviceConfigs(): Promise<Array<{ label: string; options: ProductOptions }>> {
  const webgpu = (await deviceBackends()).includes('webgpu');
  const configs: Array<{ label: string; options: ProductOptions }> = [{ label: 'webasm', options: { backend: 'webasm' } }];
  if (webgpu) {
    configs.push({ label: 'webgpu (WGSL)', options: { backend: 'webgpu', webgpuKernel: 'wgsl' } });
    configs.push({ label: 'webgpu (gpu.js)', options: { backend: 'webgpu', webgpuKernel: 'gpu.js' } });
  }
  return configs;
}

/** A random m x n E8P12 layer under the RHT (random codes: the product's cost does not depend on them). */
function randomLayer(m: number, n: number): QuantizedLinear {
  const codes = Uint16Array.from({ length: (m * n) / 8 }, (_, i) => Math.imul(i, 2654435761) >>> 16);
  const incoherence = { method: 'rht' as const, seed: 1, signsU: randomSigns(m, 1, 0), signsV: randomSigns(n, 1, 1) };
  return new QuantizedLinear({ outFeatures: m, inFeatures: n, codebook: 'E8P12', codes, incoherence, scale: 1, rescale: null });
}

/** Code bytes read per second (2 bytes per code, m n / 8 codes per product). */
function codeBandwidth(bytes: number): Column {
  return { header: 'code GB / s', cell: (m) => ((bytes / m.ms) * 1e3 / 1e9).toFixed(2) };
}

async function inferenceBenchmark(configs: Array<{ label: string; options: ProductOptions }>): Promise<void> {
  const m = 4096;
  const n = 4096;
  const layer = randomLayer(m, n);
  const bytes = (m * n) / 4;
  const x = Float32Array.from(randomNormal(n, 2, 0));
  const opts = { warmup: 1, minRuns: 3, maxRuns: 20 };
  const cpu = measure('QuantizedLinear.matvec (CPU)', () => keep(layer.matvec(x)), opts);
  const rows: Measurement[] = [cpu];
  for (const { label, options } of configs) rows.push(await measureAsync(`matvecAsync ${label}`, () => layer.matvecAsync(x, options), opts));
  report(`decode-matvec of a ${m} x ${n} 2-bit E8P12 layer (RHT, y = W_hat x)`, rows, cpu, [codeBandwidth(bytes)]);

  const batch = 16;
  const X = ndarray(Float32Array.from(randomNormal(batch * n, 3, 0)), [batch, n]);
  const cpuB = measure(`QuantizedLinear.matmul (CPU)`, () => keep(layer.matmul(X).data as Float64Array), { ...opts, minRuns: 2 });
  const rowsB: Measurement[] = [cpuB];
  for (const { label, options } of configs) rowsB.push(await measureAsync(`matmulAsync ${label}`, () => layer.matmulAsync(X, options), { ...opts, minRuns: 2 }));
  report(`decode-matmul of the same layer with a batch of ${batch}`, rowsB, cpuB, [codeBandwidth(bytes)]);
  layer.dispose();
}

async function nearestBenchmark(configs: Array<{ label: string; options: ProductOptions }>): Promise<void> {
  const k = 1_000_000;
  const X = Float32Array.from(randomNormal(8 * k, 4, 0));
  const warm = X.subarray(0, 8 * 10_000);
  const cpu = measure('E8P12.quantize (CPU)', () => keep(E8P12.quantize(X).codes), { warmup: 1, minRuns: 2, maxRuns: 2, minTotalMs: 0 });
  const rows: Measurement[] = [cpu];
  const ties: string[] = [];
  for (const backend of new Set(configs.map((c) => c.options.backend))) {
    const label = String(backend);
    const options = { backend };
    await nearestE8P12Async(warm, options); // compiles the kernel
    let nearTies = 0;
    // one timed call of 10^6 rows (tens of seconds on a software device)
    rows.push(await measureAsync(`nearestE8P12Async ${label}`, async () => (nearTies = (await nearestE8P12Async(X, options)).nearTies), { warmup: 0, minRuns: 1, maxRuns: 1, minTotalMs: 0 }));
    ties.push(`${label}: ${nearTies}`);
  }
  report(`E8P12 nearest-point quantization of 10^6 Gaussian vectors (k x 8 float32)`, rows, cpu, [
    { header: 'M vectors / s', cell: (r) => ((k / r.ms) * 1e3 / 1e6).toFixed(2) },
  ]);
  console.log(`near-ties counted (rows where the float32 search may differ from the exact one): ${ties.join(', ')}\n`);
}

export default async function gpuInferenceBenchmarks(): Promise<void> {
  console.log('Compressed inference on the device backends (figures: the whole of Algorithm 2 per call, the input upload and the readback included):\n');
  const configs = await deviceConfigs();
  await inferenceBenchmark(configs);
  await nearestBenchmark(configs);
  await disposeDevices();
}
