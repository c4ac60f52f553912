/** The options of the Hadamard transforms and their checks. */
import { typeError } from '../errors/index.js';

/** Options of the fast Walsh-Hadamard transforms (`fwht` and its `InPlace` and `Rows` forms). */
export interface FwhtOptions {
  /** Scale by 1 / sqrt(n), making the transform orthogonal (and, for the FWHT, its own inverse). Default false. */
  normalize?: boolean;
}

/** Options of the Hadamard transforms of any supported order (`hadamardTransform` and its forms). */
export interface HadamardTransformOptions extends FwhtOptions {
  /** Apply H^T instead of H (the same for powers of two; Paley I base matrices are not symmetric). Default false. */
  transpose?: boolean;
}

/** The flags of an options argument of `fn` (undefined or an object whose given flags are booleans). */
export function readTransformOptions(fn: string, options: unknown): { normalize: boolean; transpose: boolean } {
  if (options === undefined) return { normalize: false, transpose: false };
  if (typeof options !== 'object' || options === null) {
    throw typeError(fn, 'options', 'an object { normalize?, transpose? } or undefined', options);
  }
  const { normalize, transpose } = options as HadamardTransformOptions;
  return { normalize: readFlag(fn, 'options.normalize', normalize), transpose: readFlag(fn, 'options.transpose', transpose) };
}

function readFlag(fn: string, arg: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw typeError(fn, arg, 'a boolean or undefined', v);
  return v;
}
