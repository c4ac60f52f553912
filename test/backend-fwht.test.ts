// fwhtRowsAsync and hadamardTransformRowsAsync on every available backend against their CPU twins.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeDevices, fwhtRowsAsync, hadamardTransformRowsAsync } from '../src/backend/index.js';
import { fwhtRowsInPlace, hadamardFactorization, hadamardTransformRowsInPlace } from '../src/hadamard/index.js';
import { describeDevices, errorOf, type DeviceBackend } from './backend-helpers.js';

afterAll(() => disposeDevices());

/**
 * Asserts |y_i - ref_i| <= (log2 p + m + 2) 2^-23 scale ||x_r||_1 for every entry of every row r: both results
 * round each of their at most log2 p + m additions in float32, each error below 2^-24 times ||x_r||_1.
 */
function expectClose(y: Float32Array, ref: Float32Array, x: Float32Array, rows: number, n: number, normalize: boolean): void {
  const { m, k } = hadamardFactorization(n)!;
  const scale = normalize ? 1 / Math.sqrt(n) : 1;
  expect(y.length).toBe(ref.length);
  for (let r = 0; r < rows; r++) {
    let l1 = 0;
    for (let i = r * n; i < (r + 1) * n; i++) l1 += Math.abs(x[i]);
    const tol = (k + m + 2) * 2 ** -23 * scale * l1;
    for (let i = r * n; i < (r + 1) * n; i++) {
      if (!(Math.abs(y[i] - ref[i]) <= tol)) expect.fail(`entry ${i}: ${y[i]} vs ${ref[i]} (tolerance ${tol})`);
    }
  }
}

/** A rows x n float32 matrix of entries in [-1, 1) from a seed (cheap for big shapes). */
function matrix(rows: number, n: number, seed: number): Float32Array {
  const x = new Float32Array(rows * n);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

/** Shapes with at most 2^16 entries: rows 1..300 and n = 2^0 .. 2^15. */
const fwhtShape = fc
  .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 300 }), fc.integer(), fc.boolean())
  .map(([log, rows, seed, normalize]) => ({ n: 2 ** log, rows: Math.max(1, Math.min(rows, Math.floor(2 ** 16 / 2 ** log))), seed, normalize }));

/** Orders m 2^k with m > 1 (Paley, Williamson, Kronecker bases), with n up to 2^13. */
const ORDERS = [2, 12, 20, 24, 28, 40, 44, 52, 76, 108, 172, 12 * 64, 20 * 32, 28 * 128, 172 * 32];
const hadamardShape = fc
  .tuple(fc.constantFrom(...ORDERS), fc.integer({ min: 1, max: 300 }), fc.integer(), fc.boolean(), fc.boolean())
  .map(([n, rows, seed, normalize, transpose]) => ({ n, rows: Math.max(1, Math.min(rows, Math.floor(2 ** 15 / n))), seed, normalize, transpose }));

describeDevices((backend) => {
  it('fwhtRowsAsync agrees with fwhtRowsInPlace on random shapes', async () => {
    await fc.assert(
      fc.asyncProperty(fwhtShape, async ({ n, rows, seed, normalize }) => {
        const x = matrix(rows, n, seed);
        const before = x.slice();
        const y = await fwhtRowsAsync(x, rows, n, { backend, normalize });
        expect(x).toEqual(before);
        expectClose(y, fwhtRowsInPlace(x.slice(), rows, n, { normalize }), x, rows, n, normalize);
      }),
      { numRuns: 14 },
    );
  });

  it('is exact on small integers and matches the CPU at the largest n', async () => {
    expect(Array.from(await fwhtRowsAsync(Float32Array.of(1, 2, 3, 4, 1, 1, 1, -1), 2, 4, { backend }))).toEqual([10, -2, -4, 0, 2, 2, 2, -2]);
    const x = matrix(3, 32768, 7);
    expectClose(await fwhtRowsAsync(x, 3, 32768, { backend, normalize: true }), fwhtRowsInPlace(x.slice(), 3, 32768, { normalize: true }), x, 3, 32768, true);
    expect((await fwhtRowsAsync(new Float32Array(0), 0, 8, { backend })).length).toBe(0);
  });

  it('hadamardTransformRowsAsync agrees with hadamardTransformRowsInPlace for orders m 2^k', async () => {
    await fc.assert(
      fc.asyncProperty(hadamardShape, async ({ n, rows, seed, normalize, transpose }) => {
        const x = matrix(rows, n, seed);
        const y = await hadamardTransformRowsAsync(x, rows, n, { backend, normalize, transpose });
        expectClose(y, hadamardTransformRowsInPlace(x.slice(), rows, n, { normalize, transpose }), x, rows, n, normalize);
      }),
      { numRuns: 12 },
    );
  });

  it('handles huge rows as the CPU does: scaled by a power of two, and a RangeError only for a true overflow', async () => {
    const x = matrix(3, 64, 3);
    for (let i = 64; i < 128; i++) x[i] *= 2 ** 124; // row 1 would overflow without the scaling
    expectClose(await fwhtRowsAsync(x, 3, 64, { backend }), fwhtRowsInPlace(x.slice(), 3, 64), x, 3, 64, false);
    const big = new Float32Array(16).fill(2 ** 125);
    const cpu = await errorOf(() => fwhtRowsAsync(big, 1, 16, { backend: 'cpu' }));
    expect(cpu.message).toMatch(/^fwhtRowsAsync: data must be an input whose transform fits in a Float32Array/);
    expect(await errorOf(() => fwhtRowsAsync(big, 1, 16, { backend }))).toEqual(cpu);
  });

  it('rejects bad input with the CPU path errors', async () => {
    for (const run of badCalls) {
      const onDevice = await errorOf(() => run(backend));
      expect(onDevice).toEqual(await errorOf(() => run('cpu')));
      expect(onDevice.message).toMatch(/^(fwhtRowsAsync|hadamardTransformRowsAsync): /);
    }
    expect((await errorOf(() => badCalls[4](backend))).message).toBe('fwhtRowsAsync: data must be finite everywhere, got NaN at index 2');
    expect((await errorOf(() => badCalls[2](backend))).message).toBe('fwhtRowsAsync: n must be a power of two (1, 2, 4, ..., 2^30), got 6');
  });
});

/** Calls with one bad argument each, on a given backend. */
const badCalls: Array<(backend: 'cpu' | DeviceBackend) => Promise<unknown>> = [
  (backend) => fwhtRowsAsync(new Float64Array(8) as never, 1, 8, { backend }),
  (backend) => fwhtRowsAsync(new Float32Array(8), 1.5, 8, { backend }),
  (backend) => fwhtRowsAsync(new Float32Array(8), 1, 6, { backend }),
  (backend) => fwhtRowsAsync(new Float32Array(8), 2, 8, { backend }),
  (backend) => fwhtRowsAsync(Float32Array.of(1, 2, NaN, 4), 1, 4, { backend }),
  (backend) => fwhtRowsAsync(new Float32Array(8), 1, 8, { backend, normalize: 1 as never }),
  (backend) => fwhtRowsAsync(new Float32Array(8), 1, 8, { backend, transpose: 'yes' } as never),
  (backend) => hadamardTransformRowsAsync(new Float32Array(8), 1, 8, { backend, transpose: 'yes' as never }),
  (backend) => hadamardTransformRowsAsync(new Float32Array(6), 1, 6, { backend }),
  (backend) => hadamardTransformRowsAsync(new Float32Array(8), -1, 8, { backend }),
];

describe('the CPU path', () => {
  it('is the CPU function on a copy', async () => {
    const x = matrix(5, 24, 11);
    expect(await hadamardTransformRowsAsync(x, 5, 24, { backend: 'cpu', normalize: true })).toEqual(
      hadamardTransformRowsInPlace(x.slice(), 5, 24, { normalize: true }),
    );
  });
});
