import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { HessianAccumulator, type HessianSums } from '../src/quantize/index.js';
import { useSimdGemm } from '../src/ldlq/gemm.js';
import { randomNormal, randomUniform } from '../src/random/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Slow, explicit references
// ---------------------------------------------------------------------------------------------------------------

/** (1/N) X^T X by the definition: H_ij = (1/N) sum_r x_ri x_rj, one plain sum per entry. */
function slowHessian(X: ArrayLike<number>, rows: number, n: number): Float64Array {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += X[r * n + i] * X[r * n + j];
      H[i * n + j] = s / rows;
    }
  }
  return H;
}

/** num / den (den > 0) correctly rounded to float64, ties to even, by exact integer arithmetic. */
function roundRatio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const sign = num < 0n ? -1 : 1;
  const a = num < 0n ? -num : num;
  const bits = (v: bigint) => v.toString(2).length;
  const scaled = (e: number): [bigint, bigint] => (e >= 0 ? [a, den << BigInt(e)] : [a << BigInt(-e), den]);
  // a / den / 2^e lies in [2^52, 2^54) for this e; one more halving if it is 2^53 or more.
  let e = bits(a) - bits(den) - 53;
  let [p, q] = scaled(e);
  if (p / q >= 2n ** 53n) [p, q] = scaled(++e);
  const m = p / q;
  const twice = 2n * (p % q);
  const up = twice > q || (twice === q && (m & 1n) === 1n);
  return sign * Number(up ? m + 1n : m) * 2 ** e;
}

/** The correctly rounded exact (1/N) sum x and (1/N) sum x x^T of integer-valued rows, via BigInt sums. */
function exactMoments(X: Float64Array, rows: number, n: number): { mean: Float64Array; H: Float64Array } {
  const B = Array.from(X, (v) => BigInt(v));
  const N = BigInt(rows);
  const mean = new Float64Array(n);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0n;
    for (let r = 0; r < rows; r++) s += B[r * n + i];
    mean[i] = roundRatio(s, N);
    for (let j = 0; j < n; j++) {
      let t = 0n;
      for (let r = 0; r < rows; r++) t += B[r * n + i] * B[r * n + j];
      H[i * n + j] = roundRatio(t, N);
    }
  }
  return { mean, H };
}

/** max_ij |A_ij - B_ij| / sqrt(B_ii B_jj): the error measure of the split-invariance bound (0/0 counts as 0). */
function scaledError(A: Float64Array, B: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = Math.abs(A[i * n + j] - B[i * n + j]);
      if (d === 0) continue;
      worst = Math.max(worst, d / Math.sqrt(B[i * n + i] * B[j * n + j]));
    }
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------

/**
 * rows x n seeded activations: feature c is mu_c + s_c z with scales s_c over six decades and some offset means
 * mu_c (cancellation in the centred covariance), float32-representable so every input form holds the same values.
 */
function activations(rows: number, n: number, seed: number): Float64Array {
  const z = randomNormal(rows * n, seed, 0);
  const u = randomUniform(3 * n, seed, 1);
  const X = new Float64Array(rows * n);
  for (let c = 0; c < n; c++) {
    const scale = 10 ** (6 * u[c] - 3);
    const mu = u[n + c] < 0.3 ? (u[2 * n + c] - 0.5) * 100 * scale : 0;
    for (let r = 0; r < rows; r++) X[r * n + c] = Math.fround(mu + scale * z[r * n + c]);
  }
  return X;
}

/** rows x n seeded integers: per feature either small (|x| <= 100), large (|x| <= 2^23) or all near +-2^23. */
function integerRows(rows: number, n: number, seed: number): Float64Array {
  const u = randomUniform(rows * n + n, seed, 2);
  const X = new Float64Array(rows * n);
  const top = 2 ** 23;
  for (let c = 0; c < n; c++) {
    const kind = Math.floor(u[rows * n + c] * 3);
    for (let r = 0; r < rows; r++) {
      const v = u[r * n + c];
      X[r * n + c] = kind === 0 ? Math.round(200 * v - 100) : kind === 1 ? Math.round((2 * v - 1) * top) : top - Math.floor(16 * v);
    }
  }
  return X;
}

/** Rows in a seeded order (Fisher-Yates on a small LCG). */
function shuffledRows(X: Float64Array, rows: number, n: number, seed: number): Float64Array {
  const order = Array.from({ length: rows }, (_, r) => r);
  let s = seed >>> 0;
  for (let r = rows - 1; r > 0; r--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const k = s % (r + 1);
    [order[r], order[k]] = [order[k], order[r]];
  }
  const out = new Float64Array(rows * n);
  order.forEach((src, dst) => out.set(X.subarray(src * n, src * n + n), dst * n));
  return out;
}

type Layout = 'row' | 'column' | 'reversed' | 'gapped';

/** The rows x n matrix X as an ndarray view of the given layout over a larger buffer, starting at `pad`. */
function view(X: Float64Array, rows: number, n: number, layout: Layout, pad: number, f32: boolean) {
  const [s0, s1, len] =
    layout === 'row' ? [n, 1, rows * n] : layout === 'column' ? [1, rows, rows * n] : layout === 'reversed' ? [-n, -1, rows * n] : [2 * n + 1, 2, rows * (2 * n + 1)];
  const data = f32 ? new Float32Array(pad + len + 3) : new Float64Array(pad + len + 3);
  const offset = layout === 'reversed' ? pad + rows * n - 1 : pad;
  for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) data[offset + r * s0 + c * s1] = X[r * n + c];
  return ndarray(data as Float64Array, [rows, n], [s0, s1], offset);
}

/**
 * Accumulates the rows of X through a split: cut into batches at the given fractions, batch b added (flat or as an
 * ndarray) to accumulator owner[b], the accumulators then merged into the first one in order.
 */
function accumulateSplit(X: Float64Array, rows: number, n: number, cuts: number[], owner: number[], asView: boolean[]): HessianAccumulator {
  const bounds = [0, ...cuts.map((f) => Math.floor(f * rows)).sort((a, b) => a - b), rows];
  const accs = Array.from({ length: 4 }, () => new HessianAccumulator(n));
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [r0, r1] = [bounds[b], bounds[b + 1]];
    if (r1 === r0) continue;
    const batch = X.slice(r0 * n, r1 * n);
    const acc = accs[owner[b % owner.length]];
    acc.add(asView[b % asView.length] ? ndarray(batch, [r1 - r0, n]) : batch);
  }
  for (let k = 1; k < accs.length; k++) accs[0].merge(accs[k]);
  return accs[0];
}

const splitArb = fc.record({
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 7 }),
  owner: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
  asView: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  shuffle: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
const shapeArb = fc.record({
  n: fc.integer({ min: 1, max: 12 }),
  // Both single blocks and batches crossing the 128-row blocks of the rank-k update.
  rows: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 120, max: 300 })),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

// ---------------------------------------------------------------------------------------------------------------
// Laws
// ---------------------------------------------------------------------------------------------------------------

describe('HessianAccumulator: the definition', () => {
  it('hessian() is (1/N) X^T X by the explicit definition, mean() is (1/N) sum x', () => {
    fc.assert(
      fc.property(shapeArb, ({ n, rows, seed }) => {
        const X = activations(rows, n, seed);
        const acc = new HessianAccumulator(n).add(X);
        const H = acc.hessian();
        expect(H.shape).toEqual([n, n]);
        expect(H.data).toBeInstanceOf(Float64Array);
        expect(scaledError(H.data, slowHessian(X, rows, n), n)).toBeLessThan(1e-13);
        const mu = acc.mean();
        for (let c = 0; c < n; c++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += X[r * n + c];
          expect(Math.abs(mu[c] - s / rows)).toBeLessThanOrEqual(1e-13 * Math.sqrt(H.get(c, c)));
        }
        expect(acc.count).toBe(rows);
        expect(acc.n).toBe(n);
      }),
      { numRuns: 60 },
    );
  });

  it('matches the definition where the kernel changes regime: n = 1, n not a multiple of 3 or 4, n across column blocks', () => {
    for (const [n, rows] of [
      [1, 1],
      [1, 300],
      [2, 129],
      [37, 400],
      [1541, 5],
    ]) {
      const X = activations(rows, n, n + rows);
      const H = new HessianAccumulator(n).add(X).hessian().data;
      expect(scaledError(H, slowHessian(X, rows, n), n)).toBeLessThan(1e-13);
    }
  });

  it('the WebAssembly SIMD and the scalar kernels give the same sums bit for bit (tiles, column blocks, row blocks)', () => {
    const sumsOn = (simd: boolean, X: Float64Array, n: number): HessianSums => {
      expect(useSimdGemm(simd)).toBe(simd); // Node 20 has WebAssembly SIMD: the comparison must be real
      try {
        return new HessianAccumulator(n).add(X).sums();
      } finally {
        useSimdGemm(true);
      }
    };
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 760, max: 1600 })), fc.integer({ min: 1, max: 300 }), fc.nat(1000), (n, rows, seed) => {
        fc.pre(n * rows <= 300_000);
        const X = activations(rows, n, seed);
        const [a, b] = [sumsOn(true, X, n), sumsOn(false, X, n)];
        expect([a.n, a.count]).toEqual([b.n, b.count]);
        // byte comparisons: a deep toEqual over n^2 / 2 entries would take seconds per case
        const bytes = (v: Float64Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        for (const key of ['sumHi', 'sumLo', 'outerHi', 'outerLo'] as const) expect(Buffer.compare(bytes(a[key]), bytes(b[key])), key).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('hessian() and covariance() are exactly symmetric, covariance() = hessian() - mu mu^T (diagonal clamped at 0)', () => {
    fc.assert(
      fc.property(shapeArb, ({ n, rows, seed }) => {
        const acc = new HessianAccumulator(n).add(activations(rows, n, seed));
        const H = acc.hessian().data;
        const C = acc.covariance().data;
        const mu = acc.mean();
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            expect(H[i * n + j]).toBe(H[j * n + i]);
            const want = H[i * n + j] - mu[i] * mu[j];
            expect(C[i * n + j]).toBe(i === j ? Math.max(0, want) : want);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('covariance() is the centred second moment (1/N) sum (x - mu)(x - mu)^T, to the accuracy the docs state', () => {
    const [n, rows] = [9, 250];
    const X = activations(rows, n, 7);
    const acc = new HessianAccumulator(n).add(X);
    const mu = acc.mean();
    const centred = X.map((v, k) => v - mu[k % n]);
    const want = slowHessian(centred, rows, n);
    const C = acc.covariance().data;
    const H = acc.hessian().data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(Math.abs(C[i * n + j] - want[i * n + j])).toBeLessThanOrEqual(1e-13 * Math.sqrt(H[i * n + i] * H[j * n + j]));
      }
    }
  });

  it('a variance is never negative: the diagonal is clamped where the rounded H_ii - mu_i^2 falls below 0', () => {
    // Three rows 0.3, 0.3 (1 + 2^-52), 0.3: the true variance is ~2e-34, the rounded difference -1.4e-17.
    const acc = new HessianAccumulator(2).add(new Float64Array([0.3, 0, 0.3 * (1 + 2 ** -52), 1, 0.3, 0]));
    const [H, mu] = [acc.hessian(), acc.mean()];
    expect(H.get(0, 0) - mu[0] * mu[0]).toBeLessThan(0);
    const C = acc.covariance();
    expect(C.get(0, 0)).toBe(0);
    expect(C.get(1, 1)).toBe(1 / 3 - (1 / 3) * (1 / 3));
    expect(C.get(1, 0)).toBe(H.get(1, 0) - mu[1] * mu[0]);
  });
});

describe('HessianAccumulator: any split into batches and merges gives the same result', () => {
  it('general inputs: the same H to 1e-12 sqrt(H_ii H_jj) and mean to 1e-12 sqrt(H_ii), rows in any order', () => {
    fc.assert(
      fc.property(shapeArb, splitArb, ({ n, rows, seed }, { cuts, owner, asView, shuffle }) => {
        const X = activations(rows, n, seed);
        const whole = new HessianAccumulator(n).add(X);
        const split = accumulateSplit(shuffledRows(X, rows, n, shuffle), rows, n, cuts, owner, asView);
        expect(split.count).toBe(rows);
        const H = whole.hessian().data;
        expect(scaledError(split.hessian().data, H, n)).toBeLessThan(1e-12);
        const [m1, m2] = [whole.mean(), split.mean()];
        for (let c = 0; c < n; c++) expect(Math.abs(m1[c] - m2[c])).toBeLessThanOrEqual(1e-12 * Math.sqrt(H[c * n + c]));
      }),
      { numRuns: 80 },
    );
  });

  it('integer inputs |x| <= 2^23: H and mean are the correctly rounded exact values for every split (sums past 2^53)', () => {
    fc.assert(
      fc.property(shapeArb, splitArb, ({ n, rows, seed }, { cuts, owner, asView, shuffle }) => {
        const X = integerRows(rows, n, seed);
        const exact = exactMoments(X, rows, n);
        const split = accumulateSplit(shuffledRows(X, rows, n, shuffle), rows, n, cuts, owner, asView);
        expect(split.hessian().data).toEqual(exact.H);
        expect(split.mean()).toEqual(exact.mean);
        // The raw double-double sums are the exact integer sums.
        const { outerHi, outerLo } = split.sums();
        for (let i = 0, k = 0; i < n; i++) {
          for (let j = 0; j <= i; j++, k++) {
            let t = 0n;
            for (let r = 0; r < rows; r++) t += BigInt(X[r * n + i]) * BigInt(X[r * n + j]);
            expect(BigInt(outerHi[k]) + BigInt(outerLo[k])).toBe(t);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the exact integer case is one where a plain float64 running sum is not exact', () => {
    const rows = 300;
    const X = Float64Array.from({ length: rows }, (_, r) => 2 ** 23 - 1 - (r % 3));
    let plain = 0;
    for (const x of X) plain += x * x;
    const exact = exactMoments(X, rows, 1);
    expect(plain / rows).not.toBe(exact.H[0]);
    const acc = new HessianAccumulator(1);
    for (let r0 = 0; r0 < rows; r0 += 77) acc.add(X.slice(r0, r0 + 77));
    expect(acc.hessian().get(0, 0)).toBe(exact.H[0]);
  });

  it('one large row then a million small ones: every split agrees with the exact sum (a plain running sum drops them)', () => {
    const rows = 1_000_001;
    const X = new Float64Array(rows).fill(1);
    X[0] = 1e8;
    const exact = (1e16 + (rows - 1)) / rows;
    let plain = 0;
    for (const x of X) plain += x * x;
    expect(Math.abs(plain / rows - exact) / exact).toBeGreaterThan(1e-12);
    const whole = new HessianAccumulator(1).add(X).hessian().get(0, 0);
    expect(Math.abs(whole - exact) / exact).toBeLessThan(3e-14); // 127 u: the first 128-row block rounds
    const reversed = new HessianAccumulator(1).add(X.slice().reverse()).hessian().get(0, 0);
    const batches = new HessianAccumulator(1);
    for (let r0 = 0; r0 < rows; r0 += 100_003) batches.merge(new HessianAccumulator(1).add(X.slice(r0, r0 + 100_003)));
    for (const h of [reversed, batches.hessian().get(0, 0)]) expect(Math.abs(h - whole) / whole).toBeLessThan(3e-14);
  });

  it('a.merge(a) doubles every sum and the count exactly and leaves H unchanged; merging an empty accumulator changes nothing', () => {
    fc.assert(
      fc.property(shapeArb, ({ n, rows, seed }) => {
        const a = new HessianAccumulator(n).add(activations(rows, n, seed));
        const before = a.sums();
        const H = a.hessian().data;
        expect(a.merge(a)).toBe(a);
        const after = a.sums();
        expect(after.count).toBe(2 * rows);
        for (const k of ['sumHi', 'sumLo', 'outerHi', 'outerLo'] as const) expect(after[k]).toEqual(before[k].map((v) => 2 * v));
        expect(a.hessian().data).toEqual(H);
        a.merge(new HessianAccumulator(n));
        expect(a.sums()).toEqual(after);
      }),
      { numRuns: 30 },
    );
  });

  it('merge leaves its argument unchanged and gives what adding the rows here gives (integers: exactly)', () => {
    const n = 5;
    const X = integerRows(200, n, 3);
    const a = new HessianAccumulator(n).add(X.subarray(0, 90 * n));
    const b = new HessianAccumulator(n).add(X.subarray(90 * n));
    const bBefore = b.sums();
    a.merge(b);
    expect(b.sums()).toEqual(bBefore);
    expect(a.sums()).toEqual(new HessianAccumulator(n).add(X).sums());
  });
});

describe('HessianAccumulator: input forms', () => {
  it('flat Float64Array, flat Float32Array and ndarray views of any layout, offset and dtype give identical sums', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.constantFrom<Layout>('row', 'column', 'reversed', 'gapped'),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        ({ n, rows, seed }, layout, pad, f32) => {
          const X = activations(rows, n, seed);
          const want = new HessianAccumulator(n).add(X).sums();
          expect(new HessianAccumulator(n).add(Float32Array.from(X)).sums()).toEqual(want);
          expect(new HessianAccumulator(n).add(view(X, rows, n, layout, pad, f32)).sums()).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('add does not modify its argument and returns the accumulator', () => {
    const X = activations(10, 3, 1);
    const copy = X.slice();
    const acc = new HessianAccumulator(3);
    expect(acc.add(X)).toBe(acc);
    expect(X).toEqual(copy);
  });
});

describe('HessianAccumulator: saving and restoring the raw sums', () => {
  it('fromSums(sums()) restores the state exactly: same results, and the same after further adds and merges', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 1, max: 150 }), ({ n, rows, seed }, more) => {
        const a = new HessianAccumulator(n).add(activations(rows, n, seed));
        const saved = a.sums();
        const b = HessianAccumulator.fromSums(saved);
        expect(b.sums()).toEqual(saved);
        expect(b.hessian().data).toEqual(a.hessian().data);
        const Y = activations(more, n, seed + 1);
        a.add(Y).merge(a);
        b.add(Y).merge(b);
        expect(b.sums()).toEqual(a.sums());
      }),
      { numRuns: 30 },
    );
  });

  it('sums() is a copy and fromSums copies its input; the layout is the documented one', () => {
    const a = new HessianAccumulator(3).add(new Float64Array([1, 2, 3, 4, 5, 6]));
    const s = a.sums();
    expect(s.n).toBe(3);
    expect(s.count).toBe(2);
    expect(Array.from(s.sumHi)).toEqual([5, 7, 9]);
    // Packed lower triangle by rows: (0,0) (1,0) (1,1) (2,0) (2,1) (2,2).
    expect(Array.from(s.outerHi)).toEqual([17, 22, 29, 27, 36, 45]);
    expect(Array.from(s.outerLo)).toEqual([0, 0, 0, 0, 0, 0]);
    s.outerHi[0] = 1e9;
    expect(a.hessian().get(0, 0)).toBe(8.5);
    const b = HessianAccumulator.fromSums(a.sums());
    const t = a.sums();
    const c = HessianAccumulator.fromSums(t);
    t.sumHi[0] = 1e9;
    expect(c.mean()[0]).toBe(2.5);
    expect(b.covariance().get(2, 2)).toBe(22.5 - 4.5 * 4.5);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------------------------

describe('HessianAccumulator: bad input is a clear error naming the function and the argument', () => {
  it('the constructor: n must be an integer in [1, 65536]', () => {
    for (const n of [0, -1, 65537]) expect(() => new HessianAccumulator(n)).toThrow(/^HessianAccumulator: n must be an integer in \[1, 65536\]/);
    for (const n of [1.5, NaN, '4', undefined]) expect(() => new HessianAccumulator(n as never)).toThrow(TypeError);
    expect(() => new HessianAccumulator(0)).toThrow(RangeError);
  });

  it('add: non-array arguments are TypeErrors', () => {
    const acc = new HessianAccumulator(4);
    for (const X of [null, undefined, 42, 'x', [1, 2, 3, 4], new Int32Array(4), {}]) {
      expect(() => acc.add(X as never)).toThrow(TypeError);
      expect(() => acc.add(X as never)).toThrow(/^HessianAccumulator\.add: X must be/);
    }
    expect(() => acc.add(ndarray([1, 2, 3, 4], [1, 4]) as never)).toThrow(/HessianAccumulator\.add: X must be a 2-D ndarray over a Float32Array or Float64Array/);
  });

  it('add: wrong widths, empty and 3-D inputs are RangeErrors', () => {
    const acc = new HessianAccumulator(4);
    expect(() => acc.add(ndarray(new Float64Array(6), [2, 3]))).toThrow(/^HessianAccumulator\.add: X must be a matrix of n = 4 columns, got shape \[2, 3\]$/);
    expect(() => acc.add(new Float64Array(6))).toThrow(/^HessianAccumulator\.add: X must be a flat array of rows, of length a positive multiple of n = 4, got length 6$/);
    expect(() => acc.add(new Float32Array(0))).toThrow(RangeError);
    expect(() => acc.add(ndarray(new Float64Array(8), [2, 2, 2]) as never)).toThrow(/^HessianAccumulator\.add: X must be a 2-D ndarray/);
    expect(() => acc.add(ndarray(new Float64Array(8), [2, 4], [4, 1], 4))).toThrow(/^HessianAccumulator\.add: X must be a view inside its data/);
    expect(acc.count).toBe(0);
  });

  it('add: non-finite entries are RangeErrors naming the index, and nothing is added', () => {
    const acc = new HessianAccumulator(4).add(new Float64Array([1, 2, 3, 4]));
    const before = acc.sums();
    for (const bad of [NaN, Infinity, -Infinity]) {
      const X = new Float64Array(12);
      X[9] = bad;
      expect(() => acc.add(X)).toThrow(new RegExp(`^HessianAccumulator\\.add: X must be finite everywhere, got ${bad} at index 9$`));
      expect(() => acc.add(Float32Array.from(X))).toThrow(/at index 9$/);
      expect(() => acc.add(ndarray(X, [3, 4]))).toThrow(/at index 9$/);
    }
    expect(acc.sums()).toEqual(before);
  });

  it('add: inputs whose sums of x x^T could overflow float64 are RangeErrors (rejected, never scaled), nothing added', () => {
    const acc = new HessianAccumulator(2).add(new Float64Array([1, 2]));
    const before = acc.sums();
    expect(() => acc.add(new Float64Array([1, 1e200]))).toThrow(/^HessianAccumulator\.add: X must be small enough that every feature's sum of squares stays below 2\^1020 .*overflow float64.*, got feature 1 reaching Infinity with these rows$/);
    expect(acc.sums()).toEqual(before);
    // Accepted rows near the limit give finite results; the add that would cross it is refused.
    const big = new HessianAccumulator(2);
    const row = new Float64Array([1.5e153, -1.5e153]);
    let added = 0;
    expect(() => {
      for (let k = 0; k < 10; k++) {
        big.add(row);
        added++;
      }
    }).toThrow(/feature 0 reaching 1\.125\d*e\+307/);
    expect(added).toBe(4);
    expect(big.count).toBe(4);
    const H = big.hessian();
    expect(H.get(1, 0)).toBe(-(1.5e153 * 1.5e153));
    expect(Array.from(big.covariance().data).every(Number.isFinite)).toBe(true);
  });

  it('mean, hessian, covariance and toQuipSharp of an empty accumulator are RangeErrors naming the method', () => {
    const acc = new HessianAccumulator(3);
    expect(() => acc.hessian()).toThrow(/^HessianAccumulator\.hessian: the accumulator must be non-empty \(add rows first\), got count 0$/);
    expect(() => acc.mean()).toThrow(/^HessianAccumulator\.mean: the accumulator must be non-empty/);
    expect(() => acc.covariance()).toThrow(/^HessianAccumulator\.covariance: the accumulator must be non-empty/);
    expect(() => acc.toQuipSharp()).toThrow(/^HessianAccumulator\.toQuipSharp: the accumulator must be non-empty/);
    expect(() => acc.hessian()).toThrow(RangeError);
  });

  it('merge: non-accumulators are TypeErrors; another n or an overflowing sum a RangeError, both sides unchanged', () => {
    const a = new HessianAccumulator(3).add(new Float64Array([1, 2, 3]));
    for (const other of [null, undefined, {}, a.sums(), new Float64Array(3)]) {
      expect(() => a.merge(other as never)).toThrow(TypeError);
      expect(() => a.merge(other as never)).toThrow(/^HessianAccumulator\.merge: other must be a HessianAccumulator/);
    }
    expect(() => a.merge(new HessianAccumulator(2).add(new Float64Array([1, 2])))).toThrow(/^HessianAccumulator\.merge: other must be an accumulator of n = 3 features, got n = 2$/);
    const b = new HessianAccumulator(1).add(new Float64Array([2.6e153]));
    const before = b.sums();
    expect(() => b.merge(b)).toThrow(/^HessianAccumulator\.merge: other must be small enough .*feature 0 reaching 1\.352\d*e\+307 with its rows$/);
    expect(b.sums()).toEqual(before);
    expect(a.count).toBe(1);
  });

  it('fromSums: wrong types are TypeErrors; wrong sizes, non-finite, unnormalized or impossible sums RangeErrors', () => {
    const good = new HessianAccumulator(2).add(new Float64Array([1, 2, 3, 4])).sums();
    const bad = (patch: Partial<Record<keyof HessianSums, unknown>>) => () => HessianAccumulator.fromSums({ ...good, ...patch } as HessianSums);
    expect(() => HessianAccumulator.fromSums(null as never)).toThrow(/^HessianAccumulator\.fromSums: sums must be an object/);
    expect(bad({ n: 0 })).toThrow(/^HessianAccumulator\.fromSums: sums\.n must be an integer in \[1, 65536\], got 0$/);
    expect(bad({ n: 3 })).toThrow(/^HessianAccumulator\.fromSums: sums\.sumHi must be of length 3 \(n = 3\), got length 2$/);
    expect(bad({ count: -1 })).toThrow(/sums\.count must be an integer/);
    expect(bad({ count: 1.5 })).toThrow(TypeError);
    expect(bad({ outerLo: new Float32Array(3) })).toThrow(/^HessianAccumulator\.fromSums: sums\.outerLo must be a Float64Array, got Float32Array\(3\)$/);
    expect(bad({ outerHi: new Float64Array(4) })).toThrow(/sums\.outerHi must be of length 3 \(n = 2\), got length 4/);
    expect(bad({ sumLo: new Float64Array([0, NaN]) })).toThrow(/^HessianAccumulator\.fromSums: sums\.sumLo must be finite everywhere, got NaN at index 1$/);
    expect(bad({ sumLo: new Float64Array([0, 1]) })).toThrow(/^HessianAccumulator\.fromSums: sums\.sumHi must be normalized .*, got hi 6, lo 1 at index 1$/);
    expect(bad({ outerHi: new Float64Array([5, 14, -1]) })).toThrow(/sums\.outerHi must be a sum of squares .* on the diagonal, got -1 at \(1, 1\)$/);
    expect(bad({ count: 0 })).toThrow(/^HessianAccumulator\.fromSums: sums\.sumHi must be all zero when count is 0, got 4 at index 0$/);
    expect(HessianAccumulator.fromSums(new HessianAccumulator(2).sums()).count).toBe(0);
  });
});
