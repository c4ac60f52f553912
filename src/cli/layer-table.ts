/** The per-layer table and JSON records of the commands that quantize (example, quantize, quantize-model, merge). */
import type { IncoherenceRecord, QuantizedLinear, QuantizeReport } from '../quantize/index.js';
import { formatTable, secondsText, shapeText, significant, type Column } from './text.js';

/** One quantized layer as `--json` reports it. */
export interface LayerRecord {
  name: string;
  /** [outFeatures, inFeatures]. */
  shape: [number, number];
  codebook: string;
  incoherence: IncoherenceRecord['method'];
  bitsPerWeight: number;
  /** The quantizer's report (absent for a layer file written without one). */
  proxyLoss: number | null;
  relativeProxyLoss: number | null;
  weightError: number | null;
  /** Seconds the quantization took (when it was done, for a layer found done). */
  seconds: number | null;
  /** What happened to it in this run. */
  status: string;
}

/** The record of a quantized layer. */
export function layerRecord(name: string, q: QuantizedLinear, status: string): LayerRecord {
  const r: QuantizeReport | null = q.report;
  return {
    name,
    shape: [q.outFeatures, q.inFeatures],
    codebook: q.codebook,
    incoherence: q.incoherence.method,
    bitsPerWeight: q.bitsPerWeight,
    proxyLoss: r?.proxyLoss ?? null,
    relativeProxyLoss: r?.relativeProxyLoss ?? null,
    weightError: r?.weightError ?? null,
    seconds: r?.seconds.total ?? null,
    status,
  };
}

/** Totals over layers: weights, their mean bits, the mean relative proxy loss and weight error, the seconds. */
export interface LayerTotals {
  layers: number;
  weights: number;
  bitsPerWeight: number;
  meanRelativeProxyLoss: number | null;
  meanWeightError: number | null;
  seconds: number;
}

function mean(xs: (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/** The totals of `records`. */
export function layerTotals(records: readonly LayerRecord[]): LayerTotals {
  const weights = records.reduce((s, r) => s + r.shape[0] * r.shape[1], 0);
  const bits = records.reduce((s, r) => s + r.bitsPerWeight * r.shape[0] * r.shape[1], 0);
  return {
    layers: records.length,
    weights,
    bitsPerWeight: weights === 0 ? 0 : bits / weights,
    meanRelativeProxyLoss: mean(records.map((r) => r.relativeProxyLoss)),
    meanWeightError: mean(records.map((r) => r.weightError)),
    seconds: records.reduce((s, r) => s + (r.seconds ?? 0), 0),
  };
}

const COLUMNS: Column[] = [
  { header: 'layer' },
  { header: 'shape (out x in)', align: 'right' },
  { header: 'method' },
  { header: 'bits/weight', align: 'right' },
  { header: 'rel. proxy loss', align: 'right' },
  { header: 'weight error', align: 'right' },
  { header: 'seconds', align: 'right' },
];

/** `E8P12/RHT`: the codebook and the incoherence processing. */
export function methodText(codebook: string, incoherence: string): string {
  const kind: Record<string, string> = { rht: 'RHT', rfft: 'RFFT', none: 'none', 'quip-sharp': 'QuIP# RHT' };
  return `${codebook}/${kind[incoherence] ?? incoherence}`;
}

/**
 * The table of `records` with, for more than one, a totals row (weights, mean bits per weight, mean relative proxy loss and weight
 * error, summed seconds) and, when `withStatus`, a status column.
 */
export function layerTable(records: readonly LayerRecord[], withStatus = false): string {
  const columns = withStatus ? [...COLUMNS, { header: 'status' }] : COLUMNS;
  const rows = records.map((r) => {
    const cells = [
      r.name,
      shapeText(r.shape),
      methodText(r.codebook, r.incoherence),
      r.bitsPerWeight.toFixed(3),
      significant(r.relativeProxyLoss),
      significant(r.weightError),
      r.seconds === null ? '-' : r.seconds.toFixed(2),
    ];
    return withStatus ? [...cells, r.status] : cells;
  });
  const t = layerTotals(records);
  const footer = [
    `${t.layers} layers (mean)`,
    `${(t.weights / 1e6).toPrecision(3)}M weights`,
    '',
    t.bitsPerWeight.toFixed(3),
    significant(t.meanRelativeProxyLoss),
    significant(t.meanWeightError),
    secondsText(t.seconds),
  ];
  return formatTable(columns, rows, records.length > 1 ? [withStatus ? [...footer, ''] : footer] : []);
}
