// BlockLDLQ's panel products on every available device backend, and quantizeLinear({ backend }): the products
// agree with sweepProductCPU to float32 accuracy; the codes equal the CPU path's except after float32 near-ties.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeDevices } from '../src/backend/index.js';
import { DeviceFeedback, type FeedbackKernel } from '../src/backend/feedback.js';
import { E8P12 } from '../src/lattice/index.js';
import { blockLDL, blockLDLQInPlaceSteps, regularizeHessian, sweepProductCPU, type SweepProduct } from '../src/ldlq/index.js';
import { exampleLayer, matrixFromRowMajor, quantizeLinear, quantizeLinearSync } from '../src/index.js';
import { describeDevices, errorOf } from './backend-helpers.js';

afterAll(() => disposeDevices());

/** A deterministic uniform stream in [-1, 1). */
function uniforms(length: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * The panel products of a sweep over an m x n layer with panels of k columns (the last, leftmost one narrower when
 * k does not divide n), each computed by `compute` on its own copy of X and by sweepProductCPU; between products
 * the columns of the panel just started are changed (as rounding them does), so a device that read A too early
 * gives a wrong product. Resolves to the largest error relative to its float32 bound, (q + 4) 2^-24 sum |A L|.
 */
async function panelProductErrors(m: number, n: number, k: number, seed: number, compute: (p: SweepProduct) => Promise<void>): Promise<number> {
  const A = uniforms(m * n, seed);
  const L = uniforms(n * n, seed + 1);
  let worst = 0;
  for (let p1 = n - k; p1 > 0; p1 -= k) {
    const p0 = Math.max(0, p1 - k);
    const w = p1 - p0;
    const X = uniforms(m * w, seed + p1);
    const expected = X.slice();
    const base = { m, n, A, L, w, p0, q0: p1, q1: n, c0: p0, c1: p1, panelStart: true };
    await compute({ ...base, X });
    sweepProductCPU({ ...base, X: expected });
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < w; c++) {
        let bound = 0;
        for (let t = p1; t < n; t++) bound += Math.abs(A[i * n + t] * L[t * n + p0 + c]);
        bound = (n - p1 + 4) * 2 ** -24 * bound + 1e-300;
        worst = Math.max(worst, Math.abs(X[i * w + c] - expected[i * w + c]) / bound);
      }
    }
    const next = uniforms(m * w, seed + 7 * p1);
    for (let i = 0; i < m; i++) for (let c = 0; c < w; c++) A[i * n + p0 + c] = next[i * w + c];
  }
  return worst;
}

/** The quantizer inputs and codes of BlockLDLQ's sweep over A (m x n, E8P12) with L, products by `compute`. */
async function sweep(A0: Float64Array, m: number, n: number, L: Float64Array, compute: (p: SweepProduct) => Promise<void> | void) {
  const A = A0.slice();
  const inputs = new Float64Array(m * n);
  const record = (k0: number, X: Float64Array) => {
    for (let i = 0; i < m; i++) for (let t = 0; t < 8; t++) inputs[i * n + k0 + t] = X[i * 8 + t];
  };
  const { steps, codes } = blockLDLQInPlaceSteps('blockLDLQ', A, m, n, L, E8P12, record);
  for (const p of steps) await compute(p);
  return { inputs, codes };
}

const distance2 = (x: Float64Array, o: number, p: Float64Array): number => p.reduce((s, v, t) => s + (x[o + t] - v) ** 2, 0);

/** Rows whose codes differ (each row's blocks compared from the last, the order they are rounded in). */
function differingRows(a: Uint16Array, b: Uint16Array, m: number, blocks: number): Array<{ row: number; block: number }> {
  const out: Array<{ row: number; block: number }> = [];
  for (let i = 0; i < m; i++) {
    for (let k = blocks - 1; k >= 0; k--) {
      if (a[i * blocks + k] !== b[i * blocks + k]) {
        out.push({ row: i, block: k });
        break;
      }
    }
  }
  return out;
}


/**
 * The rows where `other`'s codes differ from the CPU sweep's, each checked to begin with a float32 near-tie: at the
 * row's first differing block (in rounding order) the two quantizer inputs agree to float32 accuracy and the CPU's
 * input is within `rel` (default 1e-5, float32 rounding with a wide margin) relative of equidistant from the two
 * points. Rows are independent, so the later blocks of
 * such a row may differ freely.
 */
function checkedNearTies(cpu: { inputs: Float64Array; codes: Uint16Array }, other: { inputs: Float64Array; codes: Uint16Array }, m: number, n: number, rel = 1e-5) {
  const ties = differingRows(cpu.codes, other.codes, m, n / 8);
  for (const { row, block } of ties) {
    const o = row * n + 8 * block;
    const x = cpu.inputs;
    let dx = 0;
    let size = 0;
    for (let t = 0; t < 8; t++) {
      dx = Math.max(dx, Math.abs(other.inputs[o + t] - x[o + t]));
      size = Math.max(size, Math.abs(x[o + t]));
    }
    expect(dx).toBeLessThan(rel * Math.max(1, size));
    const dCpu = distance2(x, o, E8P12.decode(cpu.codes[row * (n / 8) + block]));
    const dOther = distance2(x, o, E8P12.decode(other.codes[row * (n / 8) + block]));
    expect(dOther - dCpu).toBeLessThan(rel * Math.max(dCpu, 1e-3));
  }
  return ties;
}

describeDevices((backend) => {
  // WebGPU has two kernels behind the same call: the hand-written WGSL one (default) and gpu.js's
  const kernels: FeedbackKernel[] = backend === 'webgpu' ? ['wgsl', 'gpu.js'] : ['gpu.js'];

  it.each(kernels)('panel products (%s) agree with sweepProductCPU to float32 accuracy on random shapes', async (kernel) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 18 }),
        fc.integer(),
        async (m, k, panels, tail, seed) => {
          const n = panels * k + (tail % k);
          const feedback = new DeviceFeedback(backend, m, n, kernel);
          try {
            expect(await panelProductErrors(m, n, k, seed, (p) => feedback.compute(p))).toBeLessThanOrEqual(1);
          } finally {
            feedback.dispose();
          }
        },
      ),
      { numRuns: backend === 'webgpu' ? 5 : 10 },
    );
  });

  it.each(kernels)('(%s) the check fails for a product off by 1e-3 or one that reads stale residual columns', async (kernel) => {
    const skewedFeedback = new DeviceFeedback(backend, 9, 30, kernel);
    const skewed = async (p: SweepProduct) => {
      await skewedFeedback.compute(p);
      p.X[0] += 1e-3;
    };
    expect(await panelProductErrors(9, 30, 10, 3, skewed)).toBeGreaterThan(1);
    skewedFeedback.dispose();
    // a second sweep through the same instance finds the first sweep's panels on the device
    const reused = new DeviceFeedback(backend, 9, 30, kernel);
    expect(await panelProductErrors(9, 30, 10, 3, (p) => reused.compute(p))).toBeLessThanOrEqual(1);
    expect(await panelProductErrors(9, 30, 10, 4, (p) => reused.compute(p))).toBeGreaterThan(1);
    reused.dispose();
  });

  it('the pushes inside a panel stay on the CPU, bit for bit', async () => {
    const m = 5;
    const n = 40;
    const A = uniforms(m * n, 11);
    const L = uniforms(n * n, 12);
    const X = uniforms(m * 16, 13);
    const expected = X.slice();
    const p = { m, n, A, L, w: 16, p0: 8, q0: 20, q1: 24, c0: 8, c1: 20, panelStart: false };
    const feedback = new DeviceFeedback(backend, m, n);
    await feedback.compute({ ...p, X });
    feedback.dispose();
    sweepProductCPU({ ...p, X: expected });
    expect(X).toEqual(expected);
  });

  it('BlockLDLQ codes equal the CPU sweep except after float32 near-ties, which are counted', async () => {
    for (const [m, n, seed] of [
      [64, 384, 1],
      [37, 264, 2],
    ]) {
      const { W, H } = exampleLayer(m, n, 2 * n, seed);
      const L = blockLDL(regularizeHessian(H), 8).L.data as Float64Array;
      const w = W.data as Float64Array;
      const rms = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
      const A = w.map((v) => (v / rms) * E8P12.optScale);
      const cpu = await sweep(A, m, n, L, sweepProductCPU);
      const feedback = new DeviceFeedback(backend, m, n);
      const device = await sweep(A, m, n, L, (p) => feedback.compute(p));
      feedback.dispose();
      const ties = checkedNearTies(cpu, device, m, n);
      // every row before its first tie gets exactly the CPU's inputs' codes; ties are rare
      expect(ties.length).toBeLessThanOrEqual(Math.ceil(m / 8));
      console.log(`${backend}: ${m} x ${n}: ${ties.length} near-tie rows of ${m}`);
    }
  });

  it.each([
    [64, 256],
    [200, 384],
  ])('quantizeLinear %i x %i: the CPU path\'s codes except after counted near-ties', async (m, n) => {
    const { W, H } = exampleLayer(m, n, 2 * n, m + n);
    const cpu = quantizeLinearSync(W, H, { seed: 3 });
    const device = await quantizeLinear(W, H, { seed: 3, backend });
    expect(device.outFeatures).toBe(m);
    expect(device.inFeatures).toBe(n);
    expect(device.scale).toBe(cpu.scale);
    const blocks = n / 8;
    const ties = differingRows(cpu.codes, device.codes, m, blocks);
    expect(ties.length).toBeLessThanOrEqual(Math.ceil(m / 8));
    console.log(`${backend}: quantizeLinear ${m} x ${n}: ${ties.length} near-tie rows of ${m}`);
    const report = device.report!;
    expect(report.threads).toBe(1);
    expect(Math.abs(report.relativeProxyLoss - cpu.report!.relativeProxyLoss)).toBeLessThan(1e-3 * cpu.report!.relativeProxyLoss + (ties.length > 0 ? 0.05 : 1e-9));
  });

  it('row energies on a worker (threads 2) or on the calling thread (threads 1): the same codes and report, progress monotone to 1', async () => {
    const { W, H } = exampleLayer(96, 256, 512, 21);
    const fractions: number[] = [];
    const two = await quantizeLinear(W, H, { seed: 4, backend, threads: 2, onProgress: (p) => fractions.push(p.fraction) });
    const one = await quantizeLinear(W, H, { seed: 4, backend, threads: 1 });
    expect(two.codes).toEqual(one.codes);
    const { seconds: _s2, ...report2 } = two.report!;
    const { seconds: _s1, ...report1 } = one.report!;
    expect(report2).toEqual(report1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(fractions.at(-1)).toBe(1);
  });

  it('stops at the next product when options.signal aborts during the rounding', async () => {
    const { W, H } = exampleLayer(32, 512, 1024, 6);
    const controller = new AbortController();
    const onProgress = (p: { stage: string; done: number }) => {
      if (p.stage === 'round' && p.done > 0) controller.abort();
    };
    expect((await errorOf(() => quantizeLinear(W, H, { backend, signal: controller.signal, onProgress }))).name).toBe('AbortError');
  });

  it('rejects bad input with the CPU path\'s errors', async () => {
    const { W, H } = exampleLayer(16, 64, 128, 4);
    const bad = W.data.slice() as Float64Array;
    bad[17] = NaN;
    const asym = (H.data as Float64Array).slice();
    asym[1] += 1;
    const cases: Array<[string, unknown, unknown, object]> = [
      ['non-finite W', matrixFromRowMajor(bad, 16, 64), H, {}],
      ['asymmetric H', W, matrixFromRowMajor(asym, 64, 64), {}],
      ['n not a multiple of 8', matrixFromRowMajor(W.data.slice(0, 16 * 60) as Float64Array, 16, 60), H, {}],
      ['an unknown option', W, H, { backnd: 'cpu' }],
    ];
    for (const [, w, h, options] of cases) {
      const onDevice = await errorOf(() => quantizeLinear(w as never, h as never, { ...options, backend }));
      const onCpu = await errorOf(() => quantizeLinear(w as never, h as never, { ...options, backend: 'cpu', threads: 1 }));
      expect(onDevice).toEqual(onCpu);
    }
  });
});

describe('the near-tie check', () => {
  it('finds and verifies the near-ties of a slightly perturbed feedback, and rejects a coarse one', async () => {
    const m = 64;
    const n = 384;
    const { W, H } = exampleLayer(m, n, 2 * n, 1);
    const L = blockLDL(regularizeHessian(H), 8).L.data as Float64Array;
    const w = W.data as Float64Array;
    const rms = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    const A = w.map((v) => (v / rms) * E8P12.optScale);
    const cpu = await sweep(A, m, n, L, sweepProductCPU);
    const noise = uniforms(m * 128, 9);
    const perturbed = (scale: number) => (p: SweepProduct) => {
      sweepProductCPU(p);
      if (p.panelStart) for (let i = 0; i < p.X.length; i++) p.X[i] *= 1 + scale * noise[i % noise.length];
    };
    // a perturbation of 2^-10 relative flips a few codes (float32's 2^-24 flipped none in these layers)
    const fine = checkedNearTies(cpu, await sweep(A, m, n, L, perturbed(2 ** -10)), m, n, 2 ** -4);
    console.log(`perturbed by 2^-10: ${fine.length} near-tie rows of ${m}`);
    expect(fine.length).toBeGreaterThan(0);
    const coarse = await sweep(A, m, n, L, perturbed(0.5));
    expect(() => checkedNearTies(cpu, coarse, m, n, 2 ** -4)).toThrow();
  });
});

describe('options.backend', () => {
  const { W, H } = exampleLayer(8, 64, 128, 5);

  it('is checked like the other options', async () => {
    expect(await errorOf(() => quantizeLinear(W, H, { backend: 'cuda' as never }))).toEqual({
      name: 'RangeError',
      message: `quantizeLinear: options.backend must be one of 'auto', 'cpu', 'webasm', 'webgpu', 'webgl' or undefined, got "cuda"`,
    });
    expect((await errorOf(() => quantizeLinear(W, H, { backend: 3 as never }))).name).toBe('TypeError');
    // WebGL2 needs a browser: named explicitly in Node, it is unavailable (not silently the CPU)
    expect((await errorOf(() => quantizeLinear(W, H, { backend: 'webgl' }))).name).toBe('BackendUnavailableError');
  });

  it('quantizeLinearSync takes only the CPU', async () => {
    expect(() => quantizeLinearSync(W, H, { backend: 'webasm' })).toThrow(
      "quantizeLinearSync: options.backend must be 'cpu' or undefined (device backends are asynchronous: use quantizeLinear), got \"webasm\"",
    );
    expect(quantizeLinearSync(W, H, { backend: 'cpu' }).codes).toEqual(quantizeLinearSync(W, H).codes);
  });

  it("'cpu' is the worker path, bit for bit, and tuneIters > 0 stays on it whatever the backend", async () => {
    const sync = quantizeLinearSync(W, H, { seed: 2, tuneIters: 1 });
    const q = await quantizeLinear(W, H, { seed: 2, tuneIters: 1, backend: 'webasm', threads: 2 });
    expect(q.codes).toEqual(sync.codes);
    expect(q.report!.threads).toBe(2);
    expect((await quantizeLinear(W, H, { backend: 'cpu', threads: 1 })).codes).toEqual(quantizeLinearSync(W, H).codes);
  });
});
