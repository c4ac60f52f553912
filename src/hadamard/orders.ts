/**
 * Which Hadamard orders quipsharp reaches, and how.
 *
 * Every order is split as n = m * 2^k, and H_n = H_m (outer) (x) Sylvester H_{2^k} (inner): with
 * i = a * 2^k + b, the m x m base matrix mixes a and the Walsh-Hadamard transform mixes b (QuIP#'s
 * convention). The canonical split takes the smallest m for which n / m is a power of two and H_m is
 * reachable, so fast transforms spend O(n m) on the dense part. Base matrices, in order of preference:
 *   1. Sylvester (m = 1),
 *   2. Paley I (m = q + 1, q = 3 mod 4 a prime power),
 *   3. Paley II (m = 2(q + 1), q = 1 mod 4 a prime power),
 *   4. Williamson (m = 4t for the tabulated t),
 *   5. Kronecker product H_{m1} (x) H_{m2} of two reachable orders (smallest m1 first).
 */
import { rangeError, typeError } from '../errors/index.js';
import { assertInteger } from '../core/index.js';
import { parity, primePower } from '../core/index.js';
import { paleyI, paleyII } from './constructions/paley.js';
import { williamson, WILLIAMSON_ORDERS } from './constructions/williamson.js';
import { kronecker } from './constructions/kronecker.js';

/** n = m * 2^k split used by hadamardMatrix and hadamardTransform. m = 1 for powers of two. */
export interface HadamardFactorization {
  n: number;
  m: number;
  k: number;
  /** How H_m is built, e.g. 'sylvester', 'paley-I(q=27)', 'williamson(t=43)', 'kronecker(12x12)'. */
  construction: string;
}

/** Largest order hadamardFactorization and friends consider (n itself; H_n is never materialized). */
const MAX_ORDER = 2 ** 30;

type Recipe =
  | { kind: 'sylvester' }
  | { kind: 'paley-I' | 'paley-II'; q: number }
  | { kind: 'williamson'; t: number }
  | { kind: 'kronecker'; m1: number; m2: number };

const recipes = new Map<number, Recipe | null>();

/** How to build H_m directly (not through a power-of-two factor), or null. */
function recipe(m: number): Recipe | null {
  const cached = recipes.get(m);
  if (cached !== undefined) return cached;
  let found: Recipe | null = null;
  if (m === 1) found = { kind: 'sylvester' };
  else if (m % 4 === 0) {
    const q1 = primePower(m - 1);
    const q2 = primePower(m / 2 - 1);
    if (q1 && (m - 1) % 4 === 3) found = { kind: 'paley-I', q: m - 1 };
    else if (q2 && (m / 2 - 1) % 4 === 1) found = { kind: 'paley-II', q: m / 2 - 1 };
    else if (WILLIAMSON_ORDERS.includes(m / 4)) found = { kind: 'williamson', t: m / 4 };
    else {
      // Kronecker: both factors must be Hadamard orders themselves, so multiples of 4 (or 1, 2: powers of two,
      // which the canonical split already takes out)
      for (let m1 = 12; m1 * m1 <= m && !found; m1 += 4) {
        if (m % m1 === 0 && (m / m1) % 4 === 0 && recipe(m1) && recipe(m / m1)) {
          found = { kind: 'kronecker', m1, m2: m / m1 };
        }
      }
    }
  }
  recipes.set(m, found);
  return found;
}

function describe(r: Recipe): string {
  switch (r.kind) {
    case 'sylvester':
      return 'sylvester';
    case 'paley-I':
    case 'paley-II':
      return `${r.kind}(q=${r.q})`;
    case 'williamson':
      return `williamson(t=${r.t})`;
    case 'kronecker':
      return `kronecker(${r.m1}x${r.m2})`;
  }
}

/**
 * The canonical split n = m * 2^k of a supported order, with the smallest base order m that quipsharp builds, and
 * how H_m is built; undefined when n is not reachable (or not a positive integer <= 2^30). Never throws.
 * Cheap: trial division on the candidates m = n / 2^k (each m's recipe is cached).
 *
 * @example hadamardFactorization(11008) // { n: 11008, m: 172, k: 6, construction: 'williamson(t=43)' }
 */
export function hadamardFactorization(n: number): HadamardFactorization | undefined {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ORDER) return undefined;
  // smallest m first: strip as many factors of two as possible while H_m stays reachable
  let k = 0;
  while ((n / 2 ** k) % 2 === 0) k++;
  for (; k >= 0; k--) {
    const m = n / 2 ** k;
    const r = recipe(m);
    if (r) return { n, m, k, construction: describe(r) };
  }
  return undefined;
}

/**
 * Whether hadamardMatrix(n) and hadamardTransform support order n (hadamardFactorization(n) is defined). Never
 * throws: any other value (a non-integer, a non-number, an order beyond the table) gives false. O(1) after the first
 * call builds the table of base orders.
 *
 * @example supportedHadamardOrder(668) // false (no Hadamard matrix of order 668 is known)
 */
export function supportedHadamardOrder(n: number): boolean {
  return hadamardFactorization(n) !== undefined;
}

/** Largest `limit` supportedHadamardOrders accepts (listing up to 2^20 takes about a second). */
const MAX_LISTED = 2 ** 20;

/**
 * All supported orders <= limit, ascending (1, 2, then multiples of 4), as a new array; about a second at the
 * largest limit, 2^20. Throws TypeError for a limit that is not a number (or NaN), RangeError above 2^20.
 *
 * @example supportedHadamardOrders(24) // [1, 2, 4, 8, 12, 16, 20, 24]
 */
export function supportedHadamardOrders(limit: number): number[] {
  const fn = 'supportedHadamardOrders';
  if (typeof limit !== 'number' || Number.isNaN(limit)) throw typeError(fn, 'limit', 'a number in [0, 2^20]', limit);
  if (limit > MAX_LISTED) throw rangeError(fn, 'limit', 'a number in [0, 2^20] (use supportedHadamardOrder(n) for larger n)', String(limit));
  const out: number[] = [];
  for (let n = 1; n <= limit; n = n < 4 ? n + 1 : n + 4) {
    if (n !== 3 && supportedHadamardOrder(n)) out.push(n);
  }
  return out;
}

/** Nearest supported orders strictly below and above n (for error messages). */
function nearestSupported(n: number): [number | undefined, number | undefined] {
  let below: number | undefined;
  let above: number | undefined;
  const start = Math.floor(n / 4) * 4;
  for (let c = start; c >= 1 && below === undefined; c -= 4) if (c < n && supportedHadamardOrder(c)) below = c;
  if (below === undefined && n > 2) below = 2;
  for (let c = start + 4; c <= MAX_ORDER && above === undefined; c += 4) if (supportedHadamardOrder(c)) above = c;
  return [below, above];
}

/** The canonical split of n, or a RangeError naming the nearest supported orders. */
export function requireHadamardFactorization(fn: string, arg: string, n: unknown): HadamardFactorization {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw typeError(fn, arg, 'a positive integer Hadamard order', n);
  if (n < 1 || n > MAX_ORDER) throw rangeError(fn, arg, `a Hadamard order in [1, 2^30]`, String(n));
  const f = hadamardFactorization(n);
  if (f) return f;
  const [below, above] = nearestSupported(n);
  const near = [below, above].filter((v) => v !== undefined).join(' and ');
  throw rangeError(
    fn,
    arg,
    'a supported Hadamard order (m * 2^k with m = 1 or a Paley, Williamson or Kronecker order; see supportedHadamardOrders)',
    `${n}; nearest supported: ${near}`,
  );
}

const bases = new Map<number, Int8Array>();

/** Largest order hadamardMatrix and hadamardBase materialize (the matrix takes n^2 bytes: 1 GiB). */
const MAX_DENSE = 2 ** 15;

function buildBase(m: number): Int8Array {
  const r = recipe(m) as Recipe;
  switch (r.kind) {
    case 'sylvester':
      return Int8Array.of(1);
    case 'paley-I':
      return paleyI(r.q);
    case 'paley-II':
      return paleyII(r.q);
    case 'williamson':
      return williamson(r.t);
    case 'kronecker':
      return kronecker(baseMatrix(r.m1), r.m1, baseMatrix(r.m2), r.m2);
  }
}

/**
 * The library's cached m x m base matrix (row-major +-1) for a base order m with a recipe (unchecked). Shared:
 * internal callers only read it; users get copies from hadamardBase.
 */
export function baseMatrix(m: number): Int8Array {
  let H = bases.get(m);
  if (!H) {
    H = buildBase(m);
    bases.set(m, H);
  }
  return H;
}

/**
 * The m x m base matrix H_m of a split n = m 2^k (m = hadamardFactorization(n).m), as a new row-major Int8Array
 * of +-1 with H_m H_m^T = m I; the Sylvester order m = 1 gives [1]. O(m^2) to copy (the matrix itself is built
 * once and cached).
 *
 * Throws TypeError for a non-integer m, RangeError when m is not a base order quipsharp builds (1, or a Paley,
 * Williamson or Kronecker order; see hadamardFactorization) or exceeds 32768.
 *
 * @example hadamardBase(12) // the 12 x 12 Paley I matrix, 144 entries
 */
export function hadamardBase(m: number): Int8Array {
  const fn = 'hadamardBase';
  assertInteger(fn, 'm', m, 1, MAX_DENSE);
  if (!recipe(m)) {
    throw rangeError(fn, 'm', 'a base order (1, or a Paley, Williamson or Kronecker order, as in hadamardFactorization(n).m)', String(m));
  }
  return baseMatrix(m).slice();
}

/**
 * The Hadamard matrix of order n as a new row-major Int8Array of +-1 with H H^T = n I:
 * H_n = H_m (outer) (x) Sylvester H_{2^k} (inner), n = m * 2^k the canonical split
 * (entry [a 2^k + b][c 2^k + d] = H_m[a][c] (-1)^popcount(b & d)). Allocates n^2 bytes, O(n^2).
 *
 * Throws TypeError for a non-integer n; RangeError for an unsupported order (naming the nearest supported
 * ones) or n > 32768 (hadamardTransform applies H_n without forming it).
 *
 * @example hadamardMatrix(4) // [1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1]
 */
export function hadamardMatrix(n: number): Int8Array {
  const { m, k } = requireHadamardFactorization('hadamardMatrix', 'n', n);
  if (n > MAX_DENSE) {
    throw rangeError('hadamardMatrix', 'n', `at most ${MAX_DENSE} (the matrix takes n^2 bytes; hadamardTransform applies it without forming it)`, String(n));
  }
  const Hm = baseMatrix(m);
  const p = 2 ** k;
  const H = new Int8Array(n * n);
  const sylvester = new Int8Array(p);
  const negated = new Int8Array(p);
  for (let b = 0; b < p; b++) {
    // row b of Sylvester's H_{2^k} and its negative; row (a, b) of H_n is H_m[a][c] times it, block c by block c
    for (let d = 0; d < p; d++) {
      sylvester[d] = parity(b & d) ? -1 : 1;
      negated[d] = -sylvester[d];
    }
    for (let a = 0; a < m; a++) {
      const row = (a * p + b) * n;
      for (let c = 0; c < m; c++) H.set(Hm[a * m + c] > 0 ? sylvester : negated, row + c * p);
    }
  }
  return H;
}
