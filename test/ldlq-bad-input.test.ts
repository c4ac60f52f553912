/**
 * src/ldlq on the inputs at the edges: entries near the ends of the float64 range (a finite answer is returned,
 * or a RangeError when the answer itself is beyond float64), codebooks that break their contract, views that
 * reach past their data, and the errors naming the public function and argument on every path.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { blockLDL, blockLDLQ, cholesky, choleskyInPlace, ldl, proxyLoss, regularizeHessian } from '../src/ldlq/index.js';
import { E8P12, ScalarCodebook, type Codebook } from '../src/lattice/index.js';
import { matrixFromRowMajor } from '../src/core/index.js';
import { NotPositiveDefiniteError } from '../src/errors/index.js';
import { randomUniform } from '../src/random/index.js';

const M = (data: ArrayLike<number>, rows: number, cols: number) => matrixFromRowMajor(Float64Array.from(data), rows, cols);

/** Error thrown by f (fails the test when f returns). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/**
 * A seeded n x n positive definite matrix with entries that are multiples of 2^-e exactly (X^T X + I for small
 * integers X, then scaled by a power of two to max |H| in [1, 2)): power-of-two scalings of it stay exact.
 */
function integerSPD(n: number, seed: number): Float64Array {
  const X = Float64Array.from(randomUniform(2 * n * n, seed, 1), (u) => Math.floor(u * 7) - 3);
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = a === b ? 1 : 0;
      for (let t = 0; t < 2 * n; t++) s += X[t * n + a] * X[t * n + b];
      H[a * n + b] = s;
    }
  }
  let max = 0;
  for (const v of H) max = Math.max(max, Math.abs(v));
  const scale = 2 ** -Math.floor(Math.log2(max));
  return H.map((v) => v * scale);
}

/** The n x n matrix J + I (all ones plus the identity), positive definite. */
function onesPlusIdentity(n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, i) => scale * (i % (n + 1) === 0 ? 2 : 1));
}

describe('regularizeHessian at the ends of the float64 range', () => {
  it('diag(1e308, 1e308) is 1.01 I, and 2^k H gives the bits of H for every k keeping 2^k H finite and normal', () => {
    expect(Array.from(regularizeHessian(M([1e308, 0, 0, 1e308], 2, 2)).data)).toEqual([1.01, 0, 0, 1.01]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(1000), fc.oneof(fc.integer({ min: -900, max: 1022 }), fc.constantFrom(1020, 1021, 1022)), (n, seed, k) => {
        const H = integerSPD(n, seed);
        const ref = regularizeHessian(M(H, n, n)).data;
        const scaled = regularizeHessian(M(H.map((v) => v * 2 ** k), n, n)).data;
        expect(scaled).toEqual(ref);
      }),
      { numRuns: 60 },
    );
  });

  it('throws a RangeError naming the entry when the result is beyond float64', () => {
    // H_01 / mean(diag H) = 1e310
    expect(() => regularizeHessian(M([1e-10, 1e300, 1e300, 1e-10], 2, 2))).toThrow(
      /^regularizeHessian: H must be a matrix with H \/ mean\(diag H\) \+ sigma I within float64, got entry \[0\]\[1\] about 1\.0e\+310$/,
    );
    // H_00 / mean(diag H) is about 1.7e308, and adding sigma = 1e308 leaves float64
    expect(() => regularizeHessian(M([1, 0, 0, 0, -1, 0, 0, 0, 1.76e-308], 3, 3), 1e308)).toThrow(
      /^regularizeHessian: H must be .* within float64, got entry \[0\]\[0\] about 2\.7e\+308$/,
    );
  });
});

describe('proxyLoss at the ends of the float64 range', () => {
  it('returns the finite loss when sums of the plain evaluation overflow', () => {
    // R = (5, 4), H = 2^1022 [[1, -1], [-1, 1]]: (R H)_0 = 5 2^1022 - 4 2^1022 overflows in its first term,
    // the loss is (5 - 4)^2 2^1022.
    const H = M([2 ** 1022, -(2 ** 1022), -(2 ** 1022), 2 ** 1022], 2, 2);
    expect(proxyLoss(M([5, 4], 1, 2), M([0, 0], 1, 2), H)).toBe(2 ** 1022);
    expect(proxyLoss(M([5, 4, 1, 1], 2, 2), M([0, 0, 1, 2], 2, 2), H)).toBe(2 ** 1023);
    // W - What = 2e308 overflows; times a subnormal H = 1e-320 the loss is about 4e296.
    const h = 1e-320;
    const r = 1e308 * 2 ** -1023; // R = 2e308 = r 2^1024, h = (h 2^1074) 2^-1074
    const expected = r * r * (h * 2 ** 1074) * 2 ** (2048 - 1074);
    const loss = proxyLoss(M([1e308], 1, 1), M([-1e308], 1, 1), M([h], 1, 1));
    expect(Math.abs(loss - expected)).toBeLessThanOrEqual(1e-15 * expected);
  });

  it('throws a RangeError when the loss is beyond float64', () => {
    const I = M([1e200, 0, 0, 1e200], 2, 2);
    expect(() => proxyLoss(M([1e200, 1e200], 1, 2), M([0, 0], 1, 2), I)).toThrow(
      /^proxyLoss: the loss tr\(\(W - What\) H \(W - What\)\^T\) must be within float64 \(at most 1\.8e308 in magnitude\), got about 2\.0e\+600$/,
    );
    expect(() => proxyLoss(M([1e308], 1, 1), M([-1e308], 1, 1), M([1], 1, 1))).toThrow(/got about 4\.0e\+616$/);
    expect(() => proxyLoss(M([1e200], 1, 1), M([0], 1, 1), M([-1e-10], 1, 1))).toThrow(/got about -1\.0e\+390$/);
  });
});

describe('cholesky, ldl and blockLDL at the ends of the float64 range', () => {
  it('a pivot whose row overflowed is reported as -Infinity (its exact value is below -1.8e308), never NaN', () => {
    // C_20 = 1e150 / sqrt(5e-324) overflows, so C_21 = (0 - C_20 C_10) / C_11 = -Infinity * 0 is not a number
    const H = [5e-324, 0, 1e150, 0, 1, 0, 1e150, 0, 1];
    for (const [fn, f] of [
      ['cholesky', () => cholesky(M(H, 3, 3))],
      ['ldl', () => ldl(M(H, 3, 3))],
      ['choleskyInPlace', () => choleskyInPlace(Float64Array.from(H), 3)],
    ] as const) {
      const e = thrown(f) as NotPositiveDefiniteError;
      expect(e).toBeInstanceOf(NotPositiveDefiniteError);
      expect(e.pivot).toBe(2);
      expect(e.pivotValue).toBe(-Infinity);
      expect(e.message).toMatch(new RegExp(`^${fn}: [HA] must be symmetric positive definite, but pivot 2 is -Infinity`));
    }
    // a matrix factored with headroom (diagonal above 2^1022) reports the pivot of H itself
    const e = thrown(() => cholesky(M([2 ** 1023, 0, 0, -(2 ** 1022)], 2, 2))) as NotPositiveDefiniteError;
    expect([e.pivot, e.pivotValue]).toEqual([1, -(2 ** 1022)]);
  });

  it('an L beyond float64 is a RangeError naming the function; H near the float64 maximum factors exactly', () => {
    // L_10 = 1e-15 / 5e-324 = 2.02e308
    expect(() => ldl(M([5e-324, 1e-15, 1e-15, 1e300], 2, 2))).toThrow(
      /^ldl: H must be a matrix whose L D L\^T factors fit in float64, got \|L\[1\]\[0\]\| beyond 1\.8e308/,
    );
    const H4 = [5e-324, 0, 1e-15, 0, 0, 1, 0, 0, 1e-15, 0, 1e300, 0, 0, 0, 0, 1];
    expect(() => blockLDL(M(H4, 4, 4), 2)).toThrow(/^blockLDL: H must be a matrix whose L D L\^T factors fit in float64, got \|L\[2\]\[0\]\|/);
    expect(() => blockLDLQ(M([0.1, 0.2], 1, 2), M([5e-324, 1e-15, 1e-15, 1e300], 2, 2), new ScalarCodebook(2, 1))).toThrow(
      /^blockLDLQ: H must be a matrix whose L D L\^T factors fit in float64/,
    );
    // cholesky(4^k H) = 2^k cholesky(H), ldl(4^k H) = (L, 4^k D), bit for bit, up to the top of the range
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(1000), fc.constantFrom(-200, 300, 510, 511), (n, seed, k) => {
        const H = integerSPD(n, seed);
        const big = M(H.map((v) => v * 4 ** k), n, n);
        expect(cholesky(big).data).toEqual(cholesky(M(H, n, n)).data.map((v) => v * 2 ** k));
        const a = blockLDL(M(H, n, n), 1);
        const b = ldl(big);
        expect(b.L.data).toEqual(a.L.data);
        expect(b.D).toEqual(a.D.map((v) => v * 4 ** k));
      }),
      { numRuns: 30 },
    );
  });
});

describe('blockLDLQ at the ends of the float64 range', () => {
  it('tuning passes with H near the float64 maximum give the codes of the unscaled H', () => {
    const n = 16;
    const W = M(Float64Array.from({ length: 2 * n }, (_, i) => 3 * (1 + 0.1 * Math.sin(i))), 2, n);
    for (const cb of [E8P12, new ScalarCodebook(2, 1)]) {
      const ref = blockLDLQ(W, M(onesPlusIdentity(n, 1), n, n), cb, { tuneIters: 1 });
      const big = blockLDLQ(W, M(onesPlusIdentity(n, 2 ** 1021), n, n), cb, { tuneIters: 1 });
      expect(big.codes).toEqual(ref.codes);
      expect(big.What.data).toEqual(ref.What.data);
    }
  });

  it('rounding feedback beyond float64 is a RangeError naming blockLDLQ and W, not the codebook', () => {
    const n = 16;
    const W = M(Float64Array.from({ length: 4 * n }, (_, i) => 1.7e308 * Math.sin(i)), 4, n);
    const H = M(onesPlusIdentity(n, 1), n, n);
    for (const cb of [E8P12, new ScalarCodebook(2, 1)]) {
      for (const tuneIters of [0, 1]) {
        expect(() => blockLDLQ(W, H, cb, { tuneIters })).toThrow(
          /^blockLDLQ: W must be small enough for the rounding feedback to stay within float64 .*got a quantizer input of -?Infinity at row \d+, column \d+$/,
        );
      }
    }
  });
});

describe('blockLDLQ errors name blockLDLQ and the argument on every path', () => {
  const n = 16;
  const H = Float64Array.from({ length: n * n }, (_, i) => 0.9 ** Math.abs(Math.floor(i / n) - (i % n)) + (i % (n + 1) === 0 ? 1 : 0));
  const W = M(Float64Array.from({ length: 3 * n }, (_, i) => Math.sin(i)), 3, n);

  it("a tuning pass with a diagonal block of H that is not positive definite names the block and H's pivot index", () => {
    const L = blockLDL(M(H, n, n), 8).L;
    const bad = H.slice();
    bad[8 * n + 8] = -5;
    const e = thrown(() => blockLDLQ(W, M(bad, n, n), E8P12, { L, tuneIters: 1 })) as NotPositiveDefiniteError;
    expect(e).toBeInstanceOf(NotPositiveDefiniteError);
    expect(e.message).toMatch(/^blockLDLQ: H \(its diagonal block at rows and columns 8\.\.15\) must be symmetric positive definite, but pivot 8 is -5 /);
    expect(e.pivot).toBe(8);
  });

  it('a codebook that breaks the Codebook contract is named as codebook.quantize', () => {
    const broken = (quantize: (X: Float64Array) => unknown): Codebook => ({ ...E8P12, name: 'broken', dim: 8, codeWords: 1, quantize } as unknown as Codebook);
    expect(() => blockLDLQ(W, M(H, n, n), broken(() => ({ codes: new Uint16Array(1), values: new Float64Array(8) })))).toThrow(
      /^blockLDLQ: codebook.quantize must be a function returning \{ codes: Uint16Array\(3\), values: Float64Array\(24\) \} for 3 vectors, got 1 codes and 8 values$/,
    );
    expect(() => blockLDLQ(W, M(H, n, n), broken(() => undefined))).toThrow(TypeError);
    expect(() => blockLDLQ(W, M(H, n, n), broken(() => undefined))).toThrow(/^blockLDLQ: codebook.quantize must be a function returning .*, got undefined$/);
    expect(() => blockLDLQ(W, M(H, n, n), broken(() => ({ codes: [0, 0, 0], values: new Float64Array(24) })))).toThrow(/^blockLDLQ: codebook.quantize must be/);
    expect(() => blockLDLQ(W, M(H, n, n), broken(() => ({ codes: new Uint16Array(3), values: new Float64Array(24).fill(Number.NaN) })))).toThrow(
      /^blockLDLQ: codebook.quantize must be a function returning finite points, got NaN$/,
    );
  });

  it('options.returnRounded must be a boolean', () => {
    expect(() => blockLDLQ(W, M(H, n, n), E8P12, { returnRounded: 'yes' as never })).toThrow(/^blockLDLQ: options.returnRounded must be a boolean, got "yes"$/);
  });
});

describe('block results have one shape', () => {
  it("blockLDL(H, g).D is one Float64Array of the stacked g x g blocks; ldl(H) is blockLDL(H, 1)", () => {
    const n = 16;
    const H = M(integerSPD(n, 3), n, n);
    const { D } = blockLDL(H, 8);
    expect(D).toBeInstanceOf(Float64Array);
    expect(D.length).toBe(n * 8);
    expect(ldl(H)).toEqual(blockLDL(H, 1));
  });
});

describe('every matrix argument goes through the checked boundary', () => {
  it('a view reaching past its data is rejected, naming the function and the argument', () => {
    const short = ndarray(new Float64Array(15), [4, 4]); // 16 entries addressed, 15 stored
    const H4 = M(integerSPD(4, 1), 4, 4);
    const W = M([0.1, 0.2, 0.3, 0.4], 1, 4);
    const cb = new ScalarCodebook(2, 1);
    const cases: Array<[string, string, () => unknown]> = [
      ['cholesky', 'H', () => cholesky(short)],
      ['ldl', 'H', () => ldl(short)],
      ['blockLDL', 'H', () => blockLDL(short, 2)],
      ['regularizeHessian', 'H', () => regularizeHessian(short)],
      ['proxyLoss', 'W', () => proxyLoss(short, H4, H4)],
      ['proxyLoss', 'What', () => proxyLoss(H4, short, H4)],
      ['proxyLoss', 'H', () => proxyLoss(W, W, short)],
      ['blockLDLQ', 'W', () => blockLDLQ(short, H4, cb)],
      ['blockLDLQ', 'H', () => blockLDLQ(W, short, cb)],
      ['blockLDLQ', 'options.L', () => blockLDLQ(W, null, cb, { L: short })],
    ];
    for (const [fn, arg, f] of cases) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message.startsWith(`${fn}: ${arg} must be a view inside its data`)).toBe(true);
    }
  });
});
