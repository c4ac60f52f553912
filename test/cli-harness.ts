/**
 * Shared by the CLI tests: the command spawned from source as a process (node --import tsx src/cli/main.ts), in a
 * temporary folder, and the example model's files written in-process as quantize-model's inputs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exampleModel, type ExampleModelOptions } from '../src/example/index.js';
import { writeExampleInputs as saveExampleInputs } from '../src/cli/example.js';
import { runCli } from '../src/cli/index.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** What a finished run of the command gave. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `quipsharp ...args` in `cwd`. */
export function spawnCli(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, QUIPSHARP_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a started run's output until it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** Runs `quipsharp ...args` in `cwd` to the end. */
export function cli(args: string[], cwd: string): Promise<CliResult> {
  return finished(spawnCli(args, cwd));
}

/** The example model of the quantize-model tests: 3 blocks of 7 linear layers, small enough to run in a second. */
export const EXAMPLE = { blocks: 3, hidden: 64, intermediate: 176, samples: 512 };
export const EXAMPLE_LAYERS = 21;

/** quantize-model's arguments for `inputs` into `out`, on one thread (no worker start-up for these small layers). */
export function quantizeModelArgs(inputs: string[], out: string, ...more: string[]): string[] {
  return ['quantize-model', ...inputs, '--out', out, '--threads', '1', ...more];
}

/** The layer files of a quantize-model output folder (not the hidden temporary files). */
export function layerFiles(out: string): string[] {
  const layers = join(out, 'layers');
  return existsSync(layers) ? readdirSync(layers).filter((f) => !f.startsWith('.')) : [];
}

/**
 * Runs the command in this process through runCli (the code main.ts runs), for the cases that never reach a file:
 * argument errors and help. Same result shape as {@link cli}.
 */
export async function cliInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, signal: null, stdout, stderr };
}

/** A fresh temporary folder, and its removal. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The example model as quantize-model's inputs: DIR/model.safetensors and DIR/hessians.safetensors. */
export async function writeExampleInputs(dir: string, options: ExampleModelOptions): Promise<{ model: string; hessians: string }> {
  const paths = { model: join(dir, 'model.safetensors'), hessians: join(dir, 'hessians.safetensors') };
  await saveExampleInputs(exampleModel(options), paths.model, paths.hessians);
  return paths;
}

/** The last line of an output (a failed run's error line). */
export function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

/** True when an output has no stack trace in it. */
export function noStack(text: string): boolean {
  return !/^\s+at .+[:(]/m.test(text);
}

/** Byte equality of two files' contents (without an element-by-element diff of large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
