// randomSignsAsync on every available backend: bit for bit randomSigns.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeDevices, randomSignsAsync } from '../src/backend/index.js';
import { randomSigns } from '../src/random/index.js';
import { describeDevices, errorOf } from './backend-helpers.js';

afterAll(() => disposeDevices());

const seed = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(2 ** 53 - 1, 2 ** 32, 0), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const stream = fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));

describeDevices((backend) => {
  it('equals randomSigns for random lengths, seeds and streams', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), seed, stream, async (n, s, st) => {
        expect(await randomSignsAsync(n, s, st, { backend })).toEqual(randomSigns(n, s, st));
      }),
      { numRuns: 12 },
    );
  });

  it('covers many blocks, the largest key and stream, and the empty case', async () => {
    expect(await randomSignsAsync(1 << 16, 2n ** 64n - 1n, 2 ** 32 - 1, { backend })).toEqual(randomSigns(1 << 16, 2n ** 64n - 1n, 2 ** 32 - 1));
    expect(await randomSignsAsync(4096, 42, 1, { backend })).toEqual(randomSigns(4096, 42, 1));
    expect((await randomSignsAsync(0, 1, 0, { backend })).length).toBe(0);
  });

  it('rejects bad input with the CPU path errors', async () => {
    const calls: Array<(b: 'cpu' | typeof backend) => Promise<unknown>> = [
      (b) => randomSignsAsync(1.5, 0, 0, { backend: b }),
      (b) => randomSignsAsync(-1, 0, 0, { backend: b }),
      (b) => randomSignsAsync(2 ** 31 + 1, 0, 0, { backend: b }),
      (b) => randomSignsAsync(8, -1, 0, { backend: b }),
      (b) => randomSignsAsync(8, 2n ** 64n, 0, { backend: b }),
      (b) => randomSignsAsync(8, '1' as never, 0, { backend: b }),
      (b) => randomSignsAsync(8, 0, 2 ** 32, { backend: b }),
      (b) => randomSignsAsync(8, 0, 0.5, { backend: b }),
      () => randomSignsAsync(8, 0, 0, 'webgpu' as never),
    ];
    for (const call of calls) {
      const onDevice = await errorOf(() => call(backend));
      expect(onDevice).toEqual(await errorOf(() => call('cpu')));
      expect(onDevice.message).toMatch(/^randomSignsAsync: /);
    }
  });
});

describe('the CPU path', () => {
  it('is randomSigns, with its messages under randomSignsAsync', async () => {
    expect(await randomSignsAsync(100, 9, 3, { backend: 'cpu' })).toEqual(randomSigns(100, 9, 3));
    expect(await randomSignsAsync(100, 9)).toEqual(randomSigns(100, 9, 0));
    expect((await errorOf(() => randomSignsAsync(8, 0, -2, { backend: 'cpu' }))).message).toBe(
      'randomSignsAsync: stream must be an integer in [0, 4294967295], got -2',
    );
  });
});
