// The API reference is complete and current: every public export of the two entries (`quipsharp`, src/index.ts,
// and `quipsharp/node`, src/node/index.ts) carries a doc comment, followed through re-exports to its declaration;
// every exported function and class, and every public method of an exported class, has an @example; every public
// member of an exported class (properties, accessors, constructors, methods) is documented;
// and docs/api/ is exactly what TypeDoc (typedoc.json) generates from the sources today.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Application } from 'typedoc';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['src/index.ts', 'src/node/index.ts'];

interface Documented {
  /** `entry: name` or `entry: Class.member`. */
  where: string;
  description: string;
  tags: string[];
  /** A function, a class or a public method: needs an example. */
  callable: boolean;
}

/** Every public export of the entries, and every public member of an exported class, with its doc comment. */
function publicDocs(): Documented[] {
  const program = ts.createProgram(
    entries.map((e) => join(root, e)),
    { noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] },
  );
  const checker = program.getTypeChecker();
  const docOf = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tagsOf = (symbol: ts.Symbol) => symbol.getJsDocTags(checker).map((t) => t.name);
  const out: Documented[] = [];
  for (const entry of entries) {
    const source = program.getSourceFile(join(root, entry));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${entry}: not a module`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const callable = (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) !== 0;
      out.push({ where: `${entry}: ${exported.name}`, description: docOf(symbol), tags: tagsOf(symbol), callable });
      if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
      const declaration = symbol.declarations?.find(ts.isClassDeclaration);
      for (const member of declaration?.members ?? []) {
        if (member.name && ts.isPrivateIdentifier(member.name)) continue;
        if (ts.getCombinedModifierFlags(member as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        if (ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member) || ts.isIndexSignatureDeclaration(member)) continue;
        const memberSymbol = ts.isConstructorDeclaration(member)
          ? (member as unknown as { symbol: ts.Symbol }).symbol
          : checker.getSymbolAtLocation(member.name!);
        const name = ts.isConstructorDeclaration(member) ? 'constructor' : member.name!.getText();
        out.push({
          where: `${entry}: ${exported.name}.${name}`,
          description: memberSymbol ? docOf(memberSymbol) : '',
          tags: memberSymbol ? tagsOf(memberSymbol) : [],
          callable: ts.isMethodDeclaration(member),
        });
      }
    }
  }
  return out;
}

/** Every file under dir, as relative path -> contents. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('the API reference', () => {
  const docs = publicDocs();

  it('finds the public surface (both entries, classes with their members)', () => {
    // A guard against a checker that finds nothing and so passes vacuously.
    expect(docs.filter((d) => d.where.startsWith('src/index.ts: ')).length).toBeGreaterThan(100);
    expect(docs.some((d) => d.where === 'src/node/index.ts: openSafetensors')).toBe(true);
    expect(docs.some((d) => d.where === 'src/index.ts: QuantizedLinear.matvec')).toBe(true);
  });

  it('every public export and public class member has a doc comment', () => {
    expect(docs.filter((d) => d.description === '').map((d) => d.where)).toEqual([]);
  });

  it('every exported function and class, and every public method, has an @example', () => {
    expect(docs.filter((d) => d.callable && !d.tags.includes('example')).map((d) => d.where)).toEqual([]);
  });

  it('docs/api/ is what TypeDoc generates from the sources now (run `npx typedoc` after changing a comment)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'quipsharp-api-'));
    try {
      const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), out, logLevel: 'Error' });
      const project = await app.convert();
      expect(project, 'TypeDoc could not convert the sources').toBeDefined();
      await app.generateOutputs(project!);
      const generated = tree(out);
      const committed = tree(join(root, 'docs/api'));
      expect([...committed.keys()].sort(), 'the files of docs/api/').toEqual([...generated.keys()].sort());
      const stale = [...generated].filter(([path, text]) => committed.get(path) !== text).map(([path]) => path);
      expect(stale, 'pages of docs/api/ that differ from a fresh TypeDoc run').toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
