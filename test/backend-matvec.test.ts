// QuantizedLinear.matvecAsync / matmulAsync on every available backend, the whole of QuIP# Algorithm 2 on the
// device: the CPU matvec/matmul's answers to float32 round-off for every incoherence method, the transforms never
// run on the host, the codes uploaded once and released by dispose(), the CPU path's errors.
import fc from 'fast-check';
import ndarray from 'ndarray';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cachedPlanCount, disposeDevices } from '../src/backend/index.js';
import { DeviceLayer } from '../src/backend/linear.js';
import type { DeviceMap, DeviceMaps } from '../src/backend/layer-maps.js';
import { DisposedError } from '../src/errors/index.js';
import {
  E8P12,
  E8P12RVQ3B,
  E8P12RVQ4B,
  hadamardBase,
  hadamardFactorization,
  QuantizedLinear,
  randomPhases,
  randomSigns,
  readTorchFile,
  ScalarCodebook,
  type Matrix,
} from '../src/index.js';
import { chunkMajor } from '../src/quantize/decoder.js';
import { deviceMapsOf } from '../src/quantize/device-maps.js';
import { applyInputMap, applyOutputMapTranspose, type IncoherenceRecord } from '../src/quantize/record.js';
import { describeDevices, errorOf } from './backend-helpers.js';
import { sampleBytes } from './interop-samples.js';

// The host transforms, wrapped to count their calls: the device paths must not call them.
vi.mock('../src/quantize/record.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/quantize/record.js')>();
  return { ...original, applyInputMap: vi.fn(original.applyInputMap), applyOutputMapTranspose: vi.fn(original.applyOutputMapTranspose) };
});

afterAll(() => disposeDevices());

const CODEBOOKS = [E8P12, E8P12RVQ3B, E8P12RVQ4B] as const;
type Book = (typeof CODEBOOKS)[number];
type Method = IncoherenceRecord['method'];

/** A seeded stream of uniform numbers in [0, 1). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Random codes of an m x n layer of `codebook` (the second word of E8P12RVQ3B below 256). */
function randomCodes(codebook: Book, m: number, n: number, next: () => number): Uint16Array {
  const codes = new Uint16Array((m * n * codebook.codeWords) / 8);
  for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(next() * (codebook === E8P12RVQ3B && i % 2 === 1 ? 256 : 65536));
  return codes;
}

/** A random record of `method` for an m x n layer (QuIP#'s with random SU, SV and scaleWH). */
function randomRecord(method: Method, m: number, n: number, seed: number, next: () => number): IncoherenceRecord {
  if (method === 'rht') return { method, seed, signsU: randomSigns(m, seed, 0), signsV: randomSigns(n, seed, 1) };
  if (method === 'rfft') return { method, seed, phasesU: randomPhases(m / 2, seed, 2), phasesV: randomPhases(n / 2, seed, 3) };
  if (method === 'quip-sharp') {
    const around = (len: number, lo: number): Float64Array => Float64Array.from({ length: len }, () => (next() < 0.5 ? -1 : 1) * (lo + next()));
    return { method, SU: around(n, 0.5), SV: around(m, 0.01), scaleWH: Float64Array.from({ length: n }, () => 0.5 + next()) };
  }
  return { method: 'none' };
}

/** A random m x n layer of `method`, with a random rescale when `rescale`. */
function randomLayer(codebook: Book, m: number, n: number, seed: number, method: Method, rescale = seed % 2 === 0): QuantizedLinear {
  const next = uniforms(seed);
  const incoherence = randomRecord(method, m, n, seed, next);
  return new QuantizedLinear({
    outFeatures: m,
    inFeatures: n,
    codebook: codebook.name,
    codes: randomCodes(codebook, m, n, next),
    incoherence,
    scale: method === 'quip-sharp' ? 1 : 0.5 + next(),
    rescale: rescale ? Float64Array.from({ length: n }, () => 0.5 + next()) : null,
  });
}

function randomVector(n: number, next: () => number): Float32Array;
function randomVector(n: number, next: () => number, type: 'f32' | 'f64'): Float32Array | Float64Array;
function randomVector(n: number, next: () => number, type: 'f32' | 'f64' = 'f32'): Float32Array | Float64Array {
  const x = type === 'f32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 2 * next() - 1;
  return x;
}

/** The accuracy asserted: |got - want| <= TOL max |want| per row (float32 transforms and sums against float64). */
const TOL = 2e-6;

/** Asserts |got - want| <= TOL max |want| entrywise, for each row of `width` entries; returns the largest ratio. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, width = want.length): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let r = 0; r < want.length; r += width) {
    let max = 0;
    for (let i = r; i < r + width; i++) max = Math.max(max, Math.abs(want[i]));
    for (let i = r; i < r + width; i++) {
      if (!(Math.abs(got[i] - want[i]) <= TOL * max)) expect.fail(`entry ${i}: ${got[i]} vs ${want[i]} (max |y| ${max})`);
      if (max > 0) worst = Math.max(worst, Math.abs(got[i] - want[i]) / max);
    }
  }
  return worst;
}

const rows = (Y: Matrix): Float64Array => Float64Array.from({ length: Y.shape[0] * Y.shape[1] }, (_, k) => Y.get(Math.floor(k / Y.shape[1]), k % Y.shape[1]));

/** The kernels a backend runs for a codebook: both on WebGPU for E8P12, gpu.js's otherwise. */
function kernelsOf(backend: string, codebook: Book): Array<'wgsl' | 'gpu.js'> {
  return backend === 'webgpu' && codebook === E8P12 ? ['wgsl', 'gpu.js'] : ['gpu.js'];
}

/**
 * gpu.js compiles the kernels of a layer's pipeline on WebGPU (a fraction of a second to seconds each on lavapipe),
 * so on WebGPU its kernel runs the fixed layers of the method tests and not the random shapes; the same generated
 * kernels run random shapes on webasm, and the WGSL kernel on WebGPU, at no compile cost.
 */
const randomShapes = (backend: string, kernel: 'wgsl' | 'gpu.js'): boolean => !(backend === 'webgpu' && kernel === 'gpu.js');

/**
 * The layers of the method tests: non-power-of-two Hadamard orders (12 * 64 and 20 * 32 for quipsharp's and
 * QuIP#'s bases), RFFT lengths with a prime factor (k = 344 = 8 * 43 and 43), sizes that are not multiples of any
 * workgroup size.
 */
const METHOD_LAYERS: Array<[Method, number, number]> = [
  ['rht', 640, 768],
  ['rfft', 86, 688],
  ['none', 70, 200],
  ['quip-sharp', 640, 768],
];

/** Measured accuracy per (backend, kernel, method), printed at the end. */
const measured = new Map<string, number>();
afterAll(() => {
  for (const [k, v] of measured) console.log(`max |y - y_cpu| / max |y_cpu|, ${k}: ${v.toExponential(2)}`);
});
const note = (key: string, ratio: number): void => void measured.set(key, Math.max(measured.get(key) ?? 0, ratio));

/** y = D x entrywise. */
const diag = (d: ArrayLike<number> | null, x: Float64Array): Float64Array => (d ? x.map((v, i) => v * d[i]) : x);

/** A DeviceMap's definition applied in float64 by slow explicit sums (layer-maps.ts). */
function applyMap(map: DeviceMap, x: Float64Array): Float64Array {
  if (map.kind === 'identity') return x;
  if (map.kind === 'hadamard') {
    const { m, p, base, scale } = map;
    const y = new Float64Array(x.length);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < p; b++) {
        let s = 0;
        for (let c = 0; c < m; c++) for (let d = 0; d < p; d++) s += base[a * m + c] * (bitParity(b & d) ? -1 : 1) * x[c * p + d];
        y[a * p + b] = scale * s;
      }
    }
    return y;
  }
  const k = map.phases.length;
  const sign = map.inverse ? -1 : 1;
  const z = Float64Array.from(x);
  if (!map.inverse) rotate(z, map.phases, 1);
  const y = new Float64Array(2 * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const t = (-sign * 2 * Math.PI * ((a * b) % k)) / k;
      y[2 * a] += z[2 * b] * Math.cos(t) - z[2 * b + 1] * Math.sin(t);
      y[2 * a + 1] += z[2 * b] * Math.sin(t) + z[2 * b + 1] * Math.cos(t);
    }
  }
  if (map.inverse) rotate(y, map.phases, -1);
  return y.map((v) => v / Math.sqrt(k));
}

function bitParity(v: number): number {
  let p = 0;
  for (; v > 0; v &= v - 1) p ^= 1;
  return p;
}

/** z_j <- z_j e^{sign i phases_j} on interleaved pairs. */
function rotate(z: Float64Array, phases: Float64Array, sign: number): void {
  phases.forEach((phi, j) => {
    const [re, im] = [z[2 * j], z[2 * j + 1]];
    z[2 * j] = re * Math.cos(phi) - sign * im * Math.sin(phi);
    z[2 * j + 1] = sign * re * Math.sin(phi) + im * Math.cos(phi);
  });
}

describe('deviceMapsOf', () => {
  it.each(METHOD_LAYERS.flatMap(([method, m, n]) => [true, false].map((r) => [method, m, n, r] as const)))(
    "%s (%i x %i, rescale %s): the maps' definition is the CPU input and output sides",
    (method, m, n, rescale) => {
      const q = randomLayer(E8P12, m, n, 17, method, rescale);
      const maps: DeviceMaps = deviceMapsOf(q.incoherence, q.rescale, q.scale, m, n);
      for (const d of [maps.inputDiagonal, maps.outputDiagonal]) {
        if (d) expect(Math.max(...d.map(Math.abs))).toBeGreaterThanOrEqual(0.5);
        if (d) expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(1);
      }
      // a random C in place of the codes: the maps around it, in float64, against the CPU's sides around it
      const next = uniforms(3);
      const C = Float64Array.from({ length: m * n }, () => 2 * next() - 1);
      const times = (v: Float64Array): Float64Array => Float64Array.from({ length: m }, (_, i) => v.reduce((a, vj, j) => a + C[i * n + j] * vj, 0));
      const x = Float64Array.from({ length: n }, () => 2 * next() - 1);
      const device = diag(maps.outputDiagonal, applyMap(maps.output, times(applyMap(maps.input, diag(maps.inputDiagonal, x))))).map((v) => v * maps.hostScale);
      const s = q.rescale;
      const cpu = applyOutputMapTranspose(q.incoherence, times(applyInputMap(q.incoherence, s ? x.map((v, j) => v / s[j]) : x.slice())).map((v) => v * q.scale));
      // float32 diagonals and tables: agreement to float32 rounding
      let max = 0;
      for (const v of cpu) max = Math.max(max, Math.abs(v));
      for (let i = 0; i < m; i++) expect(Math.abs(device[i] - cpu[i])).toBeLessThan(1e-6 * max);
    },
  );

  it('uses quipsharp\'s Hadamard split for the RHT and keeps the identity for none', () => {
    const maps = deviceMapsOf({ method: 'rht', seed: 0, signsU: randomSigns(640, 0, 0), signsV: randomSigns(768, 0, 1) }, null, 2, 640, 768);
    const f = hadamardFactorization(768) as { m: number; k: number };
    expect(maps.input).toEqual({ kind: 'hadamard', m: f.m, p: 2 ** f.k, base: Float32Array.from(hadamardBase(f.m)), scale: 1 / Math.sqrt(768) });
    expect(deviceMapsOf({ method: 'none' }, null, 0.5, 4, 8)).toEqual({ inputDiagonal: null, input: { kind: 'identity' }, output: { kind: 'identity' }, outputDiagonal: null, hostScale: 0.5 });
  });
});

describe('on cpu', () => {
  it('matvecAsync and matmulAsync are matvec and matmul exactly', async () => {
    const q = randomLayer(E8P12RVQ4B, 24, 64, 3, 'rht');
    const next = uniforms(9);
    const x = randomVector(64, next, 'f64') as Float64Array;
    expect(await q.matvecAsync(x, { backend: 'cpu' })).toEqual(q.matvec(x));
    const X = ndarray(randomVector(3 * 64, next), [3, 64]);
    expect(rows(await q.matmulAsync(X, { backend: 'cpu' }))).toEqual(rows(q.matmul(X)));
  });
});

describeDevices((backend) => {
  it.each(METHOD_LAYERS)('%s (%i x %i): matvecAsync and matmulAsync agree with the CPU, with the transforms on the device', async (method, m, n) => {
    const hostCalls = (): number => vi.mocked(applyInputMap).mock.calls.length + vi.mocked(applyOutputMapTranspose).mock.calls.length;
    for (const [codebook, rescale] of [[E8P12, true], [E8P12RVQ4B, false], [E8P12RVQ3B, true]] as const) {
      if (backend === 'webgpu' && codebook !== E8P12 && method !== 'rht') continue; // gpu.js compiles per layer on WebGPU
      const q = randomLayer(codebook, m, n, m + n, method, rescale);
      const next = uniforms(m);
      const x = randomVector(n, next);
      const X = ndarray(randomVector(3 * n, next), [3, n]);
      const cpuCalls = hostCalls();
      const want = q.matvec(x);
      const wantB = rows(q.matmul(X));
      expect(hostCalls()).toBeGreaterThan(cpuCalls); // the spies see the CPU path's transforms
      for (const webgpuKernel of kernelsOf(backend, codebook)) {
        const before = hostCalls();
        const y = await q.matvecAsync(x, { backend, webgpuKernel });
        const Y = rows(await q.matmulAsync(X, { backend, webgpuKernel }));
        expect(hostCalls()).toBe(before); // no host transform ran
        note(`${backend} ${webgpuKernel} ${method}`, Math.max(expectClose(y, want), expectClose(Y, wantB, m)));
      }
      q.dispose();
    }
  });

  it('disposeDevices() releases the devices: a layer uploads its codes again on its next product, and an idle process spends no CPU', async () => {
    const q = randomLayer(E8P12, 64, 128, 7, 'rht');
    const x = randomVector(128, uniforms(7));
    const want = q.matvec(x);
    for (const webgpuKernel of kernelsOf(backend, E8P12)) expectClose(await q.matvecAsync(x, { backend, webgpuKernel }), want);
    await disposeDevices();
    for (const webgpuKernel of kernelsOf(backend, E8P12)) expectClose(await q.matvecAsync(x, { backend, webgpuKernel }), want);
    await disposeDevices();
    // Dawn's Node binding polls a live WebGPU device on about one core; after disposeDevices() nothing should run
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const spent = process.cpuUsage(before);
    expect((spent.user + spent.system) / 1e6).toBeLessThan(0.25);
    q.dispose();
  });

  it("a layer QuIP# saved (fromQuipSharp: its H_K tables, SU, SV, scaleWH)", async () => {
    const q = QuantizedLinear.fromQuipSharp(readTorchFile(sampleBytes('B2_attr.pt')) as Record<string, unknown>, { codebook: 'E8P12' });
    expect(q.incoherence.method).toBe('quip-sharp');
    const X = ndarray(randomVector(2 * q.inFeatures, uniforms(4)), [2, q.inFeatures]);
    for (const webgpuKernel of kernelsOf(backend, E8P12)) {
      note(`${backend} ${webgpuKernel} quip-sharp`, expectClose(rows(await q.matmulAsync(X, { backend, webgpuKernel })), rows(q.matmul(X)), q.outFeatures));
    }
    q.dispose();
  });

  it.each(CODEBOOKS.map((c) => [c.name, c] as const))('%s: matvecAsync agrees with matvec on random layers of many shapes', async (_, codebook) => {
    for (const webgpuKernel of kernelsOf(backend, codebook).filter((k) => randomShapes(backend, k))) {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 40 }), fc.integer(), fc.boolean(), async (m, chunks, seed, f64) => {
          const q = randomLayer(codebook, m, 8 * chunks, seed, 'none');
          const x = randomVector(8 * chunks, uniforms(seed + 1), f64 ? 'f64' : 'f32');
          const before = x.slice();
          const y = await q.matvecAsync(x as Float32Array, { backend, webgpuKernel });
          expect(y.constructor).toBe(x.constructor);
          expect(x).toEqual(before);
          expectClose(y, q.matvec(x as Float32Array));
          q.dispose();
        }),
        { numRuns: backend === 'webgpu' ? 4 : 6 },
      );
    }
  });

  it('rfft layers of random even shapes (FFT lengths with any prime factors)', async () => {
    const kernel = backend === 'webgpu' ? 'wgsl' : 'gpu.js';
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.nat(), async (halfM, chunks, seed) => {
        const q = randomLayer(E8P12, 2 * halfM, 8 * chunks, seed, 'rfft');
        const x = randomVector(8 * chunks, uniforms(seed + 1));
        expectClose(await q.matvecAsync(x, { backend, webgpuKernel: kernel }), q.matvec(x));
        q.dispose();
      }),
      { numRuns: 6 },
    );
  });

  it('float64 inputs beyond float32\'s range, tiny ones and rows of zeros', async () => {
    const q = randomLayer(E8P12, 40, 96, 136, 'rht');
    const next = uniforms(5);
    const X = new Float64Array(3 * 96);
    for (let j = 0; j < 96; j++) {
      X[j] = (2 * next() - 1) * 1e300;
      X[96 + j] = (2 * next() - 1) * 1e-300;
    }
    for (const webgpuKernel of kernelsOf(backend, E8P12)) {
      const y = await q.matvecAsync(X.subarray(0, 96), { backend, webgpuKernel });
      expect(y).toBeInstanceOf(Float64Array);
      expectClose(y, q.matvec(X.subarray(0, 96)));
      const Y = rows(await q.matmulAsync(ndarray(X, [3, 96]), { backend, webgpuKernel }));
      expectClose(Y, rows(q.matmul(ndarray(X, [3, 96]))), 40);
      expect(Y.subarray(80).every((v) => v === 0)).toBe(true); // the row of zeros
    }
    q.dispose();
  });

  it('layers of one shape and method share the compiled plan, each with its own tables', async () => {
    const [a, b] = [randomLayer(E8P12, 40, 96, 21, 'rht', true), randomLayer(E8P12, 40, 96, 22, 'rht', true)];
    const x = randomVector(96, uniforms(6));
    for (const webgpuKernel of kernelsOf(backend, E8P12).filter((k) => k === 'gpu.js')) {
      expectClose(await a.matvecAsync(x, { backend, webgpuKernel }), a.matvec(x));
      const plans = cachedPlanCount();
      expectClose(await b.matvecAsync(x, { backend, webgpuKernel }), b.matvec(x));
      expect(cachedPlanCount()).toBe(plans);
    }
    a.dispose();
    b.dispose();
  });

  it('keeps the codes between calls and gives the same answer every call (the codes are not re-read)', async () => {
    const q = randomLayer(E8P12, 50, 64, 11, 'none');
    const x = randomVector(64, uniforms(2));
    for (const webgpuKernel of kernelsOf(backend, E8P12)) {
      const first = await q.matvecAsync(x, { backend, webgpuKernel });
      (q.codes as Uint16Array).fill(0); // the device copy is what later calls use
      expect(await q.matvecAsync(x, { backend, webgpuKernel })).toEqual(first);
    }
    q.dispose();
  });

  it('splits layers beyond one block of code words into column blocks summed on the device', async () => {
    for (const codebook of backend === 'webgpu' ? [E8P12] : CODEBOOKS) {
      const q = randomLayer(codebook, 40, 96, 4, 'rht');
      // blocks of 5 chunks (40 x 5 code rows): 12 chunks in 3 blocks, the last narrower
      const maps = (): DeviceMaps => deviceMapsOf(q.incoherence, q.rescale, q.scale, 40, 96);
      const layer = new DeviceLayer(q.codebookObject, chunkMajor(q.codes, 40, 12, codebook.codeWords), 40, 96, maps, 40 * 5 * codebook.codeWords);
      const X = randomVector(3 * 96, uniforms(8));
      const Y = await layer.use('test', () => layer.forward(backend, 'gpu.js', X, 3));
      expectClose(Y, rows(q.matmul(ndarray(X, [3, 96]))), 40);
      expect(layer.residentBackends).toBe(1);
      layer.dispose();
      expect(layer.residentBackends).toBe(0);
    }
  });

  it('dispose() releases the codes; a disposed layer rejects its async products with DisposedError', async () => {
    const q = randomLayer(E8P12, 20, 16, 1, 'none');
    const x = randomVector(16, uniforms(1));
    const pending = q.matvecAsync(x, { backend });
    q.dispose();
    expectClose(await pending, q.matvec(x)); // a call in flight finishes
    q.dispose(); // idempotent
    for (const call of [() => q.matvecAsync(x, { backend }), () => q.matmulAsync(ndarray(x, [1, 16]), { backend }), () => q.matvecAsync(x, { backend: 'cpu' })]) {
      const e = await errorOf(call);
      expect(e.name).toBe('DisposedError');
      expect(e.message).toMatch(/^QuantizedLinear\.mat(vec|mul)Async: this layer was disposed \(dispose\(\) released its device buffers\)/);
    }
    await expect(q.matvecAsync(x, { backend })).rejects.toBeInstanceOf(DisposedError);
    expect(q.matvec(x).length).toBe(20); // the CPU methods keep working
  });

  it('rejects a codebook no device kernel decodes, and the WGSL kernel for a residual codebook', async () => {
    const scalar = new QuantizedLinear({ outFeatures: 2, inFeatures: 8, codebook: new ScalarCodebook(2), codes: new Uint16Array(16), incoherence: { method: 'none' }, scale: 1, rescale: null });
    const e = await errorOf(() => scalar.matvecAsync(new Float32Array(8), { backend }));
    expect(e.name).toBe('RangeError');
    expect(e.message).toContain(`QuantizedLinear.matvecAsync: this.codebook must be E8P12, E8P12RVQ3B or E8P12RVQ4B on the '${backend}' backend (use 'cpu')`);
    const rvq = randomLayer(E8P12RVQ4B, 2, 8, 1, 'none');
    await expect(rvq.matvecAsync(new Float32Array(8), { backend, webgpuKernel: 'wgsl' })).rejects.toThrow(/options\.webgpuKernel must be 'gpu\.js' for a layer whose codebook is not E8P12/);
  });
});

describe('bad input (the CPU path\'s errors, named for the async call)', () => {
  const q = randomLayer(E8P12, 4, 16, 1, 'none');
  const bad: Array<[string, unknown]> = [
    ['an Int8Array', new Int8Array(16)],
    ['a wrong length', new Float32Array(15)],
    ['a NaN', Float32Array.from({ length: 16 }, (_, i) => (i === 7 ? NaN : 0))],
    ['an Infinity', Float64Array.from({ length: 16 }, (_, i) => (i === 3 ? -Infinity : 0))],
  ];
  it.each(bad)('matvecAsync rejects %s as matvec throws', async (_, x) => {
    const sync = await errorOf(async () => q.matvec(x as Float32Array));
    for (const backend of ['cpu', 'webasm'] as const) {
      const e = await errorOf(() => q.matvecAsync(x as Float32Array, { backend }));
      expect(e).toEqual({ name: sync.name, message: sync.message.replace('QuantizedLinear.matvec:', 'QuantizedLinear.matvecAsync:') });
    }
  });

  it('matmulAsync rejects what matmul rejects', async () => {
    for (const X of [ndarray(new Float32Array(15), [3, 5]), ndarray(Float64Array.of(NaN, ...new Float64Array(15)), [1, 16]), 'X']) {
      const sync = await errorOf(async () => q.matmul(X as never));
      const e = await errorOf(() => q.matmulAsync(X as never, { backend: 'webasm' }));
      expect(e).toEqual({ name: sync.name, message: sync.message.replace('QuantizedLinear.matmul:', 'QuantizedLinear.matmulAsync:') });
    }
  });

  it('rejects bad options and backend names', async () => {
    const x = new Float32Array(16);
    // errors come as rejected promises, never as synchronous throws
    await expect(q.matvecAsync(new Int8Array(16) as never)).rejects.toThrow(TypeError);
    await expect(q.matmulAsync('X' as never)).rejects.toThrow(TypeError);
    await expect(q.matvecAsync(x, 'webgpu' as never)).rejects.toThrow(TypeError);
    await expect(q.matvecAsync(x, { backend: 'gpu' as never })).rejects.toThrow(/QuantizedLinear\.matvecAsync: options\.backend must be one of 'auto', 'cpu'/);
    await expect(q.matvecAsync(x, { backend: 'webasm', webgpuKernel: 'glsl' as never })).rejects.toThrow(/QuantizedLinear\.matvecAsync: options\.webgpuKernel must be 'wgsl', 'gpu\.js' or undefined/);
    await expect(q.matmulAsync(ndarray(x, [1, 16]), { backend: 'webgl' })).rejects.toThrow(/backend 'webgl' is not available here/);
  });
});
