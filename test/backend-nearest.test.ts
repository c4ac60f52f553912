// nearestE8P12Async on every available backend: E8P12.quantize's codes except at counted float32 near-ties.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeDevices } from '../src/backend/index.js';
import { nearestE8P12Async } from '../src/backend/nearest.js';
import { E8P12 } from '../src/index.js';
import { describeDevices, errorOf } from './backend-helpers.js';

afterAll(() => disposeDevices());

/** Exact-enough float64 squared distance of row r of X to the point of `code`. */
function distance(X: Float32Array | Float64Array, r: number, code: number): number {
  const p = E8P12.decode(code);
  let d = 0;
  for (let q = 0; q < 8; q++) d += (X[8 * r + q] - p[q]) ** 2;
  return d;
}

/**
 * Asserts the device codes equal the CPU's except at rows where both points are (float64) within the near-tie
 * margin of each other, and that no more rows differ than the device counted.
 */
async function expectAgreement(X: Float32Array, backend: 'webasm' | 'webgpu'): Promise<number> {
  const want = E8P12.quantize(X).codes;
  const { codes, nearTies } = await nearestE8P12Async(X, { backend });
  expect(codes).toBeInstanceOf(Uint16Array);
  expect(codes.length).toBe(want.length);
  let differ = 0;
  for (let r = 0; r < want.length; r++) {
    if (codes[r] === want[r]) continue;
    differ++;
    let xx = 0;
    for (let q = 0; q < 8; q++) xx += X[8 * r + q] ** 2;
    const gap = distance(X, r, codes[r]) - distance(X, r, want[r]);
    // the CPU's point is exactly nearest (up to this float64 check's own round-off); the device's is within the
    // float32 margin of it
    expect(gap).toBeGreaterThanOrEqual(-1e-12 * (xx + 13));
    if (!(gap <= 1e-5 * (xx + 13))) expect.fail(`row ${r}: device code ${codes[r]} is ${gap} farther than ${want[r]}`);
  }
  expect(differ).toBeLessThanOrEqual(nearTies);
  return nearTies;
}

/** k rows from a seed: uniform in [-w, w], or lattice points (half-integers, the ties of E8P12) plus tiny noise. */
function randomRows(k: number, seed: number, kind: 'uniform' | 'lattice'): Float32Array {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const X = new Float32Array(8 * k);
  for (let i = 0; i < X.length; i++) X[i] = kind === 'uniform' ? (next() - 0.5) * 8 : Math.round((next() - 0.5) * 12) / 4 + (next() < 0.5 ? 0 : (next() - 0.5) * 1e-6);
  return X;
}

describe('on cpu', () => {
  it('is E8P12.quantize exactly, with no near-ties counted', async () => {
    const X = randomRows(500, 1, 'lattice');
    expect(await nearestE8P12Async(X, { backend: 'cpu' })).toEqual({ codes: E8P12.quantize(X).codes, nearTies: 0 });
  });
});

describeDevices((backend) => {
  it('agrees with E8P12.quantize on random rows of many counts (not multiples of any workgroup size)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.integer(), fc.constantFrom('uniform' as const, 'lattice' as const), async (k, seed, kind) => {
        const X = randomRows(k, seed, kind);
        const before = X.slice();
        await expectAgreement(X, backend);
        expect(X).toEqual(before);
      }),
      { numRuns: 8 },
    );
  });

  it('finds every codebook point itself, and counts the exact ties of half-integer rows', async () => {
    const points = E8P12.grid().subarray(0, 8 * 4096);
    const { codes, nearTies } = await nearestE8P12Async(points, { backend });
    expect(nearTies).toBe(0);
    expect(codes).toEqual(Uint16Array.from({ length: 4096 }, (_, c) => c));
    // x = 1/2 everywhere is equidistant from (3/4, ...) and (1/4, ...)-type points: a tie the device must count
    const half = new Float32Array(8 * 3).fill(0.5);
    expect(await expectAgreement(half, backend)).toBe(3);
  });

  it('takes Float64Array rows (rounded to float32), zeros, and rows too large for float32 distances (searched on the host)', async () => {
    const X = new Float64Array(8 * 4);
    X.set([1e20, -3e19, 5, 0, 0, 0, 2e30, 1], 8);
    X.set(Array.from({ length: 8 }, (_, i) => Math.PI * (i - 4)), 16);
    X.set([-1e300, 0, 0, 0, 0, 0, 0, 1e300], 24);
    const want = E8P12.quantize(X).codes;
    const { codes } = await nearestE8P12Async(X, { backend });
    expect(codes[1]).toBe(want[1]);
    expect(codes[3]).toBe(want[3]);
    // row 0 (zeros) is equidistant from many points, row 2 is a float64 row: both as the float32 search promises
    expect(await expectAgreement(new Float32Array(8), backend)).toBe(1);
    expect(codes[0]).toBe((await nearestE8P12Async(new Float32Array(8), { backend })).codes[0]);
    await expectAgreement(Float32Array.from(X.subarray(16, 24)), backend);
    expect((await nearestE8P12Async(new Float32Array(0), { backend })).codes.length).toBe(0);
  });

  it('is deterministic', async () => {
    const X = randomRows(777, 3, 'lattice');
    const a = await nearestE8P12Async(X, { backend });
    expect(await nearestE8P12Async(X, { backend })).toEqual(a);
  });
});

describe('bad input (the errors of E8P12.quantize, named for nearestE8P12Async)', () => {
  const bad: Array<[string, unknown]> = [
    ['an array', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['an Int32Array', new Int32Array(8)],
    ['a length not a multiple of 8', new Float32Array(12)],
    ['a NaN', Float32Array.from({ length: 16 }, (_, i) => (i === 9 ? NaN : 0))],
    ['an Infinity', Float64Array.from({ length: 8 }, (_, i) => (i === 2 ? Infinity : 0))],
  ];
  it.each(bad)('rejects %s on every backend', async (_, X) => {
    const sync = await errorOf(async () => E8P12.quantize(X as Float32Array));
    for (const backend of ['cpu', 'webasm'] as const) {
      const e = await errorOf(() => nearestE8P12Async(X as Float32Array, { backend }));
      expect(e).toEqual({ name: sync.name, message: sync.message.replace('E8P12.quantize:', 'nearestE8P12Async:') });
    }
  });

  it('rejects bad options and backend names', async () => {
    await expect(nearestE8P12Async(new Float32Array(8), 3 as never)).rejects.toThrow(/nearestE8P12Async: options must be/);
    await expect(nearestE8P12Async(new Float32Array(8), { backend: 'GPU' as never })).rejects.toThrow(RangeError);
  });
});
