/**
 * The command line's two kinds of user error and its argument parsing. Parsing is node:util's `parseArgs` (the
 * platform's parser, strict: an unknown option, a missing value or a stray argument is a usage error), and the
 * readers below turn option strings into checked values with messages in the library's format
 * (`--threads must be an integer in [1, 1024], got "0"`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Seed } from '../random/index.js';

/** A mistake in the command line (unknown option, missing or malformed value): one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A failure the user can act on that is not a typo in the arguments (a tensor that is not a matrix, an output
 * folder started with other options, a check that failed): one line, exit code 1.
 */
export class CliError extends Error {
  override name = 'CliError';
}

/** The options of one command, as parseArgs takes them. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A command's argument grammar and help. */
export interface CommandSpec<O extends OptionsConfig> {
  /** The full `--help` text. */
  help: string;
  options: O;
  /** Whether the command takes positional arguments (file names). */
  positionals: boolean;
}

/** The parsed values: a string per string option (string[] with `multiple`), a boolean per flag. */
type Values<O extends OptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

/** A parsed command line. */
export interface Parsed<O extends OptionsConfig> {
  values: Values<O>;
  positionals: string[];
}

/** The quoted token of a parseArgs message (`Unknown option '--foo'` -> `--foo`). */
function quoted(message: string): string {
  const m = /'([^']+)'/.exec(message);
  return m ? m[1].replace(/ <value>$/, '') : '';
}

/** A parseArgs error as one short line. */
function parseErrorMessage(e: Error & { code?: string }): string {
  const token = quoted(e.message);
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${token}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(token)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = token.split(', ').pop() ?? token;
      if (/does not take an argument/.test(e.message)) return `${option} takes no value`;
      if (/ambiguous/.test(e.message)) return `${option} needs a value (write ${option}=VALUE for a value starting with "-")`;
      return `${option} needs a value`;
    }
    default:
      return e.message.split('\n')[0];
  }
}

/**
 * Parses `argv` for a command: `--help`/`-h` is added to every command. Returns null when help was asked for
 * (and printed to `stdout`). Throws UsageError for anything parseArgs rejects, and for positional arguments given
 * to a command that takes none.
 */
export function parseCommandLine<O extends OptionsConfig>(spec: CommandSpec<O>, argv: string[], stdout: NodeJS.WritableStream): Parsed<O> | null {
  let parsed: Parsed<O> & { values: { help?: boolean } };
  try {
    parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw new UsageError(parseErrorMessage(e as Error & { code?: string }));
  }
  if (parsed.values.help) {
    stdout.write(spec.help.endsWith('\n') ? spec.help : `${spec.help}\n`);
    return null;
  }
  if (!spec.positionals && parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  return parsed;
}

/** The value of a required option. Throws UsageError when it is missing. */
export function required(option: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${option} is required`);
  return value;
}

/** A decimal integer option in [min, max]. Throws UsageError otherwise. */
export function integerOption(option: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${option} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return n;
}

/** A seed: a decimal integer in [0, 2^64), as a number when it is a safe integer, else a bigint. */
export function seedOption(option: string, value: string): Seed {
  const big = /^\d{1,20}$/.test(value) ? BigInt(value) : -1n;
  if (big < 0n || big >= 1n << 64n) throw new UsageError(`${option} must be an integer in [0, 2^64), got ${JSON.stringify(value)}`);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** One of `choices`. Throws UsageError otherwise. */
export function choiceOption<C extends string>(option: string, value: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as C;
}

/** A regular expression option (JavaScript syntax). Throws UsageError for one that does not compile. */
export function regexOption(option: string, value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (e) {
    throw new UsageError(`${option} must be a regular expression, got ${JSON.stringify(value)} (${(e as Error).message})`);
  }
}

/** Which share of the work a process takes: shard `index` of `count`, 0 <= index < count. */
export interface Shard {
  index: number;
  count: number;
}

/** `--shard I/N` with 0 <= I < N <= 100000. Throws UsageError otherwise. */
export function shardOption(option: string, value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && count <= 100000 && index < count)) {
    throw new UsageError(`${option} must be I/N with 0 <= I < N (shard I of N, counted from 0), got ${JSON.stringify(value)}`);
  }
  return { index, count };
}
