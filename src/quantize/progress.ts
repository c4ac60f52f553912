/**
 * Progress of one quantizeLinear call: fixed stage weights, so `fraction` is monotone and ends at exactly 1.
 */
import type { QuantizeProgress, QuantizeStage } from './options.js';

/** Share of the whole run given to each stage (rounding dominates: BlockLDLQ and the report's products). */
const WEIGHTS: Record<QuantizeStage, number> = { prepare: 0.02, incoherence: 0.06, factorize: 0.12, round: 0.78, report: 0.02 };
/** The shares on one thread, where the report's row energies run in the 'prepare' stage. */
export const SYNC_WEIGHTS: Record<QuantizeStage, number> = { prepare: 0.4, incoherence: 0.03, factorize: 0.12, round: 0.43, report: 0.02 };
const ORDER: readonly QuantizeStage[] = ['prepare', 'incoherence', 'factorize', 'round', 'report'];

/** Reports stage progress to an optional callback, and keeps wall-clock seconds per stage. */
export class ProgressTracker {
  readonly seconds: Record<QuantizeStage, number> = { prepare: 0, incoherence: 0, factorize: 0, round: 0, report: 0 };
  private stage: QuantizeStage = 'prepare';
  private started = now();
  private readonly t0 = this.started;
  private lastFraction = 0;

  constructor(
    private readonly callback: ((p: QuantizeProgress) => void) | undefined,
    private readonly weights: Record<QuantizeStage, number> = WEIGHTS,
  ) {}

  /** Closes the current stage and opens `stage` (at 0 of `total`). */
  enter(stage: QuantizeStage, total = 1): void {
    const t = now();
    this.seconds[this.stage] += (t - this.started) / 1000;
    this.started = t;
    this.stage = stage;
    this.emit(0, total);
  }

  /** Reports `done` of `total` units in the current stage. */
  emit(done: number, total: number): void {
    if (!this.callback) return;
    let base = 0;
    for (const s of ORDER) {
      if (s === this.stage) break;
      base += this.weights[s];
    }
    const fraction = Math.max(this.lastFraction, Math.min(1, base + this.weights[this.stage] * (total > 0 ? done / total : 1)));
    this.lastFraction = fraction;
    this.callback({ stage: this.stage, done, total, fraction });
  }

  /** Closes the last stage, reports fraction 1 and returns the seconds per stage and in total. */
  finish(): Record<QuantizeStage, number> & { total: number } {
    const t = now();
    this.seconds[this.stage] += (t - this.started) / 1000;
    if (this.callback) {
      this.lastFraction = 1;
      this.callback({ stage: this.stage, done: 1, total: 1, fraction: 1 });
    }
    return { ...this.seconds, total: (t - this.t0) / 1000 };
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
