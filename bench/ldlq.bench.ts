/**
 * LDLQ benchmarks.
 *
 * 1. cholesky / blockLDL (g = 8) for n = 1024, 2048, 4096, side by side with ml-matrix's CholeskyDecomposition,
 *    a straightforward dot-product Cholesky loop, and numpy.linalg.cholesky (OpenBLAS/LAPACK pinned to one
 *    thread) when python3 with numpy is present. The slow JS peers are skipped at n = 4096 (minutes).
 *    Matrix: the Kac-Murdock-Szego matrix rho^|i-j| (rho = 0.9) plus I, SPD with condition about 10.
 *    Targets: at n = 2048, at least 5x faster than ml-matrix and within 5x of OpenBLAS on one core.
 * 2. QuIP#'s rounding step on a 4096 x 4096 layer: blockLDL(H, 8) + buffered blockLDLQ with E8P12, H from
 *    1024 correlated (AR(1), rho = 0.9) random activations, regularizeHessian(H, 1e-2). The GFLOP/s of the
 *    feedback products (panels: U[:, <p0] += R_panel L[panel, <p0]; 16-column sub-panels inside each panel; about
 *    m n^2 flops in all) are measured by replaying those products alone on 1024 of the 4096 rows.
 *    Target: under 40 s on one core, against about 130 s for QuIP#'s own PyTorch code on one core of the machine
 *    these benchmarks were first run on (7 s for its block LDL, 122 s for its rounding).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { keep, measure, report, type Column, type Measurement, type MeasureOptions } from './harness.js';
import { blockLDL, blockLDLQ, choleskyInPlace, proxyLoss, regularizeHessian } from '../src/ldlq/index.js';
import { gemmAccumulate, useSimdGemm } from '../src/ldlq/gemm.js';
import { E8P12 } from '../src/lattice/index.js';
import { randomNormal } from '../src/random/index.js';
import { matrixFromRowMajor } from '../src/core/index.js';

/** KMS matrix rho^|i-j| + I, row-major. */
function kmsMatrix(n: number, rho: number): Float64Array {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] = rho ** Math.abs(i - j) + (i === j ? 1 : 0);
  return H;
}

/** The straightforward Cholesky: column by column, each entry one dot product over a row prefix. */
function naiveCholesky(A: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let p = 0; p < j; p++) s -= A[j * n + p] * A[j * n + p];
    const d = Math.sqrt(s);
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j];
      for (let p = 0; p < j; p++) t -= A[i * n + p] * A[j * n + p];
      A[i * n + j] = t / d;
    }
  }
}

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const NUMPY_SCRIPT = `
import sys, time, numpy as np
n, runs = int(sys.argv[2]), int(sys.argv[3])
H = np.fromfile(sys.argv[1], dtype=np.float64).reshape(n, n)
np.linalg.cholesky(H)
ts, cpu = [], []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    np.linalg.cholesky(H)
    ts.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
ts.sort()
print(ts[0] * 1e3, ts[len(ts) // 2] * 1e3, min(cpu) * 1e3)
`;

/** numpy.linalg.cholesky on the same matrix, one thread; undefined when numpy is absent. */
function numpyCholesky(H: Float64Array, n: number, runs: number): Measurement | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'quipsharp-ldlq-'));
  try {
    const file = join(dir, 'H.f64');
    writeFileSync(file, Buffer.from(H.buffer, H.byteOffset, H.byteLength));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const out = execFileSync('python3', ['-c', NUMPY_SCRIPT, file, String(n), String(runs)], { env, encoding: 'utf8' });
    const [best, median, cpu] = out.trim().split(/\s+/).map(Number);
    const name = 'numpy.linalg.cholesky (OpenBLAS, 1 thread)';
    bestCpuMs.set(name, cpu);
    return { name, ms: best, medianMs: median, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Best process CPU time of one call, by row name. The box is shared: wall time includes waiting for a core, CPU
 * time does not (it still feels the shared caches).
 */
const bestCpuMs = new Map<string, number>();

/** `measure`, also recording the best CPU time of one call in `bestCpuMs`. */
function timed(name: string, fn: () => void, options: MeasureOptions): Measurement {
  let best = Infinity;
  const m = measure(name, () => {
    const c0 = process.cpuUsage();
    fn();
    best = Math.min(best, process.cpuUsage(c0).user / 1e3);
  }, options);
  bestCpuMs.set(name, best);
  return m;
}

const cpuColumn: Column = { header: 'best CPU ms', cell: (m) => bestCpuMs.get(m.name)?.toFixed(1) ?? '' };

function gflops(flops: number): Column {
  return { header: 'GFLOP/s', cell: (m: Measurement) => (flops / m.ms / 1e6).toFixed(2) };
}

function factorizationBenchmarks(numpy: boolean): void {
  for (const n of [1024, 2048, 4096]) {
    const H = kmsMatrix(n, 0.9);
    const Hm = matrixFromRowMajor(H, n, n);
    const work = new Float64Array(n * n);
    const fast: MeasureOptions = n <= 1024 ? { warmup: 1, minRuns: 3, minTotalMs: 0 } : n <= 2048 ? { warmup: 1, minRuns: 2, minTotalMs: 0 } : { warmup: 0, minRuns: 1, minTotalMs: 0 };
    const once: MeasureOptions = { warmup: 0, minRuns: n <= 1024 ? 2 : 1, minTotalMs: 0 };
    const rows: Measurement[] = [];
    const ours = timed('quipsharp choleskyInPlace', () => {
      work.set(H);
      keep(choleskyInPlace(work, n));
    }, fast);
    rows.push(ours, timed('quipsharp blockLDL (g = 8)', () => keep(blockLDL(Hm, 8).L.data), fast));
    // the same factorization on the scalar JavaScript micro-kernel (the fallback where WebAssembly SIMD is missing)
    const simd = useSimdGemm(false);
    const scalar = timed('quipsharp choleskyInPlace, scalar GEMM kernel', () => {
      work.set(H);
      keep(choleskyInPlace(work, n));
    }, fast);
    useSimdGemm(true);
    rows.push(scalar);
    const skipped: string[] = [];
    if (n <= 2048) {
      const ml = new MlMatrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ml.set(i, j, H[i * n + j]);
      rows.push(timed('ml-matrix CholeskyDecomposition', () => keep(new CholeskyDecomposition(ml).lowerTriangularMatrix.get(0, 0)), once));
      rows.push(timed('straightforward dot-product loop', () => {
        work.set(H);
        naiveCholesky(work, n);
        keep(work);
      }, once));
    } else {
      skipped.push('ml-matrix and the straightforward loop skipped at n = 4096 (about 8x their n = 2048 times: minutes)');
    }
    const np = numpy ? numpyCholesky(H, n, n <= 2048 ? 5 : 3) : undefined;
    if (np) rows.push(np);
    report(`Cholesky, n = ${n} (float64, n^3 / 3 flops)`, rows, ours, [cpuColumn, gflops(n ** 3 / 3)]);
    for (const s of skipped) console.log(`(${s})`);
    const ml = rows.find((r) => r.name.startsWith('ml-matrix'));
    const cpuRatio = (a: Measurement, b: Measurement) => (bestCpuMs.get(a.name)! / bestCpuMs.get(b.name)!).toFixed(1);
    if (simd) console.log(`the WebAssembly SIMD GEMM kernel makes choleskyInPlace ${(scalar.ms / ours.ms).toFixed(2)}x faster than the scalar kernel`);
    if (ml) console.log(`quipsharp cholesky is ${(ml.ms / ours.ms).toFixed(1)}x faster than ml-matrix (CPU time: ${cpuRatio(ml, ours)}x)`);
    if (np) console.log(`quipsharp cholesky takes ${(ours.ms / np.ms).toFixed(1)}x numpy/OpenBLAS's time, one thread (CPU time: ${cpuRatio(ours, np)}x)`);
    if (n === 2048) {
      // judged on CPU time, which waiting for a core on a shared machine does not inflate
      const cpuMs = (r: Measurement) => bestCpuMs.get(r.name)!;
      const met = (ok: boolean) => (ok ? 'met' : 'not met');
      if (ml) console.log(`target at least 5x faster than ml-matrix (CPU time): ${met(cpuMs(ml) / cpuMs(ours) >= 5)}`);
      if (np) console.log(`target within 5x of OpenBLAS on one core (CPU time): ${met(cpuMs(ours) / cpuMs(np) <= 5)}`);
    }
    console.log('');
  }
  if (!numpy) console.log('(numpy not available: python3 -c "import numpy" failed, numpy column omitted)\n');
}

/** H = X^T X / N for N activations with AR(1) correlation rho across the n features, then regularized. */
function activationHessian(n: number, N: number, rho: number): Float64Array {
  const X = randomNormal(N * n, 2, 0);
  const c = Math.sqrt(1 - rho * rho);
  for (let t = 0; t < N; t++) for (let j = 1; j < n; j++) X[t * n + j] = rho * X[t * n + j - 1] + c * X[t * n + j];
  const H = new Float64Array(n * n);
  gemmAccumulate(n, n, N, { data: X, offset: 0, ld: n, trans: true }, { data: X, offset: 0, ld: n, trans: false }, H, 0, n);
  for (let i = 0; i < H.length; i++) H[i] /= N;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[j * n + i] = H[i * n + j]; // exact symmetry
  return regularizeHessian(matrixFromRowMajor(H, n, n), 1e-2).data;
}

function roundingBenchmark(): void {
  const m = 4096;
  const n = 4096;
  const g = E8P12.dim;
  const panel = 128;
  let t0 = performance.now();
  const H = activationHessian(n, 1024, 0.9);
  const Hm = matrixFromRowMajor(H, n, n);
  const W = randomNormal(m * n, 3, 0);
  for (let i = 0; i < W.length; i++) W[i] *= E8P12.optScale; // rms(W) / optScale = 1
  const Wm = matrixFromRowMajor(W, m, n);
  console.log(`setup (H from 1024 activations, W): ${((performance.now() - t0) / 1e3).toFixed(1)} s`);

  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  const { L } = blockLDL(Hm, g);
  const ldlMs = performance.now() - t0;
  const cpu1 = process.cpuUsage();
  t0 = performance.now();
  const { What } = blockLDLQ(Wm, null, E8P12, { L, panelColumns: panel });
  const ldlqMs = performance.now() - t0;
  const cpu2 = process.cpuUsage();
  keep(What.data);
  // Proxy loss per row on the first 256 rows (the full m x n x n product would take longer than the rounding).
  const rowsScored = 256;
  const head = (A: Float64Array) => matrixFromRowMajor(A.subarray(0, rowsScored * n), rowsScored, n);
  const nearest = E8P12.quantize(W.subarray(0, rowsScored * n)).values;
  const lossLDLQ = proxyLoss(head(W), head(What.data), Hm) / rowsScored;
  const lossNearest = proxyLoss(head(W), head(nearest), Hm) / rowsScored;

  // Replay of the feedback products alone (panel and sub-panel levels, as blockLDLQ issues them), on 1024 rows.
  const rowsReplayed = 1024;
  const sub = 16;
  const R = randomNormal(rowsReplayed * panel, 4, 0);
  const U = new Float64Array(rowsReplayed * n);
  const Ld = L.data;
  let flops = 0;
  const push = (q0: number, q1: number, c0: number, c1: number) => {
    gemmAccumulate(rowsReplayed, c1 - c0, q1 - q0, { data: R, offset: 0, ld: panel, trans: false }, { data: Ld, offset: q0 * n + c0, ld: n, trans: false }, U, c0, n, true);
    flops += 2 * rowsReplayed * (c1 - c0) * (q1 - q0);
  };
  t0 = performance.now();
  for (let p1 = n; p1 > 0; p1 -= panel) {
    const p0 = p1 - panel;
    for (let q1 = p1; q1 > p0 + sub; q1 -= sub) push(q1 - sub, q1, p0, q1 - sub);
    if (p0 > 0) push(p0, p1, 0, p0);
  }
  const gemmMs = performance.now() - t0;
  keep(U);
  const gemmRate = flops / gemmMs / 1e6;
  const fullFeedbackFlops = (flops * m) / rowsReplayed;

  // Each step against QuIP#'s PyTorch code timed on one core (the reference figures of the module comment).
  const cpuS = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user) / 1e6;
  const steps: Array<[string, number, number, number]> = [
    ['blockLDL(H, 8)', ldlMs / 1e3, cpuS(cpu0, cpu1), 7],
    ['blockLDLQ (buffered)', ldlqMs / 1e3, cpuS(cpu1, cpu2), 122],
    ['total', (ldlMs + ldlqMs) / 1e3, cpuS(cpu0, cpu2), 130],
  ];
  console.log(`### QuIP# rounding step, W ${m} x ${n}, E8P12 (g = 8), buffered panels of ${panel} columns (one run)\n`);
  console.log('| step | quipsharp wall s | quipsharp CPU s | QuIP# PyTorch, 1 core (reference) s | speedup (wall) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, wall, cpu, ref] of steps) {
    console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${ref} | ${(ref / wall).toFixed(1)}x |`);
  }
  console.log('');
  console.log(`feedback products: ${(fullFeedbackFlops / 1e9).toFixed(1)} GFLOP in all, ${gemmRate.toFixed(2)} GFLOP/s replayed alone ` +
    `(so about ${(fullFeedbackFlops / gemmRate / 1e9).toFixed(1)} s of the blockLDLQ time)`);
  console.log(`proxy loss per row, first ${rowsScored} rows: BlockLDLQ ${lossLDLQ.toFixed(2)}, nearest E8P12 rounding ${lossNearest.toFixed(2)} ` +
    `(ratio ${(lossLDLQ / lossNearest).toFixed(3)})\n`);
  console.log(`target blockLDL + blockLDLQ under 40 s on one core (CPU time): ${cpuS(cpu0, cpu2) < 40 ? 'met' : 'not met'}\n`);
}

const loadAverage = () => `load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} on ${os.cpus().length} cores`;

export default function ldlqBenchmarks(): void {
  console.log(`at start: ${loadAverage()}`);
  const numpy = hasNumpy();
  console.log(numpy ? 'numpy found: numpy.linalg.cholesky runs as a peer (OPENBLAS_NUM_THREADS=1)\n' : 'numpy not found\n');
  factorizationBenchmarks(numpy);
  console.log(`after the factorizations: ${loadAverage()}\n`);
  roundingBenchmark();
  console.log(`at the end: ${loadAverage()}`);
}
