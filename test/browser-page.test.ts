// The browser page (web/) in headless Chromium: it loads without console errors, quantizes a layer on worker
// threads, shows the numbers the library computes in Node for the same inputs and seed, and runs matvec on every
// backend it offers (WebAssembly, WebGL2 and WebGPU on SwiftShader here); a screenshot goes to
// artifacts/browser-page.png.
//
// The example layer's weights are Box-Muller normals, and Math.log/cos/sin may differ in the last bit between
// JavaScript engines (docs/random.md), so its figures are compared to 1e-9 relative. Layers dropped in as .npy
// files carry exact bits, and their figures are compared exactly.
import { mkdir } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  incoherence,
  incoherenceProcess,
  matrixFromRowMajor,
  proxyLoss,
  quantizeLinearSync,
  randomNormal,
  writeNpy,
  exampleLayer,
  type Matrix,
  type QuantizeLinearOptions,
} from '../src/index.js';
import { describeBrowser, type BrowserHarness, type HarnessPage } from './browser-harness.js';

const ARTIFACT = new URL('../artifacts/browser-page.png', import.meta.url);

/** What the page shows for a layer, as the library computes it in Node (the page's matvec input: stream 7). */
function expected(W: Matrix, H: Matrix, seed: number) {
  const [m, n] = W.shape;
  const side = (M: Matrix) => {
    const mu = incoherence(M);
    const maxAbs = M.data.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    return { mu, maxAbs, frobenius: (maxAbs / mu) * Math.sqrt(m * n) };
  };
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  const I = matrixFromRowMajor(eye, n, n);
  const energy = proxyLoss(W, matrixFromRowMajor(new Float64Array(m * n), m, n), H);
  const run = (hessian: Matrix, incoherenceChoice: QuantizeLinearOptions['incoherence']) => {
    const q = quantizeLinearSync(W, hessian, { seed, incoherence: incoherenceChoice });
    const loss = proxyLoss(W, q.dequantize(), H);
    return { q, loss, relative: loss / energy };
  };
  const runs = [run(H, 'auto'), run(H, 'none'), run(I, 'auto'), run(I, 'none')];
  const y = runs[0].q.matvec(Float32Array.from(randomNormal(n, seed, 7)));
  let sq = 0;
  for (const v of y) sq += v * v;
  const processed = incoherenceProcess(W, H, { seed });
  return {
    method: processed.method,
    before: side(W),
    after: side(processed.W),
    report: runs[0].q.report!,
    runs,
    norm: Math.sqrt(sq),
    head: Array.from(y.subarray(0, 4)),
  };
}

/** The exact value behind a number the page shows (its data-value attribute). */
async function shown(page: Page, id: string): Promise<number> {
  const value = await page.locator(`#${id}`).getAttribute('data-value');
  if (value === null) throw new Error(`#${id} shows no value`);
  return Number(value);
}

/** Clicks `button` and waits for the action `name` to end; fails with the page's status line on an error. */
async function perform(page: Page, button: string, name: string): Promise<void> {
  await page.click(`#${button}`);
  await page.waitForFunction(`document.body.dataset.action === ${JSON.stringify(name)} && document.body.dataset.outcome !== 'running'`, undefined, { timeout: 30_000 });
  const outcome = await page.locator('body').getAttribute('data-outcome');
  if (outcome !== 'done') throw new Error(`the page's ${name} failed: ${await page.locator('#status').textContent()}`);
}

/** Runs the page's three steps on the loaded layer and checks every number against `want` (`close` for each). */
async function checkSteps(page: Page, want: ReturnType<typeof expected>, close: (got: number, wanted: number) => void): Promise<void> {
  expect(await page.locator('#method').getAttribute('data-value')).toBe(want.method);
  for (const [id, value] of [
    ['mu-before', want.before.mu],
    ['mu-after', want.after.mu],
    ['max-before', want.before.maxAbs],
    ['max-after', want.after.maxAbs],
    ['fro-before', want.before.frobenius],
    ['fro-after', want.after.frobenius],
  ] as const) close(await shown(page, id), value);
  await perform(page, 'quantize', 'quantize');
  expect(await page.locator('#progress').getAttribute('value')).toBe('1');
  expect(await page.locator('#progress-label').textContent()).toBe('done');
  for (const key of ['proxyLoss', 'relativeProxyLoss', 'weightError', 'bitsPerWeight', 'sigmaReg'] as const) close(await shown(page, `r-${key}`), want.report[key]);
  expect(await shown(page, 'r-threads')).toBe(2);
  for (const [k, run] of want.runs.entries()) {
    close(await shown(page, `c${k}-loss`), run.loss);
    close(await shown(page, `c${k}-relative`), run.relative);
  }
  await perform(page, 'matvec', 'matvec');
  close(await shown(page, 'mv-norm'), want.norm);
  const head = JSON.parse((await page.locator('#mv-head').getAttribute('data-value')) ?? '[]') as number[];
  expect(head).toHaveLength(4);
  head.forEach((v, i) => close(v, want.head[i]));
  expect(await shown(page, 'mv-deviation')).toBeLessThan(1e-5);
}

/** Sets a number field of the page. */
async function setField(page: Page, id: string, value: number): Promise<void> {
  await page.fill(`#${id}`, String(value));
}

/** Fills the example layer's fields (by element id) and generates it. */
async function generateLayer(page: Page, fields: Record<string, number>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) await setField(page, id, value);
  await perform(page, 'generate', 'layer');
}

async function openPage(h: BrowserHarness): Promise<HarnessPage> {
  const p = await h.open('index.html');
  await p.page.locator('body[data-ready="true"]').waitFor();
  // two threads, whatever the machine: the report's thread count is checked, and results never depend on it
  await setField(p.page, 'threads', 2);
  return p;
}

describeBrowser('the browser page in headless Chromium', (harness) => {

  it('is cross-origin isolated, quantizes the example layer on workers and shows the Node figures; saves a screenshot', async () => {
    const { page, errors } = await openPage(harness());
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const [m, n, samples, exampleSeed, seed] = [256, 512, 1024, 2024, 3];
    await generateLayer(page, { m, n, samples, 'example-seed': exampleSeed, seed });
    const { W, H } = exampleLayer(m, n, samples, exampleSeed);
    const want = expected(W, H, seed);
    // the example shows what processing does: mu drops from the outliers' level to a Gaussian's
    expect(want.before.mu).toBeGreaterThan(15);
    expect(want.after.mu).toBeLessThan(6);
    await checkSteps(page, want, (got, wanted) => expect(Math.abs(got - wanted)).toBeLessThanOrEqual(1e-9 * Math.abs(wanted)));
    // the screenshot shows compressed inference on the last backend offered (WebGPU where there is an adapter)
    const last = await page.locator('#backend option').last().getAttribute('value');
    await page.selectOption('#backend', last!);
    await perform(page, 'matvec', 'matvec');
    await mkdir(new URL('.', ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT.pathname, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs matvec on each device backend the browser offers, with the CPU results to float32 rounding', async () => {
    const { page, errors } = await openPage(harness());
    const [m, n, samples, exampleSeed, seed] = [128, 256, 512, 9, 2];
    await generateLayer(page, { m, n, samples, 'example-seed': exampleSeed, seed });
    await perform(page, 'quantize', 'quantize');
    const offered = await page.locator('#backend option').evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    expect(offered).toEqual(['cpu', 'webasm', 'webgl', 'webgpu']);
    const { W, H } = exampleLayer(m, n, samples, exampleSeed);
    const y = quantizeLinearSync(W, H, { seed }).matvec(Float32Array.from(randomNormal(n, seed, 7)));
    const largest = y.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    for (const backend of offered.slice(1)) {
      await page.selectOption('#backend', backend!);
      await perform(page, 'matvec', 'matvec');
      expect(await page.locator('#mv-backend').textContent()).toBe(backend);
      const head = JSON.parse((await page.locator('#mv-head').getAttribute('data-value')) ?? '[]') as number[];
      head.forEach((v, i) => expect(Math.abs(v - y[i]), `${backend} y[${i}]`).toBeLessThanOrEqual(1e-5 * largest));
      expect(await shown(page, 'mv-deviation'), backend!).toBeLessThan(1e-5);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes W and H as .npy files and shows exactly the Node figures; reports a bad file in its status line', async () => {
    const { page, errors } = await openPage(harness());
    const [m, n, seed] = [64, 256, 5];
    const { W, H } = exampleLayer(m, n, 512, 11);
    await page.setInputFiles('#w-file', { name: 'W.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNpy(Float32Array.from(W.data), [m, n])) });
    await page.setInputFiles('#h-file', { name: 'H.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNpy(H.data as Float64Array, [n, n])) });
    await setField(page, 'seed', seed);
    await perform(page, 'load', 'layer');
    expect(await page.locator('#layer-label').getAttribute('data-shape')).toBe(`${m}x${n}`);
    // the page read W as float32: the Node side uses the same rounded weights
    const W32 = matrixFromRowMajor(Float64Array.from(Float32Array.from(W.data)), m, n);
    await checkSteps(page, expected(W32, H, seed), (got, wanted) => expect(got).toBe(wanted));

    await page.setInputFiles('#h-file', { name: 'H.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNpy(new Float64Array(8 * 8), [8, 8])) });
    await page.click('#load');
    await page.locator('body[data-outcome="error"]').waitFor();
    expect(await page.locator('#status').textContent()).toBe('RangeError: H.npy: must be 256 x 256 (W has 256 columns), got 8 x 8');
    expect(errors).toEqual([]);
    await page.close();
  });
});
