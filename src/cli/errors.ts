/** Errors as the user sees them: one line, naming the file when a file is at fault. */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from './usage.js';

/** A Node file-system error (ENOENT, EACCES, ...). */
interface SystemError extends Error {
  code: string;
  path?: string;
  syscall?: string;
}

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as SystemError).code === 'string' && /^E[A-Z]+$/.test((e as SystemError).code);
}

const SYSTEM_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
};

/** The one line printed for an error: its message (file-system errors rephrased), the first line only. */
export function errorLine(e: unknown): string {
  if (isSystemError(e)) {
    const reason = SYSTEM_REASONS[e.code] ?? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return `${e.path ?? e.syscall ?? 'file system'}: ${reason}`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0];
}

/**
 * Runs `work` on the file `path`, so that an error from an in-memory reader (whose message names the function,
 * not the file) names the file: `W.npy: readNpy: corrupt data: ...`. File-system errors already carry the path
 * and pass through unchanged; so do errors whose message names the file.
 */
export async function inFile<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isSystemError(e) || !(e instanceof Error) || e.message.includes(path)) throw e;
    e.message = `${path}: ${e.message}`;
    throw e;
  }
}

/**
 * Checks that the folder an output file goes into exists (so that a typo in it is reported as such, not as an
 * error about the hidden temporary file of the atomic write). Throws CliError naming `option`.
 */
export async function assertOutputFolder(option: string, path: string): Promise<void> {
  const dir = dirname(path);
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new CliError(`${option} ${path}: the folder ${dir} does not exist`);
}
