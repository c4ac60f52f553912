// The WGSL incoherence maps (wgsl-transform.ts) against their CPU twins, and a whole WGSL layer's forward() (QuIP#
// Algorithm 2 on the device) against the float64 composition of the decoded codes and the maps. WebGPU only.
//
// Accuracy is measured as max |device - cpu| / max |cpu| over each case (float32 device, float64 CPU); the worst
// ratio of each kind is printed at the end.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { e8p12Tables } from '../src/backend/decode-plan.js';
import type { DeviceMap, DeviceMaps } from '../src/backend/layer-maps.js';
import { wgslDevice, WgslRecording, type WgslDevice } from '../src/backend/wgsl-device.js';
import { uploadWgslCodes } from '../src/backend/wgsl-linear.js';
import { wgslDiagonal, wgslRowMap } from '../src/backend/wgsl-transform.js';
import { hadamardBase, hadamardFactorization, hadamardTransform } from '../src/hadamard/index.js';
import { rfftInverse, rfftTransform } from '../src/incoherence/index.js';
import { quipSharpHadamardBase, quipSharpHadamardRowsInPlace } from '../src/interop/index.js';
import { E8P12 } from '../src/lattice/index.js';
import { randomPhases } from '../src/random/index.js';
import { hasWebGPU, requireWebGPU, WEBGPU_SKIP } from './backend-helpers.js';

const skip = !hasWebGPU && !requireWebGPU;

/** A seeded stream of uniform numbers in [-1, 1). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1;
}

const randomRows = (length: number, seed: number): Float32Array => Float32Array.from({ length }, uniforms(seed));

/** The worst relative error seen per kind of case. */
const worst = new Map<string, number>();
afterAll(() => {
  if (worst.size > 0) console.info(`WGSL max |device - cpu| / max |cpu|: ${[...worst].map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
});

/** Expects `got` (float32) to match `want` (float64) within `tol` relative to max |want|, and records the error. */
function expectClose(kind: string, got: Float32Array, want: Float64Array, tol: number): void {
  expect(got.length).toBe(want.length);
  let err = 0;
  let max = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    max = Math.max(max, Math.abs(want[i]));
  }
  const relative = err / Math.max(max, Number.MIN_VALUE);
  worst.set(kind, Math.max(worst.get(kind) ?? 0, relative));
  expect(relative).toBeLessThan(tol);
}

/** Each row of `x` (batch x length) mapped by `f` in float64. */
function rowsOf(x: Float32Array, batch: number, f: (row: Float64Array) => Float64Array): Float64Array {
  const length = x.length / batch;
  const out = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) out.set(f(Float64Array.from(x.subarray(b * length, (b + 1) * length))), b * length);
  return out;
}

/** The device map `map` of the batch rows of x (one operation: upload, the map's kernels, one readback). */
async function runMap(d: WgslDevice, map: DeviceMap, x: Float32Array, batch: number): Promise<Float32Array> {
  const length = x.length / batch;
  const plan = await wgslRowMap(d, map, length, 'map');
  const rec = new WgslRecording(d);
  try {
    const out = plan.encode(rec, rec.upload(x), batch);
    return new Float32Array(await rec.read(out, 4 * x.length));
  } finally {
    plan.release();
  }
}

/** The DeviceMap of H_n / sqrt(n) (or its transpose), n = m p the canonical split. */
function hadamardMap(n: number, transpose: boolean): DeviceMap {
  const { m, k } = hadamardFactorization(n)!;
  const H = hadamardBase(m);
  const base = Float32Array.from({ length: m * m }, (_, i) => (transpose ? H[(i % m) * m + Math.floor(i / m)] : H[i]));
  return { kind: 'hadamard', m, p: 2 ** k, base, scale: 1 / Math.sqrt(n) };
}

/** Primes among the FFT lengths tested (Bluestein with several power-of-two sizes). */
const PRIMES = [5, 7, 13, 127, 257, 1009, 2053];

describe.skipIf(skip)(skip ? `WGSL transforms (${WEBGPU_SKIP})` : 'WGSL transforms', () => {
  let device: WgslDevice;
  const getDevice = async (): Promise<WgslDevice> => {
    const d = await wgslDevice();
    if (!d) throw new Error('no WGSL device');
    return (device ??= d);
  };

  it('hadamard: H_{m p} / sqrt(n) and its transpose match hadamardTransform for m in {1, 12, 20, 172, 244}', async () => {
    const d = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 12, 20, 172, 244),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.integer(),
        async (m, bits, batch, transpose, seed) => {
          const n = m * 2 ** bits;
          fc.pre(n <= 2 ** 16);
          const x = randomRows(batch * n, seed);
          const want = rowsOf(x, batch, (row) => hadamardTransform(row, { normalize: true, transpose }));
          expectClose('hadamard', await runMap(d, hadamardMap(n, transpose), x, batch), want, 1e-5);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('hadamard: long segments (p = 2^12 .. 2^15, global passes of 1, 2 and 3 bits) and p = 1', async () => {
    const d = await getDevice();
    for (const [n, batch] of [
      [4096, 3],
      [2 ** 13, 2],
      [12 * 2 ** 14, 1],
      [2 ** 15, 2],
      [12, 5],
      [1, 3],
    ]) {
      const x = randomRows(batch * n, n);
      const want = rowsOf(x, batch, (row) => hadamardTransform(row, { normalize: true }));
      expectClose('hadamard', await runMap(d, hadamardMap(n, false), x, batch), want, 1e-5);
    }
  });

  it('hadamard: an unnormalized scale and a general base table are applied as given', async () => {
    const d = await getDevice();
    const m = 3;
    const p = 8;
    const base = Float32Array.of(0.5, -1, 0.25, 1, 0, -0.75, 0.125, 0.5, 1);
    const x = randomRows(2 * m * p, 9);
    const want = rowsOf(x, 2, (row) => {
      const segments = Array.from({ length: m }, (_, c) => hadamardTransform(row.slice(c * p, (c + 1) * p)));
      return Float64Array.from({ length: m * p }, (_, i) => {
        const a = Math.floor(i / p);
        return 3 * segments.reduce((s, seg, c) => s + base[a * m + c] * seg[i % p], 0);
      });
    });
    expectClose('hadamard', await runMap(d, { kind: 'hadamard', m, p, base, scale: 3 }, x, 2), want, 1e-5);
  });

  it("hadamard: QuIP#'s transform M_k (and M_k^T) with its own base tables matches quipSharpHadamardRowsInPlace", async () => {
    const d = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(12, 20, 28, 108, 172),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer(),
        async (K, bits, batch, transpose, seed) => {
          const p = 2 ** bits;
          const k = K * p;
          const H = quipSharpHadamardBase(K);
          const base = Float32Array.from({ length: K * K }, (_, i) => (transpose ? H[(i % K) * K + Math.floor(i / K)] : H[i]));
          const x = randomRows(batch * k, seed);
          const want = quipSharpHadamardRowsInPlace(Float64Array.from(x), batch, k, { transpose });
          const map: DeviceMap = { kind: 'hadamard', m: K, p, base, scale: 1 / Math.fround(Math.sqrt(k)) };
          expectClose('hadamard', await runMap(d, map, x, batch), want, 1e-5);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('rfft: forward and inverse match rfftTransform / rfftInverse for k in {1, 2, 3, 43, 688, primes, powers of two}', async () => {
    const d = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3, 4, 8, 43, 64, 688, 1024, 2048, ...PRIMES),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.integer(),
        async (k, batch, inverse, seed) => {
          const phases = randomPhases(k, seed >>> 0, 3);
          const x = randomRows(batch * 2 * k, seed);
          const want = rowsOf(x, batch, (row) => (inverse ? rfftInverse(row, phases) : rfftTransform(row, phases)));
          expectClose('rfft', await runMap(d, { kind: 'rfft', phases, inverse }, x, batch), want, 1e-5);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rfft: k = 5504 = 2^7 43 (Bluestein, M = 16384) forward then inverse', async () => {
    const d = await getDevice();
    const k = 5504;
    const phases = randomPhases(k, 7, 2);
    const x = randomRows(2 * 2 * k, 5);
    const y = await runMap(d, { kind: 'rfft', phases, inverse: false }, x, 2);
    expectClose('rfft', y, rowsOf(x, 2, (row) => rfftTransform(row, phases)), 1e-5);
    expectClose('rfft', await runMap(d, { kind: 'rfft', phases, inverse: true }, y, 2), Float64Array.from(x), 1e-5);
  });

  it('a diagonal multiplies each row entry-wise; null is the identity', async () => {
    const d = await getDevice();
    const diag = randomRows(7, 3);
    const x = randomRows(3 * 7, 4);
    const plan = await wgslDiagonal(d, diag, 7, 'diag');
    const rec = new WgslRecording(d);
    const got = new Float32Array(await rec.read(plan.encode(rec, rec.upload(x), 3), 4 * 21));
    plan.release();
    expect([...got]).toEqual([...x].map((v, i) => Math.fround(v * diag[i % 7])));
    const none = new WgslRecording(d);
    const data = none.upload(x);
    expect((await wgslDiagonal(d, null, 7, 'diag')).encode(none, data, 3)).toBe(data);
    none.release();
  });

  it('rejects maps whose shape does not fit the row length', async () => {
    const d = await getDevice();
    const base = Float32Array.of(1);
    await expect(wgslRowMap(d, { kind: 'hadamard', m: 1, p: 6, base, scale: 1 }, 6, 'maps.input')).rejects.toThrow(
      /uploadWgslCodes: maps\.input \(m, p\) must be m >= 1 and a power of two p with m p = 6, got \(1, 6\)/,
    );
    await expect(wgslRowMap(d, { kind: 'hadamard', m: 2, p: 4, base, scale: 1 }, 8, 'maps.output')).rejects.toThrow(/maps\.output\.base must be of length 4/);
    await expect(wgslRowMap(d, { kind: 'rfft', phases: new Float64Array(3), inverse: false }, 8, 'maps.input')).rejects.toThrow(/maps\.input\.phases must be of length 4/);
    await expect(wgslRowMap(d, { kind: 'rfft', phases: new Float64Array(3), inverse: false }, 7, 'maps.input')).rejects.toThrow(/maps\.input length must be even/);
    await expect(wgslDiagonal(d, new Float32Array(3), 4, 'maps.inputDiagonal')).rejects.toThrow(/maps\.inputDiagonal must be of length 4, got length 3/);
  });
});

/** Random E8P12 codes of an m x n layer (row-major: row i's n / 8 codes) and their chunk-major order. */
function randomLayer(m: number, n: number, seed: number): { W: Float64Array; codesT: Uint16Array } {
  const next = uniforms(seed);
  const chunks = n / 8;
  const codes = Uint16Array.from({ length: m * chunks }, () => Math.floor((next() + 1) * 32768));
  const codesT = new Uint16Array(m * chunks);
  for (let i = 0; i < m; i++) for (let j = 0; j < chunks; j++) codesT[j * m + i] = codes[i * chunks + j];
  return { W: E8P12.decodeRows(codes), codesT };
}

/** y = dOut .* Out(W In(dIn .* x)) for each row x of the batch, in float64. */
function composition(W: Float64Array, m: number, n: number, x: Float32Array, batch: number, cpu: CpuMaps): Float64Array {
  const y = new Float64Array(batch * m);
  for (let b = 0; b < batch; b++) {
    const v = cpu.input(Float64Array.from(x.subarray(b * n, (b + 1) * n), (xi, j) => xi * (cpu.inputDiagonal?.[j] ?? 1)));
    const w = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[i] += W[i * n + j] * v[j];
    y.set(
      cpu.output(w).map((yi, i) => yi * (cpu.outputDiagonal?.[i] ?? 1)),
      b * m,
    );
  }
  return y;
}

interface CpuMaps {
  inputDiagonal: Float32Array | null;
  input: (x: Float64Array) => Float64Array;
  output: (y: Float64Array) => Float64Array;
  outputDiagonal: Float32Array | null;
}

/** The device maps and their CPU twins of one of the three layer kinds. */
function layerMaps(kind: 'rht' | 'rfft' | 'identity', m: number, n: number, seed: number): { maps: DeviceMaps; cpu: CpuMaps } {
  const signs = (length: number, s: number): Float32Array => Float32Array.from(randomRows(length, s), (v) => (v < 0 ? -1 : 1));
  switch (kind) {
    case 'rht': {
      const inputDiagonal = signs(n, seed);
      const outputDiagonal = signs(m, seed + 1);
      return {
        maps: { inputDiagonal, input: hadamardMap(n, false), output: hadamardMap(m, true), outputDiagonal, hostScale: 1 },
        cpu: {
          inputDiagonal,
          input: (x) => hadamardTransform(x, { normalize: true }),
          output: (y) => hadamardTransform(y, { normalize: true, transpose: true }),
          outputDiagonal,
        },
      };
    }
    case 'rfft': {
      const phasesV = randomPhases(n / 2, seed >>> 0, 3);
      const phasesU = randomPhases(m / 2, seed >>> 0, 2);
      const inputDiagonal = randomRows(n, seed);
      const outputDiagonal = randomRows(m, seed + 1);
      return {
        maps: { inputDiagonal, input: { kind: 'rfft', phases: phasesV, inverse: false }, output: { kind: 'rfft', phases: phasesU, inverse: true }, outputDiagonal, hostScale: 1 },
        cpu: { inputDiagonal, input: (x) => rfftTransform(x, phasesV), output: (y) => rfftInverse(y, phasesU), outputDiagonal },
      };
    }
    case 'identity':
      return {
        maps: { inputDiagonal: null, input: { kind: 'identity' }, output: { kind: 'identity' }, outputDiagonal: null, hostScale: 1 },
        cpu: { inputDiagonal: null, input: (x) => x, output: (y) => y, outputDiagonal: null },
      };
  }
}

describe.skipIf(skip)(skip ? `WGSL layer forward (${WEBGPU_SKIP})` : 'WGSL layer forward', () => {
  const tables = e8p12Tables((c) => E8P12.decode(c));
  const getDevice = async (): Promise<WgslDevice> => {
    const d = await wgslDevice();
    if (!d) throw new Error('no WGSL device');
    return d;
  };

  it('forward() matches the float64 composition dOut .* Out(C In(dIn .* x)) for rht, rfft and identity maps', async () => {
    const d = await getDevice();
    const shapes = { rht: [40, 96], rfft: [50, 88], identity: [33, 24] } as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('rht', 'rfft', 'identity') as fc.Arbitrary<keyof typeof shapes>, fc.integer({ min: 1, max: 5 }), fc.integer(), async (kind, batch, seed) => {
        const [m, n] = shapes[kind];
        const { W, codesT } = randomLayer(m, n, seed);
        const { maps, cpu } = layerMaps(kind, m, n, seed);
        const layer = await uploadWgslCodes(d, tables, codesT, m, n / 8, maps);
        try {
          const x = randomRows(batch * n, seed + 2);
          expectClose(`layer ${kind}`, await layer.forward(x, batch), composition(W, m, n, x, batch, cpu), 1e-5);
        } finally {
          layer.release();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('forward() of a 4096 x 4096 layer with rht maps agrees with the composition', async () => {
    const d = await getDevice();
    const m = 4096;
    const n = 4096;
    const { W, codesT } = randomLayer(m, n, 11);
    const { maps, cpu } = layerMaps('rht', m, n, 11);
    const layer = await uploadWgslCodes(d, tables, codesT, m, n / 8, maps);
    const x = randomRows(2 * n, 12);
    expectClose('layer rht 4096', await layer.forward(x, 2), composition(W, m, n, x, 2, cpu), 1e-5);
    layer.release();
    layer.release();
  });

  it('forward() splits a batch beyond maxBufferBytes into operations that give the same floats', async () => {
    const d = await getDevice();
    const m = 50;
    const n = 88;
    const { codesT } = randomLayer(m, n, 21);
    const { maps } = layerMaps('rfft', m, n, 21);
    const whole = await uploadWgslCodes(d, tables, codesT, m, n / 8, maps);
    // The rfft of k = 44 takes Bluestein's M = 128: 1 KiB buffers per row, so 3 rows per operation of 3 KiB buffers.
    const sliced = await uploadWgslCodes(d, tables, codesT, m, n / 8, maps, 3 * 1024);
    const x = randomRows(7 * n, 22);
    expect(await sliced.forward(x, 7)).toEqual(await whole.forward(x, 7));
    whole.release();
    sliced.release();
  });

  it('rejects codes, shapes and batches that do not fit', async () => {
    const d = await getDevice();
    const { maps } = layerMaps('identity', 8, 16, 1);
    await expect(uploadWgslCodes(d, tables, new Uint16Array(3), 8, 2, maps)).rejects.toThrow(/uploadWgslCodes: codes must be of length 16 \(m chunks\), got length 3/);
    await expect(uploadWgslCodes(d, tables, new Uint16Array(16), 8, 2, layerMaps('rht', 8, 24, 1).maps)).rejects.toThrow(/uploadWgslCodes: maps\.inputDiagonal must be of length 16/);
    await expect(uploadWgslCodes(d, tables, new Uint16Array(16), 0, 2, maps)).rejects.toThrow(/uploadWgslCodes: m must be an integer in \[1, /);
    const layer = await uploadWgslCodes(d, tables, new Uint16Array(16), 8, 2, maps);
    await expect(layer.forward(new Float32Array(15), 1)).rejects.toThrow(/WgslLayer\.forward: x must be of length 16 \(batch n\), got length 15/);
    await expect(layer.forward(new Float32Array(16), 0)).rejects.toThrow(/WgslLayer\.forward: batch must be an integer/);
    layer.release();
    layer.release();
    await expect(layer.forward(new Float32Array(16), 1)).rejects.toThrow(/WgslLayer\.forward: the layer was released/);
  });
});
