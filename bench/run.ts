/**
 * `npm run bench`: runs every benchmark in turn (or only those whose name contains an argument,
 * e.g. `npm run bench -- hadamard lattice`) and prints their tables, peers side by side with ratios.
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
const files = readdirSync(here)
  .filter((f) => /\.bench\.[jt]s$/.test(f))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

console.log(`# quipsharp benchmarks\n\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, single thread\n`);
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; available: ${readdirSync(here).filter((f) => /\.bench\.[jt]s$/.test(f)).join(', ')}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`## ${f}\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => unknown };
  await mod.default();
}
