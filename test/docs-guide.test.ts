// The guide (docs/guide/) is generated from the library: every figure and every marked table or number. This test
// regenerates it in memory and fails when a committed file differs, so the guide cannot drift from the code.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateGuide } from '../scripts/docs/generate.js';
import { blockNames, fillBlocks } from '../scripts/docs/markers.js';

const guideDir = join(__dirname, '..', 'docs', 'guide');

describe('docs/guide', () => {
  it('every figure, table and marked number is what `npm run docs` generates', () => {
    const stale: string[] = [];
    const generated = generateGuide(guideDir);
    for (const [file, text] of generated) {
      const path = join(guideDir, file);
      if (!existsSync(path)) stale.push(`docs/guide/${file} is missing`);
      else if (readFileSync(path, 'utf8') !== text) stale.push(`docs/guide/${file} is out of date`);
    }
    for (const name of readdirSync(join(guideDir, 'figures'))) {
      if (!generated.has(`figures/${name}`)) stale.push(`docs/guide/figures/${name} is no longer generated (delete it)`);
    }
    expect(stale, `${stale.join('\n')}\nrun \`npm run docs\` and commit the result`).toEqual([]);
  }, 60_000);

  it('fills marked blocks and refuses markers without a generator and blocks without a marker', () => {
    const page = 'a\n<!-- figure:x -->\nold\n<!-- /figure -->\nb\n';
    expect(blockNames(page)).toEqual(['x']);
    expect(fillBlocks('p.md', page, { x: 'new\n' })).toBe('a\n<!-- figure:x -->\nnew\n<!-- /figure -->\nb\n');
    expect(() => fillBlocks('p.md', page, {})).toThrow("p.md: block <!-- figure:x --> has no generator");
    expect(() => fillBlocks('p.md', page, { x: '', y: '' })).toThrow("p.md: generated block 'y' has no <!-- figure:y --> marker");
  });
});
