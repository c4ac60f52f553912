/**
 * Chapter 4, dimensions without a Hadamard matrix: which orders quipsharp builds (a map of the multiples of 4 up
 * to 1024 and a table of common layer sizes) and the RFFT for the rest.
 */
import * as Plot from '@observablehq/plot';
import { hadamardFactorization, incoherence, incoherenceProcess, matrixFromRowMajor, randomNormal, randomUniform } from '../../src/index.js';
import type { Chapter } from './chapter.js';
import { LEGEND_MARGIN_TOP, renderSvg, swatchLegend } from './plot.js';
import { figureLink, fixed, markdownTable } from './text.js';

const LIMIT = 1024;
const FAMILY_COLORS: Record<string, string> = {
  sylvester: '#4393c3',
  'paley-I': '#92c5de',
  'paley-II': '#a6dba0',
  williamson: '#5aae61',
  kronecker: '#c2a5cf',
  'not supported': '#f4a582',
};

/** The construction family of H_m for the base order m of n ('sylvester' for powers of two). */
function family(n: number): string {
  const f = hadamardFactorization(n);
  if (!f) return 'not supported';
  if (f.m === 1) return 'sylvester';
  return f.construction.replace(/\(.*$/, '');
}

/** Hidden and MLP sizes of common open models (the input dimensions a quantizer meets). */
const COMMON: readonly [number, string][] = [
  [768, 'BERT-base, GPT-2 hidden'],
  [1376, 'this library\u2019s example MLP'],
  [2048, 'hidden of 1B-class models'],
  [3072, 'GPT-2 MLP, Phi-3-mini hidden'],
  [3584, 'Qwen2-7B hidden'],
  [4096, 'Llama-2-7B, Mistral-7B hidden'],
  [5120, 'Llama-2-13B hidden'],
  [8192, 'Llama-2-70B hidden'],
  [11008, 'Llama-2-7B MLP'],
  [13824, 'Llama-2-13B MLP'],
  [14336, 'Mistral-7B, Llama-3-8B MLP'],
  [18944, 'Qwen2-7B MLP'],
  [28672, 'Llama-2-70B MLP'],
];

/** A layer W (m x n) of Gaussian weights with 1% of entries times 20 (seed 0, streams 40, 41). */
function outlierWeights(m: number, n: number): Float64Array {
  const W = randomNormal(m * n, 0, 40);
  const pick = randomUniform(m * n, 0, 41);
  for (let i = 0; i < W.length; i++) if (pick[i] < 0.01) W[i] *= 20;
  return W;
}

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** Chapter 4: the map of Hadamard orders up to 1024, common layer sizes, and mu_W after the RFFT. */
export function chapter4(): Chapter {
  const cells: { n: number; col: number; row: number; family: string }[] = [];
  for (let n = 4; n <= LIMIT; n += 4) cells.push({ n, col: (n / 4 - 1) % 16, row: Math.floor((n / 4 - 1) / 16), family: family(n) });
  const families = Object.keys(FAMILY_COLORS).filter((f) => cells.some((c) => c.family === f));
  const counts = Object.fromEntries(families.map((f) => [f, cells.filter((c) => c.family === f).length]));
  const svg = renderSvg('hadamard-orders', {
    width: 760,
    height: 470,
    marginTop: LEGEND_MARGIN_TOP,
    marginLeft: 10,
    marginRight: 10,
    marginBottom: 10,
    x: { axis: null, domain: Array.from({ length: 16 }, (_, i) => i), padding: 0.06 },
    y: { axis: null, domain: Array.from({ length: 16 }, (_, i) => i), padding: 0.06 },
    marks: [
      Plot.cell(cells, { x: 'col', y: 'row', fill: (d: { family: string }) => FAMILY_COLORS[d.family] }),
      Plot.text(cells, { x: 'col', y: 'row', text: (d: { n: number }) => String(d.n), fontSize: 11 }),
      Plot.text(['multiples of 4 up to 1024, n = m \u00b7 2^k coloured by how the base H_m is built'], { frameAnchor: 'top-left', dy: -LEGEND_MARGIN_TOP + 12, lineAnchor: 'middle', textAnchor: 'start' }),
      ...swatchLegend(families.map((f) => ({ label: `${f} (${counts[f]})`, color: FAMILY_COLORS[f], shape: 'square' as const }))),
    ],
  });

  const common = markdownTable(
    ['n', 'used as', 'split m x 2^k', 'H_m', "'auto' uses"],
    COMMON.map(([n, use]) => {
      const f = hadamardFactorization(n);
      return [String(n), use, f ? `${f.m} x 2^${f.k}` : '-', f ? (f.m === 1 ? 'Sylvester' : f.construction) : 'none', f ? 'RHT' : 'RFFT'];
    }),
    ['r', 'l', 'r', 'l', 'l'],
  );

  // RFFT where no Hadamard matrix exists: mu_W of a 64 x n layer, before and after
  const m = 64;
  const rows = [512, 668, 1016, 1022].map((n) => {
    const W = matrixFromRowMajor(outlierWeights(m, n), m, n);
    const H = matrixFromRowMajor(identity(n), n, n);
    const rfft = incoherenceProcess(W, H, { method: 'rfft', seed: 1 });
    const rhtMu = hadamardFactorization(n) ? fixed(incoherence(incoherenceProcess(W, H, { method: 'rht', seed: 1 }).W), 2) : 'no Hadamard order';
    return [String(n), hadamardFactorization(n) ? 'yes' : 'no', fixed(incoherence(W), 2), rhtMu, fixed(incoherence(rfft.W), 2)];
  });
  const rfftTable = markdownTable(['n', 'Hadamard order?', 'mu_W before', 'mu_W after RHT', 'mu_W after RFFT'], rows, ['r', 'l', 'r', 'r', 'r']);

  return {
    page: '4-dimensions.md',
    figures: { 'hadamard-orders': svg },
    blocks: {
      'orders-counts': `${families.map((f) => `${f}: ${counts[f]}`).join(', ')} (of ${cells.length} multiples of 4 up to ${LIMIT}).\n`,
      'hadamard-orders': figureLink('hadamard-orders', 'The multiples of 4 up to 1024, coloured by the construction of their Hadamard matrix, or marked unsupported'),
      'common-sizes': common,
      'rfft-table': rfftTable,
    },
  };
}
