/**
 * The `quipsharp` command: dispatch to the sub-commands, and the exit-code contract: 0 success, 1 failure, 2 usage
 * error, with every error printed as one line on stderr (`quipsharp quantize: ...`) and no stack trace (set
 * QUIPSHARP_DEBUG=1 to get it).
 */
import { readFileSync } from 'node:fs';
import type { Context } from './context.js';
import { errorLine } from './errors.js';
import { UsageError } from './usage.js';

type CommandRunner = (argv: string[], ctx: Context) => Promise<void>;

/** The commands, each module loaded when its command runs (so `--help` and usage errors start fast). */
const COMMANDS: Record<string, { load: () => Promise<CommandRunner>; summary: string }> = {
  example: { load: async () => (await import('./example.js')).exampleCommand, summary: 'quantize the embedded example model, save, reload and check it (the default)' },
  quantize: { load: async () => (await import('./quantize.js')).quantizeCommand, summary: 'quantize one layer: a weight and its Hessian to a layer file' },
  'quantize-model': { load: async () => (await import('./quantize-model.js')).quantizeModelCommand, summary: 'quantize every linear layer of a model (resumable, shardable)' },
  merge: { load: async () => (await import('./merge.js')).mergeCommand, summary: 'join the output folders of sharded quantize-model runs and write the model file' },
  hessian: { load: async () => (await import('./hessian.js')).hessianCommand, summary: 'accumulate a proxy Hessian from activation dumps' },
  eval: { load: async () => (await import('./eval.js')).evalCommand, summary: 'proxy loss of a quantized layer beside round-to-nearest and E8P12 without incoherence' },
  inspect: { load: async () => (await import('./inspect.js')).inspectCommand, summary: 'list the layers, codebooks, bits and sizes of a quantized file' },
};

const OVERVIEW = `Usage: quipsharp [COMMAND] [options]

QuIP# 2-bit quantization of linear layers and whole models, in pure TypeScript.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`)
  .join('\n')}

With no command, runs the example. \`quipsharp COMMAND --help\` describes a command's options.
Exit codes: 0 success, 1 failure, 2 usage error.
`;

/** The package's version, from the package.json next to the bundle (dist/) or two levels up (src/cli/). */
function version(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quipsharp' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

/**
 * Runs `quipsharp argv...` and returns its exit code: 0 on success, 1 when the command failed, 2 for a usage error.
 * Errors are printed to `ctx.stderr` as one line naming the command; nothing is thrown.
 *
 * @example process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  let name = 'example';
  let rest = argv;
  if (argv.length > 0 && !argv[0].startsWith('-')) {
    name = argv[0];
    rest = argv.slice(1);
  }
  try {
    if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
      ctx.stdout.write(OVERVIEW);
      return 0;
    }
    if (argv.length === 1 && argv[0] === '--version') {
      ctx.stdout.write(`quipsharp ${version()}\n`);
      return 0;
    }
    if (name === 'help') {
      if (rest.length === 0) {
        ctx.stdout.write(OVERVIEW);
        return 0;
      }
      name = rest[0];
      rest = ['--help'];
    }
    const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) {
      const which = name;
      name = '';
      throw new UsageError(`unknown command ${JSON.stringify(which)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
    await (await command.load())(rest, ctx);
    return 0;
  } catch (e) {
    const where = name === '' ? 'quipsharp' : `quipsharp ${name}`;
    const hint = e instanceof UsageError ? ` (see ${name === '' ? 'quipsharp --help' : `${where} --help`})` : '';
    // On a terminal, clear a progress line the error interrupted.
    ctx.stderr.write(`${ctx.stderr.isTTY ? '\r\x1b[2K' : ''}${where}: ${errorLine(e)}${hint}\n`);
    if (process.env.QUIPSHARP_DEBUG && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
