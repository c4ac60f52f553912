/**
 * Sharded quipsharp quantize-model runs on the example model of cli-model.test.ts: two shards in separate
 * folders joined by merge, and two shards sharing one folder, each give the model.safetensors of one run, byte for
 * byte; merge refuses folders of different runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, EXAMPLE, EXAMPLE_LAYERS as LAYERS, lastLine, quantizeModelArgs, sameBytes, tempFolder, writeExampleInputs } from './cli-harness.js';

const folder = tempFolder('quipsharp-cli-shards-');
const dir = folder.dir;
let inputs: string[];
let reference: Uint8Array;
const args = (out: string, ...more: string[]) => quantizeModelArgs(inputs, out, ...more);

beforeAll(async () => {
  const { model, hessians } = await writeExampleInputs(dir, EXAMPLE);
  inputs = ['--model', model, '--hessians', hessians];
  const run = await cli(args('reference'), dir);
  expect(run.code, run.stderr).toBe(0);
  reference = readFileSync(join(dir, 'reference', 'model.safetensors'));
});
afterAll(() => folder.remove());

describe('quipsharp quantize-model --shard and merge', () => {
  it('two shards in separate folders, joined by merge, equal one run; shards sharing a folder finish it themselves', async () => {
    const [a, b] = await Promise.all([cli([...args('shard0', '--shard', '0/2'), '--json'], dir), cli([...args('shard1', '--shard', '1/2'), '--json'], dir)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout) as { complete: boolean; layers: { name: string }[] };
    const rb = JSON.parse(b.stdout) as { complete: boolean; layers: { name: string }[] };
    expect([ra.complete, rb.complete]).toEqual([false, false]);
    const names = [...ra.layers, ...rb.layers].map((l) => l.name);
    expect(new Set(names).size).toBe(LAYERS);
    expect(ra.layers.length).toBeGreaterThan(0);
    expect(rb.layers.length).toBeGreaterThan(0);

    const merged = await cli(['merge', 'shard0', 'shard1', '--out', 'merged'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    expect(sameBytes(readFileSync(join(dir, 'merged', 'model.safetensors')), reference)).toBe(true);

    const first = await cli(args('shared', '--shard', '1/2'), dir);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir, 'shared', 'model.safetensors'))).toBe(false);
    const second = await cli(args('shared', '--shard', '0/2'), dir);
    expect(second.code, second.stderr).toBe(0);
    expect(sameBytes(readFileSync(join(dir, 'shared', 'model.safetensors')), reference)).toBe(true);
  });

  it('merge refuses folders of different runs', async () => {
    const mlp = await cli([...args('mlp-only', '--layers', '\\.mlp\\.'), '--json'], dir);
    expect(mlp.code, mlp.stderr).toBe(0);
    const result = JSON.parse(mlp.stdout) as { layers: unknown[]; copied: { name: string; reason: string }[] };
    expect(result.layers).toHaveLength(9);
    expect(result.copied.filter((c) => c.reason === 'not selected by --layers')).toHaveLength(12);
    const mixed = await cli(['merge', 'reference', 'mlp-only', '--out', 'mixed'], dir);
    expect(mixed.code).toBe(1);
    expect(lastLine(mixed.stderr)).toMatch(/mlp-only is not a shard of the same run as reference: it quantizes other layers/);
  });
});
