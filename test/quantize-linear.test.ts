import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import {
  E8P12,
  incoherenceRHT,
  matrixFromRowMajor,
  NotPositiveDefiniteError,
  proxyLoss,
  quantizeLinear,
  quantizeLinearSync,
  QuantizedLinear,
  randomNormal,
  ScalarCodebook,
  type Matrix,
  type QuantizeProgress,
} from '../src/index.js';
import { exampleLayer } from '../src/index.js';

const { W, H } = exampleLayer(64, 256, 1024, 7);

function relativeProxy(Wm: Matrix, What: Matrix, Hm: Matrix): number {
  return proxyLoss(Wm, What, Hm) / proxyLoss(Wm, matrixFromRowMajor(new Float64Array(Wm.data.length), Wm.shape[0], Wm.shape[1]), Hm);
}

/** W_hat x by the materialized W_hat, in float64. */
function denseMatvec(Wq: Matrix, x: ArrayLike<number>): Float64Array {
  const [m, n] = Wq.shape;
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Wq.data[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

describe('quantizeLinearSync', () => {
  const q = quantizeLinearSync(W, H, { seed: 5 });

  it('keeps codes, record and scales; reports the proxy loss with the H the user gave', () => {
    expect(q.outFeatures).toBe(64);
    expect(q.inFeatures).toBe(256);
    expect(q.codebook).toBe('E8P12');
    expect(q.codes.length).toBe((64 * 256) / 8);
    expect(q.incoherence.method).toBe('rht');
    const r = q.report!;
    const Wq = q.dequantize();
    expect(Math.abs(r.proxyLoss / proxyLoss(W, Wq, H) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.relativeProxyLoss / relativeProxy(W, Wq, H) - 1)).toBeLessThan(1e-9);
    let num = 0;
    let den = 0;
    for (let k = 0; k < W.data.length; k++) {
      num += (W.data[k] - Wq.data[k]) ** 2;
      den += W.data[k] ** 2;
    }
    expect(Math.abs(r.weightError / Math.sqrt(num / den) - 1)).toBeLessThan(1e-12);
    expect(r.bitsPerWeight).toBeCloseTo(2 + (64 + 256 + 64) / (64 * 256), 12);
    expect(r.retries).toBe(0);
    expect(r.sigmaReg).toBe(1e-2);
    expect(r.threads).toBe(1);
    expect(r.seconds.total).toBeGreaterThan(0);
  });

  it('is deterministic for a seed, and the seed changes the signs', () => {
    const again = quantizeLinearSync(W, H, { seed: 5 });
    expect(again.codes).toEqual(q.codes);
    const other = quantizeLinearSync(W, H, { seed: 6 });
    expect(other.codes).not.toEqual(q.codes);
  });

  it('matvec equals dequantize() x to 1e-10 (float64) and 1e-5 (float32); matmul equals matvec row by row', () => {
    const Wq = q.dequantize();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const x = Float64Array.from(randomNormal(256, seed));
        expect(maxRelDiff(q.matvec(x), denseMatvec(Wq, x))).toBeLessThan(1e-10);
        const x32 = Float32Array.from(x);
        const y32 = q.matvec(x32);
        expect(y32).toBeInstanceOf(Float32Array);
        expect(maxRelDiff(y32, denseMatvec(Wq, x32))).toBeLessThan(1e-5);
      }),
      { numRuns: 20 },
    );
    const B = 5;
    const X = matrixFromRowMajor(Float64Array.from(randomNormal(B * 256, 3)), B, 256);
    const Y = q.matmul(X);
    expect(Y.shape).toEqual([B, 64]);
    for (let b = 0; b < B; b++) {
      const yb = q.matvec(X.data.slice(b * 256, (b + 1) * 256));
      expect(maxRelDiff(Y.data.subarray(b * 64, (b + 1) * 64), yb)).toBeLessThan(1e-12);
    }
  });

  it('matvec writes into out, which may be x itself', () => {
    const sq = quantizeLinearSync(W, H, { seed: 1 });
    const x = Float64Array.from(randomNormal(256, 4));
    const expected = sq.matvec(x);
    const square = quantizeLinearSync(matrixFromRowMajor(Float64Array.from(randomNormal(256 * 256, 8)), 256, 256), H, { seed: 1 });
    const y = square.matvec(x);
    const inPlace = x.slice();
    expect(square.matvec(inPlace, inPlace)).toBe(inPlace);
    expect(inPlace).toEqual(y);
    const out = new Float64Array(64);
    expect(sq.matvec(x, out)).toBe(out);
    expect(out).toEqual(expected);
  });

  it('every codebook and incoherence method: matvec = dequantize x, and the report matches proxyLoss', () => {
    for (const codebook of ['e8p12', 'e8p12-rvq3', 'e8p12-rvq4', new ScalarCodebook(2, 8)] as const) {
      for (const incoherence of ['auto', 'rht', 'rfft', 'none'] as const) {
        const r = quantizeLinearSync(W, H, { seed: 2, codebook, incoherence, rescale: incoherence === 'rfft' });
        const Wq = r.dequantize();
        const x = Float64Array.from(randomNormal(256, 11));
        expect(maxRelDiff(r.matvec(x), denseMatvec(Wq, x))).toBeLessThan(1e-10);
        expect(Math.abs(r.report!.proxyLoss / proxyLoss(W, Wq, H) - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('takes any ndarray view of W and H (strides, offset, float32)', () => {
    const [m, n] = W.shape;
    const padded = new Float32Array(2 * m * n + 3);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) padded[3 + j * 2 * m + 2 * i] = W.data[i * n + j];
    const view = ndarray(padded, [m, n], [2, 2 * m], 3);
    const a = quantizeLinearSync(view, H, { seed: 5 });
    const b = quantizeLinearSync(matrixFromRowMajor(Float64Array.from(Float32Array.from(W.data)), m, n), H, { seed: 5 });
    expect(a.codes).toEqual(b.codes);
  });
});

describe('quality on a layer with outlier input channels and correlated activations', () => {
  it('auto + BlockLDLQ + E8P12 beats no incoherence, RHT + nearest rounding and a quarter of 2-bit scalar rounding; RVQ4 < RVQ3 < E8P12', () => {
    const loss = (o: Parameters<typeof quantizeLinearSync>[2]) => quantizeLinearSync(W, H, { seed: 3, ...o }).report!.relativeProxyLoss;
    const e8 = loss({});
    const none = loss({ incoherence: 'none' });
    // RHT + nearest rounding of W' / scale (no feedback), as a layer with the same record
    const [m, n] = W.shape;
    const p = incoherenceRHT(W, H, { seed: 3 });
    const wp = p.W.data;
    let ss = 0;
    for (const v of wp) ss += v * v;
    const s = Math.sqrt(ss / wp.length) / E8P12.optScale;
    const nearest = new QuantizedLinear({
      outFeatures: m,
      inFeatures: n,
      codebook: 'E8P12',
      codes: E8P12.quantize(wp.map((v) => v / s)).codes,
      incoherence: { method: 'rht', seed: 3, signsU: p.signsU, signsV: p.signsV },
      scale: s,
      rescale: null,
    });
    const rhtNearest = relativeProxy(W, nearest.dequantize(), H);
    // 2-bit round-to-nearest with one scale per tensor
    let wss = 0;
    for (const v of W.data) wss += v * v;
    const sc = new ScalarCodebook(2, 1);
    const t = Math.sqrt(wss / W.data.length) / sc.optScale;
    const rtn = matrixFromRowMajor(sc.quantize(W.data.map((v) => v / t)).values.map((v) => v * t), m, n);
    const scalar = relativeProxy(W, rtn, H);
    expect(e8).toBeLessThan(none);
    expect(e8).toBeLessThan(rhtNearest);
    expect(e8).toBeLessThan(scalar / 4);
    const rvq3 = loss({ codebook: 'e8p12-rvq3' });
    const rvq4 = loss({ codebook: 'e8p12-rvq4' });
    expect(rvq4).toBeLessThan(rvq3);
    expect(rvq3).toBeLessThan(e8);
  });
});

describe('the regularization retry', () => {
  // A rank-deficient Hessian (16 samples, n = 64) accumulated with a little too much subtracted, as a float32
  // accumulation can leave it: H = X^T X - delta I, with delta / mean(diag H) = 2 sigmaReg. H / mu + sigma I then has
  // eigenvalue -sigma on the null space of X (no factorization), and H / mu + 10 sigma I eigenvalue 8 sigma.
  const n = 64;
  const X = randomNormal(16 * n, 9);
  const A = new Float64Array(n * n);
  for (let s = 0; s < 16; s++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] += X[s * n + i] * X[s * n + j];
  let a = 0;
  for (let i = 0; i < n; i++) a += A[i * n + i] / n;
  const sigma = 1e-2;
  const delta = (2 * sigma * a) / (1 + 2 * sigma);
  for (let i = 0; i < n; i++) A[i * n + i] -= delta;
  const Hr = matrixFromRowMajor(A, n, n);
  const Wr = matrixFromRowMajor(Float64Array.from(randomNormal(16 * n, 10)), 16, n);

  it('retries once with 10 x sigmaReg and says so in the report', async () => {
    const q = quantizeLinearSync(Wr, Hr, { sigmaReg: sigma });
    expect(q.report!.retries).toBe(1);
    expect(q.report!.sigmaReg).toBeCloseTo(10 * sigma, 15);
    const qa = await quantizeLinear(Wr, Hr, { sigmaReg: sigma, threads: 2 });
    expect(qa.codes).toEqual(q.codes);
    expect(qa.report!.retries).toBe(1);
  });
  it('throws NotPositiveDefiniteError naming the pivot when the retry fails too', async () => {
    expect(() => quantizeLinearSync(Wr, Hr, { sigmaReg: 0 })).toThrow(NotPositiveDefiniteError);
    expect(() => quantizeLinearSync(Wr, Hr, { sigmaReg: 0 })).toThrow(
      /quantizeLinearSync: H \(regularized with sigmaReg = 0 after a retry\) must be symmetric positive definite, but pivot \d+ is/,
    );
    await expect(quantizeLinear(Wr, Hr, { sigmaReg: 0, threads: 2 })).rejects.toBeInstanceOf(NotPositiveDefiniteError);
  });
});

describe('quantizeLinear on worker threads', () => {
  it('gives the same codes and report for 1, 2 and 3 threads as quantizeLinearSync', async () => {
    const sync = quantizeLinearSync(W, H, { seed: 4, codebook: 'e8p12-rvq3' });
    for (const threads of [1, 2, 3]) {
      const q = await quantizeLinear(W, H, { seed: 4, codebook: 'e8p12-rvq3', threads });
      expect(q.codes).toEqual(sync.codes);
      expect(q.report!.threads).toBe(threads);
      expect(q.report!.proxyLoss).toBe(sync.report!.proxyLoss);
      expect(q.report!.relativeProxyLoss).toBe(sync.report!.relativeProxyLoss);
    }
  });

  it('onProgress is monotone and ends at fraction 1, through every stage', async () => {
    const seen: QuantizeProgress[] = [];
    await quantizeLinear(W, H, { threads: 2, onProgress: (p) => seen.push(p) });
    for (let i = 1; i < seen.length; i++) expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
    expect(seen.at(-1)!.fraction).toBe(1);
    expect(new Set(seen.map((p) => p.stage))).toEqual(new Set(['prepare', 'incoherence', 'factorize', 'round', 'report']));
    const syncSeen: number[] = [];
    quantizeLinearSync(W, H, { onProgress: (p) => syncSeen.push(p.fraction) });
    expect(syncSeen.at(-1)).toBe(1);
  });

  it('abort rejects with an AbortError within a second and leaves no worker running', async () => {
    const big = exampleLayer(512, 1024, 1024, 3);
    const controller = new AbortController();
    const started = performance.now();
    const run = quantizeLinear(big.W, big.H, { threads: 2, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(300 + 1000);
    // the aborted call's workers are terminated at once; idle pooled workers of earlier calls within 2 s
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const handles = (process as unknown as { _getActiveHandles(): { constructor: { name: string } }[] })._getActiveHandles();
    expect(handles.filter((h) => h.constructor.name === 'Worker')).toHaveLength(0);
    const pre = new AbortController();
    pre.abort();
    await expect(quantizeLinear(W, H, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => quantizeLinearSync(W, H, { signal: pre.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});

describe('bad input', () => {
  it('shapes that disagree, n not a multiple of the codebook dim, non-finite entries', () => {
    expect(() => quantizeLinearSync(W, matrixFromRowMajor(new Float64Array(128 * 128), 128, 128))).toThrow(/quantizeLinearSync: H must be of shape \[256, 256\]/);
    const W12 = matrixFromRowMajor(new Float64Array(8 * 12).fill(1), 8, 12);
    const H12 = matrixFromRowMajor(Float64Array.from({ length: 144 }, (_, k) => (k % 13 === 0 ? 1 : 0)), 12, 12);
    expect(() => quantizeLinearSync(W12, H12)).toThrow(/W\.shape\[1\] must be a multiple of the codebook's dim 8/);
    const bad = W.data.slice();
    bad[77] = NaN;
    expect(() => quantizeLinearSync(matrixFromRowMajor(bad, 64, 256), H)).toThrow(/quantizeLinearSync: W must be finite everywhere, got NaN at index 77/);
  });
  it('unknown codebook, incoherence or option names; sizes the chosen incoherence does not support', async () => {
    expect(() => quantizeLinearSync(W, H, { codebook: 'e8p13' as never })).toThrow(/options\.codebook must be 'e8p12'/);
    expect(() => quantizeLinearSync(W, H, { incoherence: 'hadamard' as never })).toThrow(/options\.incoherence must be 'auto', 'rht', 'rfft' or 'none'/);
    expect(() => quantizeLinearSync(W, H, { sigmaReg: -1 })).toThrow(RangeError);
    expect(() => quantizeLinearSync(W, H, { seeds: 1 } as never)).toThrow(/unknown key "seeds"/);
    expect(() => quantizeLinearSync(W, H, { threads: 0 })).toThrow(RangeError);
    await expect(quantizeLinear(W, H, { tuneIters: -1 })).rejects.toThrow(/quantizeLinear: options\.tuneIters/);
    const W40 = matrixFromRowMajor(Float64Array.from(randomNormal(40 * 24, 1)), 40, 24); // 40 rows: no Hadamard order pair with...
    const H24 = matrixFromRowMajor(Float64Array.from({ length: 576 }, (_, k) => (k % 25 === 0 ? 1 : 0)), 24, 24);
    expect(() => quantizeLinearSync(matrixFromRowMajor(Float64Array.from(randomNormal(6 * 24, 1)), 6, 24), H24, { incoherence: 'rht' })).toThrow(
      /W\.shape\[0\] must be a Hadamard order for incoherence 'rht'/,
    );
    expect(() => quantizeLinearSync(matrixFromRowMajor(Float64Array.from(randomNormal(7 * 24, 1)), 7, 24), H24)).toThrow(/W\.shape\[0\] must be even for incoherence 'auto'/);
    expect(quantizeLinearSync(W40, H24, { incoherence: 'none' }).codes.length).toBe(40 * 3);
  });
  it('an all-zero layer quantizes to exactly zero', () => {
    const Z = matrixFromRowMajor(new Float64Array(64 * 256), 64, 256);
    const q = quantizeLinearSync(Z, H);
    expect(q.scale).toBe(0);
    expect(Array.from(q.dequantize().data).every((v) => v === 0)).toBe(true);
    expect(q.report!.relativeProxyLoss).toBe(0);
    expect(q.report!.weightError).toBe(0);
  });
});
