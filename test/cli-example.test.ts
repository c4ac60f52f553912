/**
 * `quipsharp` with no command, spawned as a process: the example model quantized, tabulated, saved, reloaded
 * and checked. A smaller example than the default (--hidden 64 --intermediate 176) keeps it to seconds; with no
 * arguments at all the same code runs at the default sizes (about 25 s on two cores, measured outside the tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleModel } from '../src/example/index.js';
import { quantizeLinearSync, readQuantizedModel } from '../src/quantize/index.js';
import { cli, tempFolder } from './cli-harness.js';

const folder = tempFolder('quipsharp-cli-example-');
afterAll(() => folder.remove());
const SMALL = ['--hidden', '64', '--intermediate', '176', '--samples', '256'];
const OPTIONS = { blocks: 2, hidden: 64, intermediate: 176, samples: 256 };

interface ExampleResult {
  layers: { name: string; shape: [number, number]; incoherence: string; bitsPerWeight: number; relativeProxyLoss: number; weightError: number }[];
  totals: { layers: number; weights: number };
  check: { maxRelativeDifference: number; limit: number; ok: boolean };
  out: string;
}

describe('quipsharp (no command): the example', () => {
  it('quantizes the 14 linear layers, saves, reloads and checks matvec against dequantize', async () => {
    const run = await cli([...SMALL, '--threads', '1', '--out', 'ex', '--json'], folder.dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ExampleResult;
    expect(result.layers).toHaveLength(14);
    expect(result.totals.weights).toBe(2 * (4 * 64 * 64 + 3 * 176 * 64));
    expect(result.check.ok).toBe(true);
    expect(result.check.maxRelativeDifference).toBeLessThan(1e-12);
    for (const layer of result.layers) {
      expect(layer.bitsPerWeight).toBeGreaterThan(2);
      expect(layer.bitsPerWeight).toBeLessThan(2.1);
      expect(layer.relativeProxyLoss).toBeGreaterThan(0);
      expect(layer.relativeProxyLoss).toBeLessThan(0.2);
    }
    // progress went to stderr, with a rate
    expect(run.stderr).toMatch(/quantizing 14 layers: done in [\d.]+ s, [\d.]+ k? ?weights\/s/);

    // The saved file holds every layer (the codes of quantizeLinear on the same example) and the other tensors.
    const saved = readQuantizedModel(readFileSync(join(folder.dir, 'ex', 'model.safetensors')));
    expect([...saved.layers.keys()]).toEqual(result.layers.map((l) => l.name));
    expect([...saved.tensors.keys()].sort()).toEqual(
      ['lm_head.weight', 'model.embed_tokens.weight', 'model.norm.weight', ...[0, 1].flatMap((b) => [`model.layers.${b}.input_layernorm.weight`, `model.layers.${b}.post_attention_layernorm.weight`])].sort(),
    );
    const { tensors, hessians } = exampleModel(OPTIONS);
    const name = 'model.layers.1.mlp.down_proj';
    const W = tensors.get(`${name}.weight`)!;
    const direct = quantizeLinearSync(ndarray(W.data, W.shape), hessians.get(name)!);
    expect(saved.layers.get(name)!.codes).toEqual(direct.codes);
  });

  it('prints the per-layer table and totals', async () => {
    const run = await cli([...SMALL, '--blocks', '1', '--threads', '1', '--out', 'table'], folder.dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^layer\s+shape \(out x in\)\s+method\s+bits\/weight\s+rel\. proxy loss\s+weight error\s+seconds$/);
    expect(lines.filter((l) => /^model\.layers\.0\.\S+\s+\d+ x \d+\s+E8P12\/(RHT|RFFT)\s+2\.\d{3}\s/.test(l))).toHaveLength(7);
    expect(run.stdout).toMatch(/^7 layers \(mean\)\s+0\.\d+M weights\s+2\.\d{3}/m);
    expect(run.stdout).toMatch(/matvec vs dequantize: max relative difference \S+ \(limit 1e-10\) ok/);
    expect(run.stdout).toMatch(/saved table\/model\.safetensors/);
  });
});
