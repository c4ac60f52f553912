/**
 * Generated blocks inside hand-written Markdown: `<!-- figure:NAME -->` ... `<!-- /figure -->`. The generator
 * rewrites what lies between the two comments; everything else in a page is prose and is left as it is.
 */

const BLOCK = /<!-- figure:([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/figure -->/g;

/** The names of the generated blocks of a page, in order. */
export function blockNames(page: string): string[] {
  return [...page.matchAll(BLOCK)].map((m) => m[1]);
}

/**
 * The page with every block's content replaced by `blocks[name]` (which should end in a newline). Throws when
 * the page has a block the generator does not produce, or the generator produces one the page lacks, naming
 * the page (`file`) and the block, so that a misspelt marker cannot leave a stale number behind.
 */
export function fillBlocks(file: string, page: string, blocks: Readonly<Record<string, string>>): string {
  const names = blockNames(page);
  for (const name of names) {
    if (!(name in blocks)) throw new Error(`${file}: block <!-- figure:${name} --> has no generator`);
  }
  for (const name of Object.keys(blocks)) {
    if (!names.includes(name)) throw new Error(`${file}: generated block '${name}' has no <!-- figure:${name} --> marker`);
  }
  return page.replace(BLOCK, (_, name: string) => `<!-- figure:${name} -->\n${blocks[name]}<!-- /figure -->`);
}
