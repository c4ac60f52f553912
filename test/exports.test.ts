import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lib from '../src/index.js';
import { declarationExports } from '../scripts/public-api.js';

// The public surface, written down: a change to what the package exports must change this file too.
// Regenerate after a deliberate change with `npx tsx scripts/public-api.ts`.
const expected = JSON.parse(readFileSync(new URL('./fixtures/public-api.json', import.meta.url), 'utf8')) as {
  runtime: string[];
  types: string[];
};
const root = fileURLToPath(new URL('..', import.meta.url));

describe('the public surface', () => {
  it('the runtime exports are exactly the committed list', () => {
    expect(Object.keys(lib).sort()).toEqual(expected.runtime);
  });
  it('the published .d.ts (ESM and CJS) exports exactly the committed values and types', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      expect(declarationExports(`${root}/${file}`)).toEqual(expected);
    }
  });
});
