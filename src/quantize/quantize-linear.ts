/**
 * quantizeLinear: QuIP# Algorithm 1 (without fine-tuning) for one linear layer in one call, on one thread
 * (quantizeLinearSync) or on worker threads (quantizeLinear), with the same codes bit for bit.
 */
import { readMatrix, readSymmetricMatrix, type DenseMatrix, type MatrixInput } from '../core/index.js';
import { describeValue, rangeError } from '../errors/index.js';
import { deserializeError, type EnergiesJob, type PrepareRequest, type WorkerReply, type WorkerRequest } from './messages.js';
import { builtinCodebook, resolveOptions, type QuantizeLinearOptions, type ResolvedOptions } from './options.js';
import { acquireWorkers, availableCores, releaseWorkers, terminateWorkers, workersAvailable, type QuantizeWorker } from './pool.js';
import { prepareLayer, rootMeanSquare, type PreparedLayer } from './prepare.js';
import { ProgressTracker, SYNC_WEIGHTS } from './progress.js';
import { QuantizedLinear, type QuantizeReport } from './quantized-linear.js';
import { roundRows, roundRowsWith, type RowSums, type RowsJob } from './round.js';
import { claimRowEnergies, ENERGY_CHUNK_ROWS, totalEnergy } from './energy.js';
import { prepareQuipSharpLayer, quipSharpHessianInput, readSignVector } from './quip-sharp.js';
import { matrixFromRowMajor } from '../core/index.js';
import { proxyLoss as ldlqProxyLoss, type SweepProduct } from '../ldlq/index.js';
import { randomSigns } from '../random/index.js';
import { checkFeedbackRows, DeviceFeedback, resolveBackend, type DeviceMode } from '../backend/index.js';

/** QuIP#'s Hessian file `{ flatH, mu, n, ct }` as readTorchFile returns it (accepted with compat 'quip-sharp'). */
export type QuipSharpHessianDict = { flatH: unknown; mu: unknown; n: number; ct?: unknown };

/**
 * The inputs, read once: W (m x n) and H (n x n, symmetric; with compat 'quip-sharp' also QuIP#'s Hessian dict),
 * with n a multiple of the codebook's dim, into arrays made by `allocate`.
 */
function readInputs(fn: string, W: unknown, H: unknown, o: ResolvedOptions, allocate?: (length: number) => Float64Array): { w: DenseMatrix; h: DenseMatrix } {
  const w = readMatrix(fn, 'W', W, allocate);
  const fromFile = o.compat ? quipSharpHessianInput(H) : undefined;
  if (fromFile && fromFile.rows !== w.cols) throw rangeError(fn, 'H.n', `${w.cols} (the columns of W)`, String(fromFile.rows));
  const h = fromFile ?? readSymmetricMatrix(fn, 'H', H, w.cols, undefined, allocate);
  const g = o.codebook.dim;
  if (w.cols % g !== 0) throw rangeError(fn, 'W.shape[1]', `a multiple of the codebook's dim ${g} (${o.codebook.name})`, String(w.cols));
  return { w, h };
}

/** A Float64Array of `length` in shared memory. */
function sharedArray(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length));
}

/** ||x||_2 without overflow: rms(x) sqrt(length). */
function norm2(x: Float64Array): number {
  return rootMeanSquare(x) * Math.sqrt(x.length);
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('quantizeLinear: aborted');
  e.name = 'AbortError';
  return e;
}

function newRowSums(m: number, shared: boolean): RowSums {
  const make = () => new Float64Array(shared ? new SharedArrayBuffer(8 * m) : new ArrayBuffer(8 * m));
  return { loss: make(), residualSq: make(), energy: make() };
}

function codeCount(p: PreparedLayer, o: ResolvedOptions): number {
  return p.m * (p.n / o.codebook.dim) * o.codebook.codeWords;
}

/** Sum in row order, so the total does not depend on how the rows were split. */
function total(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * The layer and its report. In the processed basis, with R' = W' - W_hat' and H' = V (H_r / mu + sigma I) V^T:
 *   tr(R H R^T) = mu (tr(R' H' R'^T) - sigma ||R'||^2)
 * (V orthogonal; the rescaling cancels in R diag(s) diag(s)^-1 H diag(s)^-1 diag(s) R^T), with
 * tr(R' H' R'^T) = sum_k e_k D_k e_k^T from the block LDL: the loss costs no product with H. Without rescaling,
 * ||W - W_hat||_F = ||R'||_F too (U and V orthogonal), so W_hat is never formed; with rescaling (W - W_hat =
 * (W_r - W_hat_r) diag(s)^-1) or compat 'quip-sharp' (whose loss is taken with the user's H), W_hat is
 * dequantized and compared with `user.W`. The denominator tr(W H W^T) is summed from the rows' energies with
 * the user's W and H.
 */
function finish(
  fn: string,
  user: { W: Float64Array | null; H: Float64Array | null; norm: number },
  p: PreparedLayer,
  o: ResolvedOptions,
  codes: Uint16Array,
  sums: RowSums,
  threads: number,
  tracker: ProgressTracker,
): QuantizedLinear {
  tracker.enter('report');
  const fields = { outFeatures: p.m, inFeatures: p.n, codebook: o.codebook, codes, incoherence: p.record, scale: p.scale, rescale: p.rescale };
  const layer = new QuantizedLinear(fields);
  let proxyLoss: number;
  let weightError: number;
  if (user.W && (user.H || p.rescale)) {
    const Wq = layer.dequantize().data;
    proxyLoss = user.H ? directLoss(fn, user.W, Wq, user.H, p.m, p.n) : identityLoss(fn, p, sums);
    weightError = relativeDifference(user.W, Wq);
  } else {
    proxyLoss = identityLoss(fn, p, sums);
    weightError = user.norm === 0 ? 0 : (p.scale * Math.sqrt(total(sums.residualSq))) / user.norm;
  }
  const seconds = tracker.finish();
  const report: QuantizeReport = {
    proxyLoss,
    relativeProxyLoss: proxyLoss === 0 ? 0 : proxyLoss / totalEnergy(fn, sums.energy),
    weightError,
    bitsPerWeight: layer.bitsPerWeight,
    sigmaReg: p.sigmaReg,
    retries: p.retries,
    threads,
    seconds,
  };
  return new QuantizedLinear({ ...fields, report });
}

/** ||A - B||_F / ||A||_F (0 for A = B = 0), scaled by max |entry| so that neither sum overflows. */
function relativeDifference(A: Float64Array, B: Float64Array): number {
  let max = 0;
  for (let k = 0; k < A.length; k++) max = Math.max(max, Math.abs(A[k]), Math.abs(B[k]));
  let err = 0;
  let norm = 0;
  if (max > 0) {
    for (let k = 0; k < A.length; k++) {
      const a = A[k] / max;
      const d = a - B[k] / max;
      err += d * d;
      norm += a * a;
    }
  }
  return err === 0 ? 0 : Math.sqrt(err / norm);
}

/** The proxy loss from the per-row sums of the processed basis (see {@link finish}). */
function identityLoss(fn: string, p: PreparedLayer, sums: RowSums): number {
  const loss = total(sums.loss) - p.sigmaReg * total(sums.residualSq);
  const proxyLoss = Math.max(0, p.mu * p.scale * (p.scale * loss));
  if (!Number.isFinite(proxyLoss)) throw rangeError(fn, 'W', 'a layer whose proxy loss is within float64 range', 'tr((W - W_hat) H (W - W_hat)^T) beyond 1.8e308');
  return proxyLoss;
}

/** The proxy loss with the user's H itself (compat 'quip-sharp': QuIP#'s float32 H is not H / mu + sigma I). */
function directLoss(fn: string, W: Float64Array, Wq: Float64Array, H: Float64Array, m: number, n: number): number {
  const proxyLoss = ldlqProxyLoss(matrixFromRowMajor(W, m, n), matrixFromRowMajor(Wq, m, n), matrixFromRowMajor(H, n, n));
  if (!Number.isFinite(proxyLoss)) throw rangeError(fn, 'W', 'a layer whose proxy loss is within float64 range', 'beyond 1.8e308');
  return proxyLoss;
}

/**
 * Quantizes a linear layer W (out x in, m x n) given its proxy Hessian H = E[x x^T] (n x n) on the calling
 * thread: QuIP# Algorithm 1 without fine-tuning. Steps: optional rescaling (options.rescale),
 * H <- H / mean(diag H) + sigmaReg I, incoherence processing W' = U W V^T, H' = V H V^T (RHT or RFFT),
 * block LDL H' = L D L^T (g = codebook dim; retried once with 10 x sigmaReg), scale = rms(W') / optScale, and
 * BlockLDLQ of W' / scale. The result keeps the codes, the incoherence record and the scales, never W' or H'.
 *
 * Cost: n^3 / 6 multiply-adds for the factorization, m n^2 / 2 for the rounding and as many for the report's
 * tr(W H W^T), O((m n + n^2) log n) for the transforms. Memory: one float64 copy of W and of H beside the
 * caller's (every step runs in place on them; one more H' with tuneIters > 0).
 *
 * Errors: TypeError/RangeError for bad shapes, non-finite entries, n not a multiple of the codebook's dim,
 * sizes the chosen incoherence does not support, bad options (unknown keys, an unknown codebook or
 * incoherence name); NotSymmetricError for an asymmetric H; NotPositiveDefiniteError (with the pivot) when the
 * regularized H fails to factor twice; an AbortError when options.signal aborts (checked between stages).
 *
 * @example
 * const q = quantizeLinearSync(W, H, { seed: 1 });
 * q.report.relativeProxyLoss; // tr(dW H dW^T) / tr(W H W^T)
 * const y = q.matvec(x);
 */
export function quantizeLinearSync(W: MatrixInput, H: MatrixInput | QuipSharpHessianDict, options?: QuantizeLinearOptions): QuantizedLinear {
  const fn = 'quantizeLinearSync';
  const o = resolveOptions(fn, options);
  if (o.backend !== undefined && o.backend !== 'cpu') {
    throw rangeError(fn, 'options.backend', "'cpu' or undefined (device backends are asynchronous: use quantizeLinear)", describeValue(o.backend));
  }
  const s = energiesAndPrepareHere(fn, W, H, o);
  roundRows(fn, { ...s.p, tuneIters: o.tuneIters }, o.codebook, 0, s.p.m, s.codes, s.sums, s.onBlocks);
  s.check();
  return finish(fn, s.user, s.p, o, s.codes, s.sums, 1, s.tracker);
}

/**
 * Round-stage progress counting the report's energy chunks beside the rounded blocks: `chunkUnits` units per chunk
 * of ENERGY_CHUNK_ROWS rows; the chunks finished before the stage starts are not counted again.
 */
function roundProgress(tracker: ProgressTracker, blocks: number, chunks: number, chunkUnits: number) {
  let rounding = false;
  let chunksDone = 0;
  let done = 0;
  let units = 0;
  return {
    /** One energy chunk finished. */
    chunk(): void {
      chunksDone++;
      if (rounding) tracker.emit((done += chunkUnits), units);
    },
    /** `count` blocks rounded. */
    blocks(count: number): void {
      tracker.emit((done += count), units);
    },
    /** Enters the round stage. */
    start(): void {
      units = blocks + (chunks - Math.min(chunks, chunksDone)) * chunkUnits;
      rounding = true;
      tracker.enter('round', units);
    },
  };
}

/**
 * The inputs read on the calling thread (`checkRows(m)` called on W's row count before any work; into shared memory
 * with `shared`, for energy workers), what the report needs of the user's W and H, the per-row sums, the progress
 * tracker and `check()`, which throws an AbortError once options.signal has aborted.
 */
function readOnCallingThread(fn: string, W: unknown, H: unknown, o: ResolvedOptions, shared: boolean, checkRows?: (m: number) => void) {
  // With the energies on this thread they take about as long as the rounding (one m n^2 / 2 product each).
  const tracker = new ProgressTracker(o.onProgress, shared ? undefined : SYNC_WEIGHTS);
  tracker.emit(0, 1);
  const check = () => {
    if (o.signal?.aborted) throw abortError(o.signal);
  };
  check();
  const { w, h } = readInputs(fn, W, H, o, shared ? sharedArray : undefined);
  checkRows?.(w.rows);
  // Shared inputs stay as read (the layer is prepared on copies), so the report can use them as they are.
  const copy = (a: Float64Array): Float64Array => (shared ? a : a.slice());
  const user = { W: o.rescale || o.compat ? copy(w.data) : null, H: o.compat ? copy(h.data) : null, norm: norm2(w.data) };
  return { w, h, user, sums: newRowSums(w.rows, shared), tracker, check };
}

/** The layer prepared on the calling thread (in place on the read inputs unless `onCopies`), stages reported. */
function prepareOnCallingThread(fn: string, r: ReturnType<typeof readOnCallingThread>, o: ResolvedOptions, onCopies: boolean): PreparedLayer {
  const w = onCopies ? { ...r.w, data: r.w.data.slice() } : r.w;
  const h = onCopies ? { ...r.h, data: r.h.data.slice() } : r.h;
  const onStage = (stage: 'incoherence' | 'factorize') => (r.check(), r.tracker.enter(stage));
  const p = o.compat
    ? prepareQuipSharpLayer(fn, w, h, { ...o, signsIn: signs(fn, 'options.signsIn', o.signsIn, w.cols, o, 1), signsOut: signs(fn, 'options.signsOut', o.signsOut, w.rows, o, 0) }, onStage)
    : prepareLayer(fn, w, h, { ...o, keepHessian: o.tuneIters > 0 }, onStage);
  r.check();
  return p;
}

/**
 * The one-thread path up to the rounding: the inputs read, the report's row energies (in eight chunks, for progress
 * and the abort check), the prepared layer, and the rounding's outputs and progress.
 */
function energiesAndPrepareHere(fn: string, W: unknown, H: unknown, o: ResolvedOptions, checkRows?: (m: number) => void) {
  const r = readOnCallingThread(fn, W, H, o, false, checkRows);
  const { w, h, tracker, check } = r;
  const rowsPerChunk = Math.max(ENERGY_CHUNK_ROWS, Math.ceil(w.rows / 8));
  const chunks = Math.ceil(w.rows / rowsPerChunk);
  let chunk = 0;
  claimRowEnergies(w.data, h.data, w.rows, w.cols, new Int32Array(2), r.sums.energy, false, () => (check(), tracker.emit(++chunk, chunks)), rowsPerChunk);
  const p = prepareOnCallingThread(fn, r, o, false);
  const blocks = (1 + o.tuneIters) * (p.n / o.codebook.dim);
  tracker.enter('round', blocks);
  let done = 0;
  const onBlocks = (k: number) => tracker.emit((done += k), blocks);
  return { ...r, p, codes: new Uint16Array(codeCount(p, o)), onBlocks };
}

/** The rounding of a prepared layer on `mode`: BlockLDLQ with each panel product on the device, `check()` before each. */
async function roundOnDevice(fn: string, p: PreparedLayer, o: ResolvedOptions, mode: DeviceMode, codes: Uint16Array, sums: RowSums, check: () => void, onBlocks: (k: number) => void): Promise<void> {
  const feedback = new DeviceFeedback(mode, p.m, p.n);
  try {
    const compute = (product: SweepProduct) => (check(), feedback.compute(product));
    await roundRowsWith(fn, { ...p, tuneIters: 0 }, o.codebook, codes, sums, compute, onBlocks);
  } finally {
    feedback.dispose();
  }
  check();
}

/**
 * quantizeLinear on a device backend: the layer prepared on the calling thread, and each panel product of the
 * BlockLDLQ sweep computed on `mode` (the small pushes on the CPU); options.signal is checked before every product.
 * With `threads` > 1 (default: every core in Node) and workers available, `threads - 1` workers compute the report's
 * row energies meanwhile, on shared copies of W and H (the same values whoever computes them); else the calling
 * thread computes them first.
 */
async function quantizeOnDevice(fn: string, W: unknown, H: unknown, o: ResolvedOptions, mode: DeviceMode): Promise<QuantizedLinear> {
  const checkRows = (m: number) => checkFeedbackRows(fn, 'W.shape[0]', m, mode);
  const builtin = builtinCodebook(o.codebook.name) === o.codebook;
  const helpers = builtin && !o.compat && workersAvailable() ? (o.threads ?? (await availableCores())) - 1 : 0;
  if (helpers < 1) {
    const s = energiesAndPrepareHere(fn, W, H, o, checkRows);
    await roundOnDevice(fn, s.p, o, mode, s.codes, s.sums, s.check, s.onBlocks);
    return finish(fn, s.user, s.p, o, s.codes, s.sums, 1, s.tracker);
  }
  const r = readOnCallingThread(fn, W, H, o, true, checkRows);
  const { rows: m, cols: n } = r.w;
  const energies: EnergiesJob = { W: r.w.data, H: r.h.data, m, n, control: new Int32Array(new SharedArrayBuffer(8)), energy: r.sums.energy };
  const chunks = Math.ceil(m / ENERGY_CHUNK_ROWS);
  const blocks = n / o.codebook.dim;
  const progress = roundProgress(r.tracker, blocks, chunks, blocks / chunks);
  let workers: QuantizeWorker[] = [];
  const { failed, fail, release } = failureOrAbort(o.signal);
  let ok = false;
  try {
    workers = await acquireWorkers(Math.min(helpers, chunks));
    for (const worker of workers) worker.onFailure(fail);
    const computed = Promise.all(workers.map((worker) => energiesOn(worker, energies, () => progress.chunk())));
    computed.catch(fail);
    // the workers compute while this thread prepares (synchronously) and rounds (awaiting the device)
    const p = prepareOnCallingThread(fn, r, o, true);
    progress.start();
    const codes = new Uint16Array(codeCount(p, o));
    await Promise.race([failed, roundOnDevice(fn, p, o, mode, codes, r.sums, r.check, (k) => progress.blocks(k))]);
    await Promise.race([failed, computed]);
    r.check();
    ok = true;
    return finish(fn, r.user, p, o, codes, r.sums, 1, r.tracker);
  } finally {
    release();
    if (ok) releaseWorkers(workers);
    else {
      Atomics.store(energies.control, 1, 1);
      await terminateWorkers(workers);
    }
  }
}

/**
 * As {@link quantizeLinearSync}, on `options.threads` worker threads (default: every core in Node, 1
 * elsewhere), with the same result bit for bit for every thread count. One worker prepares the layer
 * (incoherence and factorization) while the others compute the report's row energies; then the rows of W' are
 * split across all the workers, each rounding its rows with BlockLDLQ on the shared L and then taking the
 * energies left over. The calling thread stays free. `options.signal` stops the work within a second: the
 * promise rejects with an AbortError and every worker is terminated. Where workers or shared memory are not
 * available (a page without cross-origin isolation), or for a user-defined Codebook object (which cannot be
 * sent to a worker), it runs on the calling thread.
 *
 * `options.backend` (default: the one set by setBackend, initially 'cpu') chooses where the rounding's dense
 * products run. 'cpu', and 'auto' without a GPU, is the worker path above. A device backend ('webgpu', 'webgl',
 * 'webasm', or 'auto' finding WebGPU or WebGL2) prepares and rounds on the calling thread and computes each
 * panel's feedback product of BlockLDLQ, X += R[:, p1..n) L[p1..n, panel] (about m n^2 / 2 multiply-adds), on the
 * device in float32; the small pushes inside a panel, the codebook search and everything else stay in float64 on
 * the CPU, the report's row energies on `threads - 1` workers meanwhile (on the calling thread, first, with
 * `threads: 1` or without workers). The codes equal the CPU path's except at float32 near-ties: a block whose two nearest codebook points
 * are equidistant to within the float32 rounding of its feedback (about n 2^-24 relative) may get the other one,
 * and the later blocks of that row then follow from the different residual (rows are independent, so other rows
 * are untouched). Device layers take at most 116508 rows; `report.threads` is 1. With tuneIters > 0 the rounding
 * runs on the CPU path whatever the backend. Throws BackendUnavailableError when the backend named cannot run here.
 *
 * Memory: besides the caller's W and H, one shared copy of each (read by the energies), and the prepared U and
 * L, which the preparation makes in place from a second copy: 3 copies of W and of H at the peak (one more of H
 * with tuneIters > 0).
 *
 * @example
 * const q = await quantizeLinear(W, H, { codebook: 'e8p12', seed: 0, onProgress: (p) => console.log(p.stage, p.fraction) });
 * q.report.threads; // the workers the rounding ran on
 */
export async function quantizeLinear(W: MatrixInput, H: MatrixInput | QuipSharpHessianDict, options?: QuantizeLinearOptions): Promise<QuantizedLinear> {
  const fn = 'quantizeLinear';
  const o = resolveOptions(fn, options);
  // The tuning passes have no device kernel: with them the rounding stays on the CPU path.
  const mode = o.tuneIters > 0 ? 'cpu' : await resolveBackend(fn, o.backend);
  if (mode !== 'cpu') return quantizeOnDevice(fn, W, H, o, mode);
  const builtin = builtinCodebook(o.codebook.name) === o.codebook;
  if (!builtin || o.compat || !workersAvailable()) {
    await Promise.resolve();
    return quantizeLinearSync(W, H, { ...options, backend: 'cpu' });
  }
  if (o.signal?.aborted) throw abortError(o.signal);
  const { w, h } = readInputs(fn, W, H, o, sharedArray);
  const { rows: m, cols: n } = w;
  const threads = Math.max(1, Math.min(o.threads ?? (await availableCores()), m));
  const tracker = new ProgressTracker(o.onProgress);
  tracker.emit(0, 1);
  let workers: QuantizeWorker[] = [];
  const { failed, fail, release } = failureOrAbort(o.signal);
  let ok = false;
  try {
    workers = await acquireWorkers(threads);
    for (const worker of workers) worker.onFailure(fail);
    const sums = newRowSums(m, true);
    const energies: EnergiesJob = { W: w.data, H: h.data, m, n, control: new Int32Array(new SharedArrayBuffer(8)), energy: sums.energy };
    // Round-stage progress units: rounded column blocks, and the energy chunks left when the stage starts,
    // weighted alike in total (the two products cost about the same).
    const chunks = Math.ceil(m / ENERGY_CHUNK_ROWS);
    const blocks = (1 + o.tuneIters) * (n / o.codebook.dim) * threads;
    const progress = roundProgress(tracker, blocks, chunks, blocks / (1 + o.tuneIters) / chunks);
    // Workers 1.. compute energies while worker 0 prepares; they pause when it is done.
    const early = workers.slice(1).map((worker) => energiesOn(worker, energies, () => progress.chunk()));
    for (const e of early) e.catch(fail);
    const request: PrepareRequest = {
      type: 'prepare',
      W: w.data,
      H: h.data,
      m,
      n,
      codebook: o.codebook.name,
      incoherence: o.incoherence,
      seed: o.seed,
      sigmaReg: o.sigmaReg,
      rescale: o.rescale,
      keepHessian: o.tuneIters > 0,
      fn,
    };
    const p = await Promise.race([
      failed,
      exchange<PreparedLayer>(workers[0], request, (reply) => {
        if (reply.type === 'stage') tracker.enter(reply.stage);
        return reply.type === 'prepared' ? reply.layer : undefined;
      }),
    ]);
    // The others finish their chunk and pause; each round request waits behind its worker's energies request.
    Atomics.store(energies.control, 1, 1);
    progress.start();
    const codes = new Uint16Array(new SharedArrayBuffer(2 * codeCount(p, o)));
    const job: RowsJob = { m, n, U: p.U, L: p.L, D: p.D, Hp: p.Hp, tuneIters: o.tuneIters };
    await Promise.race([
      failed,
      Promise.all(
        workers.map((worker, t) =>
          exchange<true>(
            worker,
            { type: 'round', fn, job, codebook: o.codebook.name, r0: Math.floor((t * m) / threads), r1: Math.floor(((t + 1) * m) / threads), codes, sums, energies },
            (reply) => {
              if (reply.type === 'blocks') progress.blocks(reply.count);
              if (reply.type === 'energy-chunk') progress.chunk();
              return reply.type === 'rounded' ? true : undefined;
            },
          ),
        ),
      ),
    ]);
    ok = true;
    return finish(fn, { W: w.data, H: null, norm: norm2(w.data) }, p, o, codes.slice(), sums, threads, tracker);
  } finally {
    release();
    if (ok) releaseWorkers(workers);
    else await terminateWorkers(workers);
  }
}

/** compat 'quip-sharp' sign vectors: the given ones, else randomSigns(len, seed, stream) (QuIP#'s SV, SU sides). */
function signs(fn: string, arg: string, v: unknown, len: number, o: ResolvedOptions, stream: number): Float64Array {
  if (v === undefined) return Float64Array.from(randomSigns(len, o.seed, stream));
  return readSignVector(fn, arg, v, len);
}

/**
 * A promise that rejects with the first error given to `fail` (a worker's failure) or with an AbortError when
 * `signal` aborts, and `release()` to remove the abort listener when the work is over.
 */
function failureOrAbort(signal: AbortSignal | undefined) {
  let reject: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, r) => (reject = r));
  failed.catch(() => {});
  const onAbort = () => reject(abortError(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  return { failed, fail: (e: Error) => reject(e), release: () => signal?.removeEventListener('abort', onAbort) };
}

/**
 * Has `worker` compute row energies of the shared job until every row is claimed or its stop flag is raised;
 * resolves then (`onChunk()` after each chunk).
 */
function energiesOn(worker: QuantizeWorker, energies: EnergiesJob, onChunk: () => void): Promise<true> {
  return exchange<true>(worker, { type: 'energies', energies }, (reply) => {
    if (reply.type === 'energy-chunk') onChunk();
    return reply.type === 'energies-paused' ? true : undefined;
  });
}

/** Sends `request` and resolves with the first reply `pick` maps to a value; an error reply rejects. */
function exchange<T>(worker: QuantizeWorker, request: WorkerRequest, pick: (reply: WorkerReply) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.request(request, (reply) => {
      if (reply.type === 'error') {
        reject(deserializeError(reply.error));
        return true;
      }
      const value = pick(reply);
      if (value === undefined) return false;
      resolve(value);
      return true;
    });
  });
}
