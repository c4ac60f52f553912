// The browser build of the library in headless Chromium gives Node's answers bit for bit on the integer and
// IEEE-exact paths (Philox streams, FWHT, Hadamard transforms, E8P12 codes, quantizeLinear's codes on Web
// Workers), and the same error messages. Inputs avoid randomNormal: its Math.log/cos/sin may differ in the last
// bit between engines (docs/random.md).
import { expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { describeBrowser, type BrowserLibrary } from './browser-harness.js';

/** Everything compared, computed by `l` (the library in Node, or its browser build in the page). */
async function outcomes(l: BrowserLibrary, seed: number) {
  const m = 48;
  const n = 64;
  const centred = (k: number, stream: number) => Array.from(l.randomUniform(k, seed, stream), (u) => 2 * u - 1);
  const W = l.matrixFromRowMajor(Float64Array.from(centred(m * n, 1)), m, n);
  const X = Float32Array.from(centred(4 * n * n, 2));
  for (let s = 0; s < 4 * n; s++) X[s * n + 5] *= 10; // one loud channel
  const H = new l.HessianAccumulator(n).add(X).hessian();
  const q = await l.quantizeLinear(W, H, { seed, threads: 2 });
  const e8 = l.E8P12.quantize(Float64Array.from(centred(8 * 40, 3), (x) => 2 * x));
  const errorOf = (f: () => unknown) => {
    try {
      f();
      return 'no error';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  return {
    words: Array.from(l.philoxWords(seed, 9, 0, 8)),
    signs: Array.from(l.randomSigns(100, seed, 0)),
    fwht: Array.from(l.fwhtRows(l.matrixFromRowMajor(Float64Array.from(centred(8 * 256, 4)), 8, 256)).data),
    hadamard: Array.from(l.hadamardTransform(Float64Array.from(centred(12 * 16, 5)))),
    e8codes: Array.from(e8.codes),
    e8decoded: Array.from(l.E8P12.decodeRows(e8.codes)),
    codes: Array.from(q.codes),
    proxyLoss: q.report!.proxyLoss,
    threads: q.report!.threads,
    y: Array.from(q.matvec(Float32Array.from(centred(n, 6)))),
    errors: [errorOf(() => l.fwht(new Float64Array(3))), errorOf(() => l.randomSigns(-1, seed))],
  };
}

describeBrowser('the browser build in headless Chromium', (harness) => {

  it('gives the Node results bit for bit and the same errors', async () => {
    const inPage = await harness().evaluate(outcomes, 7);
    const inNode = await outcomes(lib, 7);
    expect(inPage).toEqual(inNode);
    expect(inPage.threads).toBe(2);
    expect(inNode.errors.every((e) => e.startsWith('RangeError: '))).toBe(true);
  });
});
