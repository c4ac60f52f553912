/**
 * Chapter 6, LDLQ and BlockLDLQ: proxy loss of nearest rounding, LDLQ (g = 1) and BlockLDLQ (g = 8) on the
 * example model's layers, and the identity proxyLoss = sum_k tr(E_k D_k E_k^T) checked numerically.
 */
import * as Plot from '@observablehq/plot';
import {
  E8P12,
  ScalarCodebook,
  blockLDL,
  blockLDLQ,
  exampleModel,
  incoherenceProcess,
  matrixFromRowMajor,
  proxyLoss,
  quantizeLinearSync,
  regularizeHessian,
  type Codebook,
  type Matrix,
} from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { denseData, proxyEnergy, relativeProxyLoss, reportOf, roundNearest } from './measure.js';
import { COLORS, LEGEND_MARGIN_TOP, logYTicks, renderSvg, swatchLegend } from './plot.js';
import { rms } from './stats.js';
import { figureLink, fixed, markdownTable, sig } from './text.js';

/** The example model of this chapter (one block, a quarter of the default widths). */
export const MODEL = { blocks: 1, hidden: 256, intermediate: 688, vocab: 64, samples: 1024, seed: 2024 } as const;
const SEED = 0;

/** Ticks (and range) of the loss axis. */
const LOSS_TICKS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

const METHODS = ['nearest, scalar 2-bit', 'LDLQ (g = 1), scalar 2-bit', 'nearest, E8P12', 'BlockLDLQ (g = 8), E8P12'] as const;
const METHOD_COLORS = ['#fdb863', COLORS.scalar, '#92c5de', COLORS.e8];

/** W divided by rms(W) / codebook.optScale: the codebook's working scale, as quantizeLinear sets it. */
function toWorkingScale(W: Matrix, codebook: Codebook): Matrix {
  const data = denseData(W);
  const s = rms(data) / codebook.optScale;
  return matrixFromRowMajor(data.map((v) => v / s), W.shape[0], W.shape[1]);
}

/** sum_k tr(E_k D_k E_k^T) over the column blocks k of E (m x n) and the g x g blocks D_k of blockLDL. */
export function blockErrorLoss(E: Float64Array, m: number, n: number, D: Float64Array, g: number): number {
  let total = 0;
  for (let k = 0; k < n / g; k++) {
    const Dk = D.subarray(k * g * g, (k + 1) * g * g);
    for (let i = 0; i < m; i++) {
      const e = E.subarray(i * n + k * g, i * n + (k + 1) * g);
      for (let s = 0; s < g; s++) for (let t = 0; t < g; t++) total += e[s] * Dk[s * g + t] * e[t];
    }
  }
  return total;
}

/** '< bound' when x is below it (round-off: its digits are not reproducible across engines), else x. */
function below(x: number, bound: number): string {
  return x < bound ? `< ${sig(bound, 1)}` : sig(x, 2);
}

interface LayerResult {
  layer: string;
  shape: string;
  losses: number[];
  identity: { g: number; proxy: number; blocks: number }[];
  /** tr(D) / tr(H') of the g = 1 and g = 8 factorizations of the regularized H'. */
  pivots: number[];
  pipeline: number;
}

function quantizeLayer(name: string, W: Matrix, H: Matrix): LayerResult {
  const [m, n] = W.shape;
  const p = incoherenceProcess(W, H, { seed: SEED });
  const Hreg = regularizeHessian(p.H); // = V (H / mean diag H + 0.01 I) V^T: the regularization commutes with V
  const losses: number[] = [];
  const identity: LayerResult['identity'] = [];
  const pivots: number[] = [];
  const trace = (A: Matrix) => {
    let t = 0;
    for (let i = 0; i < n; i++) t += denseData(A)[i * n + i];
    return t;
  };
  for (const codebook of [new ScalarCodebook(2, 1), E8P12]) {
    const X = toWorkingScale(p.W, codebook);
    const energy = proxyEnergy(X, p.H);
    losses.push(relativeProxyLoss(X, roundNearest(X, codebook), p.H, energy));
    const g = codebook.dim;
    const { L, D } = blockLDL(Hreg, g);
    let traceD = 0;
    for (let k = 0; k < n / g; k++) for (let s = 0; s < g; s++) traceD += D[k * g * g + s * g + s];
    pivots.push(traceD / trace(Hreg));
    const { What, rounded } = blockLDLQ(X, Hreg, codebook, { L, returnRounded: true });
    losses.push(relativeProxyLoss(X, What, p.H, energy));
    if (!rounded) throw new Error('blockLDLQ returned no `rounded` despite returnRounded');
    const inputs = denseData(rounded);
    const E = denseData(What).map((v, i) => v - inputs[i]); // the rounding errors E_k = Q(X_k) - X_k
    identity.push({ g, proxy: proxyLoss(X, What, Hreg), blocks: blockErrorLoss(E, m, n, D, g) });
  }
  const pipeline = reportOf(quantizeLinearSync(W, H, { codebook: 'e8p12', seed: SEED })).relativeProxyLoss;
  return { layer: name.replace(/^model\.layers\.0\./, ''), shape: `${m} x ${n}`, losses, identity, pivots, pipeline };
}

/** Chapter 6: proxy loss of four rounding methods on the example model, the identity check and the pivots. */
export function chapter6(): Chapter {
  const model = exampleModel(MODEL);
  const results: LayerResult[] = [];
  for (const [name, H] of model.hessians) {
    const t = model.tensors.get(`${name}.weight`)!;
    const W = matrixFromRowMajor(Float64Array.from(t.data), t.shape[0], t.shape[1]);
    results.push(quantizeLayer(name, W, H));
  }
  const bars = results.flatMap((r) => METHODS.map((method, i) => ({ layer: r.layer.replace(/^.*\./, ''), method, loss: r.losses[i] })));
  const layers = results.map((r) => r.layer.replace(/^.*\./, ''));
  const yTicks = logYTicks(LOSS_TICKS, layers[0]);
  const svg = renderSvg('ldlq-proxy-loss', {
    width: 760,
    height: 380,
    marginTop: LEGEND_MARGIN_TOP + 20,
    marginLeft: 56,
    marginBottom: 40,
    fx: { label: null, domain: layers, padding: 0.12, axis: 'bottom' },
    x: { axis: null, domain: [...METHODS] },
    y: { type: 'log', label: 'relative proxy loss tr(R H Rᵀ) / tr(W H Wᵀ) (log scale)', grid: true, domain: [LOSS_TICKS[0], LOSS_TICKS[LOSS_TICKS.length - 1]], ...yTicks.scale },
    color: { domain: [...METHODS], range: METHOD_COLORS },
    marks: [
      ...yTicks.marks,
      // bars from the bottom of the log axis up to the loss
      Plot.barY(bars, { fx: 'layer', x: 'method', y1: LOSS_TICKS[0], y2: 'loss', fill: 'method' }),
      ...swatchLegend(
        METHODS.map((label, i) => ({ label, color: METHOD_COLORS[i], shape: 'square' as const })),
        LEGEND_MARGIN_TOP + 20,
      ),
    ],
  });

  const lossTable = markdownTable(
    ['layer', 'shape', ...METHODS, 'quantizeLinear (E8P12)'],
    results.map((r) => [r.layer, r.shape, ...r.losses.map((x) => fixed(x, 4)), fixed(r.pipeline, 4)]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const identityTable = markdownTable(
    ['layer', 'g', 'proxyLoss(W, Ŵ, H)', 'sum_k tr(E_k D_k E_kᵀ)', 'relative difference'],
    results.flatMap((r) => r.identity.map((d) => [r.layer, String(d.g), sig(d.proxy, 6), sig(d.blocks, 6), below(Math.abs(d.proxy - d.blocks) / d.proxy, 1e-12)])),
    ['l', 'r', 'r', 'r', 'r'],
  );
  const pivotTable = markdownTable(
    ['layer', 'tr(D) / tr(H), g = 1', 'tr(D) / tr(H), g = 8'],
    results.map((r) => [r.layer, fixed(r.pivots[0], 4), fixed(r.pivots[1], 4)]),
    ['l', 'r', 'r'],
  );
  const mean = (i: number) => results.reduce((s, r) => s + r.losses[i], 0) / results.length;
  const { blocks, hidden, intermediate, vocab, samples, seed } = MODEL;
  return {
    page: '6-ldlq.md',
    figures: { 'ldlq-proxy-loss': svg },
    blocks: {
      'model-source': `\`\`\`ts\nconst model = exampleModel({ blocks: ${blocks}, hidden: ${hidden}, intermediate: ${intermediate}, vocab: ${vocab}, samples: ${samples}, seed: ${seed} });\n\`\`\`\n`,
      'loss-table': lossTable,
      'loss-summary': `Averaged over the ${results.length} layers: ${METHODS.map((m, i) => `${m} ${fixed(mean(i), 4)}`).join('; ')}. The feedback lowers the loss ${fixed(mean(0) / mean(1), 2)} times for the scalar grid and ${fixed(mean(2) / mean(3), 2)} times for E8P12.\n`,
      'ldlq-proxy-loss': figureLink('ldlq-proxy-loss', 'Relative proxy loss of nearest rounding, LDLQ and BlockLDLQ on every layer of the example model'),
      'identity-table': identityTable,
      'pivot-table': pivotTable,
    },
  };
}
