/**
 * The randomized FFT of QuIP# (Algorithm 4) as a real orthogonal map on R^n, n even: with k = n/2 and
 * z_j = x_{2j} + i x_{2j+1},
 *   y = interleave( F (e^{i phases} . z) / sqrt(k) ),   F_{ab} = e^{-2 pi i a b / k},
 * and the inverse x = interleave( e^{-i phases} . (conj(F) y) / sqrt(k) ). F / sqrt(k) and the phase
 * diagonal are unitary, and a unitary map on C^k is an orthogonal map on the interleaved R^{2k}.
 */
import { assertFinite, assertFloatArray, assertLength, type FloatArray, assertFiniteFast } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import { planCore } from '../fft/index.js';

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

/**
 * The RFFT (or its inverse) of every row of a row-major rows x n matrix `data`, in place; n even,
 * phases of length n/2, all arguments already checked.
 */
export function rfftRows(data: FloatArray, rows: number, n: number, phases: Float64Array, inverse: boolean): void {
  const k = n / 2;
  const core = planCore(k);
  const cos = new Float64Array(k);
  const sin = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    cos[j] = Math.cos(phases[j]);
    sin[j] = Math.sin(phases[j]);
  }
  const re = new Float64Array(k);
  const im = new Float64Array(k);
  const scale = 1 / Math.sqrt(k);
  for (let r = 0, off = 0; r < rows; r++, off += n) {
    if (!inverse) {
      for (let j = 0; j < k; j++) {
        const zr = data[off + 2 * j];
        const zi = data[off + 2 * j + 1];
        re[j] = zr * cos[j] - zi * sin[j];
        im[j] = zr * sin[j] + zi * cos[j];
      }
      core.run(re, im);
      for (let j = 0; j < k; j++) {
        data[off + 2 * j] = re[j] * scale;
        data[off + 2 * j + 1] = im[j] * scale;
      }
    } else {
      for (let j = 0; j < k; j++) {
        re[j] = data[off + 2 * j];
        im[j] = data[off + 2 * j + 1];
      }
      core.run(im, re); // conj(F) y: the forward engine on swapped parts
      for (let j = 0; j < k; j++) {
        const wr = re[j] * scale;
        const wi = im[j] * scale;
        data[off + 2 * j] = wr * cos[j] + wi * sin[j];
        data[off + 2 * j + 1] = wi * cos[j] - wr * sin[j];
      }
    }
  }
}

function apply<T extends FloatArray>(fn: string, arg: string, x: T, phases: Float64Array, inverse: boolean): T {
  assertFloatArray(fn, arg, x);
  requireEven(fn, `${arg}.length`, x.length);
  checkPhases(fn, 'phases', phases, x.length / 2, ` (${arg}.length / 2)`);
  assertFiniteFast(fn, arg, x);
  const y = x.slice() as T;
  rfftRows(y, 1, y.length, phases, inverse);
  return y;
}

/**
 * QuIP#'s randomized FFT of a real vector x of even length n: viewing z_j = x_{2j} + i x_{2j+1}
 * (j < n/2), z <- FFT(e^{i phases} z) / sqrt(n/2), written back interleaved. `phases` has n/2 entries
 * (e.g. randomPhases(n / 2, seed, stream)). Orthogonal on R^n. Returns a new array of x's type
 * (x is not modified), like `rht`.
 */
export function rfftTransform<T extends FloatArray>(x: T, phases: Float64Array): T {
  return apply('rfftTransform', 'x', x, phases, false);
}

/**
 * The inverse (= transpose) of {@link rfftTransform}: z <- e^{-i phases} IFFT(z) sqrt(n/2) on the
 * interleaved pairs of y. Returns a new array of y's type (y is not modified).
 */
export function rfftInverse<T extends FloatArray>(y: T, phases: Float64Array): T {
  return apply('rfftInverse', 'y', y, phases, true);
}
