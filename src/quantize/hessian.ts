/**
 * HessianAccumulator: the proxy Hessian H = (1/N) sum_r x_r x_r^T of a layer's inputs, accumulated batch by batch
 * from activations captured by any runtime, with merges of partial accumulators.
 *
 * Summation scheme (chosen so that the batch split does not matter, at almost no cost):
 * - Each batch is cut into blocks of BLOCK_ROWS = 128 consecutive rows. Within a block, every entry's partial sum
 *   p_ij = sum_r x_ri x_rj is formed in plain float64, in row order, from zero (a blocked symmetric rank-k update
 *   over the lower triangle only): by the GEMM's WebAssembly SIMD tile kernel (4 x 4 tiles, ldlq/gemm-simd.ts)
 *   where it runs, else by a scalar 4 x 3 micro-kernel; one IEEE multiply and one IEEE add per term either way, so
 *   the two give the same bits.
 * - Each block's partial sums are added to a double-double running sum hi + lo (Knuth's error-free TwoSum, then
 *   renormalization so that |lo| <= ulp(hi) / 2); `merge` adds two double-double sums the same way.
 * - Results are read as the double-double sum divided by N, rounded once to float64.
 * A double-double add per product would make the sum order-free too, but it costs about five times the plain
 * multiply-add (measured on this kernel); one per 128-row block costs a few percent. What is left is the plain
 * rounding inside a block: a block's partial sum differs from the exact sum of its (rounded) products by at most
 * 127 u sum_r |x_ri x_rj| (u = 2^-53), and the double-double sums add errors of order u^2. The products are the
 * same whatever the split, so two splits of the same rows (into batches, accumulators and merges, in any order)
 * give entries that differ by at most about 2.9e-14 sqrt(H_ii H_jj) + ulp(H_ij), by Cauchy-Schwarz
 * ((1/N) sum_r |x_ri x_rj| <= sqrt(H_ii H_jj)). For integer-valued inputs with |x| <= 2^23 (and fewer than 2^50
 * rows) every product (<= 2^46), every block sum (<= 2^53) and every double-double sum is exact, and each entry
 * of H and of the mean is the correctly rounded exact value, for every split. (A plain float64 running sum would
 * depend on the split by up to N u sum_r |x_ri x_rj| and be exact for integers only while every sum stays below
 * 2^53.)
 *
 * Overflow is rejected, not scaled: every feature's sum of squares must stay below OUTER_LIMIT, which bounds every
 * product and partial sum (|sum x_i x_j| <= sqrt(sum x_i^2 sum x_j^2)) well inside the float64 range.
 */
import {
  assertFiniteFast,
  assertInteger,
  isFloatArray,
  matrixFromRowMajor,
  readMatrix,
  type FloatArray,
  type Matrix,
  type MatrixInput,
} from '../core/index.js';
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { denseToQuipSharpHessian, quipSharpHessianToDense, type QuipSharpHessianFile } from '../interop/index.js';
import { activeSimdKernel, SIMD_MR, SIMD_NR, type SimdTileKernel } from '../ldlq/index.js';

/** Rows per plain-float64 block of the rank-k update (see the module comment). */
const BLOCK_ROWS = 128;
/** Micro-kernel tile: MR rows (features i) by NR columns (features j) of H, 12 accumulators. */
const MR = 4;
const NR = 3;
/** Columns of H per cache block: NC x BLOCK_ROWS packed values (768 KiB) stay in L2 across a panel of rows. */
const NC = 768;
/** Largest accepted sum of squares of one feature (2^1020, about 1.1e307): every sum stays below 2^1021. */
const OUTER_LIMIT = 2 ** 1020;
/** Largest supported n: the two packed triangles take 8 n^2 bytes (32 GiB at this n). */
const MAX_FEATURES = 65536;

/**
 * The raw state of a {@link HessianAccumulator}, as returned by `sums()` and accepted by `fromSums`: every sum is
 * a double-double, value = hi[k] + lo[k] exactly, normalized so that hi[k] + lo[k] rounds to hi[k].
 */
export interface HessianSums {
  /** Input features n. */
  n: number;
  /** Rows accumulated N. */
  count: number;
  /** sum_r x_r (length n): high parts. */
  sumHi: Float64Array;
  /** sum_r x_r: low parts. */
  sumLo: Float64Array;
  /**
   * sum_r x_r x_r^T, lower triangle packed by rows (length n (n + 1) / 2): entry (i, j), j <= i, at
   * i (i + 1) / 2 + j. High parts.
   */
  outerHi: Float64Array;
  /** sum_r x_r x_r^T, packed as `outerHi`: low parts. */
  outerLo: Float64Array;
}

/** a * b as a double-double (Dekker's product via Math.fround-free splitting: exact for finite a, b). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const split = (x: number): [number, number] => {
    const c = 134217729 * x; // 2^27 + 1
    const hi = c - (c - x);
    return [hi, x - hi];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** The file's mu as float64 (float32 values). */
function quipSharpMean(file: Readonly<Record<string, unknown>>): Float64Array {
  const mu = file.mu as { data?: unknown } | Float32Array;
  const data = mu instanceof Float32Array ? mu : (mu.data as Float32Array);
  return Float64Array.from(data);
}

/**
 * Accumulates the proxy Hessian of a linear layer from batches of its inputs (activations captured by
 * onnxruntime, transformers.js, PyTorch dumps, ...): after N rows x_1..x_N of n features,
 *
 *   mean() = (1/N) sum_r x_r,   hessian() = (1/N) sum_r x_r x_r^T,   covariance() = hessian() - mean() mean()^T.
 *
 * Sums are kept in double-double (see the module comment), so any split of the same rows into `add` calls and
 * `merge`s, in any order, gives the same H to about 3e-14 sqrt(H_ii H_jj), and integer-valued inputs with
 * |x| <= 2^23 give the correctly rounded exact H for every split. Memory: 8 n^2 bytes (4096: 128 MiB).
 *
 * @example
 * const acc = new HessianAccumulator(4096);
 * for (const batch of activations) acc.add(batch); // each a batch x 4096 ndarray or flat Float32Array of rows
 * const H = acc.hessian(); // 4096 x 4096, for quantizeLinear(W, H)
 */
export class HessianAccumulator {
  readonly #n: number;
  #count = 0;
  readonly #sumHi: Float64Array;
  readonly #sumLo: Float64Array;
  readonly #outerHi: Float64Array;
  readonly #outerLo: Float64Array;

  /**
   * An empty accumulator for rows of `n` input features (1 <= n <= 65536). Allocates the two packed triangles
   * (8 n^2 bytes). Throws `TypeError` unless n is an integer, `RangeError` outside [1, 65536].
   *
   * @example new HessianAccumulator(1024).count // 0
   */
  constructor(n: number) {
    assertInteger('HessianAccumulator', 'n', n, 1, MAX_FEATURES);
    this.#n = n;
    this.#sumHi = new Float64Array(n);
    this.#sumLo = new Float64Array(n);
    this.#outerHi = new Float64Array(triangleLength(n));
    this.#outerLo = new Float64Array(triangleLength(n));
  }

  /**
   * The accumulator a QuIP# Hessian file describes (`{ flatH, mu, n, ct }`, as readTorchFile returns QuIP#'s
   * `.pt`): count = ct, mean = mu and hessian() = E[x x^T] = flatH expanded + mu mu^T as QuIP# computes it in
   * float32 (quipSharpHessianToDense), so that further add() and merge() calls continue QuIP#'s accumulation.
   * Throws TypeError/RangeError for a missing or mistyped field (flatH and mu float32, ct a positive integer).
   *
   * @example HessianAccumulator.fromQuipSharp(readTorchFile(bytes) as QuipSharpHessianFile).hessian()
   */
  static fromQuipSharp(file: Readonly<Record<string, unknown>>): HessianAccumulator {
    const fn = 'HessianAccumulator.fromQuipSharp';
    const H = quipSharpHessianToDense(file).data;
    const n = file.n as number;
    const ct = file.ct;
    assertInteger(fn, 'file.ct', ct, 1, Number.MAX_SAFE_INTEGER);
    const mu = quipSharpMean(file);
    const sumHi = new Float64Array(n);
    const sumLo = new Float64Array(n);
    for (let i = 0; i < n; i++) [sumHi[i], sumLo[i]] = twoProduct(mu[i], ct);
    const outerHi = new Float64Array((n * (n + 1)) / 2);
    const outerLo = new Float64Array(outerHi.length);
    for (let i = 0, k = 0; i < n; i++) for (let j = 0; j <= i; j++, k++) [outerHi[k], outerLo[k]] = twoProduct(H[i * n + j], ct);
    return HessianAccumulator.fromSums({ n, count: ct, sumHi, sumLo, outerHi, outerLo });
  }

  /**
   * This accumulator as a QuIP# Hessian file: flatH = the lower triangle (row by row) of the centred covariance
   * hessian() - mean mean^T in float32, mu = mean() in float32, n, ct = count (denseToQuipSharpHessian), which
   * QuIP#'s quantize_linear (and fromQuipSharp) read back. Cost O(n^2). Throws RangeError when nothing was added.
   *
   * @example
   * const file = acc.toQuipSharp(); // { flatH, mu, n, ct }, the dict QuIP#'s Hessian files hold
   */
  toQuipSharp(): QuipSharpHessianFile {
    this.#nonEmptyCount('HessianAccumulator.toQuipSharp');
    return denseToQuipSharpHessian(this.hessian(), this.mean(), this.count);
  }

  /**
   * An accumulator restored from raw sums (as saved from `sums()`): it behaves exactly as the one saved,
   * including later `add`s and `merge`s. The arrays are copied. Throws `TypeError` for a non-object or arrays
   * that are not Float64Arrays, and `RangeError` for an n or count out of range, wrong lengths, non-finite
   * entries, pairs hi + lo that are not normalized, a negative diagonal of sum x x^T or one above 2^1020, or
   * non-zero sums with count 0.
   *
   * @example const copy = HessianAccumulator.fromSums(acc.sums());
   */
  static fromSums(sums: HessianSums): HessianAccumulator {
    const fn = 'HessianAccumulator.fromSums';
    if (typeof sums !== 'object' || sums === null) throw typeError(fn, 'sums', 'an object (from sums())', sums);
    assertInteger(fn, 'sums.n', sums.n, 1, MAX_FEATURES);
    assertInteger(fn, 'sums.count', sums.count, 0, Number.MAX_SAFE_INTEGER);
    const { n, count } = sums;
    const acc = new HessianAccumulator(n);
    const parts: [Exclude<keyof HessianSums, 'n' | 'count'>, Float64Array][] = [
      ['sumHi', acc.#sumHi],
      ['sumLo', acc.#sumLo],
      ['outerHi', acc.#outerHi],
      ['outerLo', acc.#outerLo],
    ];
    for (const [name, dst] of parts) {
      const src = sums[name];
      const arg = `sums.${name}`;
      if (!(src instanceof Float64Array)) throw typeError(fn, arg, 'a Float64Array', src);
      if (src.length !== dst.length) throw rangeError(fn, arg, `of length ${dst.length} (n = ${n})`, `length ${src.length}`);
      assertFiniteFast(fn, arg, src);
      dst.set(src);
    }
    assertNormalized(fn, 'sums.sumHi', acc.#sumHi, acc.#sumLo);
    assertNormalized(fn, 'sums.outerHi', acc.#outerHi, acc.#outerLo);
    for (let i = 0; i < n; i++) {
      const d = acc.#outerHi[diagonalIndex(i)];
      if (!(d >= 0 && d <= OUTER_LIMIT)) {
        throw rangeError(fn, 'sums.outerHi', 'a sum of squares (in [0, 2^1020]) on the diagonal', `${d} at (${i}, ${i})`);
      }
    }
    if (count === 0) {
      for (const [name, arr] of parts) {
        const k = arr.findIndex((v) => v !== 0);
        if (k >= 0) throw rangeError(fn, `sums.${name}`, 'all zero when count is 0', `${arr[k]} at index ${k}`);
      }
    }
    acc.#count = count;
    return acc;
  }

  /** Input features n of each row. */
  get n(): number {
    return this.#n;
  }

  /** Rows accumulated so far, N. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds the rows of a batch: sum x += sum_r x_r, sum x x^T += X^T X. `X` is a batch x n matrix (any 2-D ndarray
   * view over a Float32Array or Float64Array, any strides and offset; copied once) or a flat Float32Array or
   * Float64Array of rows (row r is X[r n .. r n + n), read in place). Returns `this`.
   *
   * Cost: batch n (n + 1) / 2 multiply-adds (a symmetric rank-k update, lower triangle only: about 2 * 10^9 per
   * second on one AMD EPYC core, so a 2048-row batch at n = 4096 takes about 9 s), plus a double-double add per
   * entry of the lower triangle per 128 rows (a few percent).
   *
   * Throws (leaving the accumulator unchanged) `TypeError` unless X is such a matrix or array, and `RangeError`
   * for a matrix without n columns, a flat array whose length is not a positive multiple of n, a non-finite entry
   * (naming its index), a feature whose sum of squares over all rows so far would exceed 2^1020 (about 1.1e307:
   * the sums of x x^T could overflow float64; inputs are rejected, never scaled), or a count beyond 2^53 - 1.
   *
   * @example acc.add(ndarray(new Float32Array(32 * 4096), [32, 4096])); // 32 rows
   */
  add(X: MatrixInput | FloatArray): this {
    const fn = 'HessianAccumulator.add';
    const n = this.#n;
    let rows: number;
    let data: FloatArray;
    if (isFloatArray(X)) {
      if (X.length === 0 || X.length % n !== 0) {
        throw rangeError(fn, 'X', `a flat array of rows, of length a positive multiple of n = ${n}`, `length ${X.length}`);
      }
      assertFiniteFast(fn, 'X', X);
      data = X;
      rows = X.length / n;
    } else {
      if (typeof X !== 'object' || X === null || !('shape' in X)) {
        throw typeError(fn, 'X', 'a 2-D ndarray over a Float32Array or Float64Array, or a flat Float32Array or Float64Array of rows', X);
      }
      const m = readMatrix(fn, 'X', X);
      if (m.cols !== n) throw rangeError(fn, 'X', `a matrix of n = ${n} columns`, `shape [${m.rows}, ${m.cols}]`);
      data = m.data;
      rows = m.rows;
    }
    if (rows > Number.MAX_SAFE_INTEGER - this.#count) {
      throw rangeError(fn, 'X', `at most ${Number.MAX_SAFE_INTEGER - this.#count} rows (count stays below 2^53)`, `${rows} rows`);
    }
    assertSquaresBounded(fn, 'X', this.#outerHi, columnSquares(data, rows, n), 'these rows');
    accumulateRows(data, rows, n, this.#sumHi, this.#sumLo, this.#outerHi, this.#outerLo);
    this.#count += rows;
    return this;
  }

  /**
   * Adds the sums of `other` (an accumulator of the same n) to this one, as if its rows had been added here:
   * N += N', sum x += sum x', sum x x^T += sum x' x'^T, in double-double. `other` is unchanged;
   * `acc.merge(acc)` doubles every sum and the count. Returns `this`. Cost: n (n + 3) / 2 double-double adds.
   *
   * Throws (leaving both unchanged) `TypeError` unless other is a HessianAccumulator, and `RangeError` for a
   * different n, a merged sum of squares above 2^1020 (float64 overflow), or a merged count beyond 2^53 - 1.
   *
   * @example const total = new HessianAccumulator(n).merge(perWorker[0]).merge(perWorker[1]);
   */
  merge(other: HessianAccumulator): this {
    const fn = 'HessianAccumulator.merge';
    if (!(other instanceof HessianAccumulator)) throw typeError(fn, 'other', 'a HessianAccumulator', other);
    if (other.#n !== this.#n) throw rangeError(fn, 'other', `an accumulator of n = ${this.#n} features`, `n = ${other.#n}`);
    if (other.#count > Number.MAX_SAFE_INTEGER - this.#count) {
      throw rangeError(fn, 'other', `of count at most ${Number.MAX_SAFE_INTEGER - this.#count}`, `count ${other.#count}`);
    }
    const squares = new Float64Array(this.#n);
    for (let i = 0; i < this.#n; i++) squares[i] = other.#outerHi[diagonalIndex(i)];
    assertSquaresBounded(fn, 'other', this.#outerHi, squares, 'its rows');
    // Element by element, reading both operands before writing: correct for other === this.
    addDoubleDoubles(this.#sumHi, this.#sumLo, other.#sumHi, other.#sumLo);
    addDoubleDoubles(this.#outerHi, this.#outerLo, other.#outerHi, other.#outerLo);
    this.#count += other.#count;
    return this;
  }

  /**
   * The mean input mu = (1/N) sum_r x_r, a new Float64Array of length n, each entry the double-double sum divided
   * by N and rounded once. Cost O(n). Throws `RangeError` when no row has been added.
   *
   * @example new HessianAccumulator(2).add(new Float64Array([1, 2, 3, 4])).mean() // Float64Array [2, 3]
   */
  mean(): Float64Array {
    const N = this.#nonEmptyCount('HessianAccumulator.mean');
    const mu = new Float64Array(this.#n);
    for (let i = 0; i < this.#n; i++) mu[i] = doubleDoubleQuotient(this.#sumHi[i], this.#sumLo[i], N);
    return mu;
  }

  /**
   * The proxy Hessian H = (1/N) sum_r x_r x_r^T = (1/N) X^T X (uncentred second moment, what QuIP# calls H), a new
   * n x n row-major float64 matrix, exactly symmetric (each lower entry, the double-double sum divided by N and
   * rounded once, is mirrored). Cost O(n^2), 8 n^2 bytes. Throws `RangeError` when no row has been added.
   *
   * @example new HessianAccumulator(2).add(new Float64Array([1, 2, 3, 4])).hessian().get(0, 1) // (1*2 + 3*4) / 2 = 7
   */
  hessian(): Matrix {
    const N = this.#nonEmptyCount('HessianAccumulator.hessian');
    const n = this.#n;
    const hi = this.#outerHi;
    const lo = this.#outerLo;
    const H = new Float64Array(n * n);
    for (let i = 0, k = 0; i < n; i++) {
      for (let j = 0; j <= i; j++, k++) H[i * n + j] = doubleDoubleQuotient(hi[k], lo[k], N);
    }
    mirrorLowerInPlace(H, n);
    return matrixFromRowMajor(H, n, n);
  }

  /**
   * The centred covariance C = H - mu mu^T = (1/N) sum_r (x_r - mu)(x_r - mu)^T, a new n x n row-major float64
   * matrix, exactly symmetric: C_ij = hessian()_ij - mean()_i mean()_j in float64, except that the diagonal is
   * clamped at 0 (a variance; the difference of the rounded values can be an ulp below 0 for a constant feature).
   * The subtraction cancels where |mu_i| is large against the spread: entries are then accurate to about
   * 3e-14 sqrt(H_ii H_jj) absolutely, not relatively (centre the inputs first when that matters).
   * Cost O(n^2), 8 n^2 bytes. Throws `RangeError` when no row has been added.
   *
   * @example new HessianAccumulator(1).add(new Float64Array([1, 3])).covariance().get(0, 0) // 5 - 2 * 2 = 1
   */
  covariance(): Matrix {
    this.#nonEmptyCount('HessianAccumulator.covariance');
    const H = this.hessian();
    const mu = this.mean();
    const n = this.#n;
    const C = H.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) C[i * n + j] -= mu[i] * mu[j];
      C[i * n + i] = Math.max(0, C[i * n + i]);
    }
    return H;
  }

  /**
   * The raw state (see {@link HessianSums}), copied: n, count, and the double-double sums of x and of x x^T (lower
   * triangle packed by rows). `HessianAccumulator.fromSums(acc.sums())` restores it exactly. Cost O(n^2).
   *
   * @example const { count, outerHi } = acc.sums(); // outerHi[0] + outerLo[0] = sum_r x_r0^2
   */
  sums(): HessianSums {
    return {
      n: this.#n,
      count: this.#count,
      sumHi: this.#sumHi.slice(),
      sumLo: this.#sumLo.slice(),
      outerHi: this.#outerHi.slice(),
      outerLo: this.#outerLo.slice(),
    };
  }

  #nonEmptyCount(fn: string): number {
    if (this.#count === 0) throw rangeError(fn, 'the accumulator', 'non-empty (add rows first)', 'count 0');
    return this.#count;
  }
}

/** Entries of a packed lower triangle of order n. */
function triangleLength(n: number): number {
  return (n * (n + 1)) / 2;
}

/** Packed index of the diagonal entry (i, i). */
function diagonalIndex(i: number): number {
  return (i * (i + 3)) / 2;
}

/** Throws `RangeError` at the first pair hi + lo that is not normalized (hi + lo must round to hi). */
function assertNormalized(fn: string, arg: string, hi: Float64Array, lo: Float64Array): void {
  for (let k = 0; k < hi.length; k++) {
    if (hi[k] + lo[k] !== hi[k]) {
      throw rangeError(fn, arg, 'normalized with its low parts (hi + lo rounding to hi)', `hi ${hi[k]}, lo ${lo[k]} at index ${k}`);
    }
  }
}

/** Plain float64 sum of squares of each column of a rows x n row-major array (for the overflow check). */
function columnSquares(data: FloatArray, rows: number, n: number): Float64Array {
  const squares = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const row = r * n;
    for (let c = 0; c < n; c++) squares[c] += data[row + c] * data[row + c];
  }
  return squares;
}

/**
 * Throws `RangeError` when some feature's accumulated sum of squares plus `added[i]` would exceed OUTER_LIMIT
 * (an `added` that overflowed to Infinity fails too).
 */
function assertSquaresBounded(fn: string, arg: string, outerHi: Float64Array, added: Float64Array, what: string): void {
  for (let i = 0; i < added.length; i++) {
    const total = outerHi[diagonalIndex(i)] + added[i];
    if (!(total <= OUTER_LIMIT)) {
      throw rangeError(
        fn,
        arg,
        'small enough that every feature\'s sum of squares stays below 2^1020 (beyond it sums of x x^T could overflow float64)',
        `feature ${i} reaching ${describeValue(total)} with ${what}`,
      );
    }
  }
}

/**
 * Adds the plain float64 partial sum p to the double-double (hi[k], lo[k]): TwoSum gives s + e = hi + p exactly,
 * then (hi, lo) = FastTwoSum(s, lo + e) renormalizes.
 */
function addToDoubleDouble(hi: Float64Array, lo: Float64Array, k: number, p: number): void {
  const a = hi[k];
  const s = a + p;
  const v = s - a;
  const e = a - (s - v) + (p - v);
  const t = lo[k] + e;
  const h = s + t;
  lo[k] = t - (h - s);
  hi[k] = h;
}

/** (hi, lo) += (hi2, lo2) element by element in double-double; each element is read before it is written. */
function addDoubleDoubles(hi: Float64Array, lo: Float64Array, hi2: Float64Array, lo2: Float64Array): void {
  for (let k = 0; k < hi.length; k++) {
    const a = hi[k];
    const b = hi2[k];
    const s = a + b;
    const v = s - a;
    const e = a - (s - v) + (b - v) + (lo[k] + lo2[k]);
    const h = s + e;
    lo[k] = e - (h - s);
    hi[k] = h;
  }
}

/** 2^27 + 1: Veltkamp's constant, splitting a double into two 26-bit halves. */
const SPLITTER = 134217729;

/**
 * (hi + lo) / N rounded to float64, for a normalized double-double and an integer 1 <= N < 2^53: q = hi / N, the
 * remainder hi - q N computed exactly (Dekker's product q N = p + e; hi - p is exact by Sterbenz), plus lo, then
 * q + remainder / N. Correctly rounded when hi + lo is an integer below 2^104 and N < 2^50 (the remainder plus lo
 * is then exact, and the exact quotient is either a tie the last addition rounds exactly or at least 1 / (4 N)
 * ulp(q) from every rounding boundary, beyond the last correction's error); within a few u^2 relative otherwise.
 */
function doubleDoubleQuotient(hi: number, lo: number, N: number): number {
  // Veltkamp's split of q overflows beyond 2^996: scale by a power of two (exact) first.
  if (Math.abs(hi) > 2 ** 990) return doubleDoubleQuotient(hi * 2 ** -64, lo * 2 ** -64, N) * 2 ** 64;
  const q = hi / N;
  const cq = SPLITTER * q;
  const qh = cq - (cq - q);
  const ql = q - qh;
  const cN = SPLITTER * N;
  const Nh = cN - (cN - N);
  const Nl = N - Nh;
  const p = q * N;
  const e = qh * Nh - p + qh * Nl + ql * Nh + ql * Nl;
  return q + (hi - p - e + lo) / N;
}

/** Copies the lower triangle of a row-major n x n array onto its upper triangle, in 32 x 32 tiles. */
function mirrorLowerInPlace(A: Float64Array, n: number): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    for (let j0 = 0; j0 <= i0; j0 += T) {
      const i1 = Math.min(i0 + T, n);
      for (let i = i0; i < i1; i++) {
        const j1 = Math.min(j0 + T, i);
        for (let j = j0; j < j1; j++) A[j * n + i] = A[i * n + j];
      }
    }
  }
}

/**
 * Adds rows x n row-major rows (Float32Array or Float64Array, read only) to the double-double sums:
 * sum x += column sums, sum x x^T (packed lower) += X^T X, one BLOCK_ROWS block at a time (see the module comment).
 */
function accumulateRows(
  data: FloatArray,
  rows: number,
  n: number,
  sumHi: Float64Array,
  sumLo: Float64Array,
  outerHi: Float64Array,
  outerLo: Float64Array,
): void {
  const simd = activeSimdKernel();
  const outerBlock = simd ? simdOuterBlock(simd, n) : scalarOuterBlock(n);
  const partial = new Float64Array(n);
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const kc = Math.min(BLOCK_ROWS, rows - r0);
    partial.fill(0);
    for (let r = r0; r < r0 + kc; r++) for (let c = 0; c < n; c++) partial[c] += data[r * n + c];
    for (let c = 0; c < n; c++) addToDoubleDouble(sumHi, sumLo, c, partial[c]);
    outerBlock(data, r0, kc, outerHi, outerLo);
  }
}

/** Adds the block of rows r0 .. r0 + kc of the data to the packed outer-product sums (one of the two kernels below). */
type OuterBlock = (data: FloatArray, r0: number, kc: number, hi: Float64Array, lo: Float64Array) => void;

/** The scalar kernel's block update: both packings in one buffer (V8 then sets up one array access for both operands). */
function scalarOuterBlock(n: number): OuterBlock {
  const bBase = Math.ceil(n / MR) * MR * BLOCK_ROWS;
  const pack = new Float64Array(bBase + Math.ceil(n / NR) * NR * BLOCK_ROWS);
  const tile = new Float64Array(MR * NR);
  return (data, r0, kc, hi, lo) => {
    packColumnPanels(data, r0, kc, n, MR, pack, 0);
    packColumnPanels(data, r0, kc, n, NR, pack, bBase);
    accumulateOuterBlock(pack, bBase, kc, n, hi, lo, tile);
  };
}

/** Rows of H per block of the SIMD kernel's tile sums (SIMD_ROWS x NC float64 in the kernel's memory). */
const SIMD_ROWS = 64;

/**
 * The block update on the GEMM's WebAssembly SIMD tile kernel (ldlq/gemm-simd.ts), with the same sums: each tile of
 * SIMD_MR x SIMD_NR sums of kc products formed from zero, rows in order (one IEEE multiply and add per term, as the
 * scalar micro-kernel), then added to the double-double triangle. SIMD_MR = SIMD_NR, so one packing of the block
 * serves as both operands. The tiles of a SIMD_ROWS x NC block of H are summed into the kernel's memory, one call of
 * the kernel per column of tiles from the diagonal down, and the entries j <= i read back from there.
 */
function simdOuterBlock(simd: SimdTileKernel, n: number): OuterBlock {
  const W = SIMD_MR;
  const cBase = Math.ceil(n / W) * W * BLOCK_ROWS;
  const ldc = Math.ceil(Math.min(NC, n) / SIMD_NR) * SIMD_NR;
  return (data, r0, kc, hi, lo) => {
    simd.reserve(8 * (cBase + SIMD_ROWS * ldc));
    // a fresh view each block: the GEMM may have grown the memory since
    const buf = new Float64Array(simd.memory.buffer);
    packColumnPanels(data, r0, kc, n, W, buf, 0);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const j1 = Math.min(n, j0 + NC);
      for (let i0 = Math.floor(j0 / SIMD_ROWS) * SIMD_ROWS; i0 < n; i0 += SIMD_ROWS) {
        const i1 = Math.min(n, i0 + SIMD_ROWS);
        buf.fill(0, cBase, cBase + SIMD_ROWS * ldc);
        const tileRowEnd = Math.ceil(i1 / SIMD_MR);
        for (let j = j0; j < j1 && j < i1; j += SIMD_NR) {
          // tile rows from the one holding row max(i0, j) (rows above j have no entry j' >= j in the triangle)
          const first = Math.floor(Math.max(i0, j) / SIMD_MR);
          const a = 8 * first * kc * SIMD_MR;
          const b = 8 * (j / SIMD_NR) * kc * SIMD_NR;
          const c = 8 * (cBase + (first * SIMD_MR - i0) * ldc + (j - j0));
          simd.tiles(a, b, c, 8 * ldc, kc, tileRowEnd - first);
        }
        for (let i = Math.max(i0, j0); i < i1; i++) {
          const row = (i * (i + 1)) / 2;
          const src = cBase + (i - i0) * ldc - j0;
          for (let j = j0, end = Math.min(j1, i + 1); j < end; j++) addToDoubleDouble(hi, lo, row + j, buf[src + j]);
        }
      }
    }
  };
}

/**
 * Packs rows r0 .. r0 + kc of a rows x n row-major array into panels of W columns:
 * buf[base + (p kc + r) W + w] = data[(r0 + r) n + p W + w], zero beyond column n.
 */
function packColumnPanels(data: FloatArray, r0: number, kc: number, n: number, W: number, buf: Float64Array, base: number): void {
  const full = Math.floor(n / W);
  const panelSize = kc * W;
  for (let r = 0; r < kc; r++) {
    const src = (r0 + r) * n;
    let dst = base + r * W;
    for (let p = 0; p < full; p++, dst += panelSize) {
      for (let w = 0; w < W; w++) buf[dst + w] = data[src + p * W + w];
    }
    if (full * W < n) for (let w = 0; w < W; w++) buf[dst + w] = full * W + w < n ? data[src + full * W + w] : 0;
  }
}

/**
 * The rank-kc update of the packed lower triangle from one packed block: for every 4 x 3 tile of H meeting the
 * lower triangle, 12 sums of kc products are formed in registers (from zero, rows in order), then each entry
 * (i, j), j <= i, j < n, i < n, is added to (outerHi, outerLo) in double-double. Tiles are visited by column
 * blocks of NC so that the NR-panels of a block stay in L2 while the MR-panels stream through.
 *
 * The scalar fallback of {@link simdOuterBlock}. Its register loop is the 4 x 3 micro-kernel of ldlq/gemm.ts,
 * written out again on purpose: here every tile starts from zero and goes into the packed double-double triangle,
 * where gemm.ts loads and stores a dense C; sharing it would need an n x n scratch (8 n^2 more bytes) or a call
 * per tile in the innermost loop.
 */
function accumulateOuterBlock(
  P: Float64Array,
  bBase: number,
  kc: number,
  n: number,
  hi: Float64Array,
  lo: Float64Array,
  tile: Float64Array,
): void {
  const aPanels = Math.ceil(n / MR);
  const bPanels = Math.ceil(n / NR);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const jpEnd = Math.min(bPanels, (j0 + NC) / NR);
    for (let ip = Math.floor(j0 / MR); ip < aPanels; ip++) {
      const i = ip * MR;
      // Column panels from j0 up to the last one holding some j <= i + MR - 1.
      const jpLast = Math.min(jpEnd, Math.floor((i + MR - 1) / NR) + 1);
      for (let jp = j0 / NR; jp < jpLast; jp++) {
        const j = jp * NR;
        let ao = (ip * kc * MR) | 0;
        let bo = (bBase + jp * kc * NR) | 0;
        let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
        for (const aEnd = (ao + kc * MR) | 0; ao < aEnd; ao = (ao + MR) | 0, bo = (bo + NR) | 0) {
          const b0 = P[bo], b1 = P[(bo + 1) | 0], b2 = P[(bo + 2) | 0];
          const a0 = P[ao];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
          const a1 = P[(ao + 1) | 0];
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
          const a2 = P[(ao + 2) | 0];
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
          const a3 = P[(ao + 3) | 0];
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
        }
        if (j + NR - 1 <= i && i + MR <= n) {
          // Wholly inside the lower triangle: rows i .. i + 3 of the packed triangle start at k0 .. k3.
          const k0 = (i * (i + 1)) / 2 + j;
          const k1 = k0 + i + 1;
          const k2 = k1 + i + 2;
          const k3 = k2 + i + 3;
          addToDoubleDouble(hi, lo, k0, c00); addToDoubleDouble(hi, lo, k0 + 1, c01); addToDoubleDouble(hi, lo, k0 + 2, c02);
          addToDoubleDouble(hi, lo, k1, c10); addToDoubleDouble(hi, lo, k1 + 1, c11); addToDoubleDouble(hi, lo, k1 + 2, c12);
          addToDoubleDouble(hi, lo, k2, c20); addToDoubleDouble(hi, lo, k2 + 1, c21); addToDoubleDouble(hi, lo, k2 + 2, c22);
          addToDoubleDouble(hi, lo, k3, c30); addToDoubleDouble(hi, lo, k3 + 1, c31); addToDoubleDouble(hi, lo, k3 + 2, c32);
        } else {
          // On the diagonal or the last rows: only the entries with j <= i < n exist.
          tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c10; tile[4] = c11; tile[5] = c12;
          tile[6] = c20; tile[7] = c21; tile[8] = c22; tile[9] = c30; tile[10] = c31; tile[11] = c32;
          for (let ii = 0; ii < MR && i + ii < n; ii++) {
            const row = ((i + ii) * (i + ii + 1)) / 2;
            for (let jj = 0; jj < NR && j + jj <= i + ii; jj++) addToDoubleDouble(hi, lo, row + j + jj, tile[ii * NR + jj]);
          }
        }
      }
    }
  }
}
