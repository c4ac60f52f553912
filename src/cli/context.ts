/** What a command runs with: the output streams, and how it hands back its one result. */
import type { ProgressStream } from './progress.js';

/** The streams a command writes to: results on stdout, progress and notices on stderr. */
export interface Context {
  stdout: NodeJS.WritableStream;
  stderr: ProgressStream;
}

/** JSON.stringify with bigints (64-bit seeds) as decimal strings. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Prints a command's result: with `--json` the one JSON document `result` (a single line) and nothing else on
 * stdout; otherwise the human-readable `text`.
 */
export function printResult(ctx: Context, json: boolean, text: string, result: object): void {
  ctx.stdout.write(json ? `${toJson(result)}\n` : text);
}
