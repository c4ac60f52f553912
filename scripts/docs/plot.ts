/**
 * The guide's figures: Observable Plot specifications rendered in Node to standalone SVG strings.
 *
 * Why Observable Plot (@observablehq/plot) with linkedom: Plot is a well-kept grammar of graphics from the D3
 * team, declarative (a figure is a list of marks over named scales, facets included), so each chapter states
 * what it shows rather than how to draw it; it renders headless given any DOM, and linkedom is a small DOM shim
 * for Node (no browser, no native canvas); and its output is plain SVG text, which diffs in review and is
 * byte-stable once the two run-dependent details are normalized (clip-path ids from a global counter, floating
 * point noise in coordinates; see `normalizeSvg`). Plot's HTML legends and canvas-based marks (raster, ramp
 * legends) are avoided: legends are drawn as marks (`swatchLegend`), so every figure is one SVG file.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** Fixed typography of every figure (a generic family list, so no font file is embedded or needed). */
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';
export const FONT_SIZE = 12;

/** The one thing the renderer needs from Plot's result: its markup. */
interface Rendered {
  outerHTML: string;
}

/**
 * Renders a Plot specification to a standalone SVG document string (with xmlns, a white background and the fixed
 * font), normalized by {@link normalizeSvg}. `id` names the figure (it prefixes the clip-path ids, so figures
 * inlined in one page cannot collide). Throws when Plot returns a figure wrapper instead of an SVG (a Plot
 * legend or title option was used; draw legends with {@link swatchLegend}).
 */
export function renderSvg(id: string, options: Plot.PlotOptions): string {
  const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');
  const node = Plot.plot({
    ...options,
    document: document as unknown as Plot.PlotOptions['document'],
    style: { fontFamily: FONT_FAMILY, fontSize: `${FONT_SIZE}px`, background: 'white', overflow: 'visible' },
  }) as unknown as Rendered;
  const html = node.outerHTML;
  if (!html.startsWith('<svg')) throw new Error(`renderSvg(${id}): Plot returned a non-SVG element (a legend or title option?)`);
  return normalizeSvg(id, html);
}

/**
 * Makes Plot's SVG byte-stable and standalone: clip-path ids (a process-wide counter in Plot) renumbered
 * `${id}-clip-1, -2, ...` in order of appearance; every number inside an attribute value rounded to 2 decimals
 * (a hundredth of a pixel; removes float noise such as 107.99999999999999); the SVG namespace added; the font
 * attributes set to the fixed ones.
 */
export function normalizeSvg(id: string, svg: string): string {
  const clips = new Map<string, string>();
  let out = svg.replace(/plot-clip-\d+/g, (name) => {
    if (!clips.has(name)) clips.set(name, `${id}-clip-${clips.size + 1}`);
    return clips.get(name)!;
  });
  out = out.replace(/="([^"]*)"/g, (_, value: string) => `="${value.replace(/-?\d+\.\d{3,}(e-?\d+)?/g, roundCoordinate)}"`);
  out = out.replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" ');
  out = out.replace(/font-size="\d+"/, `font-size="${FONT_SIZE}"`).replace(/font-family="[^"]*"/, `font-family="${FONT_FAMILY}"`);
  return `${out}\n`;
}

function roundCoordinate(text: string): string {
  const v = Math.round(Number(text) * 100) / 100;
  return String(Object.is(v, -0) ? 0 : v);
}

/** One entry of a legend drawn as marks. */
export interface Swatch {
  label: string;
  color: string;
  /** 'dot' (default), 'line' or 'square'. */
  shape?: 'dot' | 'line' | 'square';
}

/** Approximate advance of a character of the figure font, in px (for laying out legend entries). */
const CHAR_WIDTH = 0.55 * FONT_SIZE;

/** Top margin (px) that leaves room for the y-axis label and, below it, a {@link swatchLegend}. */
export const LEGEND_MARGIN_TOP = 56;

/**
 * A legend drawn as marks in one row in the top margin, below the y-axis label (give the plot
 * `marginTop: LEGEND_MARGIN_TOP`, or pass the plot's larger top margin), each symbol followed by its label, the
 * entries laid out from the frame's left edge by their label lengths. Returns marks to append to a plot's list.
 */
export function swatchLegend(entries: readonly Swatch[], marginTop = LEGEND_MARGIN_TOP): Plot.Markish[] {
  const marks: Plot.Markish[] = [];
  // facet 'super': drawn once over the whole figure, not in every facet
  const common = { frameAnchor: 'top-left', dy: -marginTop + 34, lineAnchor: 'middle', facet: 'super' } as const;
  let left = 6;
  for (const entry of entries) {
    if ((entry.shape ?? 'dot') === 'line') {
      // a short heavy rule, drawn as text so that it needs no data coordinates
      marks.push(Plot.text(['\u2501\u2501'], { ...common, dx: left + 10, fill: entry.color, fontWeight: 'bold' }));
    } else {
      marks.push(Plot.dot([0], { ...common, dx: left + 6, r: 4.5, fill: entry.color, symbol: entry.shape === 'square' ? 'square' : 'circle' }));
    }
    const textLeft = left + ((entry.shape ?? 'dot') === 'line' ? 34 : 16);
    marks.push(Plot.text([entry.label], { ...common, dx: textLeft, textAnchor: 'start', fill: 'currentColor' }));
    left = textLeft + entry.label.length * CHAR_WIDTH + 24;
  }
  return marks;
}

/** The guide's colours: one per role, the same in every figure. */
export const COLORS = {
  before: '#d6604d',
  after: '#2166ac',
  kronecker: '#1b9e77',
  reference: '#333333',
  scalar: '#e08214',
  e8: '#2166ac',
  ldlq: '#7b3294',
} as const;

/**
 * Tick labels of a log-scale y axis at exactly `ticks`. Plot labels log ticks through d3's log tickFormat,
 * which blanks ticks whose leading digit is large (5, 50, ...) whatever labels are asked for; so the axis is
 * given these scale options (ticks without labels) and the labels are drawn as marks left of the frame. In a
 * plot faceted by fx, pass the first facet's value `firstFx`, so that the labels are drawn beside it only.
 * Use as `y: { type: 'log', ...logY.scale, ... }` and add `...logY.marks`.
 */
export function logYTicks(ticks: readonly number[], firstFx?: string): { scale: { ticks: number[]; tickFormat: () => string }; marks: Plot.Markish[] } {
  const facet = firstFx === undefined ? {} : { fx: ticks.map(() => firstFx) };
  return {
    scale: { ticks: [...ticks], tickFormat: () => '' },
    marks: [Plot.text(ticks, { y: (d: number) => d, text: (d: number) => String(d), frameAnchor: 'left', dx: -9, textAnchor: 'end', lineAnchor: 'middle', fontVariant: 'tabular-nums', ...facet })],
  };
}
