/**
 * The page: wires the forms to the library. A layer (example or .npy files) is analysed at once (incoherence
 * before and after processing); "Quantize" runs the four-way rounding comparison on worker threads with a
 * progress bar; "Run matvec" runs compressed inference on the chosen backend.
 *
 * Every number shown is written with its full value in the element's `data-value` attribute (the text is
 * rounded for reading), so a test can compare it with the library's result in Node.
 */
import type { CodebookName, QuantizedLinear } from 'quipsharp';
import { compareRounding, incoherenceSummary, ROUNDING_PLANS, type RoundingRun } from './analysis.js';
import { proxyLossBars, runLabel, weightHistogram } from './charts.js';
import { examplePageLayer, npyPageLayer, type PageLayer } from './layer-source.js';
import { denseDeviation, matvecBackends, matvecInput, runMatvec } from './matvec.js';

/** The element with `id` (the page's markup has every id used here). */
function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: no element #${id}`);
  return el as T;
}

/** A number for reading: 5 significant digits, exponent form outside [1e-3, 1e6). */
function formatNumber(x: number): string {
  const a = Math.abs(x);
  if (x === 0 || Number.isInteger(x)) return String(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(5))) : x.toExponential(4);
}

/** Shows `x` in #id, rounded in the text and exact in data-value. */
function showNumber(id: string, x: number): void {
  const el = byId(id);
  el.textContent = formatNumber(x);
  el.dataset.value = String(x);
}

/** The value of a number field, or a RangeError naming the field. */
function numberField(id: string): number {
  const input = byId<HTMLInputElement>(id);
  const x = input.valueAsNumber;
  if (!Number.isFinite(x)) throw new RangeError(`${input.labels?.[0]?.textContent?.trim() ?? id}: must be a number, got ${JSON.stringify(input.value)}`);
  return x;
}

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  const el = byId('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

/** Chart width: the width of the chart's container. */
function widthOf(el: HTMLElement): number {
  return Math.max(320, Math.floor(el.clientWidth));
}

const state: { layer?: PageLayer; quantized?: QuantizedLinear; busy: boolean } = { busy: false };

/** Enables the buttons that the current state allows. */
function refreshButtons(): void {
  for (const id of ['generate', 'load']) byId<HTMLButtonElement>(id).disabled = state.busy;
  byId<HTMLButtonElement>('quantize').disabled = state.busy || !state.layer;
  byId<HTMLButtonElement>('matvec').disabled = state.busy || !state.quantized;
}

/**
 * Runs one user action with the buttons disabled, reporting its failure in the status line. The body's
 * data-action and data-outcome ('running', 'done', 'error') say which action ran last and how it ended.
 */
async function act(name: string, action: () => Promise<string>): Promise<void> {
  if (state.busy) return;
  state.busy = true;
  document.body.dataset.action = name;
  document.body.dataset.outcome = 'running';
  refreshButtons();
  try {
    setStatus(await action());
    document.body.dataset.outcome = 'done';
  } catch (e) {
    setStatus(e instanceof Error ? `${e.name}: ${e.message}` : String(e), 'error');
    document.body.dataset.outcome = 'error';
  } finally {
    state.busy = false;
    refreshButtons();
  }
}

/** Lets the browser paint (the status line) before a long synchronous step. */
function nextFrame(): Promise<void> {
  return new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
}

/** Clears the results that belong to a previous layer or quantization. */
function clearFrom(step: 'layer' | 'quantized'): void {
  if (step === 'layer') {
    state.quantized = undefined;
    for (const id of ['r-proxyLoss', 'r-relativeProxyLoss', 'r-weightError', 'r-bitsPerWeight', 'r-sigmaReg', 'r-threads', 'r-seconds']) {
      byId(id).textContent = '–';
      delete byId(id).dataset.value;
    }
    byId('comparison').replaceChildren();
    byId<HTMLProgressElement>('progress').value = 0;
    byId('progress-label').textContent = '–';
  }
  for (const id of ['mv-backend', 'mv-ms', 'mv-norm', 'mv-head', 'mv-deviation']) {
    byId(id).textContent = '–';
    delete byId(id).dataset.value;
  }
}

/** Takes a new layer: shows its figures before and after incoherence processing. */
async function useLayer(layer: PageLayer): Promise<string> {
  state.layer = layer;
  clearFrom('layer');
  const [m, n] = layer.W.shape;
  byId('layer-label').textContent = layer.label;
  byId('layer-label').dataset.shape = `${m}x${n}`;
  setStatus('Incoherence processing…');
  await nextFrame();
  const summary = incoherenceSummary(layer.W, layer.H, numberField('seed'));
  showNumber('mu-before', summary.before.mu);
  showNumber('mu-after', summary.after.mu);
  showNumber('max-before', summary.before.maxAbs);
  showNumber('max-after', summary.after.maxAbs);
  showNumber('fro-before', summary.before.frobenius);
  showNumber('fro-after', summary.after.frobenius);
  byId('method').textContent = summary.method === 'rht' ? 'randomized Hadamard transform (RHT)' : 'randomized FFT (RFFT: a size has no Hadamard matrix)';
  byId('method').dataset.value = summary.method;
  const chart = byId('histogram');
  chart.replaceChildren(weightHistogram(summary, widthOf(chart)));
  return `Layer ${m} x ${n} ready: quantize it.`;
}

/** The comparison's rows as a table (exact values in data-value). */
function comparisonTable(runs: RoundingRun[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'figures';
  table.id = 'comparison-table';
  table.createTHead().innerHTML = '<tr><th>rounding</th><th>proxy loss</th><th>relative</th></tr>';
  const body = table.createTBody();
  runs.forEach((run, k) => {
    const row = body.insertRow();
    row.insertCell().outerHTML = `<th>${runLabel(run)}</th>`;
    for (const [field, value] of [['loss', run.proxyLoss], ['relative', run.relativeProxyLoss]] as const) {
      const cell = row.insertCell();
      cell.id = `c${k}-${field}`;
      cell.textContent = formatNumber(value);
      cell.dataset.value = String(value);
    }
  });
  return table;
}

async function quantize(): Promise<string> {
  const layer = state.layer;
  if (!layer) throw new Error('no layer: generate or load one first');
  clearFrom('layer');
  const progress = byId<HTMLProgressElement>('progress');
  const label = byId('progress-label');
  const options = { codebook: byId<HTMLSelectElement>('codebook').value as CodebookName, seed: numberField('seed'), threads: numberField('threads') };
  setStatus('Quantizing…');
  const { layer: q, runs } = await compareRounding(layer.W, layer.H, options, (run, p) => {
    const runs = ROUNDING_PLANS.length;
    progress.value = (run + p.fraction) / runs;
    label.textContent = `${run + 1}/${runs} ${runLabel(ROUNDING_PLANS[run])}: ${p.stage} ${Math.round(100 * p.fraction)}%`;
  });
  label.textContent = 'done';
  const r = q.report!;
  for (const key of ['proxyLoss', 'relativeProxyLoss', 'weightError', 'bitsPerWeight', 'threads'] as const) showNumber(`r-${key}`, r[key]);
  showNumber('r-sigmaReg', r.sigmaReg);
  byId('r-sigmaReg').textContent += ` (${r.retries})`;
  byId('r-seconds').textContent = `${r.seconds.total.toFixed(2)} (${r.seconds.round.toFixed(2)})`;
  const chart = byId('comparison');
  chart.replaceChildren(proxyLossBars(runs, widthOf(chart)), comparisonTable(runs));
  state.quantized = q;
  return `Quantized: ${formatNumber(r.bitsPerWeight)} bits per weight, relative proxy loss ${formatNumber(r.relativeProxyLoss)}.`;
}

async function matvec(): Promise<string> {
  const q = state.quantized;
  if (!q) throw new Error('nothing quantized yet');
  const backend = byId<HTMLSelectElement>('backend').value;
  const x = matvecInput(q.inFeatures, numberField('seed'));
  const run = await runMatvec(q, x, backend);
  let sq = 0;
  for (const v of run.y) sq += v * v;
  byId('mv-backend').textContent = run.backend;
  showNumber('mv-ms', run.milliseconds);
  showNumber('mv-norm', Math.sqrt(sq));
  const head = Array.from(run.y.subarray(0, 4));
  byId('mv-head').textContent = head.map(formatNumber).join(', ');
  byId('mv-head').dataset.value = JSON.stringify(head);
  showNumber('mv-deviation', denseDeviation(q, x, run.y));
  return `matvec on ${run.backend}: ${formatNumber(run.milliseconds)} ms per call.`;
}

async function start(): Promise<void> {
  const cores = navigator.hardwareConcurrency || 1;
  byId('cores').textContent = String(cores);
  byId<HTMLInputElement>('threads').value = String(cores);
  const select = byId<HTMLSelectElement>('backend');
  for (const b of await matvecBackends()) select.add(new Option(b.label, b.name));
  byId('example-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act('layer', async () => {
      setStatus('Generating the example layer…');
      await nextFrame();
      return useLayer(examplePageLayer({ m: numberField('m'), n: numberField('n'), samples: numberField('samples'), seed: numberField('example-seed') }));
    });
  });
  byId('npy-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act('layer', async () => {
      const [w, h] = ['w-file', 'h-file'].map((id) => byId<HTMLInputElement>(id).files?.[0]);
      if (!w || !h) throw new Error('choose both files: W.npy and H.npy');
      const [wb, hb] = await Promise.all([w, h].map(async (f) => new Uint8Array(await f.arrayBuffer())));
      return useLayer(npyPageLayer(w.name, wb, h.name, hb));
    });
  });
  // The seed picks the random transform too: a new seed redraws step 2 and clears the old quantization.
  byId('seed').addEventListener('change', () => {
    const layer = state.layer;
    if (layer) void act('layer', () => useLayer(layer));
  });
  byId('quantize-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act('quantize', quantize);
  });
  byId('matvec-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act('matvec', matvec);
  });
  refreshButtons();
  document.body.dataset.ready = 'true';
  setStatus(crossOriginIsolated ? 'Ready: generate or load a layer.' : 'Ready (this page is not cross-origin isolated: quantization runs on the page thread).');
}

void start();
