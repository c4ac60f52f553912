/**
 * Chapter 2, the randomized Hadamard transform: the seeded signs, exact invertibility, and the central-limit
 * effect on the weights (histogram against the Gaussian density, normal QQ plot).
 */
import * as Plot from '@observablehq/plot';
import { randomSigns, reverseIncoherenceRHT, rht, rhtInverse, randomNormal } from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { denseData } from './measure.js';
import { OUTLIER_LAYER, RHT_SEED, outlierLayer, processedOutlierLayer } from './layers.js';
import { COLORS, LEGEND_MARGIN_TOP, renderSvg, swatchLegend } from './plot.js';
import { excessKurtosis, maxAbs, normalPdf, normalQuantile, rms } from './stats.js';
import { figureLink, fixed, markdownTable, sig } from './text.js';

/** Vertical range of the QQ plot (in units of rms(W)); the larger outliers leave it. */
const QQ_RANGE = 6;

/** Histogram range and bin count (in units of rms(W)). */
const RANGE = 5;
const BINS = 80;

/** Weights divided by their rms. */
function standardized(x: Float64Array): Float64Array {
  const r = rms(x);
  return x.map((v) => v / r);
}

interface Bin {
  x1: number;
  x2: number;
  density: number;
  stage: string;
}

/** Density histogram on [-RANGE, RANGE] (entries outside are counted in the total, not drawn). */
function histogram(x: Float64Array, stage: string): Bin[] {
  const width = (2 * RANGE) / BINS;
  const counts = new Float64Array(BINS);
  for (const v of x) {
    const b = Math.floor((v + RANGE) / width);
    if (b >= 0 && b < BINS) counts[b]++;
  }
  return Array.from(counts, (c, b) => ({ x1: -RANGE + b * width, x2: -RANGE + (b + 1) * width, density: c / (x.length * width), stage }));
}

/** Fraction of entries with |x| > t. */
function tailFraction(x: Float64Array, t: number): number {
  let k = 0;
  for (const v of x) if (Math.abs(v) > t) k++;
  return k / x.length;
}

interface QQPoint {
  theoretical: number;
  sample: number;
  stage: string;
}

/**
 * Normal QQ points of x: the sorted sample against Phi^-1((k + 1/2) / N), at 300 ranks spread evenly in normal
 * quantile (so the tails, where the two distributions differ, get as many points as the middle), plus the extremes.
 */
function qqPoints(x: Float64Array, stage: string): QQPoint[] {
  const sorted = Float64Array.from(x).sort();
  const N = sorted.length;
  const zmax = normalQuantile((N - 0.5) / N);
  const ranks = new Set<number>([0, N - 1]);
  for (let i = 0; i <= 300; i++) {
    const z = -zmax + (2 * zmax * i) / 300;
    // the rank whose plotting position is nearest to Phi(z), found by bisection on normalQuantile
    let lo = 0;
    let hi = N - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (normalQuantile((mid + 0.5) / N) < z) lo = mid + 1;
      else hi = mid;
    }
    ranks.add(lo);
  }
  return [...ranks].sort((a, b) => a - b).map((k) => ({ theoretical: normalQuantile((k + 0.5) / N), sample: sorted[k], stage }));
}

/** Chapter 2: the signs, the round trips, the histogram and QQ plot of the outlier layer before and after RHT. */
export function chapter2(): Chapter {
  const { W } = outlierLayer();
  const p = processedOutlierLayer();
  const before = standardized(denseData(W));
  const after = standardized(denseData(p.W));
  const labels = ['W / rms(W)', "W' / rms(W') after RHT"];

  const density = Array.from({ length: 201 }, (_, i) => {
    const x = -RANGE + (2 * RANGE * i) / 200;
    return { x, density: normalPdf(x) };
  });
  const bins = [...histogram(before, labels[0]), ...histogram(after, labels[1])];
  const histogramSvg = renderSvg('rht-histogram', {
    width: 720,
    height: 340,
    marginTop: LEGEND_MARGIN_TOP + 20,
    marginLeft: 56,
    x: { label: 'weight / rms', domain: [-RANGE, RANGE] },
    y: { label: 'density', grid: true },
    fx: { label: null, domain: labels },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'density', fx: 'stage', fill: (d: Bin) => (d.stage === labels[0] ? COLORS.before : COLORS.after), fillOpacity: 0.75, inset: 0 }),
      Plot.line(density, { x: 'x', y: 'density', stroke: COLORS.reference, strokeWidth: 1.5 }),
      ...swatchLegend([
        { label: 'weights before', color: COLORS.before, shape: 'square' },
        { label: 'weights after RHT', color: COLORS.after, shape: 'square' },
        { label: 'N(0, 1) density', color: COLORS.reference, shape: 'line' },
      ], LEGEND_MARGIN_TOP + 20),
    ],
  });

  const qq = [...qqPoints(before, labels[0]), ...qqPoints(after, labels[1])];
  const zmax = Math.ceil(Math.max(...qq.map((d) => Math.abs(d.theoretical))));
  const ymax = QQ_RANGE;
  const qqSvg = renderSvg('rht-qq', {
    width: 720,
    height: 420,
    marginTop: LEGEND_MARGIN_TOP,
    marginLeft: 56,
    x: { label: 'standard normal quantile', domain: [-zmax, zmax], grid: true },
    y: { label: 'sample quantile of weight / rms', domain: [-ymax, ymax], grid: true },
    color: { domain: labels, range: [COLORS.before, COLORS.after] },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      Plot.line([
        [-zmax, -zmax],
        [zmax, zmax],
      ], { stroke: COLORS.reference, strokeDasharray: '4 3', clip: true }),
      // clipped to the frame: the outliers of W run off the top and bottom
      Plot.dot(qq, { x: 'theoretical', y: 'sample', stroke: 'stage', r: 2, clip: true }),
      ...swatchLegend([
        { label: labels[0], color: COLORS.before },
        { label: labels[1], color: COLORS.after },
        { label: 'y = x (Gaussian)', color: COLORS.reference, shape: 'line' },
      ]),
    ],
  });

  // what "random" is: the first signs of both sides, and the exact inverse
  const { m, n } = OUTLIER_LAYER;
  const show = (s: Int8Array) => Array.from(s.subarray(0, 16), (v) => (v > 0 ? '+' : '-')).join('');
  const back = reverseIncoherenceRHT(p.W, p.signsU, p.signsV);
  let roundTrip = 0;
  const w = denseData(W);
  const b = denseData(back);
  for (let i = 0; i < w.length; i++) roundTrip = Math.max(roundTrip, Math.abs(b[i] - w[i]));
  const x = randomNormal(1024, 7, 0);
  const s = randomSigns(1024, 7, 1);
  let vectorTrip = 0;
  const xBack = rhtInverse(rht(x, s), s);
  for (let i = 0; i < x.length; i++) vectorTrip = Math.max(vectorTrip, Math.abs(xBack[i] - x[i]));

  const stats = markdownTable(
    ['', 'W (before)', "W' (after RHT)", 'Gaussian'],
    [
      ['excess kurtosis', fixed(excessKurtosis(before), 2), fixed(excessKurtosis(after), 2), '0'],
      ['fraction with \\|w\\| > 3 rms', sig(tailFraction(before, 3), 3), sig(tailFraction(after, 3), 3), sig(0.0026998, 3)],
      // median of the largest |z| of N standard normal samples: P(max |z| <= t) = (2 Phi(t) - 1)^N = 1/2
      ['max \\|w\\| / rms', fixed(maxAbs(before), 2), fixed(maxAbs(after), 2), `${fixed(normalQuantile(1 - (1 - 2 ** (-1 / (m * n))) / 2), 2)} (median for ${m * n} samples)`],
    ],
    ['l', 'r', 'r', 'r'],
  );

  return {
    page: '2-rht.md',
    figures: { 'rht-histogram': histogramSvg, 'rht-qq': qqSvg },
    blocks: {
      signs: `\`\`\`ts\nrandomSigns(${m}, ${RHT_SEED}, 0) // S_U: ${show(p.signsU)}... (stream 0, length m = ${m})\nrandomSigns(${n}, ${RHT_SEED}, 1) // S_V: ${show(p.signsV)}... (stream 1, length n = ${n})\n\`\`\`\n`,
      'round-trip': `\`\`\`ts\nconst p = incoherenceRHT(W, H, { seed: ${RHT_SEED} });\nreverseIncoherenceRHT(p.W, p.signsU, p.signsV); // W again: max abs difference ${roundTrip < 1e-12 ? 'below 1e-12' : sig(roundTrip, 2)}\nconst s = randomSigns(1024, 7, 1), x = randomNormal(1024, 7, 0);\nrhtInverse(rht(x, s), s); // x again: max abs difference ${vectorTrip < 1e-14 ? 'below 1e-14' : sig(vectorTrip, 2)}\n\`\`\`\n`,
      'rht-stats': stats,
      'rht-histogram': figureLink('rht-histogram', 'Histograms of the weights before and after RHT processing, with the standard normal density'),
      'rht-qq': figureLink('rht-qq', 'Normal QQ plot of the weights before and after RHT processing'),
    },
  };
}
