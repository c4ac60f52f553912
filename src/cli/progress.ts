/**
 * Progress on stderr: on a terminal one line redrawn in place (a bar, percent, rate, ETA) at most ten times a
 * second; anywhere else (a pipe, a batch job's log) plain lines, sparser as the stage goes on (every tenth of the
 * time elapsed so far, but at least 5 and at most 60 seconds apart), so a Slurm or Kubernetes log shows steady
 * progress without carriage returns, a short stage only its final line and a ten-hour one a few hundred lines.
 *
 * Written here rather than taken from a library: the command needs exactly these two modes, and the progress
 * libraries on npm (cli-progress and the like) would add a dependency tree to a package that has three runtime
 * dependencies, for about a hundred lines.
 */
import { rateText, secondsText } from './text.js';

/** Where progress goes: a writable stream that may be a terminal (process.stderr is one when attached). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** The amount of work the fraction 1 stands for, in `unit`s (for the rate); 0 shows no rate. */
  total?: number;
  /** The unit of the rate: 'weights', 'B', 'rows'. */
  unit?: string;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

const REDRAW_MS = 100;
const PLAIN_MIN_MS = 5_000;
const PLAIN_MAX_MS = 60_000;
const BAR = 24;

/** One long stage's progress line (see the module comment). */
export class Progress {
  private readonly tty: boolean;
  private readonly start: number;
  private readonly total: number;
  private readonly unit: string;
  private readonly now: () => number;
  private fraction = 0;
  private note = '';
  private lastDraw = -Infinity;
  private lastLine: number;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    options: ProgressOptions = {},
  ) {
    this.tty = stream.isTTY === true;
    this.total = options.total ?? 0;
    this.unit = options.unit ?? '';
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.lastLine = this.start;
  }

  /** Reports that `fraction` (0..1, clamped, never going back) of the work is done; `note` says what is running. */
  update(fraction: number, note?: string): void {
    this.fraction = Math.min(1, Math.max(this.fraction, fraction));
    if (note !== undefined) this.note = note;
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw < REDRAW_MS) return;
      this.lastDraw = t;
      this.redraw(this.line(t, true));
      return;
    }
    const interval = Math.min(PLAIN_MAX_MS, Math.max(PLAIN_MIN_MS, (t - this.start) / 10));
    if (t - this.lastLine >= interval && this.fraction < 1) {
      this.lastLine = t;
      this.stream.write(`${this.line(t, false)}\n`);
    }
  }

  /** Ends the stage: the final line, `label done in 12.3 s (rate)` plus `summary`. Returns the seconds taken. */
  finish(summary = ''): number {
    const t = this.now();
    const seconds = (t - this.start) / 1000;
    const rate = this.total > 0 && seconds > 0 ? `, ${rateText(this.total / seconds, this.unit)}` : '';
    const text = `${this.label}: done in ${secondsText(seconds)}${rate}${summary ? `; ${summary}` : ''}`;
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    return seconds;
  }

  /** Writes a line of its own (a notice) without breaking the redrawn progress line. */
  notice(text: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    this.drawn = false;
    this.lastDraw = -Infinity;
  }

  private line(t: number, bar: boolean): string {
    const f = this.fraction;
    const seconds = (t - this.start) / 1000;
    const parts = [this.label];
    if (bar) {
      const full = Math.round(f * BAR);
      parts.push(`[${'#'.repeat(full)}${'-'.repeat(BAR - full)}]`);
    }
    parts.push(`${(100 * f).toFixed(f < 0.1 ? 1 : 0)}%`);
    if (this.total > 0 && seconds > 0 && f > 0) parts.push(rateText((f * this.total) / seconds, this.unit));
    // An ETA from the first second or percent would be noise (worker start-up, the first stage's pace).
    const eta = f >= 0.01 && seconds >= 1 ? secondsText((seconds * (1 - f)) / f) : '-';
    parts.push(f < 1 ? `ETA ${eta}` : `${secondsText(seconds)} elapsed`);
    if (this.note) parts.push(this.note);
    return parts.join('  ');
  }

  private redraw(text: string): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.drawn = true;
  }
}

/**
 * Runs a stage that reports no progress of its own (building the example, reading a file): `label...` first,
 * then `label: done in 1.23 s`. Returns the stage's result.
 */
export async function stage<T>(stream: ProgressStream, label: string, work: () => T | Promise<T>): Promise<T> {
  const p = new Progress(stream, label);
  if (stream.isTTY) stream.write(`${label}...`);
  else stream.write(`${label}...\n`);
  const result = await work();
  if (stream.isTTY) stream.write('\r\x1b[2K');
  p.finish();
  return result;
}
