/**
 * The page's two figures, drawn with Observable Plot as SVG: the weight histogram before and after incoherence
 * processing against the standard normal density, and the proxy loss of the four rounding runs.
 */
import * as Plot from '@observablehq/plot';
import { histogram, type IncoherenceSummary, type RoundingPlan, type RoundingRun } from './analysis.js';

const BEFORE = 'W (as given)';
const AFTER = "W' = U W Vᵀ (processed)";
const COLORS = ['#c2410c', '#1d4ed8'];

/** Bins per unit of rms(W) in the histogram. */
const BINS_PER_RMS = 4;

/**
 * The histogram of W's entries and of W' = U W V^T, both in units of their rms (so both have unit variance), as
 * densities on a log scale with the N(0, 1) density: outliers show as the far tails of W, and W' follows the
 * Gaussian (the central-limit effect of the random orthogonal transform). Returns a <figure> with a legend.
 *
 * @example container.append(weightHistogram(incoherenceSummary(W, H, 0)));
 */
export function weightHistogram(summary: IncoherenceSummary, width: number): HTMLElement {
  const reach = Math.ceil(Math.max(summary.before.mu, summary.after.mu)) + 1;
  const bins = 2 * reach * BINS_PER_RMS;
  const binWidth = 1 / BINS_PER_RMS;
  const count = summary.before.standardized.length;
  // one entry in a bin, as a density: the smallest nonzero bar; the axis starts half a decade below it
  const floor = 1 / (count * binWidth);
  const bars: Array<{ x1: number; x2: number; density: number; series: string }> = [];
  for (const [series, values] of [[BEFORE, summary.before.standardized], [AFTER, summary.after.standardized]] as const) {
    const counts = histogram(values, -reach, reach, bins);
    counts.forEach((c, b) => {
      if (c > 0) bars.push({ x1: -reach + b * binWidth, x2: -reach + (b + 1) * binWidth, density: c / (count * binWidth), series });
    });
  }
  const gaussian: Array<{ x: number; density: number }> = [];
  for (let x = -reach; x <= reach; x += 1 / 32) {
    const density = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    if (density >= floor / 3) gaussian.push({ x, density });
  }
  const decades: number[] = [];
  for (let d = 1; d >= floor / 3; d /= 10) decades.push(d);
  return Plot.plot({
    width,
    height: 300,
    marginLeft: 56,
    style: { fontSize: '12px' },
    marginBottom: 40,
    x: { label: 'entry / rms(W)', labelAnchor: 'center', labelArrow: 'none', domain: [-reach, reach] },
    y: {
      type: 'log',
      label: 'density (log scale)',
      domain: [floor / 3, 1],
      ticks: decades,
      tickFormat: (d: number) => (d === 1 ? '1' : `1e${Math.round(Math.log10(d))}`),
      grid: true,
    },
    color: { legend: true, domain: [BEFORE, AFTER, 'N(0, 1) density'], range: [...COLORS, '#111827'] },
    marks: [
      Plot.rectY(bars, { x1: 'x1', x2: 'x2', y1: floor / 3, y2: 'density', fill: 'series', fillOpacity: 0.45, inset: 0 }),
      Plot.line(gaussian, { x: 'x', y: 'density', stroke: '#111827', strokeDasharray: '4 3', strokeWidth: 1.5 }),
    ],
  }) as HTMLElement;
}

/** The label of a run in the comparison figure, its table and the progress line. */
export function runLabel(run: RoundingPlan): string {
  return `${run.rounding === 'nearest' ? 'nearest rounding' : 'BlockLDLQ'}, ${run.incoherence ? 'with' : 'no'} incoherence`;
}

/**
 * The relative proxy loss tr(dW H dW^T) / tr(W H W^T) of each run as horizontal bars, labelled with the value.
 *
 * @example container.append(proxyLossBars((await compareRounding(W, H, options, () => {})).runs, 640));
 */
export function proxyLossBars(runs: RoundingRun[], width: number): HTMLElement {
  const rows = runs.map((r) => ({ label: runLabel(r), value: r.relativeProxyLoss, rounding: r.rounding }));
  const max = Math.max(...rows.map((r) => r.value));
  return Plot.plot({
    width,
    height: 50 + 34 * rows.length,
    marginLeft: 250,
    marginRight: 70,
    style: { fontSize: '12px' },
    marginBottom: 40,
    x: { label: 'relative proxy loss tr(dW H dWᵀ) / tr(W H Wᵀ)', labelAnchor: 'center', labelArrow: 'none', domain: [0, max * 1.12], grid: true },
    y: { label: null, domain: rows.map((r) => r.label) },
    color: { domain: ['BlockLDLQ', 'nearest'], range: ['#1d4ed8', '#9ca3af'] },
    marks: [
      Plot.barX(rows, { x: 'value', y: 'label', fill: 'rounding' }),
      Plot.text(rows, { x: 'value', y: 'label', text: (r: { value: number }) => r.value.toPrecision(3), textAnchor: 'start', dx: 5 }),
      Plot.ruleX([0]),
    ],
  }) as HTMLElement;
}
