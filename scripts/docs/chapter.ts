/** What one chapter of the guide generates: SVG figures (by file name, without .svg) and Markdown blocks (by marker name). */
export interface Chapter {
  /** The page, relative to docs/guide/. */
  page: string;
  figures: Record<string, string>;
  blocks: Record<string, string>;
}
