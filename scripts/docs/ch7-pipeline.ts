/**
 * Chapter 7, putting it together: quantizeLinear on one layer with every codebook, with and without incoherence
 * processing, its report, compressed inference against the dequantized weights, and the stored size.
 */
import * as Plot from '@observablehq/plot';
import { QuantizedLinear, quantizeLinearSync, randomNormal, type CodebookName, type IncoherenceChoice, type QuantizeReport } from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { denseData, reportOf } from './measure.js';
import { OUTLIER_LAYER, outlierLayer } from './layers.js';
import { COLORS, LEGEND_MARGIN_TOP, logYTicks, renderSvg, swatchLegend } from './plot.js';
import { figureLink, fixed, markdownTable, sig } from './text.js';

const CODEBOOKS: readonly CodebookName[] = ['e8p12', 'e8p12-rvq3', 'e8p12-rvq4'];
const CHOICES: readonly IncoherenceChoice[] = ['auto', 'none'];
const SEED = 0;
/** The layer name of the file-size example. */
const LAYER_NAME = 'model.layers.0.mlp.down_proj';

interface Run {
  codebook: CodebookName;
  incoherence: IncoherenceChoice;
  report: QuantizeReport;
  q: QuantizedLinear;
}

/** max_i |a_i - b_i| / max_i |b_i|. */
function relativeMaxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return diff / size;
}

/** Chapter 7: quantizeLinear with every codebook with and without incoherence, the report, matvec and file checks. */
export function chapter7(): Chapter {
  const { W, H } = outlierLayer();
  const [m, n] = W.shape;
  const runs: Run[] = [];
  for (const codebook of CODEBOOKS) {
    for (const incoherence of CHOICES) {
      const q = quantizeLinearSync(W, H, { codebook, incoherence, seed: SEED });
      runs.push({ codebook, incoherence, report: reportOf(q), q });
    }
  }
  const main = runs[0];
  const r = main.report;

  // compressed inference: matvec from the codes against the dequantized weights times x
  const x = randomNormal(n, 3, 0);
  const y = main.q.matvec(x);
  const Wd = denseData(main.q.dequantize());
  const dense = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Wd[i * n + j] * x[j];
    dense[i] = s;
  }
  const matvecDiff = relativeMaxDifference(y, dense);
  // the file of the layer without its report: the report's timings would make the size vary from run to run
  const { outFeatures, inFeatures, codebook, codes, incoherence, scale, rescale } = main.q;
  const bytes = new QuantizedLinear({ outFeatures, inFeatures, codebook, codes, incoherence, scale, rescale, report: null }).toSafetensors(LAYER_NAME);
  const back = QuantizedLinear.fromSafetensors(bytes);
  const sameCodes = back.codes.length === main.q.codes.length && back.codes.every((c, i) => c === main.q.codes[i]);

  const reportTable = markdownTable(
    ['field', 'this run', 'meaning'],
    [
      ['`proxyLoss`', sig(r.proxyLoss, 4), 'tr((W - Ŵ) H (W - Ŵ)ᵀ), in the units of the W and H given'],
      ['`relativeProxyLoss`', fixed(r.relativeProxyLoss, 5), 'proxyLoss / tr(W H Wᵀ); with H = XᵀX / N its square root is the relative error of the layer’s outputs on X'],
      ['`weightError`', fixed(r.weightError, 4), '‖W - Ŵ‖_F / ‖W‖_F: how far the weights themselves moved (large by design: the loss, not the weights, is minimized)'],
      ['`bitsPerWeight`', fixed(r.bitsPerWeight, 4), 'everything stored, per weight: codes (2 bits), signs (1 bit per row and per column), the scale (64 bits)'],
      ['`sigmaReg`', String(r.sigmaReg), 'the regularization H / mean(diag H) + sigma I the factorization succeeded with'],
      ['`retries`', String(r.retries), '1 when the first factorization failed and was redone with 10 sigmaReg'],
      ['`threads`', '(machine-dependent)', 'threads the rounding ran on'],
      ['`seconds`', '(machine-dependent)', 'wall-clock seconds per stage: prepare, incoherence, factorize, round, report, and total'],
    ],
  );
  const label = (run: Run) => (run.incoherence === 'auto' ? 'with incoherence (RHT)' : 'without incoherence');
  const codebookTable = markdownTable(
    ['codebook', 'incoherence', 'bitsPerWeight', 'relativeProxyLoss', 'weightError'],
    runs.map((run) => [run.q.codebook, run.incoherence, fixed(run.report.bitsPerWeight, 4), fixed(run.report.relativeProxyLoss, 5), fixed(run.report.weightError, 4)]),
    ['l', 'l', 'r', 'r', 'r'],
  );
  const points = runs.map((run) => ({ bits: run.report.bitsPerWeight, loss: run.report.relativeProxyLoss, series: label(run), name: run.q.codebook }));
  const series = ['with incoherence (RHT)', 'without incoherence'];
  const yTicks = logYTicks([0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
  const svg = renderSvg('pipeline-codebooks', {
    width: 640,
    height: 380,
    marginTop: LEGEND_MARGIN_TOP,
    marginLeft: 60,
    x: { label: 'bits per weight (as stored)', domain: [1.8, 4.9], ticks: [2, 3, 4], tickFormat: String },
    y: { type: 'log', label: 'relative proxy loss', grid: true, domain: [0.0001, 1], ...yTicks.scale },
    color: { domain: series, range: [COLORS.after, COLORS.before] },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      ...yTicks.marks,
      Plot.line(points, { x: 'bits', y: 'loss', z: 'series', stroke: 'series', strokeWidth: 1.5 }),
      Plot.dot(points, { x: 'bits', y: 'loss', fill: 'series', r: 4.5 }),
      Plot.text(points, { x: 'bits', y: 'loss', text: (d: { name: string; loss: number }) => `${d.name} ${fixed(d.loss, 5)}`, dx: 8, dy: -11, textAnchor: 'start', fontSize: 11 }),
      ...swatchLegend(series.map((s, i) => ({ label: s, color: i === 0 ? COLORS.after : COLORS.before }))),
    ],
  });
  const { samples, seed } = OUTLIER_LAYER;
  return {
    page: '7-putting-it-together.md',
    figures: { 'pipeline-codebooks': svg },
    blocks: {
      'quantize-source': `\`\`\`ts\nconst { W, H } = exampleLayer(${m}, ${n}, ${samples}, ${seed});\nconst q = quantizeLinearSync(W, H, { codebook: 'e8p12', seed: ${SEED} }); // or await quantizeLinear(...) on all cores\nq.report.relativeProxyLoss; // ${fixed(r.relativeProxyLoss, 5)}\nq.report.bitsPerWeight;     // ${fixed(r.bitsPerWeight, 4)}\nconst y = q.matvec(x);      // W_hat x from the codes, never forming W_hat\nconst bytes = q.toSafetensors('${LAYER_NAME}'); // ${bytes.length} bytes, plus the report's JSON (float16 weights: ${2 * m * n} bytes)\n\`\`\`\n`,
      'report-table': reportTable,
      'codebook-table': codebookTable,
      'pipeline-codebooks': figureLink('pipeline-codebooks', 'Relative proxy loss against stored bits per weight for the three codebooks, with and without incoherence processing'),
      'inference-check': `On this layer, \`q.matvec(x)\` for \`x = randomNormal(${n}, 3, 0)\` equals \`dequantize()\` times x to ${matvecDiff < 1e-12 ? 'within 1e-12' : sig(matvecDiff, 2)} (largest difference relative to the largest output), and \`QuantizedLinear.fromSafetensors(q.toSafetensors(name))\` gives back ${sameCodes ? 'the same codes' : 'different codes (a bug)'}.\n`,
    },
  };
}
