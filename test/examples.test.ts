// Every example in examples/ runs as a user would run it (`npx tsx examples/X.ts`, or `bash examples/X.sh`, in an
// empty folder, importing 'quipsharp' and 'quipsharp/node' from the built package) and prints what it claims.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const run = promisify(execFile);

/** Runs an example in a fresh temporary folder; returns its stdout and the folder's path (removed afterwards). */
async function runExample(file: string, check: (stdout: string, dir: string) => void): Promise<void> {
  expect(existsSync(join(root, 'dist/index.js')), 'the examples import the built package: run `npm run build`').toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'quipsharp-example-'));
  try {
    const path = join(root, 'examples', file);
    const [command, args] = file.endsWith('.sh') ? ['bash', [path]] : [tsx, [path]];
    const env = { ...process.env, QUIPSHARP: `${process.execPath} ${join(root, 'dist/cli.js')}` };
    const { stdout } = await run(command, args, { cwd: dir, env, maxBuffer: 1 << 24 });
    check(stdout, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The number after `label` in `text` (fails the test when it is not there). */
function numberAfter(text: string, label: string): number {
  const at = text.indexOf(label);
  expect(at, `"${label}" in the output`).toBeGreaterThanOrEqual(0);
  const match = /-?\d+(\.\d+)?(e[+-]?\d+)?/.exec(text.slice(at + label.length));
  expect(match, `a number after "${label}"`).not.toBeNull();
  return Number(match![0]);
}

/** The numbers of the output line that starts with `label`. */
function rowOf(text: string, label: string): number[] {
  const line = text.split('\n').find((l) => l.startsWith(label));
  expect(line, `a line starting with "${label}"`).toBeDefined();
  return line!.slice(label.length).trim().split(/\s+/).map(Number);
}

describe('examples/', () => {
  it('every example imports the package as a user would, never the sources', () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts') && f !== 'demo.ts');
    expect(files.sort()).toEqual(['codebook-mse.ts', 'hessian-from-activations.ts', 'incoherence.ts', 'quantize-layer.ts']);
    for (const file of files) {
      const text = readFileSync(join(root, 'examples', file), 'utf8');
      expect(text, file).toMatch(/from 'quipsharp'/);
      expect(text, file).not.toMatch(/from '\.\.?\//);
    }
  });

  it('quantize-layer.ts: .npy in, quantize, report, save, load, matvec', async () => {
    await runExample('quantize-layer.ts', (out, dir) => {
      expect(out).toContain('W.npy: F32 256 x 512, H.npy: F64 512 x 512');
      expect(out).toContain('quantized 256 x 512 with E8P12 (rht)');
      const loss = numberAfter(out, 'relative proxy loss tr(dW H dW^T) / tr(W H W^T):');
      expect(loss).toBeGreaterThan(0);
      expect(loss).toBeLessThan(0.01);
      expect(numberAfter(out, 'bits per weight (codes, signs, scale):')).toBeCloseTo(2, 1);
      expect(numberAfter(out, 'max relative difference')).toBeLessThan(1e-10);
      expect(out).toContain('loaded codes identical to the quantized ones: true');
      for (const file of ['W.npy', 'H.npy', 'layer.safetensors']) expect(existsSync(join(dir, file)), file).toBe(true);
    });
  });

  it('incoherence.ts: max |W_ij| and mu fall after RHT, and the inverse is exact', async () => {
    await runExample('incoherence.ts', (out) => {
      const [maxBefore, muBefore, diagBefore] = rowOf(out, 'before');
      const [maxAfter, muAfter, diagAfter] = rowOf(out, 'after');
      expect(maxAfter).toBeLessThan(maxBefore / 4);
      expect(muAfter).toBeLessThan(muBefore / 4);
      expect(muAfter).toBeLessThan(6); // near a Gaussian matrix's sqrt(2 ln(m n)) = 5.13
      expect(diagBefore).toBeGreaterThan(100);
      expect(diagAfter).toBeLessThan(1.5);
      expect(numberAfter(out, "reverseIncoherence(W') vs W: max abs difference")).toBeLessThan(1e-10);
    });
  });

  it('codebook-mse.ts: E8P12 beats the scalar codebooks at every rate, all above the bound', async () => {
    await runExample('codebook-mse.ts', (out) => {
      const e8p12 = rowOf(out, 'E8P12 ');
      const scalar2 = rowOf(out, 'Scalar2bx8');
      expect(e8p12[1]).toBeGreaterThan(0.085);
      expect(e8p12[1]).toBeLessThan(0.095);
      expect(e8p12[1]).toBeLessThan(scalar2[1]);
      expect(rowOf(out, 'E8P12RVQ3B')[1]).toBeLessThan(rowOf(out, 'Scalar3bx8')[1]);
      expect(rowOf(out, 'E8P12RVQ4B')[1]).toBeLessThan(rowOf(out, 'Scalar4bx8')[1]);
      for (const name of ['Scalar2bx8', 'E8P12 ', 'Scalar3bx8', 'E8P12RVQ3B', 'Scalar4bx8', 'E8P12RVQ4B']) {
        const [bits, mse, bound] = rowOf(out, name);
        expect(bound).toBeCloseTo(2 ** (-2 * bits), 4);
        expect(mse).toBeGreaterThan(bound);
      }
      expect(out).toContain('E8P12.decode(0) = [0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75]');
    });
  });

  it('hessian-from-activations.ts: the split changes nothing, and H beats the identity', async () => {
    await runExample('hessian-from-activations.ts', (out) => {
      expect(out).toContain('H from 2048 rows of 256 features, in 4 files and 2 accumulators');
      expect(numberAfter(out, 'split vs one batch')).toBeLessThan(1e-13);
      expect(numberAfter(out, 'vs naive sum')).toBeLessThan(1e-12);
      const withH = numberAfter(out, 'quantized with H');
      const withI = numberAfter(out, 'with the identity');
      expect(withI).toBeGreaterThan(2 * withH);
    });
  });

  it('quantize-model.sh: the CLI on the example model, one run and two shards merged, identical', async () => {
    await runExample('quantize-model.sh', (out, dir) => {
      expect(out).toContain('7 layers (7 quantized now, 0 done before)');
      expect(out).toContain('wrote quipsharp-model-example/merged/model.safetensors');
      expect(out).toContain('== the one-run and the sharded model files are identical');
      expect(out).toMatch(/7 quantized layers/);
      expect(existsSync(join(dir, 'quipsharp-model-example/full/model.safetensors'))).toBe(true);
    });
  });
});
