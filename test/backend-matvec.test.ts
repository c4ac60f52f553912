// QuantizedLinear.matvecAsync / matmulAsync on every available backend: the CPU matvec/matmul's answers to float32
// round-off, the codes uploaded once and released by dispose(), the CPU path's errors.
import fc from 'fast-check';
import ndarray from 'ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeDevices } from '../src/backend/index.js';
import { DeviceLayer } from '../src/backend/linear.js';
import { DisposedError } from '../src/errors/index.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, QuantizedLinear, randomSigns, ScalarCodebook, type Matrix } from '../src/index.js';
import { chunkMajor } from '../src/quantize/decoder.js';
import { describeDevices, errorOf } from './backend-helpers.js';

afterAll(() => disposeDevices());

const CODEBOOKS = [E8P12, E8P12RVQ3B, E8P12RVQ4B] as const;
type Book = (typeof CODEBOOKS)[number];

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

/** A random m x n layer: no incoherence, or RHT when both sizes are Hadamard orders; a random rescale or none. */
function randomLayer(codebook: Book, m: number, n: number, seed: number, rht: boolean): QuantizedLinear {
  const next = uniforms(seed);
  const incoherence = rht ? { method: 'rht' as const, seed, signsU: randomSigns(m, seed, 0), signsV: randomSigns(n, seed, 1) } : { method: 'none' as const };
  const rescale = next() < 0.5 ? null : Float64Array.from({ length: n }, () => 0.5 + next());
  return new QuantizedLinear({ outFeatures: m, inFeatures: n, codebook: codebook.name, codes: randomCodes(codebook, m, n, next), incoherence, scale: 0.5 + next(), rescale });
}

function randomVector(n: number, next: () => number): Float32Array;
function randomVector(n: number, next: () => number, type: 'f32' | 'f64'): Float32Array | Float64Array;
function randomVector(n: number, next: () => number, type: 'f32' | 'f64' = 'f32'): Float32Array | Float64Array {
  const x = type === 'f32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 2 * next() - 1;
  return x;
}

/** Asserts |got - want| <= 1e-5 max |want| entrywise (float32 sums against float64 ones). */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * max)) expect.fail(`entry ${i}: ${got[i]} vs ${want[i]} (max |y| ${max})`);
  }
}

const rows = (Y: Matrix): Float64Array => Float64Array.from({ length: Y.shape[0] * Y.shape[1] }, (_, k) => Y.get(Math.floor(k / Y.shape[1]), k % Y.shape[1]));

/** The kernels a backend runs for a codebook: both on WebGPU for E8P12, gpu.js's otherwise. */
function kernelsOf(backend: string, codebook: Book): Array<'wgsl' | 'gpu.js'> {
  return backend === 'webgpu' && codebook === E8P12 ? ['wgsl', 'gpu.js'] : ['gpu.js'];
}

/**
 * gpu.js compiles a WebGPU kernel per shape (one to four seconds each on lavapipe), so on WebGPU its kernel runs the
 * few fixed shapes of the RHT, matmul and block tests (which share compiled plans) and not the random shapes; the
 * same generated kernel runs random shapes on webasm, and the WGSL kernel on WebGPU, at no compile cost.
 */
const randomShapes = (backend: string, kernel: 'wgsl' | 'gpu.js'): boolean => !(backend === 'webgpu' && kernel === 'gpu.js');

describe('on cpu', () => {
  it('matvecAsync and matmulAsync are matvec and matmul exactly', async () => {
    const q = randomLayer(E8P12RVQ4B, 24, 64, 3, true);
    const next = uniforms(9);
    const x = randomVector(64, next, 'f64') as Float64Array;
    expect(await q.matvecAsync(x, { backend: 'cpu' })).toEqual(q.matvec(x));
    const X = ndarray(randomVector(3 * 64, next), [3, 64]);
    expect(rows(await q.matmulAsync(X, { backend: 'cpu' }))).toEqual(rows(q.matmul(X)));
  });
});

describeDevices((backend) => {
  it.each(CODEBOOKS.map((c) => [c.name, c] as const))('%s: matvecAsync agrees with matvec on random layers of many shapes', async (_, codebook) => {
    for (const webgpuKernel of kernelsOf(backend, codebook).filter((k) => randomShapes(backend, k))) {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 40 }), fc.integer(), fc.boolean(), async (m, chunks, seed, f64) => {
          const q = randomLayer(codebook, m, 8 * chunks, seed, false);
          const x = randomVector(8 * chunks, uniforms(seed + 1), f64 ? 'f64' : 'f32');
          const before = x.slice();
          const y = await q.matvecAsync(x as Float32Array, { backend, webgpuKernel });
          expect(y.constructor).toBe(x.constructor);
          expect(x).toEqual(before);
          expectClose(y, q.matvec(x as Float32Array));
          q.dispose();
        }),
        { numRuns: 8 },
      );
    }
  });

  it.each(CODEBOOKS.map((c) => [c.name, c] as const))('%s: includes the RHT transforms and the rescale (a 40 x 96 layer)', async (_, codebook) => {
    const q = randomLayer(codebook, 40, 96, 136, true);
    const x = randomVector(96, uniforms(5));
    for (const webgpuKernel of kernelsOf(backend, codebook)) expectClose(await q.matvecAsync(x, { backend, webgpuKernel }), q.matvec(x));
    q.dispose();
  });

  it.each(CODEBOOKS.map((c) => [c.name, c] as const))('%s: matmulAsync agrees with matmul for batches not a multiple of 4', async (_, codebook) => {
    for (const webgpuKernel of kernelsOf(backend, codebook)) {
      const shapes = [[29, 3, 3, false], [40, 12, 5, true], [5, 3, 17, false], [70, 9, 6, false]] as const;
      for (const [m, chunks, batch, rht] of shapes.slice(0, randomShapes(backend, webgpuKernel) ? 4 : 1)) {
        const q = randomLayer(codebook, m, 8 * chunks, m * batch, rht);
        const data = randomVector(batch * 8 * chunks, uniforms(batch));
        // a transposed view: matmulAsync reads any 2-D view
        const X = ndarray(data, [8 * chunks, batch]).transpose(1, 0);
        expectClose(rows(await q.matmulAsync(X, { backend, webgpuKernel })), rows(q.matmul(X)));
        q.dispose();
      }
    }
  });

  it('keeps the codes between calls and gives the same answer every call (the codes are not re-read)', async () => {
    const q = randomLayer(E8P12, 50, 64, 11, false);
    const x = randomVector(64, uniforms(2));
    for (const webgpuKernel of kernelsOf(backend, E8P12)) {
      const first = await q.matvecAsync(x, { backend, webgpuKernel });
      (q.codes as Uint16Array).fill(0); // the device copy is what later calls use
      expect(await q.matvecAsync(x, { backend, webgpuKernel })).toEqual(first);
    }
    q.dispose();
  });

  it('splits layers beyond one block of code words into column blocks summed on the host', async () => {
    for (const codebook of CODEBOOKS) {
      for (const kernel of kernelsOf(backend, codebook)) {
        const q = randomLayer(codebook, 29, 8 * 9, 4, false);
        // blocks of 3 chunks (29 x 3 code rows), one shape: 9 chunks in 3 blocks
        const layer = new DeviceLayer(q.codebookObject, chunkMajor(q.codes, 29, 9, codebook.codeWords), 29, 8 * 9, 29 * 3 * codebook.codeWords);
        const X = randomVector(3 * 8 * 9, uniforms(8));
        const Y = await layer.use('test', () => layer.product(backend, kernel, X, 3));
        const want = new Float64Array(3 * 29);
        for (let b = 0; b < 3; b++) want.set(q.matvec(Float64Array.from(X.subarray(b * 72, (b + 1) * 72))).map((v) => v / q.scale), b * 29);
        expectClose(Y, want);
        expect(layer.residentBackends).toBe(1);
        layer.dispose();
        expect(layer.residentBackends).toBe(0);
      }
    }
  });

  it('dispose() releases the codes; a disposed layer rejects its async products with DisposedError', async () => {
    const q = randomLayer(E8P12, 20, 16, 1, false);
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
    const rvq = randomLayer(E8P12RVQ4B, 2, 8, 1, false);
    await expect(rvq.matvecAsync(new Float32Array(8), { backend, webgpuKernel: 'wgsl' })).rejects.toThrow(/options\.webgpuKernel must be 'gpu\.js' for a layer whose codebook is not E8P12/);
  });
});

describe('bad input (the CPU path\'s errors, named for the async call)', () => {
  const q = randomLayer(E8P12, 4, 16, 1, false);
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
