/**
 * QuIP#'s Hessian files on the command line: `quantize --hessian H.pt` (QuIP#'s own sample file, with the
 * sample's weight) and `quantize-model --hessians DIR` on a folder laid out as QuIP# writes it ({i}_qkv.pt,
 * {i}_o.pt, {i}_up.pt, {i}_down.pt), each giving the codes of quantizeLinearSync on the dense Hessian the file
 * describes; the name mapping; one read per shared file; and the failures (a Hessian of the wrong size, a .pt that
 * is not a Hessian, a damaged one), each one line with exit code 1.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quipSharpHessianToDense } from '../src/interop/index.js';
import { readTorchFile, writeNpy } from '../src/io/index.js';
import { openSafetensors } from '../src/node/index.js';
import { QuantizedLinear, quantizeLinearSync, readQuantizedModel } from '../src/quantize/index.js';
import { hessianCandidates, quipSharpHessianFileName } from '../src/cli/hessian-names.js';
import { openHessians } from '../src/cli/hessian-source.js';
import { cli, cliInProcess, lastLine, noStack, quantizeModelArgs, tempFolder, writeExampleInputs, type CliResult } from './cli-harness.js';
import { b64, SAMPLES, sampleBytes, sampleJson, type B64Array } from './interop-samples.js';

const folder = tempFolder('quipsharp-cli-quip-sharp-');
const dir = folder.dir;
const HESSIAN = join(SAMPLES, 'B2_hessian.pt');
const N = 256; // the sample Hessian's n
const H = quipSharpHessianToDense(readTorchFile(sampleBytes('B2_hessian.pt')) as Record<string, unknown>);
const W = ndarray(b64(sampleJson<{ W: B64Array }>('layer_B2.json').W, 'float32'), [192, N]);
const GROUPS = ['qkv', 'o', 'up', 'down'];
const LINEAR = /^model\.layers\.0\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)$/;

/** A folder holding B2_hessian.pt under each of `names`. */
function hessianFolder(name: string, names: string[]): string {
  const path = join(dir, name);
  mkdirSync(path);
  for (const n of names) copyFileSync(HESSIAN, join(path, n));
  return path;
}

beforeAll(async () => {
  writeFileSync(join(dir, 'W.npy'), writeNpy(W.data, W.shape));
  writeFileSync(join(dir, 'W64.npy'), writeNpy(new Float32Array(16 * 64).fill(0.5), [16, 64]));
  const bytes = readFileSync(HESSIAN);
  writeFileSync(join(dir, 'truncated.pt'), bytes.subarray(0, bytes.length - 1000));
  // A model of one block whose every linear layer has 256 inputs, as the sample Hessian has; and one of 64.
  for (const [sub, hidden] of [['model256', 256], ['model64', 64]] as const) {
    mkdirSync(join(dir, sub));
    await writeExampleInputs(join(dir, sub), { blocks: 1, hidden, intermediate: 256, vocab: 32, samples: 16 });
  }
  hessianFolder('quip', GROUPS.map((g) => `0_${g}.pt`));
  hessianFolder('partial', ['0_qkv.pt', '0_down.pt']);
  const damaged = hessianFolder('damaged', GROUPS.map((g) => `0_${g}.pt`));
  writeFileSync(join(damaged, '0_o.pt'), bytes.subarray(0, bytes.length - 1000));
});
afterAll(() => folder.remove());

describe('QuIP# Hessian file names', () => {
  it('maps each projection of block i to its shared file, for any model prefix', () => {
    const cases: [string, string | null][] = [
      ['model.layers.0.self_attn.q_proj', '0_qkv.pt'],
      ['model.layers.0.self_attn.k_proj', '0_qkv.pt'],
      ['model.layers.0.self_attn.v_proj', '0_qkv.pt'],
      ['model.layers.12.self_attn.o_proj', '12_o.pt'],
      ['model.layers.3.mlp.up_proj', '3_up.pt'],
      ['model.layers.3.mlp.gate_proj', '3_up.pt'],
      ['model.layers.3.mlp.down_proj', '3_down.pt'],
      ['transformer.layers.7.attn.q_proj', '7_qkv.pt'],
      ['layers.2.down_proj', '2_down.pt'],
      ['lm_head', null],
      ['model.layers.0.mlp.fc1', null],
      ['model.sublayers.0.mlp.up_proj', null],
      ['model.layers.x.mlp.up_proj', null],
      ['model.layers.0.self_attn.qkv_proj', null],
    ];
    for (const [layer, file] of cases) expect(quipSharpHessianFileName(layer), layer).toBe(file);
  });

  it('tries the P.hessian names first, then the QuIP# file; reads a shared file once and lets it go for the next', async () => {
    const both = hessianFolder('both', ['0_qkv.pt', '0_o.pt']);
    writeFileSync(join(both, 'model.layers.0.self_attn.k_proj.hessian.npy'), writeNpy(H.data, [N, N]));
    const source = await openHessians(both);
    try {
      expect(source.find('model.layers.0.self_attn.k_proj')).toBe(hessianCandidates('model.layers.0.self_attn.k_proj')[0]);
      expect(source.find('model.layers.0.self_attn.q_proj')).toBe('0_qkv.pt');
      expect(source.find('model.layers.0.mlp.up_proj')).toBeNull();
      expect(await source.shape('0_qkv.pt')).toBeNull();
      const q = await source.read('0_qkv.pt', N, 'model.layers.0.self_attn.q_proj');
      const v = await source.read('0_qkv.pt', N, 'model.layers.0.self_attn.v_proj');
      expect(v.data).toBe(q.data); // the same tensor, not read again
      expect(Float64Array.from(q.data as Float32Array)).toEqual(H.data);
      await source.read('0_o.pt', N, 'model.layers.0.self_attn.o_proj');
      expect((await source.read('0_qkv.pt', N, 'model.layers.0.self_attn.k_proj')).data).not.toBe(q.data);
    } finally {
      await source.close();
    }
  });
});

describe('quipsharp quantize --hessian H.pt', () => {
  it("quantizes QuIP#'s sample layer with its Hessian file: the codes of quantizeLinearSync on the dense H", async () => {
    const run = await cli(['quantize', '--weight', 'W.npy', '--hessian', HESSIAN, '--threads', '1', '--out', 'B2.safetensors', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ hessian: HESSIAN, layer: { shape: [192, N] } });
    const q = QuantizedLinear.fromSafetensors(readFileSync(join(dir, 'B2.safetensors')));
    const direct = quantizeLinearSync(W, H, { seed: 0 });
    expect(q.codes).toEqual(direct.codes);
    expect(q.scale).toBe(direct.scale);
  });
});

describe('quipsharp quantize-model --hessians with QuIP#-style files', () => {
  it('quantizes every linear layer of a block from {i}_qkv.pt, {i}_o.pt, {i}_up.pt, {i}_down.pt', async () => {
    const model = join(dir, 'model256', 'model.safetensors');
    const run = await cli(quantizeModelArgs(['--model', model, '--hessians', join(dir, 'quip')], 'out-quip', '--json'), dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { layers: { name: string }[]; copied: { name: string; reason: string }[] };
    expect(result.layers.map((l) => l.name).sort()).toEqual(
      ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.up_proj', 'mlp.gate_proj', 'mlp.down_proj'].map((p) => `model.layers.0.${p}`).sort(),
    );
    expect(result.copied).toContainEqual(expect.objectContaining({ name: 'lm_head.weight', reason: 'no Hessian' }));
    const plan = JSON.parse(readFileSync(join(dir, 'out-quip', 'plan.json'), 'utf8')) as { layers: { name: string; hessian: string }[] };
    expect(Object.fromEntries(plan.layers.map((l) => [l.name.replace('model.layers.0.', ''), l.hessian]))).toEqual({
      'self_attn.q_proj': '0_qkv.pt',
      'self_attn.k_proj': '0_qkv.pt',
      'self_attn.v_proj': '0_qkv.pt',
      'self_attn.o_proj': '0_o.pt',
      'mlp.gate_proj': '0_up.pt',
      'mlp.up_proj': '0_up.pt',
      'mlp.down_proj': '0_down.pt',
    });
    const { layers } = readQuantizedModel(readFileSync(join(dir, 'out-quip', 'model.safetensors')));
    expect([...layers.keys()].filter((n) => LINEAR.test(n))).toHaveLength(7);
    // Each layer's codes are quantizeLinearSync's on its weight and the file's dense Hessian.
    const source = await openSafetensors(model);
    try {
      const t = await source.read('model.layers.0.mlp.down_proj.weight');
      const direct = quantizeLinearSync(ndarray(t.data as Float32Array, t.shape), H, { seed: 0 });
      expect(layers.get('model.layers.0.mlp.down_proj')!.codes).toEqual(direct.codes);
    } finally {
      await source.close();
    }
  });

  it('copies the layers whose file is not there', async () => {
    const run = await cli(quantizeModelArgs(['--model', join(dir, 'model256', 'model.safetensors'), '--hessians', join(dir, 'partial')], 'out-partial', '--json'), dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { layers: { name: string }[]; copied: { name: string; reason: string }[] };
    expect(result.layers.map((l) => l.name).sort()).toEqual(['mlp.down_proj', 'self_attn.k_proj', 'self_attn.q_proj', 'self_attn.v_proj'].map((p) => `model.layers.0.${p}`));
    const missing = result.copied.filter((c) => c.reason === 'no Hessian').map((c) => c.name);
    expect(missing).toEqual(expect.arrayContaining(['model.layers.0.self_attn.o_proj.weight', 'model.layers.0.mlp.up_proj.weight', 'model.layers.0.mlp.gate_proj.weight']));
  });
});

describe('bad QuIP# Hessian files', () => {
  const attr = join(SAMPLES, 'B2_attr.pt');
  const cases: [string, string[], RegExp][] = [
    ['a Hessian of the wrong size', ['quantize', '--weight', 'W64.npy', '--hessian', HESSIAN, '--out', 'x.safetensors'], /^quipsharp quantize: --hessian .*B2_hessian\.pt is 256 x 256, expected 64 x 64 \(the weight has 64 inputs\)$/],
    ['a .pt that is not a Hessian', ['quantize', '--weight', 'W.npy', '--hessian', attr, '--out', 'x.safetensors'], /^quipsharp quantize: .*B2_attr\.pt: not a QuIP# Hessian file: it must hold a dict \{ flatH, mu, n, ct \}, found a dict of Qidxs, A, B, SU, SV, scaleWH, \.\.\. \(9 keys\)$/],
    ['a truncated .pt', ['quantize', '--weight', 'W.npy', '--hessian', 'truncated.pt', '--out', 'x.safetensors'], /^quipsharp quantize: truncated\.pt: readTorchFile: corrupt data: .+/],
    [
      'a folder Hessian of the wrong size',
      quantizeModelArgs(['--model', join('model64', 'model.safetensors'), '--hessians', 'quip'], 'out-64'),
      /^quipsharp quantize-model: Hessian quip\/0_(qkv|o|up)\.pt is 256 x 256, expected 64 x 64 \(model\.layers\.0\.\S+_proj\.weight has 64 inputs\)$/,
    ],
    ['a truncated file in a folder', quantizeModelArgs(['--model', join('model256', 'model.safetensors'), '--hessians', 'damaged'], 'out-damaged'), /^quipsharp quantize-model: damaged\/0_o\.pt: readTorchFile: corrupt data: .+/],
    ['a single .pt as --hessians', quantizeModelArgs(['--model', join('model256', 'model.safetensors'), '--hessians', HESSIAN], 'out-single'), /^quipsharp quantize-model: --hessians .*B2_hessian\.pt: a \.pt file is one QuIP# Hessian: give the folder/],
  ];

  it.each(cases)('%s: exit code 1, one line', async (_, args, line) => {
    const run: CliResult = await cli(args, dir);
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toMatch(line);
    expect(noStack(run.stderr)).toBe(true);
  });

  it('refuses a .pt anywhere but --hessian (a usage error)', async () => {
    const run = await cliInProcess(['quantize', '--weight', HESSIAN, '--hessian', HESSIAN, '--out', 'x.safetensors']);
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toMatch(/^quipsharp quantize: --weight must be FILE\.npy, .* \(a \.pt file is read only as a QuIP# Hessian, by --hessian\), got ".*B2_hessian\.pt"/);
  });
});
