// The module boundaries of docs/architecture.md, checked on the sources: folders meet only through their
// index.ts, and each folder imports only the folders its row of the table allows.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src', import.meta.url));
const order = ['errors', 'core', 'random', 'hadamard', 'fft', 'incoherence', 'lattice', 'ldlq', 'backend', 'io', 'interop', 'quantize', 'example', 'node', 'cli'];
const allowed: Record<string, string[]> = {
  errors: [],
  core: ['errors'],
  random: ['errors', 'core'],
  hadamard: ['errors', 'core'],
  fft: ['errors', 'core'],
  incoherence: ['errors', 'core', 'random', 'hadamard', 'fft'],
  lattice: ['errors', 'core'],
  ldlq: ['errors', 'core', 'lattice'],
  backend: order.slice(0, order.indexOf('backend')),
  io: ['errors', 'core'],
  interop: ['errors', 'core', 'hadamard', 'lattice', 'io'],
  quantize: order.slice(0, order.indexOf('quantize')),
  example: order.slice(0, order.indexOf('example')),
  node: ['errors', 'core', 'io'],
  cli: order.slice(0, order.indexOf('cli')),
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('module boundaries', () => {
  const imports = files(src).flatMap((file) => {
    const folder = relative(src, file).split('/')[0];
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/from '(\.\.?\/[^']+)'/g)].map((m) => ({ file: relative(src, file), folder, spec: m[1], resolved: relative(src, join(file, '..', m[1])) }));
  });

  it('folders import each other only through their index.ts', () => {
    expect(imports.filter((i) => i.resolved.startsWith('ldlq/')).length).toBeGreaterThan(5); // the scan sees imports
    const bad = imports.filter((i) => {
      const [target, ...rest] = i.resolved.split('/');
      return target !== i.folder && i.folder !== 'index.ts' && !(rest.length === 1 && rest[0] === 'index.js');
    });
    expect(bad.map((i) => `${i.file}: ${i.spec}`)).toEqual([]);
  });

  it('each folder imports only the folders the architecture allows', () => {
    const bad = imports.filter((i) => {
      const target = i.resolved.split('/')[0];
      return target !== i.folder && i.folder in allowed && !allowed[i.folder].includes(target);
    });
    expect(bad.map((i) => `${i.file}: ${i.spec}`)).toEqual([]);
  });
});
