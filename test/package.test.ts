// The package as a user receives it: `npm pack`, installed into a fresh project, type-checked under both
// module resolutions TypeScript users run (node16 and bundler), and imported as ESM and as CommonJS.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// What a user writes: the README's usage, reduced to the calls whose types matter.
const consumerSource = `
import ndarray from 'ndarray';
import { E8P12, blockLDL, blockLDLQ, incoherenceProcess, matrixFromRowMajor, randomNormal, regularizeHessian, type Matrix } from 'quipsharp';
const W = ndarray(Float64Array.from(randomNormal(16 * 16, 1)), [16, 16]);
const H: Matrix = matrixFromRowMajor(Float64Array.from({ length: 256 }, (_, k) => (k % 17 === 0 ? 2 : 0)), 16, 16);
const p = incoherenceProcess(W, H, { seed: 1 });
const { L } = blockLDL(regularizeHessian(p.H, 1e-2), E8P12.dim);
const codes: Uint16Array = blockLDLQ(p.W, null, E8P12, { L }).codes;
console.log(codes.length);
`;

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed package in a fresh consumer project', () => {
  it('ships dist/, docs and the licence; type-checks under node16 and bundler; imports as ESM and CJS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quipsharp-consumer-'));
    try {
      const packed = JSON.parse(sh(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      const files = packed[0].files.map((f) => f.path);
      for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'LICENSE', 'README.md', 'docs/architecture.md']) {
        expect(files).toContain(f);
      }
      expect(files.some((f) => f.endsWith('.map'))).toBe(false);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
      sh(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed[0].filename), `typescript@${(createRequire(import.meta.url)('typescript/package.json') as { version: string }).version}`], dir);
      writeFileSync(join(dir, 'use.ts'), consumerSource);
      for (const [module, resolution] of [
        ['node16', 'node16'],
        ['esnext', 'bundler'],
      ]) {
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: { strict: true, noEmit: true, module, moduleResolution: resolution, target: 'es2022', lib: ['es2022', 'dom'], esModuleInterop: true },
            files: ['use.ts'],
          }),
        );
        sh(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
      }
      writeFileSync(join(dir, 'esm.mjs'), "import { E8P12, randomSigns } from 'quipsharp'; console.log(E8P12.name, randomSigns(4, 1).join(','));");
      writeFileSync(join(dir, 'cjs.cjs'), "const { E8P12, randomSigns } = require('quipsharp'); console.log(E8P12.name, randomSigns(4, 1).join(','));");
      const esm = sh(process.execPath, ['esm.mjs'], dir).trim();
      const cjs = sh(process.execPath, ['cjs.cjs'], dir).trim();
      expect(esm).toMatch(/^E8P12 /);
      expect(cjs).toBe(esm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

