/**
 * The randomized FFT of QuIP# (Algorithm 4) as a real orthogonal map on R^n, n even: with k = n/2 and
 * z_j = x_{2j} + i x_{2j+1},
 *   y = interleave( F (e^{i phases} . z) / sqrt(k) ),   F_{ab} = e^{-2 pi i a b / k},
 * and the inverse x = interleave( e^{-i phases} . (conj(F) y) / sqrt(k) ). F / sqrt(k) and the phase
 * diagonal are unitary, and a unitary map on C^k is an orthogonal map on the interleaved R^{2k}.
 */
import { assertFinite, assertLength, type FloatArray } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { planCore, type FFTEngine } from '../fft/index.js';
import { randomPhases } from '../random/index.js';
import { mapVector, type Processing } from './conjugate.js';

/** Throws unless `n` (the length called `arg`) is even and positive. */
export function requireEven(fn: string, arg: string, n: number): void {
  if (n < 2 || n % 2 !== 0) {
    throw rangeError(fn, arg, 'even and >= 2 (the RFFT pairs entries into complex numbers)', String(n));
  }
}

/** Throws unless argument `arg` is a finite Float64Array of k entries (`why` explains k in the message). */
export function checkPhases(fn: string, arg: string, phases: unknown, k: number, why: string): asserts phases is Float64Array {
  if (!(phases instanceof Float64Array)) {
    throw typeError(fn, arg, 'a Float64Array of phases (e.g. from randomPhases)', phases);
  }
  assertLength(fn, arg, phases, k, why);
  assertFinite(fn, arg, phases);
}

/** The per-call state of rfftRows: the engine of length k, the phase rotations and the complex scratch. */
interface RowTransform {
  readonly core: FFTEngine;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly inverse: boolean;
}

/** The entries of row data[off .. off + 2k) times `down`, into the scratch (rotated by the phases, forward). */
function loadRow({ cos, sin, re, im, inverse }: RowTransform, data: FloatArray, off: number, down: number): void {
  for (let j = 0; j < re.length; j++) {
    const zr = data[off + 2 * j] * down;
    const zi = data[off + 2 * j + 1] * down;
    re[j] = inverse ? zr : zr * cos[j] - zi * sin[j];
    im[j] = inverse ? zi : zr * sin[j] + zi * cos[j];
  }
}

/** The scratch times `scale` back into the row (rotated back by the phases, inverse), then times `up`. */
function storeRow({ cos, sin, re, im, inverse }: RowTransform, data: FloatArray, off: number, scale: number, up: number): void {
  for (let j = 0; j < re.length; j++) {
    const wr = re[j] * scale;
    const wi = im[j] * scale;
    data[off + 2 * j] = (inverse ? wr * cos[j] + wi * sin[j] : wr) * up;
    data[off + 2 * j + 1] = (inverse ? wi * cos[j] - wr * sin[j] : wi) * up;
  }
}

/** The scratch's DFT (forward) or conjugate DFT (inverse: the forward engine on swapped parts). */
function transformScratch({ core, re, im, inverse }: RowTransform, check: boolean): boolean {
  return inverse ? core.transform(im, re, 1, check) : core.transform(re, im, 1, check);
}

/**
 * The row at `off` when the engine's check failed on it: a non-finite entry is a RangeError naming its index in
 * `data`; otherwise the row is transformed scaled by 2^-e (a power of two, so that no partial sum overflows)
 * and scaled back by 2^e, and an entry of the result beyond the array type's range is a RangeError.
 */
function transformRowScaled(fn: string, arg: string, t: RowTransform, data: FloatArray, off: number, scale: number): void {
  const n = 2 * t.re.length;
  let max = 0;
  for (let i = off; i < off + n; i++) {
    if (data[i] - data[i] !== 0) throw rangeError(fn, arg, 'finite everywhere', `${data[i]} at index ${i}`);
    max = Math.max(max, Math.abs(data[i]));
  }
  // |rotated z_j| <= 2 max(|x|): a factor of 2 beyond the engine's bound
  const e = Math.max(0, Math.ceil(Math.log2(max) + Math.log2(t.core.guard) - 1022));
  loadRow(t, data, off, 2 ** -e);
  transformScratch(t, false);
  storeRow(t, data, off, scale, 2 ** e);
  for (let i = off; i < off + n; i++) {
    if (data[i] - data[i] !== 0) {
      throw rangeError(fn, arg, 'an input whose transform fits in its array type', `one whose transform overflows at index ${i}`);
    }
  }
}

/**
 * The RFFT (or its inverse) of every row of a row-major rows x n matrix `data`, in place; n even, phases of
 * length n/2 (checked by the caller). The engine checks each row as it transforms it (see FFTEngine.transform);
 * a row it rejects goes through transformRowScaled. Errors name `fn` and `arg`.
 */
export function rfftRows(fn: string, arg: string, data: FloatArray, rows: number, n: number, phases: Float64Array, inverse: boolean): void {
  const k = n / 2;
  const t: RowTransform = {
    core: planCore(k),
    cos: Float64Array.from(phases, Math.cos),
    sin: Float64Array.from(phases, Math.sin),
    re: new Float64Array(k),
    im: new Float64Array(k),
    inverse,
  };
  const scale = 1 / Math.sqrt(k);
  for (let off = 0; off < rows * n; off += n) {
    loadRow(t, data, off, 1);
    if (transformScratch(t, true)) storeRow(t, data, off, scale, 1);
    else transformRowScaled(fn, arg, t, data, off, scale);
  }
}

/** The RFFT as a Processing: d/2 phases from streams 2 and 3, rows mapped by Q (or Q^T). */
export const RFFT: Processing<Float64Array> = {
  requireDimension: requireEven,
  draw: (d, seed, stream) => randomPhases(d / 2, seed, stream),
  checkParameters: (fn, arg, phases, d, dimArg) => checkPhases(fn, arg, phases, d / 2, ` (${dimArg} / 2)`),
  rowMap: (fn, phases, inverse) => (data, rows, n, arg) => rfftRows(fn, arg, data, rows, n, phases, inverse),
  streams: [2, 3],
};

/**
 * QuIP#'s randomized FFT of a real vector x of even length n: viewing z_j = x_{2j} + i x_{2j+1}
 * (j < n/2), y = FFT(e^{i phases} z) / sqrt(n/2), written back interleaved, as a new array of x's type
 * (computed in float64, rounded once for a Float32Array); x is not modified. `phases` has n/2 entries
 * (e.g. randomPhases(n / 2, seed, stream)). Orthogonal on R^n; O(n log n) for every even n.
 * Throws TypeError for a non-float x or phases that are not a Float64Array; RangeError for an odd length,
 * phases of another length or not finite, a non-finite entry of x, or a result beyond the array type's range.
 *
 * @example const p = randomPhases(x.length / 2, 42, 3); rfftInverse(rfftTransform(x, p), p) // = x
 */
export function rfftTransform<T extends FloatArray>(x: T, phases: Float64Array): T {
  return mapVector('rfftTransform', 'x', x, phases, 'phases', RFFT, false);
}

/**
 * The inverse (= transpose) of {@link rfftTransform}: z = e^{-i phases} conj(F) w / sqrt(n/2) on the
 * interleaved pairs w of y, as a new array of y's type; y is not modified. Cost as rfftTransform's. Throws as
 * rfftTransform does.
 *
 * @example rfftInverse(rfftTransform(x, p), p) // x, up to round-off
 */
export function rfftInverse<T extends FloatArray>(y: T, phases: Float64Array): T {
  return mapVector('rfftInverse', 'y', y, phases, 'phases', RFFT, true);
}
