/** The quantization options `quantize` and `quantize-model` share: --codebook, --incoherence, --seed, --threads. */
import { E8P12, E8P12RVQ3B, E8P12RVQ4B } from '../lattice/index.js';
import type { MatrixInput } from '../core/index.js';
import { quantizeLinear, quantizeLinearSync, type CodebookName, type IncoherenceChoice, type QuantizedLinear, type QuantizeLinearOptions, type QuantizeProgress } from '../quantize/index.js';
import type { Progress } from './progress.js';
import type { Seed } from '../random/index.js';
import { choiceOption, integerOption, seedOption } from './usage.js';

const CODEBOOKS = ['e8p12', 'e8p12-rvq3', 'e8p12-rvq4'] as const satisfies readonly CodebookName[];
const INCOHERENCE = ['auto', 'rht', 'rfft', 'none'] as const satisfies readonly IncoherenceChoice[];

/** parseArgs options of the shared flags. */
export const QUANTIZE_OPTIONS = {
  codebook: { type: 'string' },
  incoherence: { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** The --help lines of the shared flags. */
export const QUANTIZE_HELP = `  --codebook NAME      e8p12 (2 bits/weight, default), e8p12-rvq3 (3) or e8p12-rvq4 (4)
  --incoherence KIND   auto (default: RHT where both sizes are Hadamard orders, else RFFT), rht, rfft or none
  --seed N             seed of the random signs or phases, 0 to 2^64 - 1 (default 0)
  --threads N          worker threads (default: every core); the codes do not depend on it`;

/** The choices that determine the codes (recorded with a run so that a resumed run cannot mix them). */
export interface QuantizeChoices {
  codebook: (typeof CODEBOOKS)[number];
  incoherence: IncoherenceChoice;
  seed: Seed;
}

/** Reads the shared flags (defaults: e8p12, auto, seed 0, every core). Throws UsageError for a bad value. */
export function readQuantizeOptions(values: { codebook?: string; incoherence?: string; seed?: string; threads?: string }): {
  choices: QuantizeChoices;
  threads: number | undefined;
} {
  return {
    choices: {
      codebook: choiceOption('--codebook', values.codebook ?? 'e8p12', CODEBOOKS),
      incoherence: choiceOption('--incoherence', values.incoherence ?? 'auto', INCOHERENCE),
      seed: values.seed === undefined ? 0 : seedOption('--seed', values.seed),
    },
    threads: values.threads === undefined ? undefined : integerOption('--threads', values.threads, 1, 1024),
  };
}

/** The codebook's own name (what a quantized file records) for a --codebook choice: e8p12 -> E8P12. */
export function codebookName(choice: string): string {
  const byChoice: Record<string, string> = { e8p12: E8P12.name, 'e8p12-rvq3': E8P12RVQ3B.name, 'e8p12-rvq4': E8P12RVQ4B.name };
  return byChoice[choice] ?? choice;
}

/**
 * quantizeLinear on `options.threads` worker threads (default every core), or quantizeLinearSync on this thread
 * when one thread is asked for: a worker would only add its start-up time (the codes are the same bit for bit).
 */
export function quantizeLayer(W: MatrixInput, H: MatrixInput, options: QuantizeLinearOptions): Promise<QuantizedLinear> {
  return options.threads === 1 ? Promise.resolve().then(() => quantizeLinearSync(W, H, { ...options, threads: undefined })) : quantizeLinear(W, H, options);
}

/**
 * Progress over a sequence of layers: `forLayer(k, note)` is the onProgress of layer k, reporting its fraction f
 * as (w_0 + ... + w_{k-1} + f w_k) / (w_0 + ... + w_{K-1}) of the whole, with w the layers' work.
 */
export function layerProgress(progress: Progress, works: readonly number[]): (k: number, note: string) => (p: QuantizeProgress) => void {
  const before = [0];
  for (const w of works) before.push(before[before.length - 1] + w);
  const total = before[works.length] || 1;
  return (k, note) => (p) => progress.update((before[k] + p.fraction * works[k]) / total, note);
}
