#!/usr/bin/env node
/**
 * The `quipsharp` executable (the package's `bin`): runs the command line and exits with its code (0 success,
 * 1 failure, 2 usage error). A closed stdout (`quipsharp inspect model.safetensors | head`) ends it quietly.
 */
import { runCli } from './run.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
