import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { blockLDL, blockLDLQ, ldl, proxyLoss, regularizeHessian } from '../src/ldlq/index.js';
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ScalarCodebook, type Codebook } from '../src/lattice/index.js';
import { incoherenceRHT } from '../src/incoherence/index.js';
import { randomNormal, randomUniform } from '../src/random/index.js';
import { matrixFromRowMajor, type Matrix } from '../src/core/index.js';
import { NotPositiveDefiniteError, NotSymmetricError } from '../src/errors/index.js';

const mat = (data: Float64Array, rows: number, cols: number) => matrixFromRowMajor(data, rows, cols);

/**
 * Proxy Hessian of N activations with AR(1) correlation rho across features, x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j:
 * H = X^T X / N, regularized as QuIP# does.
 */
function activationHessian(n: number, N: number, rho: number, seed: number, sigma = 1e-2): Matrix {
  const Z = randomNormal(N * n, seed, 11);
  const X = new Float64Array(N * n);
  const c = Math.sqrt(1 - rho * rho);
  for (let t = 0; t < N; t++) {
    X[t * n] = Z[t * n];
    for (let j = 1; j < n; j++) X[t * n + j] = rho * X[t * n + j - 1] + c * Z[t * n + j];
  }
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) {
    let s = 0;
    for (let t = 0; t < N; t++) s += X[t * n + a] * X[t * n + b];
    H[a * n + b] = s / N;
    H[b * n + a] = s / N;
  }
  return regularizeHessian(mat(H, n, n), sigma);
}

/** W (m x n) Gaussian with a heavy column scale profile, scaled for a codebook with optScale. */
function randomLayer(m: number, n: number, seed: number, scale = 1): Float64Array {
  const W = randomNormal(m * n, seed, 12);
  const u = randomUniform(n, seed, 13);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) W[i * n + j] *= scale * (0.5 + 2 * u[j] ** 4);
  return W;
}

/**
 * Plain nearest rounding: every g-vector of every row quantized on its own. Row-major W (m x n, g | n) read as
 * consecutive g-vectors is exactly (row i, block k) at vector i n / g + k, the layout of blockLDLQ's codes.
 */
function nearest(W: Float64Array, cb: Codebook): { What: Float64Array; codes: Uint16Array } {
  const { codes, values } = cb.quantize(W);
  return { What: values, codes };
}

const codebooks: Codebook[] = [new ScalarCodebook(2, 1), new ScalarCodebook(3, 1), new ScalarCodebook(2, 8), E8P12];
const codebookArb = fc.constantFrom(...codebooks);

/** A random rounding problem: m x n layer and an n x n Hessian for the codebook's block size. */
const problem = fc
  .record({
    cb: codebookArb,
    m: fc.integer({ min: 1, max: 12 }),
    blocks: fc.integer({ min: 1, max: 12 }),
    rho: fc.constantFrom(0, 0.5, 0.95),
    seed: fc.nat(10_000),
  })
  .map(({ cb, m, blocks, rho, seed }) => {
    const n = cb.dim * blocks;
    return { cb, m, n, seed, W: randomLayer(m, n, seed, 1.2), H: activationHessian(n, 2 * n + 8, rho, seed) };
  });

describe('blockLDLQ', () => {
  it('with the identity H (or any diagonal H) is plain nearest rounding', () => {
    fc.assert(
      fc.property(problem, fc.boolean(), ({ cb, m, n, W, seed }, buffered) => {
        const d = randomUniform(n, seed, 3);
        const H = new Float64Array(n * n);
        for (let i = 0; i < n; i++) H[i * n + i] = 0.1 + d[i];
        const ref = nearest(W, cb);
        const out = blockLDLQ(mat(W, m, n), mat(H, n, n), cb, { buffered, tuneIters: 1 });
        expect(out.What.data).toEqual(ref.What);
        expect(out.codes).toEqual(ref.codes);
      }),
      { numRuns: 30 },
    );
  });

  it('with g = 1 and a scalar codebook equals the naive scalar LDLQ definition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(10_000),
        fc.boolean(),
        (m, n, bits, seed, buffered) => {
          const cb = new ScalarCodebook(bits, 1);
          const W = randomLayer(m, n, seed, 1.5);
          const H = activationHessian(n, n + 5, 0.9, seed);
          // QuIP's LDLQ written out: L from the LDL of H, columns from the last to the first,
          // x = W_ik + sum_{p > k} (W - What)_ip L_pk (p from n-1 down), What_ik = nearest grid level (ties up).
          const L = ldl(H).L.data;
          const grid = Array.from({ length: 2 ** bits }, (_, j) => (j - (2 ** bits - 1) / 2) * cb.step);
          const What = new Float64Array(m * n);
          const codes = new Uint16Array(m * n);
          for (let k = n - 1; k >= 0; k--) {
            for (let i = 0; i < m; i++) {
              let x = W[i * n + k];
              for (let p = n - 1; p > k; p--) x += (W[i * n + p] - What[i * n + p]) * L[p * n + k];
              let best = 0;
              for (let j = 1; j < grid.length; j++) if (Math.abs(x - grid[j]) <= Math.abs(x - grid[best])) best = j;
              What[i * n + k] = grid[best];
              codes[i * n + k] = best;
            }
          }
          const out = blockLDLQ(mat(W, m, n), H, cb, { buffered, panelColumns: 1 + (seed % 9) });
          expect(out.What.data).toEqual(What);
          expect(out.codes).toEqual(codes);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('buffered (any panel width) gives bit for bit the codes, points and quantizer inputs of the plain sweep', () => {
    fc.assert(
      fc.property(problem, fc.integer({ min: 1, max: 6 }), ({ cb, m, n, W, H }, panelBlocks) => {
        const plain = blockLDLQ(mat(W, m, n), H, cb, { buffered: false, returnRounded: true });
        const buffered = blockLDLQ(mat(W, m, n), H, cb, { panelColumns: panelBlocks * cb.dim, returnRounded: true });
        const dflt = blockLDLQ(mat(W, m, n), H, cb, { returnRounded: true });
        expect(buffered.codes).toEqual(plain.codes);
        expect(buffered.What.data).toEqual(plain.What.data);
        expect(buffered.rounded!.data).toEqual(plain.rounded!.data);
        expect(dflt.codes).toEqual(plain.codes);
      }),
      { numRuns: 40 },
    );
  });

  it('buffered equals plain bit for bit on a layer spanning several default 128-column panels', () => {
    const m = 24;
    const n = 8 * 50;
    const W = randomLayer(m, n, 77, 1.1);
    const H = activationHessian(n, 2 * n, 0.9, 77);
    for (const cb of [E8P12, new ScalarCodebook(2, 1)]) {
      const plain = blockLDLQ(mat(W, m, n), H, cb, { buffered: false });
      const buffered = blockLDLQ(mat(W, m, n), H, cb);
      expect(buffered.codes).toEqual(plain.codes);
      expect(buffered.What.data).toEqual(plain.What.data);
    }
  });

  it('exact identity: W - What = -E L^-1 and proxyLoss = sum_k tr(E_k D_k E_k^T), E = What - rounded (1e-9 relative)', () => {
    fc.assert(
      fc.property(problem, ({ cb, m, n, W, H }) => {
        const g = cb.dim;
        const { L, D } = blockLDL(H, g);
        const out = blockLDLQ(mat(W, m, n), H, cb, { returnRounded: true });
        const What = out.What.data;
        const X = out.rounded!.data;
        const l = L.data;
        // (W - What) L = -E, entry by entry
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) {
          let s = 0;
          for (let p = 0; p < n; p++) s += (W[i * n + p] - What[i * n + p]) * l[p * n + c];
          const e = What[i * n + c] - X[i * n + c];
          worst = Math.max(worst, Math.abs(s + e));
          scale = Math.max(scale, Math.abs(e), Math.abs(s));
        }
        expect(worst).toBeLessThanOrEqual(1e-9 * scale);
        // sum_k tr(E_k D_k E_k^T)
        let blockSum = 0;
        for (let k = 0; k < n / g; k++) {
          const Dk = D.subarray(k * g * g, (k + 1) * g * g);
          for (let i = 0; i < m; i++) for (let s = 0; s < g; s++) for (let t = 0; t < g; t++) {
            const es = What[i * n + k * g + s] - X[i * n + k * g + s];
            const et = What[i * n + k * g + t] - X[i * n + k * g + t];
            blockSum += es * Dk[s * g + t] * et;
          }
        }
        const loss = proxyLoss(mat(W, m, n), out.What, H);
        expect(Math.abs(loss - blockSum)).toBeLessThanOrEqual(1e-9 * Math.abs(loss));
      }),
      { numRuns: 40 },
    );
  });

  it('codes decode to What (layout m x (n / g) x codeWords); options.L gives the same result as H', () => {
    fc.assert(
      fc.property(problem, ({ cb, m, n, W, H }) => {
        const out = blockLDLQ(mat(W, m, n), H, cb);
        expect(out.codes.length).toBe(m * (n / cb.dim) * cb.codeWords);
        expect(cb.decodeRows(out.codes)).toEqual(out.What.data);
        const viaL = blockLDLQ(mat(W, m, n), null, cb, { L: blockLDL(H, cb.dim).L });
        expect(viaL.codes).toEqual(out.codes);
      }),
      { numRuns: 25 },
    );
  });

  it('rows are independent: any split of the rows (same L and H) gives the codes of all rows at once, bit for bit', () => {
    // What a worker split relies on: every product sums in an order that does not depend on the number of rows
    // (the GEMM's contract), and the codebooks quantize each vector on its own. m crosses the GEMM's 64-row
    // blocks and 4-row tiles, n the default 128-column panel.
    const cbs = fc.constantFrom<Codebook>(E8P12, E8P12RVQ3B, E8P12RVQ4B, new ScalarCodebook(2, 1), new ScalarCodebook(3, 8));
    fc.assert(
      fc.property(cbs, fc.integer({ min: 2, max: 140 }), fc.integer({ min: 1, max: 20 }), fc.nat(), fc.nat(), fc.constantFrom(0, 1), fc.boolean(), fc.nat(1000), (cb, m, blocks, a, b, tuneIters, buffered, seed) => {
        const n = cb.dim * blocks;
        const W = randomLayer(m, n, seed, cb.optScale);
        const H = activationHessian(n, n + 16, 0.9, seed);
        const L = blockLDL(H, cb.dim).L;
        const options = { L, tuneIters, buffered, returnRounded: true };
        const all = blockLDLQ(mat(W, m, n), H, cb, options);
        // up to three row ranges, as three threads would take them
        const cuts = [0, ...new Set([1 + (a % (m - 1)), 1 + (b % (m - 1))].sort((x, y) => x - y)), m];
        const codes: number[] = [];
        const What: number[] = [];
        const rounded: number[] = [];
        for (let r = 0; r + 1 < cuts.length; r++) {
          const part = blockLDLQ(mat(W.slice(cuts[r] * n, cuts[r + 1] * n), cuts[r + 1] - cuts[r], n), H, cb, options);
          codes.push(...part.codes);
          What.push(...part.What.data);
          rounded.push(...part.rounded!.data);
        }
        expect(Uint16Array.from(codes)).toEqual(all.codes);
        expect(Float64Array.from(What)).toEqual(all.What.data);
        expect(Float64Array.from(rounded)).toEqual(all.rounded!.data);
      }),
      { numRuns: 25 },
    );
  });

  it('reads strided float32 views of W', () => {
    const m = 5;
    const n = 16;
    const W = randomLayer(m, n, 4);
    const H = activationHessian(n, 40, 0.5, 4);
    const Wt = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Wt[j * m + i] = W[i * n + j];
    const view = ndarray(Wt, [m, n], [1, m]);
    const ref = blockLDLQ(mat(Float64Array.from(W, (v) => Math.fround(v)), m, n), H, E8P12);
    expect(blockLDLQ(view, H, E8P12).codes).toEqual(ref.codes);
  });

  it('a tuning pass re-rounds each block, last to first, to What_k + (W - What) H_{:,k} H_kk^-1 (1e-9 relative)', () => {
    fc.assert(
      fc.property(problem, ({ cb, m, n, W, H }) => {
        const g = cb.dim;
        const h = H.data;
        const before = blockLDLQ(mat(W, m, n), H, cb).What.data;
        const tuned = blockLDLQ(mat(W, m, n), H, cb, { tuneIters: 1, returnRounded: true });
        const after = tuned.What.data;
        const targets = tuned.rounded!.data;
        expect(cb.decodeRows(tuned.codes)).toEqual(after);
        for (let k = n / g - 1; k >= 0; k--) {
          // What while block k is re-rounded: blocks > k already tuned, blocks <= k from the LDLQ pass
          const cur = Float64Array.from(before, (v, idx) => (idx % n >= (k + 1) * g ? after[idx] : v));
          // H_kk^-1 by Gauss-Jordan on the g x g block
          const Hkk = Array.from({ length: g }, (_, a) => Array.from({ length: 2 * g }, (_, b) => (b < g ? h[(k * g + a) * n + k * g + b] : b - g === a ? 1 : 0)));
          for (let c = 0; c < g; c++) {
            const piv = Hkk[c][c];
            for (let b = 0; b < 2 * g; b++) Hkk[c][b] /= piv;
            for (let a = 0; a < g; a++) if (a !== c) {
              const f = Hkk[a][c];
              for (let b = 0; b < 2 * g; b++) Hkk[a][b] -= f * Hkk[c][b];
            }
          }
          const y = new Float64Array(m * g);
          for (let i = 0; i < m; i++) {
            const z = new Float64Array(g); // ((W - What) H)_{i, block k}
            for (let t = 0; t < g; t++) for (let p = 0; p < n; p++) z[t] += (W[i * n + p] - cur[i * n + p]) * h[p * n + k * g + t];
            for (let t = 0; t < g; t++) {
              let acc = cur[i * n + k * g + t];
              for (let q = 0; q < g; q++) acc += z[q] * Hkk[q][g + t];
              y[i * g + t] = acc;
            }
          }
          let worst = 0;
          let scale = 0;
          for (let i = 0; i < m; i++) for (let t = 0; t < g; t++) {
            worst = Math.max(worst, Math.abs(y[i * g + t] - targets[i * n + k * g + t]));
            scale = Math.max(scale, Math.abs(y[i * g + t]));
          }
          expect(worst).toBeLessThanOrEqual(1e-9 * scale);
        }
        // each tuned block is the codebook point nearest its target
        expect(cb.quantize(targets).values).toEqual(after);
      }),
      { numRuns: 20 },
    );
  });

  it('reports progress after every block of every pass', () => {
    const m = 4;
    const n = 32;
    const W = randomLayer(m, n, 9);
    const H = activationHessian(n, 50, 0.9, 9);
    for (const cb of [E8P12, new ScalarCodebook(2, 1)]) {
      for (const buffered of [true, false]) {
        const calls: Array<[number, number]> = [];
        blockLDLQ(mat(W, m, n), H, cb, { tuneIters: 2, buffered, onProgress: (d, t) => calls.push([d, t]) });
        const total = 3 * (n / cb.dim);
        expect(calls).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
      }
    }
  });

  it('on incoherence-processed layers beats nearest rounding, and E8P12 beats the 2-bit scalar codebook', () => {
    const m = 64;
    const n = 128;
    const scalar = new ScalarCodebook(2, 1);
    for (const seed of [1, 2, 3]) {
      const H0 = activationHessian(n, 4 * n, 0.9, seed);
      const W0 = randomLayer(m, n, seed);
      const { W, H } = incoherenceRHT(mat(W0, m, n), H0, { seed });
      // scale W' to the codebooks' working scale: rms(W') / optScale = 1
      let sq = 0;
      for (const v of W.data) sq += v * v;
      const rms = Math.sqrt(sq / (m * n));
      const loss = (cb: Codebook, adaptive: boolean) => {
        const Ws = W.data.map((v) => (v / rms) * cb.optScale);
        const What = adaptive ? blockLDLQ(mat(Ws, m, n), H, cb).What.data : nearest(Ws, cb).What;
        // loss in the units of W'
        return proxyLoss(mat(Ws, m, n), mat(What, m, n), H) * (rms / cb.optScale) ** 2;
      };
      const e8 = loss(E8P12, true);
      const sc = loss(scalar, true);
      expect(e8).toBeLessThan(loss(E8P12, false));
      expect(sc).toBeLessThan(loss(scalar, false));
      expect(e8).toBeLessThan(sc);
    }
  });

  it('rejects bad input', () => {
    const m = 3;
    const n = 16;
    const W = mat(randomLayer(m, n, 1), m, n);
    const H = activationHessian(n, 40, 0.5, 1);
    const cb = E8P12;
    expect(() => blockLDLQ('W' as never, H, cb)).toThrow(/blockLDLQ: W must be a 2-D ndarray/);
    expect(() => blockLDLQ(mat(new Float64Array(3 * 12), 3, 12), activationHessian(12, 30, 0, 1), cb)).toThrow(
      /blockLDLQ: W.shape\[1\] must be a multiple of codebook.dim = 8, got 12/,
    );
    expect(() => blockLDLQ(W, activationHessian(8, 30, 0, 1), cb)).toThrow(/blockLDLQ: H must be of shape \[16, 16\]/);
    expect(() => blockLDLQ(W, activationHessian(12, 30, 0, 1), cb)).toThrow(/blockLDLQ: H must be of shape \[16, 16\], got shape \[12, 12\]/);
    expect(() => blockLDLQ(W, null, cb)).toThrow(/blockLDLQ: H must be a matrix \(or pass options.L\), got null/);
    expect(() => blockLDLQ(W, mat(new Float64Array(n * n), n, n), cb)).toThrow(NotPositiveDefiniteError);
    const asym = H.data.slice();
    asym[1] += 1;
    expect(() => blockLDLQ(W, mat(asym, n, n), cb)).toThrow(NotSymmetricError);
    expect(() => blockLDLQ(W, H, {} as never)).toThrow(/blockLDLQ: codebook must be a Codebook/);
    expect(() => blockLDLQ(W, H, { ...cb, quantize: cb.quantize, dim: 0 } as never)).toThrow(/codebook.dim/);
    expect(() => blockLDLQ(W, H, cb, { tuneIters: -1 })).toThrow(/options.tuneIters must be an integer/);
    expect(() => blockLDLQ(W, H, cb, { tuneIters: 1.5 })).toThrow(TypeError);
    expect(() => blockLDLQ(W, H, cb, { panelColumns: 12 })).toThrow(/options.panelColumns must be a multiple of codebook.dim = 8, got 12/);
    expect(() => blockLDLQ(W, H, cb, { panelColumns: 0 })).toThrow(RangeError);
    expect(() => blockLDLQ(W, H, cb, { onProgress: 3 as never })).toThrow(/options.onProgress must be a function/);
    expect(() => blockLDLQ(W, H, cb, { buffered: 'yes' as never })).toThrow(/options.buffered must be a boolean/);
    expect(() => blockLDLQ(W, H, cb, null as never)).toThrow(/options must be an object/);
    const L = blockLDL(H, 8).L;
    expect(() => blockLDLQ(W, null, cb, { L, tuneIters: 1 })).toThrow(/H must be a matrix when options.tuneIters > 0/);
    const badL = L.data.slice();
    badL[1] = 0.5; // inside the first 8 x 8 diagonal block
    expect(() => blockLDLQ(W, null, cb, { L: mat(badL, n, n) })).toThrow(/options.L must be unit block-lower triangular with 8 x 8 identity diagonal blocks, got L\[0\]\[1\] = 0.5/);
    expect(() => blockLDLQ(W, null, cb, { L: blockLDL(H, 2).L })).toThrow(/options.L must be unit block-lower/);
    expect(() => blockLDLQ(W, null, cb, { L: mat(new Float64Array(64), 8, 8) })).toThrow(/options.L must be of shape \[16, 16\]/);
  });
});

describe('proxyLoss', () => {
  it('is tr((W - What) H (W - What)^T) (1e-12 relative), >= 0, zero for What = W', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.nat(1000), (m, n, seed) => {
        const W = randomNormal(m * n, seed, 1);
        const What = randomNormal(m * n, seed, 2);
        const H = activationHessian(n, n + 3, 0.7, seed).data;
        let ref = 0;
        for (let i = 0; i < m; i++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
          ref += (W[i * n + a] - What[i * n + a]) * H[a * n + b] * (W[i * n + b] - What[i * n + b]);
        }
        const loss = proxyLoss(mat(W, m, n), mat(What, m, n), mat(H, n, n));
        expect(Math.abs(loss - ref)).toBeLessThanOrEqual(1e-12 * ref);
        expect(loss).toBeGreaterThan(0);
        expect(proxyLoss(mat(W, m, n), mat(W, m, n), mat(H, n, n))).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad input', () => {
    const W = mat(new Float64Array(6), 2, 3);
    const H = mat(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 3);
    expect(() => proxyLoss(W, mat(new Float64Array(4), 2, 2), H)).toThrow(/proxyLoss: What must be of shape \[2, 3\] \(the shape of W\), got shape \[2, 2\]/);
    expect(() => proxyLoss(W, W, mat(new Float64Array(4), 2, 2))).toThrow(/proxyLoss: H must be of shape \[3, 3\]/);
    expect(() => proxyLoss(W, W, mat(new Float64Array([1, 1, 0, 0, 1, 0, 0, 0, 1]), 3, 3))).toThrow(NotSymmetricError);
    expect(() => proxyLoss(mat(new Float64Array([Number.NaN, 0, 0, 0, 0, 0]), 2, 3), W, H)).toThrow(/proxyLoss: W must be finite/);
    expect(() => proxyLoss(W, null as never, H)).toThrow(TypeError);
  });
});
