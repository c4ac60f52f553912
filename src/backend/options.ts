/** The options argument of the device-capable calls: `{ backend?, ...flags }`. */
import { typeError } from '../errors/index.js';
import type { BackendName } from './names.js';

/** The option every device-capable call takes. */
export interface BackendOptions {
  /** The backend of this call (checked when the call runs); default: the one set by `setBackend` ('auto'). */
  backend?: BackendName;
}

/**
 * The options of `fn`: undefined or an object; returns its (unchecked) `backend` and the given boolean `flags`
 * (false when absent). Throws TypeError for a non-object or a flag that is not a boolean.
 */
export function readOptions<F extends string>(fn: string, options: unknown, flags: readonly F[]): { backend: unknown } & Record<F, boolean> {
  const shape = `an object { ${['backend', ...flags].map((f) => `${f}?`).join(', ')} } or undefined`;
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw typeError(fn, 'options', shape, options);
  const given = (options ?? {}) as Record<string, unknown>;
  const out = { backend: given.backend } as { backend: unknown } & Record<F, boolean>;
  for (const f of flags) {
    const v = given[f];
    if (v !== undefined && typeof v !== 'boolean') throw typeError(fn, `options.${f}`, 'a boolean or undefined', v);
    (out as Record<string, unknown>)[f] = v === true;
  }
  return out;
}
