/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or only those whose name contains an argument,
 * e.g. `npm run bench -- fwht lattice`) and prints their tables, peers side by side with ratios.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

console.log(`# quipsharp benchmarks\n\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, single thread\n`);
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; available: ${readdirSync(here).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`## ${f}\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => unknown };
  await mod.default();
}
