/**
 * BlockLDLQ adaptive rounding (QuIP# Algorithm 1's rounding step; QuIP's LDLQ for g = 1).
 *
 * With H = L D L^T (blockLDL, g = codebook.dim) and R = W - What, column blocks are rounded from the last to the
 * first:
 *   X_k = W_k + sum_{j > k} R_j L_jk,   What_k = Q(X_k),
 * i.e. X = W + R (L - I) and, with E = What - X, R L = -E: W - What = -E L^-1 and
 * tr(R H R^T) = sum_k tr(E_k D_k E_k^T).
 *
 * Summation order (both implementations, so their codes agree bit for bit): entry (i, c) of X_k is
 *   x <- W_ic;  for p = n-1 down to (k+1) g:  x <- x + R_ip L_pc
 * one IEEE multiply and add per term. The plain sweep evaluates exactly this left-looking sum. The buffered
 * sweep keeps U = W + (feedback so far): a finished block is pushed into the earlier columns of its sub-panel at
 * once (terms p descending); a finished sub-panel or panel pushes its feedback to the earlier columns of its panel
 * or of the whole matrix with one GEMM, U[:, c0..c1) += R[:, q0..q1) L[q0..q1, c0..c1), which accumulates every
 * entry sequentially in decreasing p (gemm.ts, `reverseK`). Every U entry therefore receives the same terms in
 * the same order.
 *
 * Rows are independent: no order above depends on the number of rows m, and a codebook quantizes each vector on
 * its own, so rounding any split of W's rows separately (same L and H) gives the same bits as rounding all of them
 * at once (what a split across worker threads relies on).
 */
import { allFinite, assertSquare, isFloatArray, matrixFromRowMajor, readMatrix, readSymmetricMatrix, type Matrix, type MatrixInput, assertInteger, exponentOf, timesPow2 } from '../core/index.js';
import { rangeError, typeError } from '../errors/index.js';
import type { Codebook, QuantizeResult } from '../lattice/index.js';
import { choleskyFactor } from './cholesky.js';
import { gemmAccumulate } from './gemm.js';
import { blockLDLInPlace } from './ldl.js';

/** Options of {@link blockLDLQ}. */
export interface BlockLDLQOptions {
  /**
   * Precomputed unit block-lower L (n x n, g x g identity diagonal blocks, g = codebook.dim), e.g.
   * `blockLDL(H, g).L`, used instead of factoring H. H is then only read by the tuning passes and may be null
   * when `tuneIters` is 0.
   */
  L?: MatrixInput;
  /**
   * QuIP#'s extra tuning passes (default 0; needs H): each block, from the last to the first, is re-rounded
   * against the full residual, What_k = Q(What_k + (W - What) H_{:,k} H_kk^-1).
   */
  tuneIters?: number;
  /** Called after every rounded column block with (blocks done, total = (1 + tuneIters) n / g). */
  onProgress?: (done: number, total: number) => void;
  /** Lazy-batch panel sweep (default true); false runs the plain left-looking definition (same codes, slower). */
  buffered?: boolean;
  /** Panel width in columns for the buffered sweep: a positive multiple of g (default the multiple of g nearest 128). */
  panelColumns?: number;
  /** Also return `rounded`, the matrix of quantizer inputs (default false). */
  returnRounded?: boolean;
}

/** Result of {@link blockLDLQ}. */
export interface BlockLDLQResult {
  /** m x n rounded weights: every row's g-vector of column block k is a codebook point. */
  What: Matrix;
  /**
   * Codes, m x (n / g) x codeWords row-major: vector (row i, column block k) owns
   * codes[(i * (n / g) + k) * codeWords + w], w < codeWords.
   */
  codes: Uint16Array;
  /**
   * With `returnRounded`: m x n, block k holds the input X_k of the last quantization of that block (the LDLQ
   * pass when tuneIters = 0), so E = What - rounded are the rounding errors of the identity above.
   */
  rounded?: Matrix;
}

const DEFAULT_PANEL = 128;

/**
 * BlockLDLQ: rounds W (m x n) with `codebook` to reduce the proxy loss tr((W - What) H (W - What)^T) adaptively.
 * With H = L D L^T in g x g blocks (g = codebook.dim, which must divide n), the column blocks are rounded from the
 * last to the first, What_k = Q(W_k + sum_{j > k} (W - What)_j L_jk), so that the loss is
 * sum_k tr(E_k D_k E_k^T) for the rounding errors E_k. W is rounded as given: scaling it to the codebook's working
 * scale (rms(W) about codebook.optScale) is the caller's job.
 *
 * Cost: the factorization of H (n^3 / 3, skipped with `options.L`), then about m n^2 / 2 multiply-adds of
 * feedback (packed GEMM) and m n / g codebook lookups, plus m n^2 for each tuning pass. Rows are independent:
 * any split of the rows gives the same codes, bit for bit.
 *
 * Errors, each naming blockLDLQ and the argument: `TypeError` / `RangeError` for malformed W, H, options.L,
 * codebook or options; for H as in {@link blockLDL} (`NotSymmetricError`, `NotPositiveDefiniteError`, `RangeError`
 * for factors beyond float64); `RangeError` when the rounding feedback leaves float64 (W far from the codebook's
 * scale) or the codebook's `quantize` breaks the Codebook contract.
 *
 * @example
 * const { L } = blockLDL(regularizeHessian(H), E8P12.dim);
 * const { What, codes } = blockLDLQ(W, null, E8P12, { L }); // W (m x n) at E8P12's working scale
 */
export function blockLDLQ(W: MatrixInput, H: MatrixInput | null | undefined, codebook: Codebook, options: BlockLDLQOptions = {}): BlockLDLQResult {
  const fn = 'blockLDLQ';
  const w = readMatrix(fn, 'W', W);
  const { rows: m, cols: n } = w;
  const g = checkCodebook(fn, codebook);
  if (n % g !== 0) throw rangeError(fn, 'W.shape[1]', `a multiple of codebook.dim = ${g}`, String(n));
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object', options);
  const tuneIters = options.tuneIters ?? 0;
  assertInteger(fn, 'options.tuneIters', tuneIters, 0, 1_000_000);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw typeError(fn, 'options.onProgress', 'a function', onProgress);
  const buffered = options.buffered ?? true;
  if (typeof buffered !== 'boolean') throw typeError(fn, 'options.buffered', 'a boolean', buffered);
  const panel = options.panelColumns ?? defaultPanel(g);
  assertInteger(fn, 'options.panelColumns', panel, 1, 2 ** 30);
  if (panel % g !== 0) throw rangeError(fn, 'options.panelColumns', `a multiple of codebook.dim = ${g}`, String(panel));
  const returnRounded = options.returnRounded ?? false;
  if (typeof returnRounded !== 'boolean') throw typeError(fn, 'options.returnRounded', 'a boolean', returnRounded);

  const hasH = H !== null && H !== undefined;
  if (!hasH && options.L === undefined) throw typeError(fn, 'H', 'a matrix (or pass options.L)', H);
  if (!hasH && tuneIters > 0) throw typeError(fn, 'H', 'a matrix when options.tuneIters > 0', H);
  const Hd = tuneIters > 0 ? readSymmetricMatrix(fn, 'H', H, n).data : undefined;
  let L: Float64Array;
  if (options.L !== undefined) {
    L = readUnitBlockLower(fn, options.L, n, g);
  } else {
    L = Hd ? Hd.slice() : readSymmetricMatrix(fn, 'H', H, n).data;
    blockLDLInPlace(L, n, g, fn, 'H'); // L now holds the L of H's block LDL
  }
  const tuning = Hd && new TuningHessian(fn, Hd, n, g); // scales Hd, so after L is taken from it

  const rounder = new BlockRounder(fn, m, n, codebook, (1 + tuneIters) * (n / g), onProgress);
  const state = new RoundingState(rounder, w.data, returnRounded);
  if (buffered) for (const product of panelSweep(rounder, w.data.slice(), L, panel, (k0, inputs, points) => state.record(k0, inputs, points))) sweepProductCPU(product);
  else plainSweep(state, L);
  for (let it = 0; it < tuneIters; it++) tunePass(state, tuning!);

  const result: BlockLDLQResult = { What: matrixFromRowMajor(state.What, m, n), codes: rounder.codes };
  if (state.rounded) result.rounded = matrixFromRowMajor(state.rounded, m, n);
  return result;
}

/**
 * BlockLDLQ as quantize/ runs it on its own dense copies (internal: no checks, no copies), as a sequence of steps:
 * rounds the m x n row-major A with the unit block-lower L of H's block LDL (g = codebook.dim, trusted), the
 * buffered sweep of {@link blockLDLQ} with its default panels, in O(m n + 128 m) memory; A is overwritten with
 * R = A - What. `steps` yields every product of the sweep for the caller to compute before it is resumed
 * (sweepProductCPU gives blockLDLQ's codes bit for bit; a device backend computes them in float32); `codes` is
 * filled as it runs. `onBlock(k0, inputs, points)` sees each block's quantizer inputs X_k and points What_k (m x g
 * row-major, valid during the call); `onProgress(done, n / g)` after each block.
 */
export function blockLDLQInPlaceSteps(
  fn: string,
  A: Float64Array,
  m: number,
  n: number,
  L: Float64Array,
  codebook: Codebook,
  onBlock: (k0: number, inputs: Float64Array, points: Float64Array) => void,
  onProgress?: (done: number, total: number) => void,
): { steps: Generator<SweepProduct, void, undefined>; codes: Uint16Array } {
  const g = codebook.dim;
  const rounder = new BlockRounder(fn, m, n, codebook, n / g, onProgress);
  return { steps: panelSweep(rounder, A, L, defaultPanel(g), onBlock), codes: rounder.codes };
}

/** The multiple of g nearest DEFAULT_PANEL columns (at least g). */
function defaultPanel(g: number): number {
  return g * Math.max(1, Math.round(DEFAULT_PANEL / g));
}

/** Validates the codebook's shape fields and returns g = codebook.dim. */
function checkCodebook(fn: string, codebook: unknown): number {
  const cb = codebook as Partial<Codebook> | null;
  if (typeof cb !== 'object' || cb === null || typeof cb.quantize !== 'function') {
    throw typeError(fn, 'codebook', 'a Codebook (an object with dim, codeWords and quantize)', codebook);
  }
  assertInteger(fn, 'codebook.dim', cb.dim, 1, 1 << 16);
  assertInteger(fn, 'codebook.codeWords', cb.codeWords, 1, 1 << 16);
  return cb.dim;
}

/** Reads options.L and checks it is n x n with g x g identity diagonal blocks and zeros above them (exactly). */
function readUnitBlockLower(fn: string, Lin: unknown, n: number, g: number): Float64Array {
  const l = readMatrix(fn, 'options.L', Lin);
  assertSquare(fn, 'options.L', l, n);
  const L = l.data;
  for (let i = 0; i < n; i++) {
    const blockEnd = (Math.floor(i / g) + 1) * g;
    for (let j = blockEnd - g; j < n; j++) {
      if (L[i * n + j] !== (j === i ? 1 : 0)) {
        throw rangeError(fn, 'options.L', `unit block-lower triangular with ${g} x ${g} identity diagonal blocks`, `L[${i}][${j}] = ${L[i * n + j]}`);
      }
    }
  }
  return L;
}

/**
 * The one operation every sweep shares: quantize column block k0 of an m-row layer (its m g-vectors, gathered
 * from wherever the sweep keeps its quantizer inputs), check the Codebook contract, store the codes and report
 * progress.
 */
class BlockRounder {
  readonly g: number;
  readonly codes: Uint16Array;
  /** The inputs of the last quantized block, m x g row-major. */
  readonly inputs: Float64Array;
  private readonly blocks: number;
  private done = 0;

  constructor(
    /** The public function errors are reported against. */
    readonly fn: string,
    readonly m: number,
    readonly n: number,
    private readonly codebook: Codebook,
    private readonly total: number,
    private readonly onProgress: ((done: number, total: number) => void) | undefined,
  ) {
    this.g = codebook.dim;
    this.blocks = n / this.g;
    this.codes = new Uint16Array(m * this.blocks * codebook.codeWords);
    this.inputs = new Float64Array(m * this.g);
  }

  /** Quantizes the m vectors src[offset + i ld .. + g) as column block k0; returns their points (m x g row-major). */
  round(src: Float64Array, offset: number, ld: number, k0: number): Float64Array {
    const { m, g, inputs, codebook } = this;
    for (let i = 0; i < m; i++) for (let t = 0; t < g; t++) inputs[i * g + t] = src[offset + i * ld + t];
    if (!allFinite(inputs)) throw this.feedbackOverflow(k0);
    const { codes, values } = this.checkedQuantize(inputs);
    const k = k0 / g;
    const cw = codebook.codeWords;
    for (let i = 0; i < m; i++) for (let w = 0; w < cw; w++) this.codes[(i * this.blocks + k) * cw + w] = codes[i * cw + w];
    this.done++;
    this.onProgress?.(this.done, this.total);
    return values;
  }

  /** codebook.quantize(X), checked against the Codebook contract: m points of g finite values, m * codeWords codes. */
  private checkedQuantize(X: Float64Array): QuantizeResult {
    const { fn, m, g, codebook } = this;
    const cw = codebook.codeWords;
    const out: unknown = codebook.quantize(X);
    const { codes, values } = (out ?? {}) as Partial<QuantizeResult>;
    const expected = `a function returning { codes: Uint16Array(${m * cw}), values: Float64Array(${m * g}) } for ${m} vectors`;
    if (!(codes instanceof Uint16Array) || !isFloatArray(values)) throw typeError(fn, 'codebook.quantize', expected, out);
    if (values.length !== m * g || codes.length !== m * cw) {
      throw rangeError(fn, 'codebook.quantize', expected, `${codes.length} codes and ${values.length} values`);
    }
    if (!allFinite(values)) throw rangeError(fn, 'codebook.quantize', 'a function returning finite points', `${values.find((v) => !Number.isFinite(v))}`);
    return { codes, values };
  }

  /**
   * The error for a quantizer input of block k0 that overflowed: W (or the feedback through options.L) is far from
   * the codebook's working scale.
   */
  private feedbackOverflow(k0: number): RangeError {
    const bad = this.inputs.findIndex((v) => !Number.isFinite(v));
    const row = Math.floor(bad / this.g);
    const col = k0 + (bad % this.g);
    return rangeError(
      this.fn,
      'W',
      "small enough for the rounding feedback to stay within float64 (W at the codebook's working scale, rms(W) about codebook.optScale)",
      `a quantizer input of ${this.inputs[bad]} at row ${row}, column ${col}`,
    );
  }
}

/** The full matrices of the public blockLDLQ: W, What and (when asked for) the quantizer inputs. */
class RoundingState {
  readonly What: Float64Array;
  readonly rounded: Float64Array | null;

  constructor(
    readonly rounder: BlockRounder,
    readonly W: Float64Array,
    keepRounded: boolean,
  ) {
    this.What = new Float64Array(W.length);
    this.rounded = keepRounded ? new Float64Array(W.length) : null;
  }

  /** Stores the points (and inputs) of block k0, m x g row-major each, into What (and rounded). */
  record(k0: number, inputs: Float64Array, points: Float64Array): void {
    const { m, n, g } = this.rounder;
    const { What, rounded } = this;
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < g; t++) {
        What[i * n + k0 + t] = points[i * g + t];
        if (rounded) rounded[i * n + k0 + t] = inputs[i * g + t];
      }
    }
  }
}

/** The plain definition: X_k evaluated as a left-looking sum in decreasing p (see the module comment). */
function plainSweep(s: RoundingState, L: Float64Array): void {
  const { W, What, rounder } = s;
  const { m, n, g } = rounder;
  const X = new Float64Array(m * g);
  for (let k0 = n - g; k0 >= 0; k0 -= g) {
    for (let i = 0; i < m; i++) {
      const ri = i * n;
      for (let c = k0; c < k0 + g; c++) {
        let x = W[ri + c];
        for (let p = n - 1; p >= k0 + g; p--) x += (W[ri + p] - What[ri + p]) * L[p * n + c];
        X[i * g + c - k0] = x;
      }
    }
    s.record(k0, rounder.inputs, rounder.round(X, 0, g, k0));
  }
}

/**
 * One product of the panel sweep: X[:, c0 - p0 .. c1 - p0) += A[:, q0 .. q1) L[q0 .. q1, c0 .. c1), every entry
 * summed over p = q1 - 1 down to q0 (A and L row-major m x n and n x n, X row-major m x w holding the panel that
 * starts at column p0). `panelStart` marks the panel's first product (the feedback of every finished column).
 */
export interface SweepProduct {
  m: number;
  n: number;
  A: Float64Array;
  L: Float64Array;
  X: Float64Array;
  w: number;
  p0: number;
  q0: number;
  q1: number;
  c0: number;
  c1: number;
  panelStart: boolean;
}

/** A sweep product on the CPU, with the fixed summation order the bit-exact codes rely on (gemm.ts, reverseK). */
export function sweepProductCPU(s: SweepProduct): void {
  gemmAccumulate(
    s.m,
    s.c1 - s.c0,
    s.q1 - s.q0,
    { data: s.A, offset: s.q0, ld: s.n, trans: false },
    { data: s.L, offset: s.q0 * s.n + s.c0, ld: s.n, trans: false },
    s.X,
    s.c0 - s.p0,
    s.w,
    true,
  );
}

/**
 * The lazy-batch sweep, left-looking by panel, in O(m panel) memory beyond A. A (m x n row-major) holds W on
 * entry and R = W - What on return: block k of A is overwritten with R_k as soon as it is rounded, and only the
 * quantizer inputs of the current panel (W_panel + feedback) live in a buffer. Panels of `panel` columns from the
 * right: a panel's buffer starts as W_panel plus the feedback of every finished column, R[:, p1..n) L[p1..n,
 * panel], in one product; inside it, sub-panels of about panel / 8 columns; inside those, blocks one at a time. A
 * finished block is pushed into the rest of its sub-panel directly, a finished sub-panel into the rest of its panel
 * with one product. Each product accumulates its terms in decreasing p, so every quantizer input receives the
 * terms of the plain sweep in the plain sweep's order (the same codes bit for bit). The products are yielded, for
 * the caller to compute (sweepProductCPU, or on a device) before asking for the next step; `onBlock(k0, inputs,
 * points)` sees each block's quantizer inputs and points (m x g row-major) as it is rounded.
 */
function* panelSweep(
  rounder: BlockRounder,
  A: Float64Array,
  L: Float64Array,
  panel: number,
  onBlock: (k0: number, inputs: Float64Array, points: Float64Array) => void,
): Generator<SweepProduct, void, undefined> {
  const { m, n, g } = rounder;
  const width = Math.min(panel, n);
  const sub = Math.min(width, g * Math.max(1, Math.round(width / g / 8)));
  const X = new Float64Array(m * width);
  for (let p1 = n; p1 > 0; p1 -= width) {
    const p0 = Math.max(0, p1 - width);
    const w = p1 - p0;
    // X[i, c - p0] is the quantizer input of column c in [p0, p1).
    for (let i = 0; i < m; i++) for (let c = 0; c < w; c++) X[i * w + c] = A[i * n + p0 + c];
    if (p1 < n) yield { m, n, A, L, X, w, p0, q0: p1, q1: n, c0: p0, c1: p1, panelStart: true };
    for (let q1 = p1; q1 > p0; q1 -= sub) {
      const q0 = Math.max(p0, q1 - sub);
      for (let k0 = q1 - g; k0 >= q0; k0 -= g) {
        const points = rounder.round(X, k0 - p0, w, k0);
        onBlock(k0, rounder.inputs, points);
        for (let i = 0; i < m; i++) {
          const ri = i * n;
          const xi = i * w - p0;
          for (let t = 0; t < g; t++) A[ri + k0 + t] -= points[i * g + t];
          // terms in decreasing p
          for (let c = q0; c < k0; c++) {
            let u = X[xi + c];
            for (let p = k0 + g - 1; p >= k0; p--) u += A[ri + p] * L[p * n + c];
            X[xi + c] = u;
          }
        }
      }
      if (q0 > p0) yield { m, n, A, L, X, w, p0, q0, q1, c0: p0, c1: q0, panelStart: false };
    }
  }
}

/**
 * H as the tuning passes use it: scaled by the power of four 4^-j that brings max |H| into [1, 4), so R H cannot
 * overflow for an H near the float64 maximum (the tuning target R H_{:,k} H_kk^-1 does not change under the
 * scaling, bit for bit, while no entry leaves the normal range), with the Cholesky factors G_k (G_k G_k^T = H_kk)
 * of its diagonal blocks.
 */
class TuningHessian {
  /** The scaled H, row-major n x n. */
  readonly H: Float64Array;
  /** G_k, row-major g x g lower, at k g^2 (k = block start k0 / g). */
  private readonly factors: Float64Array;

  constructor(
    fn: string,
    H: Float64Array,
    readonly n: number,
    readonly g: number,
  ) {
    let max = 0;
    for (let i = 0; i < H.length; i++) max = Math.max(max, Math.abs(H[i]));
    const j = max > 0 ? Math.floor(exponentOf(max) / 2) : 0;
    if (j !== 0) for (let i = 0; i < H.length; i++) H[i] = timesPow2(H[i], -2 * j);
    this.H = H;
    this.factors = new Float64Array(n * g);
    for (let k0 = n - g; k0 >= 0; k0 -= g) {
      const G = this.factor(k0);
      for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) G[a * g + b] = H[(k0 + a) * n + k0 + b];
      const arg = `H (its diagonal block at rows and columns ${k0}..${k0 + g - 1})`;
      choleskyFactor(G, g, { fn, arg, offset: k0, scale: timesPow2(1, 2 * j) });
    }
  }

  /** G_k for the block starting at column k0 (a view). */
  factor(k0: number): Float64Array {
    return this.factors.subarray(k0 * this.g, (k0 + this.g) * this.g);
  }
}

/** One tuning pass: each block from the last to the first, What_k <- Q(What_k + R H_{:,k} H_kk^-1), R = W - What. */
function tunePass(s: RoundingState, tuning: TuningHessian): void {
  const { W, What, rounder } = s;
  const { m, n, g } = rounder;
  const { H } = tuning;
  const R = new Float64Array(m * n);
  for (let i = 0; i < R.length; i++) R[i] = W[i] - What[i];
  const Z = new Float64Array(m * g);
  for (let k0 = n - g; k0 >= 0; k0 -= g) {
    const G = tuning.factor(k0);
    Z.fill(0);
    gemmAccumulate(m, g, n, { data: R, offset: 0, ld: n, trans: false }, { data: H, offset: k0, ld: n, trans: false }, Z, 0, g);
    for (let i = 0; i < m; i++) {
      solveSPDRow(G, g, Z, i * g);
      for (let t = 0; t < g; t++) Z[i * g + t] += What[i * n + k0 + t];
    }
    s.record(k0, rounder.inputs, rounder.round(Z, 0, g, k0));
    for (let i = 0; i < m; i++) for (let c = k0; c < k0 + g; c++) R[i * n + c] = W[i * n + c] - What[i * n + c];
  }
}

/** z <- H_kk^-1 z in place for z = Z[o .. o+g), with H_kk = G G^T (G lower, row-major g x g): G v = z, then G^T y = v. */
function solveSPDRow(G: Float64Array, g: number, Z: Float64Array, o: number): void {
  for (let a = 0; a < g; a++) {
    let acc = Z[o + a];
    for (let b = 0; b < a; b++) acc -= G[a * g + b] * Z[o + b];
    Z[o + a] = acc / G[a * g + a];
  }
  for (let a = g - 1; a >= 0; a--) {
    let acc = Z[o + a];
    for (let b = a + 1; b < g; b++) acc -= G[b * g + a] * Z[o + b];
    Z[o + a] = acc / G[a * g + a];
  }
}
