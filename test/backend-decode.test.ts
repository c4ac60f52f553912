// decodeRowsAsync on every available backend: bit for bit the codebooks' decodeRows into a Float32Array.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRowsAsync, disposeDevices } from '../src/backend/index.js';
import { E8P12, E8P12Codebook, E8P12RVQ3B, E8P12RVQ4B, ResidualE8Codebook, ScalarCodebook } from '../src/lattice/index.js';
import { describeDevices, errorOf } from './backend-helpers.js';

afterAll(() => disposeDevices());

const CODEBOOKS = [E8P12, E8P12RVQ3B, E8P12RVQ4B] as const;

/** k random code rows of `codebook` from a seed: uniform 16-bit words, the second word of E8P12RVQ3B below 256. */
function randomCodes(codebook: (typeof CODEBOOKS)[number], k: number, seed: number): Uint16Array {
  const codes = new Uint16Array(k * codebook.codeWords);
  let s = seed >>> 0;
  for (let i = 0; i < codes.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    codes[i] = codebook === E8P12RVQ3B && i % 2 === 1 ? s >>> 24 : s >>> 16;
  }
  return codes;
}

/** Asserts a and b hold the same float32 bits (Object.is: -0 and 0 differ). */
function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`entry ${i}: ${a[i]} vs ${b[i]}`);
}

describeDevices((backend) => {
  it.each(CODEBOOKS.map((c) => [c.name, c] as const))('%s: bit exact with decodeRows on random codes of many lengths', async (_, codebook) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.integer(), async (k, seed) => {
        const codes = randomCodes(codebook, k, seed);
        const before = codes.slice();
        const y = await decodeRowsAsync(codebook, codes, { backend });
        expect(codes).toEqual(before);
        expectSameBits(y, codebook.decodeRows(codes, new Float32Array(8 * k)));
      }),
      { numRuns: 8 },
    );
  });

  it('covers every E8P12 code, every RVQ3 second word, and the empty input', async () => {
    const all = Uint16Array.from({ length: 65536 }, (_, c) => c);
    expectSameBits(await decodeRowsAsync(E8P12, all, { backend }), E8P12.decodeRows(all, new Float32Array(8 * 65536)));
    const pairs = Uint16Array.from({ length: 2 * 256 }, (_, i) => (i % 2 === 0 ? (i * 257) & 0xffff : i >> 1));
    expectSameBits(await decodeRowsAsync(E8P12RVQ3B, pairs, { backend }), E8P12RVQ3B.decodeRows(pairs, new Float32Array(8 * 256)));
    expect((await decodeRowsAsync(E8P12RVQ4B, new Uint16Array(0), { backend })).length).toBe(0);
  });

  it('decodes other E8P12 and residual codebook instances (an E8P12 second stage, a small grid of any values)', async () => {
    const e8Stage = { size: 65536, nearest: () => 0, decodeInto: (c: number, out: Float64Array, o: number) => out.set(E8P12.decode(c), o) };
    const scaled = new ResidualE8Codebook('scaled', 4, 1, 1.7, e8Stage as never);
    const codes = randomCodes(E8P12RVQ4B, 100, 5);
    expectSameBits(await decodeRowsAsync(scaled, codes, { backend }), scaled.decodeRows(codes, new Float32Array(800)));
    const points = Float64Array.from({ length: 8 * 5 }, (_, i) => Math.sin(i + 1) * 1.3);
    const gridStage = { size: 5, nearest: () => 0, decodeInto: (c: number, out: Float64Array, o: number) => out.set(points.subarray(8 * c, 8 * c + 8), o) };
    const grid = new ResidualE8Codebook('grid5', 3, 1, 2.3, gridStage as never);
    const pairs = codes.map((c, i) => (i % 2 === 1 ? c % 5 : c));
    expectSameBits(await decodeRowsAsync(grid, pairs, { backend }), grid.decodeRows(pairs, new Float32Array(800)));
    const single = codes.subarray(0, 100);
    expectSameBits(await decodeRowsAsync(new E8P12Codebook(), single, { backend }), E8P12.decodeRows(single, new Float32Array(800)));
  });

  it('rejects bad input with the CPU path errors', async () => {
    const calls: Array<(b: 'cpu' | typeof backend) => Promise<unknown>> = [
      (b) => decodeRowsAsync(new ScalarCodebook(2) as never, new Uint16Array(8), { backend: b }),
      (b) => decodeRowsAsync(E8P12, new Int16Array(8) as never, { backend: b }),
      (b) => decodeRowsAsync(E8P12RVQ4B, new Uint16Array(3), { backend: b }),
      (b) => decodeRowsAsync(E8P12RVQ3B, Uint16Array.of(0, 255, 7, 256), { backend: b }),
      () => decodeRowsAsync(E8P12, new Uint16Array(2), 7 as never),
    ];
    for (const call of calls) expect(await errorOf(() => call(backend))).toEqual(await errorOf(() => call('cpu')));
    expect((await errorOf(() => calls[3](backend))).message).toBe('decodeRowsAsync: codes must be code words in [0, 255], got 256 at index 3');
    expect((await errorOf(() => calls[2](backend))).message).toBe(
      'decodeRowsAsync: codes must be k * 2 code words (length a multiple of 2), got length 3',
    );
  });
});

describe('the CPU path', () => {
  it('is decodeRows into a Float32Array, with the codebook messages under decodeRowsAsync', async () => {
    const codes = randomCodes(E8P12RVQ3B, 50, 1);
    expectSameBits(await decodeRowsAsync(E8P12RVQ3B, codes, { backend: 'cpu' }), E8P12RVQ3B.decodeRows(codes, new Float32Array(400)));
    const cpu = await errorOf(() => decodeRowsAsync(E8P12RVQ3B, Uint16Array.of(0, 999), { backend: 'cpu' }));
    let own = '';
    try {
      E8P12RVQ3B.decodeRows(Uint16Array.of(0, 999));
    } catch (e) {
      own = (e as Error).message;
    }
    expect(cpu.message).toBe(own.replace('E8P12RVQ3B.decodeRows', 'decodeRowsAsync'));
  });
});
