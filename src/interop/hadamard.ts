/**
 * QuIP#'s randomized-Hadamard transform matrices: M_k = (H_K (x) S_{k/K}) / sqrt(k), with H_K one of QuIP#'s own
 * base matrices (quip-hadamard-data.ts; the same orders as quipsharp's constructions but other entries) and
 * S_{k/K} the Sylvester matrix. Entry i = a (k/K) + b of a length-k vector has outer index a (acted on by H_K) and
 * inner index b (acted on by the FWHT). QuIP#'s PyTorch code divides by sqrt(k) computed in float32; so does this
 * transform (Math.fround(Math.sqrt(k)), 1.7e-8 relative off the exact value where sqrt(k) is irrational), so that
 * it reproduces QuIP#'s numbers.
 */
import { rangeError } from '../errors/index.js';
import { assertFloatArray, assertInteger, isPowerOfTwo, type FloatArray } from '../core/index.js';
import { fwhtRowsInPlace } from '../hadamard/index.js';
import { QUIP_SHARP_HADAMARD_ROWS } from './quip-hadamard-data.js';

/** The orders of QuIP#'s base matrices, in the order QuIP#'s get_hadK tries them. */
export const QUIP_SHARP_BASE_ORDERS: readonly number[] = Object.freeze([172, 156, 140, 124, 116, 108, 60, 52, 36, 28, 20, 12]);

/** How QuIP# factors a transform order: k = K * p with K a base order (or 1) and p a power of two. */
export interface QuipSharpHadamardFactor {
  /** The base order K (1 when k itself is a power of two). */
  K: number;
  /** The Sylvester order p = k / K. */
  p: number;
}

/**
 * The factorization QuIP# uses for order k: K is the first of 172, 156, 140, 124, 116, 108, 60, 52, 36, 28, 20, 12
 * dividing k with k / K a power of two, or K = 1 when k is a power of two; undefined when k has neither form.
 * O(1). Throws TypeError for a non-integer k, RangeError outside [1, 2^31].
 *
 * @example quipSharpHadamardFactor(11008) // { K: 172, p: 64 }
 */
export function quipSharpHadamardFactor(k: number): QuipSharpHadamardFactor | undefined {
  assertInteger('quipSharpHadamardFactor', 'k', k, 1, 2 ** 31);
  for (const K of QUIP_SHARP_BASE_ORDERS) if (k % K === 0 && isPowerOfTwo(k / K)) return { K, p: k / K };
  return isPowerOfTwo(k) ? { K: 1, p: k } : undefined;
}

/** QuIP#'s factorization of k, or a RangeError for `fn`'s argument `arg`. */
export function requireQuipSharpFactor(fn: string, arg: string, k: number): QuipSharpHadamardFactor {
  assertInteger(fn, arg, k, 1, 2 ** 31);
  const f = quipSharpHadamardFactor(k);
  if (!f) {
    throw rangeError(fn, arg, `an order QuIP# supports (a power of two, or ${QUIP_SHARP_BASE_ORDERS.join(', ')} times one)`, String(k));
  }
  return f;
}

/** Decoded base matrices (+1/-1 as float64, row-major), built on first use and never handed out. */
const BASES = new Map<number, Float64Array>();

function baseSigns(K: number): Float64Array {
  let H = BASES.get(K);
  if (!H) {
    const rows = QUIP_SHARP_HADAMARD_ROWS[K];
    H = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) H[i * K + j] = (parseInt(rows[i][j >> 2], 16) & (8 >> (j & 3))) !== 0 ? -1 : 1;
    }
    BASES.set(K, H);
  }
  return H;
}

/**
 * QuIP#'s base Hadamard matrix H_K (K in 12, 20, 28, 36, 52, 60, 108, 116, 124, 140, 156, 172) as a new K x K
 * row-major Int8Array of +1/-1, with H_K H_K^T = K I. These are QuIP#'s own matrices (from its
 * lib/utils/matmul_had.py): a QuIP# layer can only be decoded with them. O(K^2) (a copy). Throws RangeError for
 * another K.
 *
 * @example quipSharpHadamardBase(12)[1] // -1: row 0 of QuIP#'s H_12 is + - - - - - - - - - - -
 */
export function quipSharpHadamardBase(K: number): Int8Array {
  if (!QUIP_SHARP_BASE_ORDERS.includes(K)) {
    throw rangeError('quipSharpHadamardBase', 'K', `one of ${[...QUIP_SHARP_BASE_ORDERS].reverse().join(', ')}`, String(K));
  }
  return Int8Array.from(baseSigns(K));
}

/** Options of `quipSharpHadamardRowsInPlace`. */
export interface QuipSharpHadamardOptions {
  /** Apply M_k^T (QuIP#'s matmul_hadUt) instead of M_k (matmul_hadU). Default false. */
  transpose?: boolean;
}

/**
 * Replaces every row x of the row-major `rows x k` matrix in `data` by M_k x (or M_k^T x with `transpose`), where
 * M_k = (H_K (x) S_{k/K}) / sqrt(k) is QuIP#'s transform (see quipSharpHadamardFactor for K): the FWHT on the
 * inner index of each row's K blocks of length k/K, then H_K across the blocks, then division by
 * Math.fround(Math.sqrt(k)) as QuIP# does. For a matrix X (rows as vectors) this computes X M_k^T (QuIP#'s
 * matmul_hadU(X)) or X M_k (matmul_hadUt(X)). Returns `data`.
 *
 * Cost: rows * k * (log2(k / K) + K) additions; k floats of scratch.
 * Throws TypeError unless `data` is a Float32Array or Float64Array, RangeError for a k QuIP# cannot transform or
 * `data.length !== rows * k`.
 *
 * @example quipSharpHadamardRowsInPlace(new Float64Array(12).fill(1), 1, 12) // M_12 times the ones vector
 */
export function quipSharpHadamardRowsInPlace<T extends FloatArray>(
  data: T,
  rows: number,
  k: number,
  options: QuipSharpHadamardOptions = {},
): T {
  const fn = 'quipSharpHadamardRowsInPlace';
  assertFloatArray(fn, 'data', data);
  assertInteger(fn, 'rows', rows, 0, 2 ** 31);
  const { K, p } = requireQuipSharpFactor(fn, 'k', k);
  if (data.length !== rows * k) throw rangeError(fn, 'data', `of length rows * k = ${rows * k}`, `length ${data.length}`);
  const scale = Math.fround(Math.sqrt(k));
  fwhtRowsInPlace(data, rows * K, p);
  if (K === 1) {
    for (let i = 0; i < data.length; i++) data[i] /= scale;
    return data;
  }
  const H = baseSigns(K);
  const transpose = options.transpose === true;
  const mixed = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    mixed.fill(0);
    for (let a = 0; a < K; a++) {
      const dst = a * p;
      for (let c = 0; c < K; c++) {
        const src = base + c * p;
        if (H[transpose ? c * K + a : a * K + c] > 0) for (let b = 0; b < p; b++) mixed[dst + b] += data[src + b];
        else for (let b = 0; b < p; b++) mixed[dst + b] -= data[src + b];
      }
    }
    for (let i = 0; i < k; i++) data[base + i] = mixed[i] / scale;
  }
  return data;
}
