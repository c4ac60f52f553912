/**
 * The command line's parts, in-process: the progress printer on a terminal and in a log, tables and number
 * formats, the argument readers, tensor references, the Hessian lookup, the shard assignment (laws, by
 * fast-check) and eval's baselines against their explicit definitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { compareWeights, roundToNearest } from '../src/cli/baselines.js';
import { hessianCandidates, sharedHessianName } from '../src/cli/hessian-names.js';
import { assignShards, layerWork, type PlannedLayer } from '../src/cli/plan.js';
import { Progress, stage, type ProgressStream } from '../src/cli/progress.js';
import { parseTensorRef } from '../src/cli/tensor-ref.js';
import { bytesText, formatTable, rateText, secondsText, significant } from '../src/cli/text.js';
import { choiceOption, integerOption, seedOption, shardOption, UsageError } from '../src/cli/usage.js';
import { ScalarCodebook } from '../src/lattice/index.js';
import { randomNormal } from '../src/random/index.js';

/** A stream that records what is written, as a terminal or not, with a clock the test moves. */
function recorder(isTTY: boolean): { stream: ProgressStream; text: () => string; clock: { t: number } } {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) }, text: () => chunks.join(''), clock: { t: 0 } };
}

describe('Progress', () => {
  it('on a terminal: one line redrawn in place, at most every 100 ms, cut to the width', () => {
    const { stream, text, clock } = recorder(true);
    const p = new Progress(stream, 'quantizing', { total: 1e6, unit: 'weights', now: () => clock.t });
    clock.t = 2000;
    p.update(0.5, 'layer 3/14 model.layers.13.self_attn.q_proj, a name long enough to be cut at the width');
    const first = text();
    expect(first.startsWith('\r\x1b[2Kquantizing  [############------------]  50%  250 k weights/s  ETA 2.00 s')).toBe(true);
    expect(first.length - '\r\x1b[2K'.length).toBe(99);
    expect(first.endsWith('…')).toBe(true);
    clock.t = 2050;
    p.update(0.6);
    expect(text()).toBe(first);
    clock.t = 2150;
    p.update(0.6);
    expect(text().length).toBeGreaterThan(first.length);
    expect(text()).not.toContain('\n');
    clock.t = 4000;
    expect(p.finish('14 layers')).toBe(4);
    expect(text().endsWith('\r\x1b[2Kquantizing: done in 4.00 s, 250 k weights/s; 14 layers\n')).toBe(true);
  });

  it('in a log: plain lines, none in the first 5 s, then every tenth of the elapsed time (5 to 60 s apart)', () => {
    const { stream, text, clock } = recorder(false);
    const p = new Progress(stream, 'copying', { total: 1e9, unit: 'B', now: () => clock.t });
    const lines = () => text().split('\n').filter(Boolean);
    for (clock.t = 0; clock.t < 5000; clock.t += 1000) p.update(clock.t / 1e6);
    expect(lines()).toEqual([]);
    clock.t = 5000;
    p.update(0.01);
    expect(lines()).toEqual(['copying  1.0%  2.00 MB/s  ETA 8m15s']);
    clock.t = 9000;
    p.update(0.02);
    expect(lines()).toHaveLength(1);
    clock.t = 10000;
    p.update(0.02);
    expect(lines()).toHaveLength(2);
    clock.t = 300_000; // interval now 30 s
    p.update(0.5);
    clock.t = 320_000;
    p.update(0.6);
    expect(lines()).toHaveLength(3);
    clock.t = 334_000; // 34 s since the last line, interval 33.4 s
    p.update(0.7);
    expect(lines()).toHaveLength(4);
    expect(text()).not.toContain('\r');
  });

  it('stage: the label, then the time it took', async () => {
    const { stream, text } = recorder(false);
    expect(await stage(stream, 'reading W.npy', () => 42)).toBe(42);
    expect(text()).toMatch(/^reading W\.npy\.\.\.\nreading W\.npy: done in \d\.\d\d s\n$/);
  });
});

describe('text', () => {
  it('formats sizes, durations, rates and losses', () => {
    expect([bytesText(512), bytesText(12_345), bytesText(4.56e9)]).toEqual(['512 B', '12.3 kB', '4.56 GB']);
    expect([secondsText(0.421), secondsText(12.34), secondsText(185), secondsText(3725)]).toEqual(['0.42 s', '12.3 s', '3m05s', '1h02m']);
    expect([rateText(1234567, 'weights'), rateText(512e6, 'B'), rateText(3, 'rows')]).toEqual(['1.23 M weights/s', '512 MB/s', '3.00 rows/s']);
    expect([significant(0), significant(0.012345), significant(1.2e-7), significant(null)]).toEqual(['0', '0.0123', '1.20e-7', '-']);
  });

  it('formatTable aligns columns left or right, with rules under the header and above the footer', () => {
    const table = formatTable([{ header: 'name' }, { header: 'n', align: 'right' }], [['a', '1'], ['bbb', '100']], [['all', '101']]);
    expect(table).toBe('name    n\n----  ---\na       1\nbbb   100\n----  ---\nall   101\n');
  });
});

describe('argument readers', () => {
  it('integers, seeds, choices and shards, with a UsageError in the library format', () => {
    expect(integerOption('--threads', '8', 1, 1024)).toBe(8);
    for (const bad of ['0', '1025', '-1', '1.5', '1e3', '', 'x']) expect(() => integerOption('--threads', bad, 1, 1024)).toThrow(UsageError);
    expect(() => integerOption('--threads', '0', 1, 1024)).toThrow('--threads must be an integer in [1, 1024], got "0"');
    expect(seedOption('--seed', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(seedOption('--seed', '9007199254740992')).toBe(2n ** 53n);
    expect(seedOption('--seed', '18446744073709551615')).toBe(2n ** 64n - 1n);
    for (const bad of ['18446744073709551616', '-1', '0x10']) expect(() => seedOption('--seed', bad)).toThrow(UsageError);
    expect(choiceOption('--incoherence', 'rfft', ['auto', 'rfft'])).toBe('rfft');
    expect(() => choiceOption('--incoherence', 'fft', ['auto', 'rfft'])).toThrow('--incoherence must be one of auto, rfft, got "fft"');
    expect(shardOption('--shard', '3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '1', 'a/b', '-1/2']) expect(() => shardOption('--shard', bad)).toThrow(UsageError);
  });

  it('tensor references: .npy, containers with an optional name, MODEL_DIR:NAME for a directory only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quipsharp-ref-'));
    try {
      expect(await parseTensorRef('--weight', 'W.npy')).toMatchObject({ path: 'W.npy', name: null, kind: 'npy' });
      expect(await parseTensorRef('--weight', 'm.safetensors')).toMatchObject({ path: 'm.safetensors', name: null, kind: 'safetensors' });
      expect(await parseTensorRef('--weight', 'm.safetensors:a:b.weight')).toMatchObject({ path: 'm.safetensors', name: 'a:b.weight' });
      expect(await parseTensorRef('--weight', 'arrays.npz:W')).toMatchObject({ path: 'arrays.npz', name: 'W', kind: 'npz' });
      expect(await parseTensorRef('--weight', 'model.safetensors.index.json:x')).toMatchObject({ path: 'model.safetensors.index.json', name: 'x', kind: 'safetensors' });
      expect(await parseTensorRef('--weight', `${dir}:lm_head.weight`)).toMatchObject({ path: dir, name: 'lm_head.weight', kind: 'safetensors' });
      await expect(parseTensorRef('--weight', `${dir}-missing:lm_head.weight`)).rejects.toThrow(UsageError);
      await expect(parseTensorRef('--weight', 'W.bin')).rejects.toThrow('--weight must be FILE.npy');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('Hessian names', () => {
  it('P.hessian first, then the shared q/k/v or up/gate Hessian of the block', () => {
    expect(hessianCandidates('model.layers.0.self_attn.k_proj')).toEqual(['model.layers.0.self_attn.k_proj.hessian', 'model.layers.0.self_attn.qkv.hessian']);
    expect(hessianCandidates('model.layers.3.mlp.gate_proj')).toEqual(['model.layers.3.mlp.gate_proj.hessian', 'model.layers.3.mlp.up.hessian']);
    expect(hessianCandidates('model.layers.3.mlp.down_proj')).toEqual(['model.layers.3.mlp.down_proj.hessian']);
    expect(sharedHessianName('model.layers.0.self_attn.o_proj')).toBeNull();
    expect(sharedHessianName('q_proj')).toBeNull();
  });
});

describe('assignShards', () => {
  const layersArb = fc
    .uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 6 }), m: fc.integer({ min: 1, max: 4096 }), n: fc.integer({ min: 1, max: 512 }) }), {
      selector: (l) => l.name,
      minLength: 1,
      maxLength: 40,
    })
    .map((ls) => ls.map((l): PlannedLayer => ({ name: l.name, shape: [l.m, 8 * l.n], hessian: `${l.name}.hessian` })));

  it('gives every layer one shard, independent of the listing order, balanced within the largest layer', () => {
    fc.assert(
      fc.property(layersArb, fc.integer({ min: 1, max: 9 }), fc.integer(), (layers, count, rotate) => {
        const shards = assignShards(layers, count);
        expect(shards.every((s) => Number.isInteger(s) && s >= 0 && s < count)).toBe(true);
        // the same assignment, layer by layer, for the layers listed in another order
        const k = ((rotate % layers.length) + layers.length) % layers.length;
        const rotated = [...layers.slice(k), ...layers.slice(0, k)];
        const again = assignShards(rotated, count);
        rotated.forEach((l, i) => expect(again[i]).toBe(shards[layers.indexOf(l)]));
        // greedy least-loaded placement: loads differ by at most one layer's work
        const load = new Array<number>(count).fill(0);
        layers.forEach((l, i) => (load[shards[i]] += layerWork(l.shape)));
        const biggest = Math.max(...layers.map((l) => layerWork(l.shape)));
        expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(biggest * (1 + 1e-12));
      }),
    );
  });
});

describe('eval baselines', () => {
  const m = 6;
  const n = 16;
  const W = randomNormal(m * n, 4);
  for (let k = 0; k < W.length; k += 17) W[k] *= 20;
  const A = randomNormal(n * n, 5);
  const H = new Float64Array(n * n); // A A^T / n + I, symmetric positive definite
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) H[i * n + j] += (A[i * n + k] * A[j * n + k]) / n + (i === j && k === 0 ? 1 : 0);

  it('roundToNearest: every weight to the nearest level of the 2-bit grid scaled by rms(W)', () => {
    const codebook = new ScalarCodebook(2);
    const Wq = roundToNearest(ndarray(W, [m, n]), codebook).data;
    const rms = Math.sqrt(W.reduce((s, x) => s + x * x, 0) / W.length);
    const levels = [-1.5, -0.5, 0.5, 1.5].map((l) => l * codebook.step * rms);
    W.forEach((x, k) => {
      const nearest = levels.reduce((best, l) => (Math.abs(x - l) < Math.abs(x - best) ? l : best));
      expect(Wq[k]).toBeCloseTo(nearest, 12);
    });
  });

  it('compareWeights: tr(R H R^T), its ratio to tr(W H W^T) and ||R|| / ||W|| by their definitions', () => {
    const Wq = roundToNearest(ndarray(W, [m, n]), new ScalarCodebook(2)).data;
    const quad = (X: Float64Array) => {
      let s = 0;
      for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += X[r * n + i] * H[i * n + j] * X[r * n + j];
      return s;
    };
    const R = W.map((x, k) => x - Wq[k]);
    const got = compareWeights(ndarray(W, [m, n]), ndarray(Wq, [m, n]), ndarray(H, [n, n]));
    expect(got.proxyLoss).toBeCloseTo(quad(R), 8);
    expect(got.relativeProxyLoss).toBeCloseTo(quad(R) / quad(W), 12);
    const norm = (X: Float64Array) => Math.sqrt(X.reduce((s, x) => s + x * x, 0));
    expect(got.weightError).toBeCloseTo(norm(R) / norm(W), 12);
    expect(compareWeights(ndarray(W, [m, n]), ndarray(W.slice(), [m, n]), ndarray(H, [n, n]))).toEqual({ proxyLoss: 0, relativeProxyLoss: 0, weightError: 0 });
  });
});
