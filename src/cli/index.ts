// The `quipsharp` command line (src/cli/main.ts is the executable). runCli runs it in-process, for the
// benchmarks and anyone embedding the command; the sub-commands are reached only through it.
export { runCli } from './run.js';
export type { Context } from './context.js';
