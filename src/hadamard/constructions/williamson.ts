/**
 * Williamson's construction (J. Williamson, "Hadamard's determinant theorem and the sum of four squares",
 * Duke Math. J. 11, 1944): four symmetric circulant +-1 matrices A, B, C, D of order t with
 * A^2 + B^2 + C^2 + D^2 = 4t I give the Hadamard matrix of order 4t
 *   [[ A,  B,  C,  D],
 *    [-B,  A, -D,  C],
 *    [-C,  D,  A, -B],
 *    [-D, -C,  B,  A]].
 * Only the required orders no Paley construction reaches are tabulated: 4 * 29 = 116, 4 * 39 = 156 and
 * 4 * 43 = 172. The first rows are written as +/- strings. Sources, as attributed by SageMath's
 * williamson_type_quadruples_smallcases: t = 29 and 43 from M. Hall Jr., Combinatorial Theory, 2nd ed.
 * (Wiley), and t = 39 from S. London, Constructing New Turyn Type Sequences, T-Sequences and Hadamard
 * Matrices, PhD thesis, University of Illinois at Chicago, 2013. Whatever their source, the tests check
 * that each quadruple gives H H^T = 4t I.
 */
const FIRST_ROWS: Record<number, [string, string, string, string]> = {
  29: [
    '+++---++--+-+----+-+--++---++',
    '+-+---++--+-++++++-+--++---+-',
    '++++-++-+---++++++---+-++-+++',
    '++--+--+-+++-++++-+++-+--+--+',
  ],
  39: [
    '+++--+-+-----+--++----++--+-----+-+--++',
    '+++--++-+---+-+--+----+--+-+---+-++--++',
    '++++---+--++----+-+--+-+----++--+---+++',
    '+---++-+-+-----+++-++-+++-----+-+-++---',
  ],
  43: [
    '++---++++-+--+--++--------++--+--+-++++---+',
    '+++-+-++--+-+-++++-+----+-++++-+-+--++-+-++',
    '++-++++++----+-+--++-++-++--+-+----++++++-+',
    '+---++--++++-+-+++-++--++-+++-+-++++--++---',
  ],
};

/** Orders t with a tabulated Williamson quadruple (the Hadamard order is 4t). */
export const WILLIAMSON_ORDERS: readonly number[] = Object.keys(FIRST_ROWS).map(Number);

/** Sign pattern of the Williamson array: block (r, c) is SIGN[r][c] times matrix INDEX[r][c] (0=A .. 3=D). */
const INDEX = [
  [0, 1, 2, 3],
  [1, 0, 3, 2],
  [2, 3, 0, 1],
  [3, 2, 1, 0],
];
const SIGN = [
  [1, 1, 1, 1],
  [-1, 1, -1, 1],
  [-1, 1, 1, -1],
  [-1, -1, 1, 1],
];

/** The Williamson-type Hadamard matrix of order 4t (t in WILLIAMSON_ORDERS). */
export function williamson(t: number): Int8Array {
  const rows = FIRST_ROWS[t];
  if (!rows) throw new RangeError(`williamson: t must be one of ${WILLIAMSON_ORDERS.join(', ')}, got ${t}`);
  const first = rows.map((s) => Array.from(s, (ch) => (ch === '+' ? 1 : -1)));
  const n = 4 * t;
  const H = new Int8Array(n * n);
  for (let br = 0; br < 4; br++) {
    for (let bc = 0; bc < 4; bc++) {
      const row = first[INDEX[br][bc]];
      const s = SIGN[br][bc];
      // circulant: entry (i, j) = first[(j - i) mod t]
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) H[(br * t + i) * n + bc * t + j] = s * row[(j - i + t) % t];
      }
    }
  }
  return H;
}
