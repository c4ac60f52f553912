/**
 * The browser build: the library as one ES module for browsers (quipsharp.js), the worker script quantizeLinear
 * starts next to it (quantize-worker.js: the library finds it relative to its own module URL), and the page
 * (web/index.html with app.js and style.css; web/harness.html, the blank page the browser tests load the library
 * into). The page imports the library as 'quipsharp' through an import map, as a user's page would import the
 * package, so the page tests the very bundle a user gets.
 *
 *   npx tsx scripts/build-web.ts [--out web/dist]
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The static files copied from web/ as they are. */
const STATIC_FILES = ['index.html', 'harness.html', 'style.css'];

/** What the build wrote: the output folder and the entry file of each bundle. */
export interface WebBuild {
  outDir: string;
  files: string[];
}

/** Options shared by both builds: browser ES modules, no type declarations, no config file of the package. */
const common = {
  config: false,
  format: ['esm' as const],
  platform: 'browser' as const,
  target: 'es2022',
  dts: false,
  sourcemap: true,
  splitting: false,
  treeshake: false,
  silent: true,
  // The library's Node branches import node:os and node:worker_threads dynamically; a browser never takes them.
  external: [/^node:/],
  // Every dependency is bundled (a browser has no node_modules), except the page's import of the library.
  noExternal: [/^(?!node:|quipsharp$)/],
};

/**
 * Builds the library and the page into `outDir` (default web/dist/, emptied first). Resolves with the files
 * written; rejects with the bundler's error when a source does not compile. Takes a few seconds.
 *
 * @example const { outDir } = await buildWeb('/tmp/page'); // then serveStatic(outDir)
 */
export async function buildWeb(outDir = join(root, 'web', 'dist')): Promise<WebBuild> {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    ...common,
    entry: { quipsharp: join(root, 'src', 'index.ts'), 'quantize-worker': join(root, 'src', 'quantize', 'worker.ts') },
    outDir: out,
  });
  await build({
    ...common,
    entry: { app: join(root, 'web', 'app.ts') },
    outDir: out,
    external: [...common.external, 'quipsharp'],
    tsconfig: join(root, 'web', 'tsconfig.json'),
  });
  for (const file of STATIC_FILES) await copyFile(join(root, 'web', file), join(out, file));
  return { outDir: out, files: ['quipsharp.js', 'quantize-worker.js', 'app.js', ...STATIC_FILES] };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const { outDir, files } = await buildWeb(i >= 0 ? args[i + 1] : undefined);
  console.log(`built ${files.join(', ')} into ${outDir}`);
}
