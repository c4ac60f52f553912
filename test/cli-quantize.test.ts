/**
 * The one-layer commands spawned as processes: quantize (the codes of quantizeLinearSync on the same inputs, bit
 * for bit, from worker threads too), hessian (HessianAccumulator over the dumps, exactly), eval (the file's proxy
 * loss beside the baselines) and inspect.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleActivations, exampleLayer } from '../src/example/index.js';
import { writeNpy, writeSafetensors } from '../src/io/index.js';
import { readSafetensorsFile } from '../src/node/index.js';
import { HessianAccumulator, QuantizedLinear, quantizeLinearSync } from '../src/quantize/index.js';
import { cli, tempFolder } from './cli-harness.js';

const folder = tempFolder('quipsharp-cli-quantize-');
const dir = folder.dir;
const [M, N] = [64, 128];
const { W: W64, H } = exampleLayer(M, N, 512, 3);
const W = ndarray(Float32Array.from(W64.data), [M, N]); // as a float32 model file holds it

beforeAll(() => {
  writeFileSync(join(dir, 'W.npy'), writeNpy(W.data, [M, N]));
  writeFileSync(join(dir, 'H.npy'), writeNpy(H.data, [N, N]));
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors({ 'blk.weight': { dtype: 'F32', shape: [M, N], data: W.data }, 'blk.bias': { dtype: 'F32', shape: [M], data: new Float32Array(M) } }));
  writeFileSync(join(dir, 'hessians.safetensors'), writeSafetensors({ 'blk.hessian': { dtype: 'F64', shape: [N, N], data: H.data } }));
});
afterAll(() => folder.remove());

describe('quipsharp quantize', () => {
  it('writes the layer quantizeLinearSync gives, on two worker threads', async () => {
    const run = await cli(['quantize', '--weight', 'W.npy', '--hessian', 'H.npy', '--seed', '5', '--threads', '2', '--out', 'L.safetensors', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { out: string; layer: { name: string; shape: number[]; codebook: string; incoherence: string; relativeProxyLoss: number } };
    expect(result.layer).toMatchObject({ name: 'layer', shape: [M, N], codebook: 'E8P12', incoherence: 'rht' });
    const q = QuantizedLinear.fromSafetensors(readFileSync(join(dir, 'L.safetensors')));
    const direct = quantizeLinearSync(W, H, { seed: 5 });
    expect(q.codes).toEqual(direct.codes);
    expect(q.scale).toBe(direct.scale);
    expect(q.report!.threads).toBe(2);
    expect(result.layer.relativeProxyLoss).toBe(direct.report!.relativeProxyLoss);
  });

  it('reads FILE.safetensors:TENSOR references, names the layer after the weight, honours --codebook and --incoherence', async () => {
    const args = ['quantize', '--weight', 'model.safetensors:blk.weight', '--hessian', 'hessians.safetensors:blk.hessian', '--codebook', 'e8p12-rvq3', '--incoherence', 'rfft', '--threads', '1', '--out', 'L3.safetensors'];
    const run = await cli(args, dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^blk\s+64 x 128\s+E8P12RVQ3B\/RFFT\s+3\.\d{3}\s/m);
    const q = QuantizedLinear.fromSafetensors(readFileSync(join(dir, 'L3.safetensors')), 'blk');
    expect(q.codes).toEqual(quantizeLinearSync(W, H, { codebook: 'e8p12-rvq3', incoherence: 'rfft' }).codes);
  });
});

describe('quipsharp hessian', () => {
  it('accumulates H, the mean and the count over the dumps, as HessianAccumulator does', async () => {
    const A = exampleActivations(300, N, 9, 1);
    const B = exampleActivations(200, N, 9, 5);
    writeFileSync(join(dir, 'A.npy'), writeNpy(A, [300, N]));
    writeFileSync(join(dir, 'B.npy'), writeNpy(B, [2, 100, N])); // batch x tokens x features
    const run = await cli(['hessian', '--activations', 'A.npy', 'B.npy', '--out', 'Hs.safetensors', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ features: N, rows: 500 });
    const acc = new HessianAccumulator(N).add(A).add(B);
    const { tensors } = await readSafetensorsFile(join(dir, 'Hs.safetensors'));
    expect(tensors.get('hessian')).toMatchObject({ dtype: 'F64', shape: [N, N] });
    expect(tensors.get('hessian')!.data).toEqual(acc.hessian().data);
    expect(tensors.get('mean')!.data).toEqual(acc.mean());
    expect(tensors.get('count')).toEqual({ dtype: 'I64', shape: [], data: BigInt64Array.of(500n) });
  });
});

describe('quipsharp eval and inspect', () => {
  it('eval: the quantized layer beats round-to-nearest and E8P12 without incoherence', async () => {
    const run = await cli(['eval', '--weight', 'W.npy', '--hessian', 'H.npy', '--quantized', 'L.safetensors', '--threads', '1', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: { method: string; bitsPerWeight: number; proxyLoss: number; relativeProxyLoss: number; weightError: number }[] };
    expect(results.map((r) => r.method)).toEqual(['layer (E8P12/RHT)', 'round-to-nearest, 2-bit scalar', 'E8P12, BlockLDLQ, no incoherence']);
    const q = QuantizedLinear.fromSafetensors(readFileSync(join(dir, 'L.safetensors')));
    expect(results[0].relativeProxyLoss).toBeCloseTo(q.report!.relativeProxyLoss, 10);
    expect(results[0].weightError).toBeCloseTo(q.report!.weightError, 10);
    expect(results[0].proxyLoss).toBeLessThan(results[2].proxyLoss);
    expect(results[2].proxyLoss).toBeLessThan(results[1].proxyLoss);
    expect(results[1].bitsPerWeight).toBeCloseTo(2 + 64 / (M * N), 12);
  });

  it('inspect: layers with codebook, bits and bytes from the header; a plain file tensor by tensor', async () => {
    const run = await cli(['inspect', 'L.safetensors', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { quantized: boolean; layers: { name: string; shape: number[]; codebook: string; bitsPerWeight: number }[]; tensors: unknown[] };
    const q = QuantizedLinear.fromSafetensors(readFileSync(join(dir, 'L.safetensors')));
    expect(result.quantized).toBe(true);
    expect(result.tensors).toEqual([]);
    expect(result.layers).toHaveLength(1);
    expect(result.layers[0]).toMatchObject({ name: 'layer', shape: [M, N], codebook: 'E8P12' });
    expect(result.layers[0].bitsPerWeight).toBeCloseTo(q.bitsPerWeight, 12);

    const plain = await cli(['inspect', 'model.safetensors'], dir);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^blk\.weight\s+F32\s+64 x 128\s+32\.8 kB$/m);
    expect(plain.stdout).toMatch(/not a quipsharp quantized file: 2 tensors/);
  });
});
