// The public surface as the published .d.ts declares it, read with the TypeScript compiler (values: anything
// with a run-time value, such as functions, classes and constants; types: interfaces and type aliases). Run as a
// script (`npx tsx scripts/public-api.ts`, after `npm run build`) it writes test/fixtures/public-api.json, the
// committed list that test/exports.test.ts holds the package to.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The names a declaration file exports, split into values and types (sorted). */
export function declarationExports(file: string): { runtime: string[]; types: string[] } {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file}: not a module`);
  const runtime: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? runtime : types).push(symbol.name);
  }
  return { runtime: runtime.sort(), types: types.sort() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const api = declarationExports('dist/index.d.ts');
  writeFileSync('test/fixtures/public-api.json', `${JSON.stringify(api, null, 2)}\n`);
  console.log(`${api.runtime.length} values, ${api.types.length} types`);
}
