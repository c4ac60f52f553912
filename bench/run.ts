/**
 * `npm run bench`: runs every benchmark in turn (or only those an argument names: the one whose whole name it is,
 * else every one whose name contains it, e.g. `npm run bench -- hadamard lattice`, `npm run bench -- gpu`) and
 * prints their tables, peers side by side with ratios.
 *
 * The script bundles bench/*.bench.ts with esbuild (through tsup) into .bench-dist/ and runs the JavaScript with
 * plain node, as users run the library. Running TypeScript through tsx instead skews the figures: with fft.js
 * loaded through tsx's CommonJS hook, our typed-array loops ran about 20% slower (69 -> 83 ms for fwhtRows on
 * 4096 x 4096), while the same code bundled and run by node showed no difference.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const all = readdirSync(here).filter((f) => /\.bench\.[jt]s$/.test(f));
const nameOf = (f: string): string => f.replace(/\.bench\.[jt]s$/, '');
/** A filter that is a benchmark's whole name takes that one only ('quantize', not 'gpu-quantize'); else every name containing it. */
const matching = (w: string): string[] => (all.some((f) => nameOf(f) === w) ? all.filter((f) => nameOf(f) === w) : all.filter((f) => f.includes(w)));
const files = (filters.length === 0 ? all : all.filter((f) => filters.some((w) => matching(w).includes(f)))).sort();

console.log(`# quipsharp benchmarks\n\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, single thread\n`);
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; available: ${all.join(', ')}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`## ${f}\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => unknown };
  await mod.default();
}
