/**
 * The guide's generator: every chapter's figures and generated blocks, as the bytes each file under docs/guide/
 * must hold. Pure apart from reading the committed pages (whose prose it keeps): `npm run docs` writes the result
 * (scripts/docs/guide.ts), test/docs-guide.test.ts compares it with the committed files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chapter } from './chapter.js';
import { chapter1 } from './ch1-incoherence.js';
import { chapter2 } from './ch2-rht.js';
import { chapter3 } from './ch3-kronecker.js';
import { chapter4 } from './ch4-orders.js';
import { chapter5 } from './ch5-codebooks.js';
import { chapter6 } from './ch6-ldlq.js';
import { chapter7 } from './ch7-pipeline.js';
import { fillBlocks } from './markers.js';

/** The chapter generators, in page order. */
export const CHAPTERS: readonly (() => Chapter)[] = [chapter1, chapter2, chapter3, chapter4, chapter5, chapter6, chapter7];

/**
 * Every generated file of the guide, keyed by its path relative to `guideDir` (docs/guide): the figures
 * (figures/NAME.svg) and the pages with their blocks filled in. Throws when a page's markers and its chapter's
 * blocks do not match (see fillBlocks).
 */
export function generateGuide(guideDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const make of CHAPTERS) {
    const chapter = make();
    for (const [name, svg] of Object.entries(chapter.figures)) files.set(`figures/${name}.svg`, svg);
    const page = readFileSync(join(guideDir, chapter.page), 'utf8');
    files.set(chapter.page, fillBlocks(chapter.page, page, chapter.blocks));
  }
  return files;
}
