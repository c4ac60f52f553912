/**
 * Chapter 3, RHT against QuIP's two-factor Kronecker rotation: measured mu_W over n = 2^6 .. 2^14 (m fixed) for
 * two test matrices, with the shapes of the two papers' bounds.
 */
import * as Plot from '@observablehq/plot';
import { incoherence, matrixFromRowMajor, randomNormal, randomSigns, randomUniform, rht } from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { kroneckerBothSides, kroneckerSplit, randomKroneckerRotation } from './kronecker.js';
import { COLORS, LEGEND_MARGIN_TOP, logYTicks, renderSvg, swatchLegend } from './plot.js';
import { figureLink, fixed, markdownTable } from './text.js';

/** Rows of every test matrix, and the sweep of column counts. */
export const ROWS = 16;
export const EXPONENTS = [6, 7, 8, 9, 10, 11, 12, 13, 14];
/** Seeds of the rotations (one trial each, every trial a dot of the figure); the test matrices use seed 0. */
export const TRIALS = [1, 2];

const FAMILIES = ['Gaussian with 1% outliers (x20)', 'one nonzero entry'] as const;
type Family = (typeof FAMILIES)[number];
const METHODS = ['no processing', 'Kronecker U1 (x) U2', 'RHT'] as const;
type Method = (typeof METHODS)[number];

/** The m x n test matrix of a family (row-major). */
function testMatrix(family: Family, m: number, n: number): Float64Array {
  if (family === 'one nonzero entry') {
    const W = new Float64Array(m * n);
    W[0] = 1;
    return W;
  }
  const W = randomNormal(m * n, 0, 20);
  const pick = randomUniform(m * n, 0, 21);
  for (let i = 0; i < W.length; i++) if (pick[i] < 0.01) W[i] *= 20;
  return W;
}

/**
 * W' = V_m S_U W S_V V_n^T / sqrt(m n), the weight side of incoherenceRHT, without an H (which at n = 2^14 would
 * be 2 GB): rht on every row with randomSigns(n, seed, 1), then on every column with randomSigns(m, seed, 0).
 */
function rhtBothSides(W: Float64Array, m: number, n: number, seed: number): Float64Array {
  const sV = randomSigns(n, seed, 1);
  const sU = randomSigns(m, seed, 0);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) out.set(rht(W.subarray(i * n, (i + 1) * n), sV), i * n);
  const column = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) column[i] = out[i * n + j];
    const y = rht(column, sU);
    for (let i = 0; i < m; i++) out[i * n + j] = y[i];
  }
  return out;
}

interface Measurement {
  family: Family;
  method: Method;
  n: number;
  trial: number;
  mu: number;
}

/** mu_W of W (m x n) after the method, for one trial seed. */
function measure(family: Family, method: Method, W: Float64Array, m: number, n: number, trial: number): Measurement {
  let P = W;
  if (method === 'RHT') P = rhtBothSides(W, m, n, trial);
  if (method === 'Kronecker U1 (x) U2') {
    // streams 30, 31 for the left factors, 32, 33 for the right ones
    P = kroneckerBothSides(W, m, n, randomKroneckerRotation(m, trial, 30), randomKroneckerRotation(n, trial, 32));
  }
  return { family, method, n, trial, mu: incoherence(matrixFromRowMajor(P, m, n)) };
}

const log2n = (d: { n: number }) => Math.log2(d.n);

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Chapter 3: the mu_W sweep over n for no processing, the Kronecker rotation and the RHT, its figure and table. */
export function chapter3(): Chapter {
  const m = ROWS;
  const all: Measurement[] = [];
  for (const family of FAMILIES) {
    for (const k of EXPONENTS) {
      const n = 2 ** k;
      const W = testMatrix(family, m, n);
      all.push(measure(family, 'no processing', W, m, n, 0));
      for (const trial of TRIALS) for (const method of METHODS.slice(1)) all.push(measure(family, method, W, m, n, trial));
    }
  }
  const means: Measurement[] = [];
  for (const family of FAMILIES) {
    for (const method of METHODS) {
      for (const k of EXPONENTS) {
        const n = 2 ** k;
        means.push({ family, method, n, trial: 0, mu: mean(all.filter((d) => d.family === family && d.method === method && d.n === n).map((d) => d.mu)) });
      }
    }
  }
  const at = (family: Family, method: Method, n: number) => means.find((d) => d.family === family && d.method === method && d.n === n)!.mu;

  // bound shapes, each scaled to the measured mean of its rotation on the Gaussian family at the smallest n
  const gauss = FAMILIES[0];
  const n0 = 2 ** EXPONENTS[0];
  const logTerm = (n: number) => Math.log(m * n);
  const theory: { n: number; mu: number; curve: string }[] = [];
  for (const k of EXPONENTS) {
    const n = 2 ** k;
    theory.push({ n, mu: (at(gauss, 'RHT', n0) * logTerm(n)) / logTerm(n0), curve: 'RHT bound shape, log(mn)' });
    theory.push({ n, mu: (at(gauss, 'Kronecker U1 (x) U2', n0) * logTerm(n) ** 2) / logTerm(n0) ** 2, curve: 'Kronecker bound shape, log²(mn)' });
  }
  const yTicks = logYTicks([1, 2, 5, 10, 20, 50, 100, 200, 500], FAMILIES[0]);
  const methodColors = [COLORS.before, COLORS.kronecker, COLORS.after];
  const svg = renderSvg('rht-vs-kronecker', {
    width: 760,
    height: 380,
    marginTop: LEGEND_MARGIN_TOP + 34,
    marginLeft: 56,
    // x is log2(n), so that every 2^k is labelled (a log scale would thin the labels)
    x: { label: `columns n (m = ${ROWS} rows)`, ticks: EXPONENTS, tickFormat: (k: number) => `2^${k}`, inset: 8 },
    y: { type: 'log', label: 'μ_W = max |W_ij| √(mn) / ‖W‖_F', grid: true, ...yTicks.scale },
    fx: { label: null, domain: [...FAMILIES] },
    color: { domain: [...METHODS], range: methodColors },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      ...yTicks.marks,
      Plot.line(
        FAMILIES.flatMap((family) => theory.map((d) => ({ ...d, family }))),
        { x: log2n, y: 'mu', z: 'curve', fx: 'family', stroke: (d: { curve: string }) => (d.curve.startsWith('RHT') ? COLORS.after : COLORS.kronecker), strokeDasharray: '5 4', strokeWidth: 1.2 },
      ),
      Plot.dot(all, { x: log2n, y: 'mu', fx: 'family', stroke: 'method', r: 2, strokeOpacity: 0.6 }),
      Plot.line(means, { x: log2n, y: 'mu', fx: 'family', z: 'method', stroke: 'method', strokeWidth: 2 }),
      ...swatchLegend(
        [
          { label: METHODS[0], color: methodColors[0] },
          { label: 'Kronecker', color: methodColors[1] },
          { label: 'RHT', color: methodColors[2] },
          { label: 'log(mn) shape', color: methodColors[2], shape: 'line' },
          { label: 'log²(mn) shape', color: methodColors[1], shape: 'line' },
        ],
        LEGEND_MARGIN_TOP + 34,
      ),
    ],
  });

  const shown = [6, 10, 14].map((k) => 2 ** k);
  const table = markdownTable(
    ['test matrix', 'n', 'Kronecker split n1 x n2', 'no processing', 'Kronecker', 'RHT', 'Gaussian reference √(2 ln mn)'],
    FAMILIES.flatMap((family) =>
      shown.map((n) => [
        family,
        String(n),
        kroneckerSplit(n).join(' x '),
        fixed(at(family, 'no processing', n), 2),
        fixed(at(family, 'Kronecker U1 (x) U2', n), 2),
        fixed(at(family, 'RHT', n), 2),
        fixed(Math.sqrt(2 * Math.log(m * n)), 2),
      ]),
    ),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  return {
    page: '3-rht-vs-kronecker.md',
    figures: { 'rht-vs-kronecker': svg },
    blocks: {
      'kronecker-table': table,
      'bound-value': `(With its constants the RHT bound is far above every measurement: at mn = 2^${Math.log2(m * 2 ** EXPONENTS[EXPONENTS.length - 1])} and δ = 0.01, $2 \\log(4mn/\\delta) = ${fixed(2 * Math.log((4 * m * 2 ** EXPONENTS[EXPONENTS.length - 1]) / 0.01), 1)}$.)\n`,
      'rht-vs-kronecker': figureLink('rht-vs-kronecker', 'mu_W against n for no processing, a random Kronecker rotation and the RHT, on two test matrices'),
    },
  };
}
