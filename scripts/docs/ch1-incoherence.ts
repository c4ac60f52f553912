/**
 * Chapter 1, incoherence: QuIP's mu for W and H on a layer with outliers, before and after RHT processing, and
 * what the outliers cost nearest rounding.
 */
import * as Plot from '@observablehq/plot';
import { E8P12, ScalarCodebook, incoherence, type Matrix } from '../../src/index.js';
import { denseData, relativeError, relativeProxyLoss, roundNearest } from './measure.js';
import type { Chapter } from './chapter.js';
import { OUTLIER_LAYER, RHT_SEED, hessianIncoherence, outlierLayer, processedOutlierLayer } from './layers.js';
import { COLORS, LEGEND_MARGIN_TOP, logYTicks, renderSvg, swatchLegend } from './plot.js';
import { maxAbs, rms } from './stats.js';
import { figureLink, fixed, markdownTable, sig } from './text.js';

/** Largest |W_ij| over the rows i of each column j, divided by rms(W). */
function columnMaxima(W: Matrix): Float64Array {
  const [m, n] = W.shape;
  const data = denseData(W);
  const r = rms(data);
  const out = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j] = Math.max(out[j], Math.abs(data[i * n + j]) / r);
  return out;
}

/** diag(H) / mean(diag H). */
function relativeDiagonal(H: Matrix): Float64Array {
  const n = H.shape[0];
  const data = denseData(H);
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = data[j * n + j];
  const mean = d.reduce((s, v) => s + v, 0) / n;
  return d.map((v) => v / mean);
}

interface ChannelPoint {
  channel: number;
  value: number;
  stage: string;
}

/** Before and after values per input channel, on a log y axis with the given ticks. */
function channelFigure(id: string, before: Float64Array, after: Float64Array, labels: [string, string], label: string, ticks: number[]): string {
  const yTicks = logYTicks(ticks);
  const points: ChannelPoint[] = [];
  before.forEach((value, channel) => points.push({ channel, value, stage: labels[0] }));
  after.forEach((value, channel) => points.push({ channel, value, stage: labels[1] }));
  return renderSvg(id, {
    width: 720,
    height: 300,
    marginLeft: 60,
    marginTop: LEGEND_MARGIN_TOP,
    x: { label: 'input channel j', domain: [0, before.length] },
    y: { type: 'log', label, grid: true, ...yTicks.scale },
    color: { domain: labels, range: [COLORS.before, COLORS.after] },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      ...yTicks.marks,
      Plot.dot(points, { x: 'channel', y: 'value', stroke: 'stage', r: 1.6 }),
      ...swatchLegend(
        [
          { label: labels[0], color: COLORS.before },
          { label: labels[1], color: COLORS.after },
        ]),
    ],
  });
}

/** Chapter 1: the outlier layer's mu_W, mu_H and nearest-rounding errors before and after RHT, two figures. */
export function chapter1(): Chapter {
  const { m, n, samples, seed } = OUTLIER_LAYER;
  const { W, H } = outlierLayer();
  const p = processedOutlierLayer();
  const muW = [incoherence(W), incoherence(p.W)];
  const muH = [hessianIncoherence(H), hessianIncoherence(p.H)];
  const diag = [relativeDiagonal(H), relativeDiagonal(p.H)];
  const diagPeak = diag.map((d) => maxAbs(d));

  const scalar = new ScalarCodebook(2, 8);
  const rounding = [scalar, E8P12].map((cb) => {
    const before = roundNearest(W, cb);
    const after = roundNearest(p.W, cb);
    return {
      name: cb === E8P12 ? 'E8P12, nearest point' : 'scalar 2-bit grid, nearest level',
      weight: [relativeError(W, before), relativeError(p.W, after)],
      proxy: [relativeProxyLoss(W, before, H), relativeProxyLoss(p.W, after, p.H)],
    };
  });

  const pair = (v: number[], f: (x: number) => string) => [f(v[0]), f(v[1])];
  const table = markdownTable(
    ['quantity', 'before', 'after RHT'],
    [
      [`μ_W = max \\|W_ij\\| √(mn) / ‖W‖_F (at most √(mn) = ${Math.sqrt(m * n)})`, ...pair(muW, (x) => fixed(x, 2))],
      [`μ_H = √n max \\|Q_ij\\| for H = Q Λ Qᵀ (at most √n = ${sig(Math.sqrt(n), 4)})`, ...pair(muH, (x) => fixed(x, 2))],
      ['max H_jj / mean H_jj (the loudest input channel)', ...pair(diagPeak, (x) => fixed(x, 2))],
      ...rounding.flatMap((r) => [
        [`relative weight error, ${r.name}`, ...pair(r.weight, (x) => fixed(x, 3))],
        [`relative proxy loss, ${r.name}`, ...pair(r.proxy, (x) => fixed(x, 3))],
      ]),
    ],
    ['l', 'r', 'r'],
  );

  return {
    page: '1-incoherence.md',
    figures: {
      'incoherence-weights': channelFigure('incoherence-weights', columnMaxima(W), columnMaxima(p.W), [`W (μ_W = ${fixed(muW[0], 1)})`, `W' after RHT (μ_W = ${fixed(muW[1], 1)})`], 'max_i |W_ij| / rms(W)', [1, 2, 5, 10, 20, 50]),
      'incoherence-hessian': channelFigure('incoherence-hessian', diag[0], diag[1], [`H (μ_H = ${fixed(muH[0], 1)})`, `H' after RHT (μ_H = ${fixed(muH[1], 1)})`], 'H_jj / mean(diag H)', [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200]),
    },
    blocks: {
      'layer-source': `\`\`\`ts\nconst { W, H } = exampleLayer(${m}, ${n}, ${samples}, ${seed}); // ${m} x ${n}, H from ${samples} activations\nconst p = incoherenceRHT(W, H, { seed: ${RHT_SEED} });\nincoherence(W); incoherence(p.W); // ${fixed(muW[0], 2)}, ${fixed(muW[1], 2)}\n\`\`\`\n`,
      'incoherence-table': table,
      'grid-edge': `At that scale the outermost level of the scalar 2-bit grid is $1.5 \\times ${fixed(scalar.step, 4)} = ${fixed(1.5 * scalar.step, 3)}$ RMS (\`new ScalarCodebook(2).step\` is the MSE-optimal spacing for Gaussian data), so an outlier at 20 RMS is clipped to it and nearly all of it becomes error.\n`,
      'incoherence-weights': figureLink('incoherence-weights', 'Largest weight of every input channel relative to rms(W), before and after RHT processing'),
      'incoherence-hessian': figureLink('incoherence-hessian', 'Diagonal of H relative to its mean, before and after RHT processing'),
    },
  };
}
