/**
 * The command's error contract: usage errors exit with 2, failures (missing or corrupt files, inputs that do not
 * fit) with 1, each reported as one line naming the command, never a stack trace; --help for every command exits
 * with 0. Failures run as processes; argument errors and help run through runCli in this process (the code
 * main.ts runs), with a few spawned to check the process's exit code too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy, writeSafetensors } from '../src/io/index.js';
import { cli, cliInProcess, lastLine, noStack, tempFolder, type CliResult } from './cli-harness.js';

const folder = tempFolder('quipsharp-cli-errors-');
const dir = folder.dir;

beforeAll(() => {
  const eye = (n: number) => new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? 1 : 0));
  writeFileSync(join(dir, 'W.npy'), writeNpy(new Float32Array(16 * 64).fill(0.5), [16, 64]));
  writeFileSync(join(dir, 'H64.npy'), writeNpy(eye(64), [64, 64]));
  writeFileSync(join(dir, 'H32.npy'), writeNpy(eye(32), [32, 32]));
  writeFileSync(join(dir, 'bad.npy'), new TextEncoder().encode('this is not a numpy file'));
  const model = writeSafetensors({ 'a.weight': { dtype: 'F32', shape: [16, 64], data: new Float32Array(16 * 64) } });
  writeFileSync(join(dir, 'model.safetensors'), model);
  writeFileSync(join(dir, 'truncated.safetensors'), model.subarray(0, model.length - 100));
  writeFileSync(join(dir, 'hessians.safetensors'), writeSafetensors({ 'b.hessian': { dtype: 'F64', shape: [64, 64], data: eye(64) } }));
});
afterAll(() => folder.remove());

/** Runs the cases as processes, two at a time (the machine has two cores), and returns the results in order. */
async function spawnAll(cases: string[][]): Promise<CliResult[]> {
  const out: CliResult[] = [];
  for (let i = 0; i < cases.length; i += 2) out.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => cli(c, dir)))));
  return out;
}

/** Runs the cases in this process, one after the other. */
async function runAll(cases: string[][]): Promise<CliResult[]> {
  const out: CliResult[] = [];
  for (const c of cases) out.push(await cliInProcess(c));
  return out;
}

const USAGE: [string[], RegExp][] = [
  [['frobnicate'], /^quipsharp: unknown command "frobnicate" \(commands: example, quantize, quantize-model, merge, hessian, eval, inspect\) \(see quipsharp --help\)$/],
  [['quantize', '--wieght', 'W.npy'], /^quipsharp quantize: unknown option --wieght \(see quipsharp quantize --help\)$/],
  [['quantize', '--hessian', 'H64.npy', '--out', 'x.safetensors'], /^quipsharp quantize: --weight is required/],
  [['quantize', '--weight', 'W.npy', '--hessian', 'H64.npy', '--out', 'x.safetensors', '--codebook', 'e9'], /--codebook must be one of e8p12, e8p12-rvq3, e8p12-rvq4, got "e9"/],
  [['quantize', '--weight', 'W.npy', '--hessian', 'H64.npy', '--out', 'x.safetensors', '--seed'], /^quipsharp quantize: --seed needs a value/],
  [['quantize', '--weight', 'W.npy', '--hessian', 'H64.npy', '--out', 'x.safetensors', '--seed', '-3'], /--seed needs a value \(write --seed=VALUE/],
  [['quantize', '--weight', 'weights.bin', '--hessian', 'H64.npy', '--out', 'x.safetensors'], /--weight must be FILE\.npy, FILE\.safetensors\[:TENSOR\], .*got "weights\.bin"/],
  [['quantize-model', '--model', 'm', '--hessians', 'h', '--out', 'o', '--shard', '2/2'], /--shard must be I\/N with 0 <= I < N .*got "2\/2"/],
  [['quantize-model', '--model', 'm', '--hessians', 'h', '--out', 'o', '--layers', '(mlp'], /--layers must be a regular expression, got "\(mlp"/],
  [['--threads', '0'], /^quipsharp example: --threads must be an integer in \[1, 1024\], got "0"/],
  [['--hidden', '100'], /--hidden must be a multiple of 8/],
  [['inspect'], /^quipsharp inspect: give the file to inspect/],
  [['merge', '--out', 'x'], /^quipsharp merge: give the folders to merge/],
];

const FAILURES: [string[], RegExp][] = [
  [['quantize', '--weight', 'nope.npy', '--hessian', 'H64.npy', '--out', 'x.safetensors'], /^quipsharp quantize: nope\.npy: no such file or directory$/],
  [['quantize', '--weight', 'bad.npy', '--hessian', 'H64.npy', '--out', 'x.safetensors'], /^quipsharp quantize: bad\.npy: readNpy: corrupt data: /],
  [['quantize', '--weight', 'W.npy', '--hessian', 'H32.npy', '--out', 'x.safetensors'], /^quipsharp quantize: --hessian H32\.npy is 32 x 32, expected 64 x 64 \(the weight has 64 inputs\)$/],
  [['quantize', '--weight', 'model.safetensors', '--hessian', 'model.safetensors:b', '--out', 'x.safetensors'], /^quipsharp quantize: model\.safetensors has no tensor "b" \(it has a\.weight\)$/],
  [['inspect', 'truncated.safetensors'], /^quipsharp inspect: openSafetensors: corrupt data: truncated\.safetensors: tensor "a\.weight" field "data_offsets"/],
  [['quantize-model', '--model', 'model.safetensors', '--hessians', 'hessians.safetensors', '--out', 'o'], /^quipsharp quantize-model: nothing to quantize: none of its 1 2-D weights has a Hessian \(for a\.weight: a\.hessian\)$/],
  [['quantize-model', '--model', 'missing', '--hessians', 'hessians.safetensors', '--out', 'o'], /^quipsharp quantize-model: missing: no such file or directory$/],
  [['eval', '--weight', 'W.npy', '--hessian', 'H64.npy', '--quantized', 'model.safetensors'], /^quipsharp eval: model\.safetensors: readQuantizedModel: corrupt data: .*not a quipsharp quantized file/],
  [['merge', 'o', '--out', 'x'], /^quipsharp merge: o is not a quantize-model output folder/],
  [['quantize', '--weight', 'W.npy', '--hessian', 'H64.npy', '--out', 'no/such/x.safetensors'], /^quipsharp quantize: --out no\/such\/x\.safetensors: the folder no\/such does not exist$/],
];

describe('quipsharp errors', () => {
  it('usage errors: exit code 2, one line naming the command, nothing on stdout', async () => {
    const results = await runAll(USAGE.map(([args]) => args));
    const spawned = await spawnAll([USAGE[0][0], USAGE[3][0]]);
    expect(spawned.map((r) => [r.code, r.stderr])).toEqual([0, 3].map((k) => [results[k].code, results[k].stderr]));
    results.forEach((r, k) => {
      const [args, message] = USAGE[k];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    });
  });

  it('failures: exit code 1, the error on one last line, no stack trace', async () => {
    const results = await spawnAll(FAILURES.map(([args]) => args));
    results.forEach((r, k) => {
      const [args, message] = FAILURES[k];
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(1);
      expect(lastLine(r.stderr), args.join(' ')).toMatch(message);
      expect(noStack(r.stderr), r.stderr).toBe(true);
    });
  });

  it('--help for every command, the overview and --version: exit code 0', async () => {
    const commands = ['example', 'quantize', 'quantize-model', 'merge', 'hessian', 'eval', 'inspect'];
    const results = await runAll([['--help'], ['--version'], ['help', 'merge'], ...commands.map((c) => [c, '--help'])]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const [spawned] = await spawnAll([['quantize-model', '-h']]);
    expect([spawned.code, spawned.stdout]).toEqual([0, results[5].stdout]);
    expect(results[0].stdout).toMatch(/^Usage: quipsharp \[COMMAND\] \[options\]/);
    for (const c of commands) expect(results[0].stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(results[1].stdout).toMatch(/^quipsharp \d+\.\d+\.\d+\n$/);
    expect(results[2].stdout).toMatch(/^Usage: quipsharp merge DIR\.\.\. --out DIR/);
    commands.forEach((c, k) => expect(results[3 + k].stdout).toMatch(c === 'example' ? /^Usage: quipsharp \[example\]/ : new RegExp(`^Usage: quipsharp ${c} `)));
  });
});
