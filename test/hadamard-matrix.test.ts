import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  hadamardBase,
  hadamardFactorization,
  hadamardMatrix,
  supportedHadamardOrder,
  supportedHadamardOrders,
  hadamardTransform,
  hadamardTransformRowsInPlace,
} from '../src/hadamard/index.js';
import { randomUniform } from '../src/random/index.js';
import { paleyI, paleyII } from '../src/hadamard/constructions/paley.js';
import { williamson, WILLIAMSON_ORDERS } from '../src/hadamard/constructions/williamson.js';
import { GaloisField } from '../src/hadamard/constructions/galois.js';
import { parity, primeFactors, primePower, primitiveRoot, powMod, mulMod } from '../src/core/numbers.js';
import { denseProduct, walshSign } from './reference.js';

const REQUIRED_M = [1, 12, 20, 28, 36, 40, 44, 52, 60, 108, 116, 124, 140, 156, 172];

/** Max |(H H^T)_ij - n delta_ij| over all i, j, with Int32 sums (exact). */
function gramError(H: Int8Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      const ri = i * n;
      const rj = j * n;
      for (let c = 0; c < n; c++) s += H[ri + c] * H[rj + c];
      worst = Math.max(worst, Math.abs(s - (i === j ? n : 0)));
    }
  }
  return worst;
}

/** Max |(H H^T)_jc - n delta_jc| over the listed rows j, each row formed as hadamardTransform(H[j, :]). */
function gramRowsError(H: Int8Array, n: number, rows: number[]): number {
  const batch = 64;
  let worst = 0;
  for (let r0 = 0; r0 < rows.length; r0 += batch) {
    const chosen = rows.slice(r0, r0 + batch);
    const data = new Float64Array(chosen.length * n);
    chosen.forEach((j, r) => {
      for (let c = 0; c < n; c++) data[r * n + c] = H[j * n + c];
    });
    hadamardTransformRowsInPlace(data, chosen.length, n);
    chosen.forEach((j, r) => {
      for (let c = 0; c < n; c++) worst = Math.max(worst, Math.abs(data[r * n + c] - (c === j ? n : 0)));
    });
  }
  return worst;
}

function onlyPlusMinusOne(H: Int8Array): boolean {
  for (let i = 0; i < H.length; i++) if (H[i] !== 1 && H[i] !== -1) return false;
  return true;
}

describe('Hadamard constructions, each on its own', () => {
  it('Paley I gives H H^T = (q+1) I for q = 3 mod 4 prime powers, including GF(27) and GF(343)', () => {
    for (const q of [3, 7, 11, 19, 23, 27, 43, 59, 107, 139, 343]) {
      const H = paleyI(q);
      expect(onlyPlusMinusOne(H)).toBe(true);
      expect(gramError(H, q + 1)).toBe(0);
    }
  });

  it('Paley II gives H H^T = 2(q+1) I for q = 1 mod 4 prime powers, including GF(25), GF(49) and GF(81)', () => {
    for (const q of [5, 9, 13, 17, 25, 29, 49, 61, 81]) {
      const H = paleyII(q);
      expect(onlyPlusMinusOne(H)).toBe(true);
      expect(gramError(H, 2 * (q + 1))).toBe(0);
    }
  });

  it('Williamson gives H H^T = 4t I for every tabulated t', () => {
    expect([...WILLIAMSON_ORDERS].sort((a, b) => a - b)).toEqual([29, 39, 43]);
    for (const t of WILLIAMSON_ORDERS) {
      const H = williamson(t);
      expect(onlyPlusMinusOne(H)).toBe(true);
      expect(gramError(H, 4 * t)).toBe(0);
    }
  });

  it('GF(p^k) is a field: multiplication is associative, distributes, and every nonzero element is invertible', () => {
    for (const [p, k] of [[3, 3], [5, 2], [2, 4], [7, 2]] as const) {
      const F = new GaloisField(p, k);
      const q = F.q;
      const add = (a: number, b: number) => F.sub(a, F.sub(0, b));
      fc.assert(
        fc.property(fc.nat(q - 1), fc.nat(q - 1), fc.nat(q - 1), (a, b, c) => {
          expect(F.mul(F.mul(a, b), c)).toBe(F.mul(a, F.mul(b, c)));
          expect(F.mul(a, add(b, c))).toBe(add(F.mul(a, b), F.mul(a, c)));
          expect(F.mul(a, b)).toBe(F.mul(b, a));
        }),
        { numRuns: 200 },
      );
      for (let a = 1; a < q; a++) {
        let inverse = 0;
        for (let b = 1; b < q; b++) if (F.mul(a, b) === 1) inverse++;
        expect(inverse).toBe(1);
      }
      // exactly (q - 1) / 2 nonzero squares (odd q)
      if (p !== 2) expect(F.quadraticCharacter().filter((v) => v === 1).length).toBe((q - 1) / 2);
    }
  });

  it('prime factors, prime powers, modular arithmetic and bit parity (core/numbers.ts)', () => {
    expect(primeFactors(360)).toEqual([2, 2, 2, 3, 3, 5]);
    expect(primeFactors(1)).toEqual([]);
    expect(primeFactors(4093)).toEqual([4093]);
    expect(primeFactors(2 ** 30)).toEqual(new Array(30).fill(2));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (n) => {
        const f = primeFactors(n);
        expect(f.reduce((a, b) => a * b, 1)).toBe(n);
        for (let i = 0; i < f.length; i++) {
          if (i > 0) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1]);
          expect(primeFactors(f[i])).toEqual([f[i]]); // each factor is prime
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 1, max: 2 ** 30 }), (a, b, n) => {
        expect(BigInt(mulMod(a % n, b % n, n))).toBe((BigInt(a % n) * BigInt(b % n)) % BigInt(n));
        expect(BigInt(powMod(a, b % 1000, n))).toBe(BigInt(a) ** BigInt(b % 1000) % BigInt(n));
      }),
      { numRuns: 300 },
    );
    for (let v = 0; v < 1024; v++) expect(parity(v)).toBe(walshSign(v) < 0 ? 1 : 0);
    expect(parity(0xffffffff >>> 0)).toBe(0);
    expect(primitiveRoot(2)).toBe(1);
    expect(primePower(27)).toEqual({ p: 3, k: 3 });
    expect(primePower(1024)).toEqual({ p: 2, k: 10 });
    expect(primePower(13)).toEqual({ p: 13, k: 1 });
    expect(primePower(12)).toBeUndefined();
    expect(primePower(1)).toBeUndefined();
  });
});

describe('hadamardMatrix', () => {
  it('H H^T = n I, exact, for every required m and 2^k = 1, 2, 4 (and powers of two up to 512)', () => {
    for (const m of REQUIRED_M) {
      const ks = m === 1 ? [0, 1, 2, 5, 9] : [0, 1, 2];
      for (const k of ks) {
        const n = m * 2 ** k;
        const H = hadamardMatrix(n);
        expect(H.length).toBe(n * n);
        expect(onlyPlusMinusOne(H)).toBe(true);
        // dense O(n^3) Gram matrix up to n = 512; above, every Gram row through the fast transform (see below)
        if (n <= 512) expect(gramError(H, n)).toBe(0);
        else expect(gramRowsError(H, n, Array.from({ length: n }, (_, j) => j))).toBe(0);
      }
    }
  });

  // Dense H H^T costs n^3: above n = 4096 the Gram matrix is formed with the fast transform instead, row by
  // row: hadamardTransform(row j of H) = H (row j)^T = column j of H H^T, which must be n e_j. That the fast
  // transform is multiplication by this very matrix is checked on random integer vectors against the dense
  // product (a wrong transform would fail that with probability ~1).
  it('H H^T = n I at larger n: every required m at n >= 1024, five of them at n >= 4096 (fast Gram rows)', () => {
    const large = [1, 28, 108, 156, 172];
    for (const m of REQUIRED_M) {
      let n = m;
      while (n < (large.includes(m) ? 4096 : 1024)) n *= 2;
      const H = hadamardMatrix(n);
      expect(onlyPlusMinusOne(H)).toBe(true);
      const x = Float64Array.from(randomUniform(n, m, 0), (u) => Math.floor(u * 2001) - 1000);
      expect(Array.from(hadamardTransform(x))).toEqual(Array.from(denseProduct(H, n, x)));
      const rows = m === 1 || m === 172 ? n : 32;
      const picked = Array.from(randomUniform(rows, m, 1), (u, r) => (rows === n ? r : Math.floor(u * n)));
      expect(gramRowsError(H, n, picked)).toBe(0);
    }
  });

  it('a Kronecker base order (1904 = 28 x 68, the first one) is orthogonal too (sampled Gram rows)', () => {
    const n = 1904;
    expect(hadamardFactorization(n)).toEqual({ n, m: 1904, k: 0, construction: 'kronecker(28x68)' });
    const H = hadamardMatrix(n);
    expect(onlyPlusMinusOne(H)).toBe(true);
    const x = Float64Array.from(randomUniform(n, 1, 0), (u) => Math.floor(u * 2001) - 1000);
    expect(Array.from(hadamardTransform(x))).toEqual(Array.from(denseProduct(H, n, x)));
    expect(gramRowsError(H, n, Array.from(randomUniform(48, 2, 0), (u) => Math.floor(u * n)))).toBe(0);
  });

  it('is H_m (outer) kron Sylvester H_{2^k} (inner), in natural order', () => {
    const orders = [4, 8, 24, 40, 56, 104, 172 * 4, 116 * 2];
    fc.assert(
      fc.property(fc.constantFrom(...orders), fc.nat(), fc.nat(), (n, r, c) => {
        const { m, k } = hadamardFactorization(n)!;
        const p = 2 ** k;
        const i = r % n;
        const j = c % n;
        const Hm = hadamardBase(m);
        const expected = Hm[Math.floor(i / p) * m + Math.floor(j / p)] * walshSign((i % p) & (j % p));
        expect(hadamardMatrix(n)[i * n + j]).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('uses the smallest base order and says which construction reaches it', () => {
    expect(hadamardFactorization(11008)).toEqual({ n: 11008, m: 172, k: 6, construction: 'williamson(t=43)' });
    expect(hadamardFactorization(13824)).toEqual({ n: 13824, m: 108, k: 7, construction: 'paley-I(q=107)' });
    expect(hadamardFactorization(28672)).toEqual({ n: 28672, m: 28, k: 10, construction: 'paley-I(q=27)' });
    expect(hadamardFactorization(4096)).toEqual({ n: 4096, m: 1, k: 12, construction: 'sylvester' });
    expect(hadamardFactorization(40)?.m).toBe(20);
    expect(hadamardFactorization(52)?.construction).toBe('paley-II(q=25)');
    expect(hadamardFactorization(144)).toMatchObject({ m: 36, k: 2 });
    expect(hadamardFactorization(100)?.construction).toBe('paley-II(q=49)');
    expect(hadamardFactorization(668)).toBeUndefined();
    expect(hadamardFactorization(3)).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(hadamardMatrix(172)).toEqual(hadamardMatrix(172));
    expect(hadamardMatrix(28 * 4)).toEqual(Int8Array.from(hadamardMatrix(28 * 4)));
  });

  it('rejects unsupported orders, naming the nearest supported ones', () => {
    expect(() => hadamardMatrix(668)).toThrow(/hadamardMatrix: n must be a supported Hadamard order.*got 668; nearest supported: 664 and 672/);
    expect(() => hadamardMatrix(3)).toThrow(/got 3; nearest supported: 2 and 4/);
    expect(() => hadamardMatrix(0)).toThrow(RangeError);
    expect(() => hadamardMatrix(-4)).toThrow(RangeError);
    expect(() => hadamardMatrix(12.5)).toThrow(TypeError);
    expect(() => hadamardMatrix('12' as unknown as number)).toThrow(TypeError);
    expect(() => hadamardMatrix(2 ** 16)).toThrow(/hadamardMatrix: n must be at most 32768 .*got 65536/);
  });
});

describe('supported orders', () => {
  it('every required order m 2^k is supported', () => {
    for (const m of REQUIRED_M) for (let k = 0; k <= 12; k++) expect(supportedHadamardOrder(m * 2 ** k)).toBe(true);
    for (const n of [11008, 13824, 28672, 14336, 5120, 8192]) expect(supportedHadamardOrder(n)).toBe(true);
  });

  it('supportedHadamardOrders lists exactly the orders supportedHadamardOrder accepts', () => {
    const list = supportedHadamardOrders(1024);
    const expected: number[] = [];
    for (let n = 1; n <= 1024; n++) if (supportedHadamardOrder(n)) expected.push(n);
    expect(list).toEqual(expected);
    expect(list.slice(0, 8)).toEqual([1, 2, 4, 8, 12, 16, 20, 24]);
    expect(list.every((n) => n <= 2 || n % 4 === 0)).toBe(true);
    expect(list).not.toContain(668);
    expect(list).toContain(664);
    // well beyond the required set: a Kronecker product and a large Paley order
    expect(supportedHadamardOrder(12 * 12 * 12)).toBe(true);
    expect(supportedHadamardOrders(0)).toEqual([]);
    expect(supportedHadamardOrders(-5)).toEqual([]);
    expect(supportedHadamardOrders(12.5)).toEqual([1, 2, 4, 8, 12]);
    expect(() => supportedHadamardOrders(NaN)).toThrow(TypeError);
    expect(() => supportedHadamardOrders('64' as unknown as number)).toThrow(/supportedHadamardOrders: limit must be a number/);
    expect(() => supportedHadamardOrders(2 ** 21)).toThrow(RangeError);
    expect(() => supportedHadamardOrders(Infinity)).toThrow(RangeError);
    expect([0.5, NaN, -4, 12.5, 2 ** 31].map(supportedHadamardOrder)).toEqual([false, false, false, false, false]);
    expect(hadamardFactorization(12 * 12 * 12 * 3)).toBeDefined();
  });
});
