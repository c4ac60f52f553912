// The public surface as the published .d.ts declares it. Run as a script (`npx tsx scripts/public-api.ts`,
// after `npm run build`) it writes test/fixtures/public-api.json, the committed list that test/exports.test.ts
// holds the package to.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The names in the last `export { ... }` statement of a bundled .d.ts, split into values and types (sorted). */
export function declarationExports(file: string): { runtime: string[]; types: string[] } {
  const text = readFileSync(file, 'utf8');
  const match = [...text.matchAll(/^export \{([^}]*)\};$/gm)].pop();
  if (!match) throw new Error(`${file}: no export list found`);
  const names = match[1].split(',').map((s) => s.trim()).filter(Boolean);
  const types = names.filter((s) => s.startsWith('type ')).map((s) => s.slice(5)).sort();
  const runtime = names.filter((s) => !s.startsWith('type ')).sort();
  return { runtime, types };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const api = declarationExports('dist/index.d.ts');
  writeFileSync('test/fixtures/public-api.json', `${JSON.stringify(api, null, 2)}\n`);
  console.log(`${api.runtime.length} values, ${api.types.length} types`);
}
