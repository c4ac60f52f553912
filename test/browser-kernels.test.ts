// The device kernels of the browser build in headless Chromium, on each browser backend: WebAssembly, WebGL2
// (SwiftShader) and WebGPU (SwiftShader's adapter), against the CPU results computed in Node. Sums agree to
// float32 rounding, codebook decoding and random signs bit for bit, bad input fails with the CPU path's message.
// Sizes as in CI: 256 to 1024 rows.
import { expect, it } from 'vitest';
import type * as Backend from '../src/backend/index.js';
import * as lib from '../src/index.js';
import { fwhtRowsAsync } from '../src/backend/index.js';
import { describeBrowser, type BrowserLibrary } from './browser-harness.js';

/** The library with its device calls (src/backend/, exported by the package's entry). */
type DeviceLibrary = BrowserLibrary & Pick<typeof Backend, 'fwhtRowsAsync' | 'hadamardTransformRowsAsync' | 'decodeRowsAsync' | 'randomSignsAsync' | 'describeBackend'>;

/** What runs: the transforms' row counts and lengths (powers of two for the FWHT, m 2^k orders for the Hadamard
 * transform), the vectors decoded per codebook, the signs drawn, and the seed of every input. */
const CASES = {
  fwht: [[256, 1024], [300, 64], [3, 32768], [257, 8]] as Array<[number, number]>,
  hadamard: [[256, 12 * 64], [64, 172 * 8], [1000, 20]] as Array<[number, number]>,
  vectors: 1024,
  signs: 100_003,
  seed: 11,
};
type Cases = typeof CASES;
type DeviceBackend = 'webasm' | 'webgl' | 'webgpu';

/**
 * Input k of a case: entries uniform in [-1, 1) from stream k of the seed, the same bits in Node and in the page
 * (uniforms are exact on every engine). runInPage repeats this one line: it travels as source and cannot call it.
 */
function uniform(l: BrowserLibrary, count: number, seed: number, stream: number): Float32Array {
  return Float32Array.from(l.randomUniform(count, seed, stream), (u) => 2 * u - 1);
}

/** Runs every kernel on `backend` in the page (FWHT i normalized for even i; Hadamard case 1 transposed). */
async function runInPage(page: BrowserLibrary, { backend, cases }: { backend: DeviceBackend; cases: Cases }) {
  const l = page as DeviceLibrary;
  for (const name of ['fwhtRowsAsync', 'hadamardTransformRowsAsync', 'decodeRowsAsync', 'randomSignsAsync', 'describeBackend'] as const) {
    if (typeof l[name] !== 'function') throw new Error(`the browser build has no ${name}: the package entry (src/index.ts) must export it`);
  }
  const uniform = (count: number, stream: number) => Float32Array.from(l.randomUniform(count, cases.seed, stream), (u) => 2 * u - 1);
  const points = Float64Array.from(uniform(8 * cases.vectors, 50), (x) => 2 * x);
  const fwht: Float32Array[] = [];
  for (const [i, [rows, n]] of cases.fwht.entries()) {
    fwht.push(await l.fwhtRowsAsync(uniform(rows * n, i), rows, n, { backend, normalize: i % 2 === 0 }));
  }
  const hadamard: Float32Array[] = [];
  for (const [i, [rows, n]] of cases.hadamard.entries()) {
    hadamard.push(await l.hadamardTransformRowsAsync(uniform(rows * n, 20 + i), rows, n, { backend, normalize: true, transpose: i === 1 }));
  }
  const decoded: Float32Array[] = [];
  for (const cb of [l.E8P12, l.E8P12RVQ3B, l.E8P12RVQ4B]) decoded.push(await l.decodeRowsAsync(cb, cb.quantize(points).codes, { backend }));
  const signs = await l.randomSignsAsync(cases.signs, cases.seed, 1, { backend });
  let error = 'no error';
  try {
    await l.fwhtRowsAsync(new Float32Array(6), 2, 3, { backend });
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { device: await l.describeBackend(backend), fwht, hadamard, decoded, signs, error };
}

/**
 * Asserts |y_i - ref_i| <= (log2 p + m + 2) 2^-23 scale ||x_r||_1 for every entry of every row r (n = m p, p a
 * power of two): each path rounds each of its at most log2 p + m additions in float32, below 2^-24 ||x_r||_1 each.
 */
function expectClose(y: Float32Array, ref: Float32Array, x: Float32Array, rows: number, n: number, normalize: boolean, what: string): void {
  const { m, k } = lib.hadamardFactorization(n)!;
  const scale = normalize ? 1 / Math.sqrt(n) : 1;
  expect(y.length, what).toBe(ref.length);
  for (let r = 0; r < rows; r++) {
    let l1 = 0;
    for (let i = r * n; i < (r + 1) * n; i++) l1 += Math.abs(x[i]);
    const tol = (k + m + 2) * 2 ** -23 * scale * l1;
    for (let i = r * n; i < (r + 1) * n; i++) {
      if (!(Math.abs(y[i] - ref[i]) <= tol)) expect.fail(`${what}: entry ${i}: ${y[i]} vs ${ref[i]} (tolerance ${tol})`);
    }
  }
}

/** Asserts got equals want entry for entry, naming the first entry that differs (fast on long arrays). */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: entry ${i}: ${got[i]} vs ${want[i]}`);
  }
}

describeBrowser('the device kernels in headless Chromium', (harness) => {

  it.each(['webasm', 'webgl', 'webgpu'] as const)('on %s they give the CPU results computed in Node', async (backend) => {
    const got = await harness().evaluate(runInPage, { backend, cases: CASES });
    const { seed } = CASES;
    expect(got.device.backend).toBe(backend);
    if (backend === 'webgpu') expect(got.device.isFallbackAdapter, got.device.device).toBe(true);
    for (const [i, [rows, n]] of CASES.fwht.entries()) {
      const x = uniform(lib, rows * n, seed, i);
      const normalize = i % 2 === 0;
      expectClose(got.fwht[i], lib.fwhtRowsInPlace(x.slice(), rows, n, { normalize }), x, rows, n, normalize, `fwht ${rows} x ${n}`);
    }
    for (const [i, [rows, n]] of CASES.hadamard.entries()) {
      const x = uniform(lib, rows * n, seed, 20 + i);
      const ref = lib.hadamardTransformRowsInPlace(x.slice(), rows, n, { normalize: true, transpose: i === 1 });
      expectClose(got.hadamard[i], ref, x, rows, n, true, `hadamard ${rows} x ${n}`);
    }
    const points = Float64Array.from(uniform(lib, 8 * CASES.vectors, seed, 50), (x) => 2 * x);
    for (const [i, cb] of [lib.E8P12, lib.E8P12RVQ3B, lib.E8P12RVQ4B].entries()) {
      expectSame(got.decoded[i], cb.decodeRows(cb.quantize(points).codes, new Float32Array(8 * CASES.vectors)), `decode ${cb.name}`);
    }
    expectSame(got.signs, lib.randomSigns(CASES.signs, seed, 1), 'signs');
    const cpuError = await fwhtRowsAsync(new Float32Array(6), 2, 3, { backend: 'cpu' }).then(
      () => 'no error',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(cpuError).toMatch(/^RangeError: fwhtRowsAsync: n must be a power of two/);
    expect(got.error).toBe(cpuError);
  });
});
