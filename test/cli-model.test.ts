/**
 * quipsharp quantize-model spawned as a process on a small example model (3 blocks, hidden 64, intermediate 176:
 * 21 layers): one uninterrupted run is the reference; a run killed with SIGKILL midway and rerun gives a
 * byte-identical model.safetensors. Layer files are checked when a run resumes (a truncated one is redone), the
 * unquantized tensors are copied byte for byte, and a folder started with other options is refused.
 * (cli-shards.test.ts: sharded runs and merge.)
 */
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../src/node/index.js';
import { readQuantizedModel } from '../src/quantize/index.js';
import { cli, EXAMPLE, EXAMPLE_LAYERS as LAYERS, finished, lastLine, layerFiles, noStack, quantizeModelArgs, sameBytes, spawnCli, tempFolder, writeExampleInputs } from './cli-harness.js';

const folder = tempFolder('quipsharp-cli-model-');
const dir = folder.dir;
let inputs: string[];
let reference: Uint8Array;
const args = (out: string, ...more: string[]) => quantizeModelArgs(inputs, out, ...more);

beforeAll(async () => {
  const { model, hessians } = await writeExampleInputs(dir, EXAMPLE);
  inputs = ['--model', model, '--hessians', hessians];
  const run = await cli([...args('reference'), '--json'], dir);
  expect(run.code, run.stderr).toBe(0);
  reference = readFileSync(join(dir, 'reference', 'model.safetensors'));
});
afterAll(() => folder.remove());

describe('quipsharp quantize-model', () => {
  it('writes every layer and the whole model: quantized layers plus the other tensors byte for byte', async () => {
    const { layers, tensors } = readQuantizedModel(reference);
    expect(layers.size).toBe(LAYERS);
    expect([...layers.keys()].every((n) => /^model\.layers\.[012]\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)$/.test(n))).toBe(true);
    expect(layerFiles(join(dir, 'reference'))).toHaveLength(LAYERS);
    const source = await openSafetensors(join(dir, 'model.safetensors'));
    const out = await openSafetensors(join(dir, 'reference', 'model.safetensors'));
    try {
      expect([...tensors.keys()].sort()).toEqual(source.names().filter((n) => !layers.has(n.replace(/\.weight$/, ''))).sort());
      for (const name of tensors.keys()) expect(await out.readRaw(name)).toEqual(await source.readRaw(name));
    } finally {
      await Promise.all([source.close(), out.close()]);
    }
    // The plain run reports every layer (the JSON run made the reference); a rerun finds them all done.
    const again = await cli(args('reference'), dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/21 layers \(0 quantized now, 21 done before\)/);
    expect(again.stdout).toMatch(/lm_head\.weight\s+F32\s+1024 x 64\s+no Hessian/);
    expect(sameBytes(readFileSync(join(dir, 'reference', 'model.safetensors')), reference)).toBe(true);
  });

  it('killed with SIGKILL midway, a rerun redoes what is missing or damaged and writes the same bytes', async () => {
    const child = spawnCli(args('killed'), dir);
    const done = finished(child);
    // Kill as soon as the first layer is reported written.
    child.stderr!.on('data', (d: Buffer) => {
      if (/^\[1\/21\]/m.test(d.toString())) child.kill('SIGKILL');
    });
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const written = layerFiles(join(dir, 'killed'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(LAYERS);
    expect(existsSync(join(dir, 'killed', 'model.safetensors'))).toBe(false);
    // Damage one finished layer file as a crash of another kind might: the rerun must check and redo it.
    truncateSync(join(dir, 'killed', 'layers', written[0]), 100);

    const rerun = await cli(args('killed'), dir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(new RegExp(`${written[0].replace(/\./g, '\\.')}: .*quantizing it again`));
    expect(sameBytes(readFileSync(join(dir, 'killed', 'model.safetensors')), reference)).toBe(true);
  });

  it('refuses to resume a folder made with other options', async () => {
    const other = await cli(args('reference', '--seed', '7'), dir);
    expect(other.code).toBe(1);
    expect(lastLine(other.stderr)).toMatch(/^quipsharp quantize-model: .*plan\.json: it was made with --seed 0, not 7/);
    expect(noStack(other.stderr)).toBe(true);
  });
});
