/**
 * `quipsharp quantize-model` benchmarks, each run in a process of its own (the command as users run it, bundled):
 *
 * - the example model (2 blocks, hidden 512, intermediate 1376: 14 layers): seconds per layer and in total on
 *   one thread and on every core (the two model files are compared byte for byte);
 * - `npm run bench -- cli big`: peak memory on a model file larger than 4 GB generated in the temporary folder
 *   (eight 1024 x 1024 layers with Hessians beside 64 tensors of 64 MiB that have none), against the same layers
 *   in a model of 0.6 GB: the peak is set by the largest layer and tensor, not by the model's size. It writes
 *   about 13 GB to the temporary folder (the model, the copied tensors, the output) and deletes it afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeExampleInputs } from '../src/cli/example.js';
import { runCli } from '../src/cli/index.js';
import { exampleActivations, exampleModel } from '../src/example/index.js';
import { createSafetensorsWriter, writeSafetensorsFile } from '../src/node/index.js';
import { HessianAccumulator } from '../src/quantize/index.js';
import { randomNormal } from '../src/random/index.js';

const CHILD = 'cli-bench-child';

interface LayerResult {
  name: string;
  shape: [number, number];
  seconds: number;
}

interface ChildResult {
  code: number;
  wall: number;
  peakBytes: number;
  result: { layers: LayerResult[]; bytes: number | null };
}

/** Runs `quipsharp ...args` in a child process; returns its JSON result, wall time and peak resident memory. */
function quipsharp(args: string[]): ChildResult {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), CHILD, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as ChildResult;
}

/** In the child: the command in-process, then one line of JSON with its result and the process's peak RSS. */
async function child(args: string[]): Promise<void> {
  let captured = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      captured += chunk.toString();
      done();
    },
  });
  const t0 = performance.now();
  const code = await runCli(args, { stdout, stderr: process.stderr });
  const wall = (performance.now() - t0) / 1000;
  const peakBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB; worker threads included
  process.stdout.write(`${JSON.stringify({ code, wall, peakBytes, result: JSON.parse(captured || 'null') })}\n`);
}

const GiB = 2 ** 30;
const gib = (bytes: number) => (bytes / GiB).toFixed(2);

/** The example model as quantize-model's input files in `dir` (the files `quipsharp --save-inputs` writes). */
async function writeExample(dir: string): Promise<string[]> {
  const paths = [join(dir, 'model.safetensors'), join(dir, 'hessians.safetensors')];
  await writeExampleInputs(exampleModel(), paths[0], paths[1]);
  return ['--model', paths[0], '--hessians', paths[1]];
}

async function exampleRuns(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'quipsharp-bench-cli-'));
  try {
    const inputs = await writeExample(dir);
    const cores = os.availableParallelism();
    const one = quipsharp(['quantize-model', ...inputs, '--out', join(dir, 'one'), '--threads', '1']);
    const all = quipsharp(['quantize-model', ...inputs, '--out', join(dir, 'all')]);
    const same = readFileSync(join(dir, 'one', 'model.safetensors')).equals(readFileSync(join(dir, 'all', 'model.safetensors')));
    console.log(`### quantize-model, the example model (14 layers), 1 thread vs ${cores} (every core)\n`);
    console.log(`| layer | shape | s, 1 thread | s, ${cores} threads | speed-up |`);
    console.log('| --- | --- | --- | --- | --- |');
    one.result.layers.forEach((l, k) => {
      const b = all.result.layers[k];
      console.log(`| ${l.name} | ${l.shape.join(' x ')} | ${l.seconds.toFixed(2)} | ${b.seconds.toFixed(2)} | ${(l.seconds / b.seconds).toFixed(2)}x |`);
    });
    const sum = (r: ChildResult) => r.result.layers.reduce((s, l) => s + l.seconds, 0);
    console.log(`| layers, total | | ${sum(one).toFixed(1)} | ${sum(all).toFixed(1)} | ${(sum(one) / sum(all)).toFixed(2)}x |`);
    console.log(`| command, wall (with reading, checking and writing) | | ${one.wall.toFixed(1)} | ${all.wall.toFixed(1)} | ${(one.wall / all.wall).toFixed(2)}x |`);
    console.log(`\nmodel files of the two runs byte-identical: ${same ? 'yes' : 'NO'}; peak RSS ${gib(one.peakBytes)} / ${gib(all.peakBytes)} GiB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A model of `layers` quantizable 1024 x 1024 F32 layers (with Hessians) and `fillers` 4096 x 4096 F32 tensors
 * without (64 MiB each), streamed to disk one tensor at a time.
 */
async function writeBigModel(dir: string, layers: number, fillers: number): Promise<string[]> {
  const n = 1024;
  const filler = 4096;
  const specs = new Map<string, { dtype: 'F32'; shape: number[] }>();
  for (let i = 0; i < layers; i++) specs.set(`blocks.${i}.proj.weight`, { dtype: 'F32', shape: [n, n] });
  for (let k = 0; k < fillers; k++) specs.set(`filler.${k}.weight`, { dtype: 'F32', shape: [filler, filler] });
  const model = join(dir, 'model.safetensors');
  const writer = await createSafetensorsWriter(model, specs);
  const fill = new Float32Array(filler * filler).map((_, i) => Math.sin(i));
  for (let i = 0; i < layers; i++) await writer.write(`blocks.${i}.proj.weight`, { dtype: 'F32', shape: [n, n], data: Float32Array.from(randomNormal(n * n, i)) });
  for (let k = 0; k < fillers; k++) await writer.write(`filler.${k}.weight`, { dtype: 'F32', shape: [filler, filler], data: fill });
  await writer.close();
  const H = new HessianAccumulator(n).add(exampleActivations(2048, n, 7)).hessian();
  const hessians = join(dir, 'hessians.safetensors');
  await writeSafetensorsFile(hessians, new Map(Array.from({ length: layers }, (_, i) => [`blocks.${i}.proj.hessian`, { dtype: 'F64' as const, shape: [n, n], data: H.data }])));
  return ['--model', model, '--hessians', hessians];
}

async function bigRuns(): Promise<void> {
  console.log('### quantize-model peak memory: the same eight 1024 x 1024 layers in a 0.6 GB and a 4.3 GB model\n');
  console.log('| model file | tensors | largest tensor | seconds | peak RSS GiB |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const fillers of [8, 64]) {
    const dir = mkdtempSync(join(os.tmpdir(), 'quipsharp-bench-big-'));
    try {
      const inputs = await writeBigModel(dir, 8, fillers);
      const size = statSync(join(dir, 'model.safetensors')).size;
      const run = quipsharp(['quantize-model', ...inputs, '--out', join(dir, 'out')]);
      if (run.code !== 0) throw new Error(`quantize-model failed with exit code ${run.code}`);
      console.log(`| ${gib(size)} GiB | ${8 + fillers} (8 quantized) | 64 MiB | ${run.wall.toFixed(1)} | ${gib(run.peakBytes)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('');
}

export default async function run(): Promise<void> {
  if (process.argv.slice(2).includes('big')) return bigRuns();
  await exampleRuns();
}

if (process.argv[2] === CHILD) await child(process.argv.slice(3));
