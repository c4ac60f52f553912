/**
 * `npm run docs` (tsx scripts/docs/guide.ts): regenerates every figure (docs/guide/figures/*.svg) and every
 * generated table and number in the guide's pages from the library, with fixed seeds. Writes only files whose
 * bytes change and lists them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGuide } from './generate.js';

const guideDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'guide');
const started = Date.now();
let changed = 0;
for (const [file, text] of generateGuide(guideDir)) {
  const path = join(guideDir, file);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote docs/guide/${file}`);
  changed++;
}
console.log(`docs/guide: ${changed} file(s) changed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
