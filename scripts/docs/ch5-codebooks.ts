/**
 * Chapter 5, vector quantization: MSE per coordinate of E8P12 and its residual variants against scalar grids
 * and the Gaussian rate-distortion bound, and a 2-D slice through E8P12's cells.
 */
import * as Plot from '@observablehq/plot';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ScalarCodebook, randomNormal, type Codebook } from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { COLORS, LEGEND_MARGIN_TOP, logYTicks, renderSvg, swatchLegend } from './plot.js';
import { figureLink, fixed, markdownTable, sig } from './text.js';

/** Gaussian test vectors of 8 coordinates (seed 5, stream 0). */
export const VECTORS = 100_000;

/**
 * MSE per coordinate on unit Gaussian input at the codebook's working scale, as the pipeline uses it: each
 * vector x is quantized as Q(s x) / s with s = codebook.optScale.
 */
export function gaussianMse(codebook: Codebook, X: Float64Array): number {
  const s = codebook.optScale;
  const { values } = codebook.quantize(X.map((v) => v * s));
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += (X[i] - values[i] / s) ** 2;
  return sum / X.length;
}

/** The slice: x = (u, v, c, c, c, c, c, c), u and v over [-SPAN, SPAN], c = 3/4 (a coordinate of E8P12 points). */
const SPAN = 3;
const C = 0.75;
const PIXELS = 150;
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const GREYS = ['#d9d9d9', '#bdbdbd', '#e8e8e8'];

interface Run {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  fill: string;
}

function sliceFigure(): { svg: string; inPlane: number; cells: number } {
  const step = (2 * SPAN) / PIXELS;
  const X = new Float64Array(PIXELS * PIXELS * 8);
  for (let r = 0; r < PIXELS; r++) {
    for (let q = 0; q < PIXELS; q++) {
      const o = 8 * (r * PIXELS + q);
      X[o] = -SPAN + (q + 0.5) * step;
      X[o + 1] = SPAN - (r + 0.5) * step;
      for (let i = 2; i < 8; i++) X[o + i] = C;
    }
  }
  const { codes, values } = E8P12.quantize(X);
  // colour: the cells of points in the plane (coordinates 2..7 equal to c) from the palette, greedily so that
  // no two touching cells share a colour; cells whose nearest point lies off the plane in two greys
  const inPlane = (p: number) => {
    for (let i = 2; i < 8; i++) if (values[8 * p + i] !== C) return false;
    return true;
  };
  const neighbours = new Map<number, Set<number>>();
  const touch = (a: number, b: number) => {
    if (a === b) return;
    for (const [x, y] of [[a, b], [b, a]]) {
      if (!neighbours.has(x)) neighbours.set(x, new Set());
      neighbours.get(x)!.add(y);
    }
  };
  const order: number[] = [];
  const firstPixel = new Map<number, number>();
  for (let p = 0; p < codes.length; p++) {
    if (!firstPixel.has(codes[p])) {
      firstPixel.set(codes[p], p);
      order.push(codes[p]);
    }
    if (p % PIXELS !== PIXELS - 1) touch(codes[p], codes[p + 1]);
    if (p + PIXELS < codes.length) touch(codes[p], codes[p + PIXELS]);
  }
  const colour = new Map<number, string>();
  const points: { u: number; v: number }[] = [];
  for (const code of order) {
    const p = firstPixel.get(code)!;
    const used = new Set([...(neighbours.get(code) ?? [])].map((c) => colour.get(c)));
    const choices = inPlane(p) ? PALETTE : GREYS;
    colour.set(code, choices.find((c) => !used.has(c)) ?? choices[0]);
    if (inPlane(p)) points.push({ u: values[8 * p], v: values[8 * p + 1] });
  }
  const runs: Run[] = [];
  for (let r = 0; r < PIXELS; r++) {
    let start = 0;
    for (let q = 1; q <= PIXELS; q++) {
      const p = r * PIXELS + q;
      if (q === PIXELS || codes[p] !== codes[p - 1]) {
        runs.push({ x1: -SPAN + start * step, x2: -SPAN + q * step, y1: SPAN - (r + 1) * step, y2: SPAN - r * step, fill: colour.get(codes[p - 1])! });
        start = q;
      }
    }
  }
  const svg = renderSvg('e8p12-slice', {
    width: 560,
    height: 600,
    marginTop: LEGEND_MARGIN_TOP,
    marginLeft: 50,
    x: { label: 'x_0', domain: [-SPAN, SPAN], ticks: 7 },
    y: { label: 'x_1', domain: [-SPAN, SPAN], ticks: 7 },
    aspectRatio: 1,
    marks: [
      Plot.rect(runs, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'fill', inset: 0, shapeRendering: 'crispEdges' }),
      Plot.dot(points, { x: 'u', y: 'v', fill: 'black', r: 3.5 }),
      Plot.frame(),
      ...swatchLegend([
        { label: 'codebook point in the plane', color: 'black' },
        { label: 'its cell', color: PALETTE[0], shape: 'square' },
        { label: 'cell of a point off the plane', color: GREYS[1], shape: 'square' },
      ]),
    ],
  });
  return { svg, inPlane: points.length, cells: order.length };
}

/** Chapter 5: MSE per coordinate of every codebook against the bound, and the E8P12 slice. */
export function chapter5(): Chapter {
  const X = randomNormal(8 * VECTORS, 5, 0);
  const rows: { name: string; family: string; bits: number; mse: number }[] = [];
  for (const bits of [2, 3, 4]) rows.push({ name: `scalar ${bits}-bit grid`, family: 'scalar (uniform grid, optimal step)', bits, mse: gaussianMse(new ScalarCodebook(bits), X) });
  for (const cb of [E8P12, E8P12RVQ3B, E8P12RVQ4B]) rows.push({ name: cb.name, family: 'E8P12 and its residual variants', bits: cb.bitsPerWeight, mse: gaussianMse(cb, X) });
  const bound = (R: number) => 2 ** (-2 * R);
  const curve = Array.from({ length: 61 }, (_, i) => {
    const R = 1.5 + (3.5 * i) / 60;
    return { R, D: bound(R) };
  });
  const families = ['scalar (uniform grid, optimal step)', 'E8P12 and its residual variants'];
  const yTicks = logYTicks([0.005, 0.01, 0.02, 0.05, 0.1]);
  const mseSvg = renderSvg('codebook-mse', {
    width: 640,
    height: 380,
    marginTop: LEGEND_MARGIN_TOP,
    marginLeft: 60,
    x: { label: 'bits per weight R', domain: [1.5, 5], ticks: [2, 3, 4], tickFormat: String },
    y: { type: 'log', label: 'MSE per coordinate (unit Gaussian input)', grid: true, domain: [0.0035, 0.16], ...yTicks.scale },
    color: { domain: families, range: [COLORS.scalar, COLORS.e8] },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      ...yTicks.marks,
      Plot.line(curve, { x: 'R', y: 'D', stroke: COLORS.reference, strokeDasharray: '5 4', clip: true }),
      Plot.line(rows, { x: 'bits', y: 'mse', z: 'family', stroke: 'family', strokeWidth: 1.5 }),
      Plot.dot(rows, { x: 'bits', y: 'mse', fill: 'family', r: 4.5 }),
      // labels right of the points: scalar ones above their point, E8 ones below (the two series are close)
      ...families.map((family, i) =>
        Plot.text(
          rows.filter((d) => d.family === family),
          { x: 'bits', y: 'mse', text: (d: { name: string; mse: number }) => `${d.name} ${fixed(d.mse, 4)}`, dx: 10, dy: i === 0 ? -9 : 9, textAnchor: 'start', fontSize: 11 },
        ),
      ),
      ...swatchLegend([
        { label: 'scalar grid', color: COLORS.scalar },
        { label: 'E8P12 family', color: COLORS.e8 },
        { label: 'rate-distortion bound 2^(-2R)', color: COLORS.reference, shape: 'line' },
      ]),
    ],
  });
  const slice = sliceFigure();
  const table = markdownTable(
    ['codebook', 'bits / weight', 'MSE per coordinate', 'bound 2^(-2R)', 'MSE / bound'],
    [...rows].sort((a, b) => a.bits - b.bits || a.name.localeCompare(b.name)).map((r) => [r.name, String(r.bits), fixed(r.mse, 5), fixed(bound(r.bits), 5), fixed(r.mse / bound(r.bits), 2)]),
    ['l', 'r', 'r', 'r', 'r'],
  );
  const grid = E8P12.grid();
  let shiftPlus = 0;
  for (let c = 0; c < 65536; c++) {
    // a point of shift +1/4 has every coordinate in Z + 1/2 + 1/4
    if (Math.abs(((grid[8 * c] % 1) + 1) % 1 - 0.75) < 1e-9) shiftPlus++;
  }
  return {
    page: '5-vector-quantization.md',
    figures: { 'codebook-mse': mseSvg, 'e8p12-slice': slice.svg },
    blocks: {
      'mse-table': table,
      'mse-summary': `${[2, 3, 4]
        .map((bits) => {
          const [scalar, e8] = [rows.find((r) => r.bits === bits && r.family === families[0])!, rows.find((r) => r.bits === bits && r.family === families[1])!];
          const dB = (mse: number) => fixed(10 * Math.log10(mse / bound(bits)), 2);
          return `At ${bits} bits ${e8.name} has ${fixed(100 * (1 - e8.mse / scalar.mse), 1)}% less error than the scalar grid, ${dB(e8.mse)} dB above the bound (the scalar grid: ${dB(scalar.mse)} dB).`;
        })
        .join(' ')}\n`,
      'codebook-mse': figureLink('codebook-mse', 'MSE per coordinate against bits per weight for scalar grids and the E8P12 codebooks, with the rate-distortion bound'),
      'e8p12-slice': figureLink('e8p12-slice', 'A plane through the E8P12 codebook: cells of its nearest-point map, coloured by the chosen point'),
      'slice-counts': `In the square shown, ${slice.inPlane} codebook points lie in the plane; the nearest-point map there takes ${slice.cells} different codes. Of the 65536 points, ${shiftPlus} have shift +1/4 and ${65536 - shiftPlus} shift -1/4; MSE measured on ${VECTORS.toLocaleString('en-US')} Gaussian vectors (${sig(8 * VECTORS, 2)} coordinates, \`randomNormal(${8 * VECTORS}, 5, 0)\`).\n`,
    },
  };
}
