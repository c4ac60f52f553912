/**
 * QuIP#'s packed code layout (its codebooks' `maybe_pack_idxs`), to and from quipsharp's code layout.
 *
 * quipsharp: a Uint16Array holding, for each of the m x (n / 8) weight groups in row-major order, the codebook's
 * `codeWords` 16-bit slots: E8P12 one code; E8P12RVQ4B [first-stage E8P12 code, residual E8P12 code];
 * E8P12RVQ3B [first-stage E8P12 code, residual 8-bit E81B index].
 *
 * QuIP# (`Qidxs`, an m x words int64 tensor): each row is the E8P12 stage's m x (n / 32) words, followed for RVQ4B
 * by the residual E8P12 stage's m x (n / 32) words and for RVQ3B by the residual bytes' m x (n / 64) words.
 *
 * An E8P12 stage, read as its m x (n / 32) words in row-major order, is a sequence of tiles of 32 words, tile
 * t = R (n / 64) + C covering rows 16R .. 16R + 15 and groups 8C .. 8C + 7. Word w = 4p + q of a tile packs the
 * codes A = (row 16R + 2p, group 8C + 2q), B = (row + 1, same group), C = (row, group + 1), D = (row + 1,
 * group + 1): bits 0-31 hold the high bytes (code >> 8) of A, B, C, D in bytes 0, 1, 2, 3; bit 32 + 4j + i holds
 * bit j of the low byte (code & 255) of code i (A = 0, B = 1, C = 2, D = 3). An E81B stage's word (r, c) holds
 * the residual bytes of groups 8c .. 8c + 7 of row r, group 8c + i in byte i.
 */
import { rangeError, typeError } from '../errors/index.js';
import { assertInteger } from '../core/index.js';

/** QuIP#'s names of the codebooks it packs (the same names quipsharp's codebooks have). */
export type QuipSharpCodebookName = 'E8P12' | 'E8P12RVQ3B' | 'E8P12RVQ4B';

/** Options of `packQuipSharp` and `unpackQuipSharp`: the layer's rows and its codebook. */
export interface QuipSharpPackOptions {
  /** Output features m (rows of W): a positive multiple of 16. */
  rows: number;
  /** The codebook the codes belong to. */
  codebook: QuipSharpCodebookName;
}

/** Per codebook: 16-bit slots per group in quipsharp's layout, and int64 words per 64 input features in QuIP#'s. */
const LAYOUTS: Readonly<Record<QuipSharpCodebookName, { codeWords: number; wordsPer64: number; residualBytes: boolean }>> = {
  E8P12: { codeWords: 1, wordsPer64: 2, residualBytes: false },
  E8P12RVQ4B: { codeWords: 2, wordsPer64: 4, residualBytes: false },
  E8P12RVQ3B: { codeWords: 2, wordsPer64: 3, residualBytes: true },
};

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** Index offsets of the low and high 32-bit halves of an int64 word viewed as two Uint32 elements. */
const LO = HOST_LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** Spreads the 8 bits of a byte to bits 0, 4, 8, ..., 28. */
function spreadByte(x: number): number {
  x = (x | (x << 12)) & 0x000f000f;
  x = (x | (x << 6)) & 0x03030303;
  return (x | (x << 3)) & 0x11111111;
}

/** Gathers bits 0, 4, 8, ..., 28 into a byte (the inverse of spreadByte). */
function gatherByte(x: number): number {
  x &= 0x11111111;
  x = (x | (x >>> 3)) & 0x03030303;
  x = (x | (x >>> 6)) & 0x000f000f;
  return (x | (x >>> 12)) & 0xff;
}

/** Checks the options and returns the layout, m, and the codes' geometry. */
function readOptions(fn: string, options: unknown): { m: number; name: QuipSharpCodebookName } {
  if (typeof options !== 'object' || options === null) throw typeError(fn, 'options', 'an object { rows, codebook }', options);
  const { rows, codebook } = options as Partial<QuipSharpPackOptions>;
  assertInteger(fn, 'options.rows', rows, 1, 2 ** 31);
  if (rows % 16 !== 0) throw rangeError(fn, 'options.rows', 'a multiple of 16 (QuIP# packs codes in tiles of 16 rows)', String(rows));
  if (!isQuipSharpCodebookName(codebook)) {
    throw typeError(fn, 'options.codebook', `one of ${Object.keys(LAYOUTS).join(', ')}`, codebook);
  }
  return { m: rows, name: codebook };
}

/**
 * Visits every packed word of an E8P12 stage: calls `visit(word, a, b, c, d)` with the word's index in a row of
 * `wordsPerRow` words starting at column `column`, and the indices of its four codes among the m x groups codes.
 */
function forEachE8PWord(
  m: number,
  groups: number,
  wordsPerRow: number,
  column: number,
  visit: (word: number, a: number, b: number, c: number, d: number) => void,
): void {
  const stageWords = groups / 4;
  const tileCols = groups / 8;
  for (let R = 0; R < m / 16; R++) {
    for (let C = 0; C < tileCols; C++) {
      const tile = (R * tileCols + C) * 32;
      for (let p = 0; p < 8; p++) {
        const a = (16 * R + 2 * p) * groups + 8 * C;
        for (let q = 0; q < 4; q++) {
          const f = tile + 4 * p + q;
          const word = Math.floor(f / stageWords) * wordsPerRow + column + (f % stageWords);
          const g = a + 2 * q;
          visit(word, g, g + groups, g + 1, g + groups + 1);
        }
      }
    }
  }
}

/**
 * Packs quipsharp codes into QuIP#'s `Qidxs` layout (its codebooks' maybe_pack_idxs), bit for bit: for an
 * m x n layer, `codes` holds m * (n / 8) * codeWords slots (1 for E8P12, 2 for the RVQ codebooks) and the result
 * is the m x (n / 32) (E8P12), m x (n / 16) (E8P12RVQ4B) or m x (3n / 64) (E8P12RVQ3B) int64 tensor, row-major,
 * as a BigInt64Array. The layout is described in docs/quip-sharp.md. O(codes.length).
 *
 * Throws TypeError unless `codes` is a Uint16Array and `options.codebook` a QuIP# codebook name; RangeError when
 * `options.rows` is not a positive multiple of 16, n is not a multiple of 64 (QuIP#'s tiles are 16 x 64 weights),
 * or an E8P12RVQ3B residual slot is not below 256.
 *
 * @example packQuipSharp(codes, { rows: 4096, codebook: 'E8P12' }) // 4096 x 128 words for a 4096 x 4096 layer
 */
export function packQuipSharp(codes: Uint16Array, options: QuipSharpPackOptions): BigInt64Array {
  const fn = 'packQuipSharp';
  if (!(codes instanceof Uint16Array)) throw typeError(fn, 'codes', 'a Uint16Array', codes);
  const { m, name } = readOptions(fn, options);
  const { codeWords, wordsPer64, residualBytes } = LAYOUTS[name];
  const groups = codes.length / (m * codeWords);
  if (!Number.isInteger(groups) || groups === 0 || groups % 8 !== 0) {
    throw rangeError(
      fn,
      'codes',
      `of length rows * (n / 8) * ${codeWords} with n a positive multiple of 64 (rows = ${m})`,
      `length ${codes.length}`,
    );
  }
  if (residualBytes) {
    for (let i = 1; i < codes.length; i += 2) {
      if (codes[i] > 255) throw rangeError(fn, `codes[${i}]`, 'an 8-bit E81B residual index (below 256)', String(codes[i]));
    }
  }
  const wordsPerRow = (groups / 8) * wordsPer64;
  const out = new BigInt64Array(m * wordsPerRow);
  const u32 = new Uint32Array(out.buffer);
  const stages = residualBytes || codeWords === 1 ? 1 : 2;
  for (let s = 0; s < stages; s++) {
    forEachE8PWord(m, groups, wordsPerRow, s * (groups / 4), (word, a, b, c, d) => {
      const A = codes[a * codeWords + s];
      const B = codes[b * codeWords + s];
      const C = codes[c * codeWords + s];
      const D = codes[d * codeWords + s];
      u32[2 * word + LO] = ((A >>> 8) | ((B >>> 8) << 8) | ((C >>> 8) << 16) | ((D >>> 8) << 24)) >>> 0;
      u32[2 * word + HI] =
        (spreadByte(A & 255) | (spreadByte(B & 255) << 1) | (spreadByte(C & 255) << 2) | (spreadByte(D & 255) << 3)) >>> 0;
    });
  }
  if (residualBytes) {
    const column = groups / 4;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < groups / 8; c++) {
        const word = r * wordsPerRow + column + c;
        const g = (r * groups + 8 * c) * 2 + 1;
        u32[2 * word + LO] = (codes[g] | (codes[g + 2] << 8) | (codes[g + 4] << 16) | (codes[g + 6] << 24)) >>> 0;
        u32[2 * word + HI] = (codes[g + 8] | (codes[g + 10] << 8) | (codes[g + 12] << 16) | (codes[g + 14] << 24)) >>> 0;
      }
    }
  }
  return out;
}

/**
 * Unpacks QuIP#'s `Qidxs` (an m x words int64 tensor as a row-major BigInt64Array) into quipsharp's code layout,
 * bit for bit: the inverse of packQuipSharp. Every bit pattern is a valid code, so only the shape is checked.
 * O(Qidxs.length).
 *
 * Throws TypeError unless `Qidxs` is a BigInt64Array and `options.codebook` a QuIP# codebook name; RangeError when
 * `options.rows` is not a positive multiple of 16 or the words per row do not make n a positive multiple of 64
 * (an even number for E8P12, a multiple of 4 for E8P12RVQ4B, of 3 for E8P12RVQ3B).
 *
 * @example unpackQuipSharp(attr.Qidxs.data, { rows: attr.Qidxs.shape[0], codebook: 'E8P12' })
 */
export function unpackQuipSharp(Qidxs: BigInt64Array, options: QuipSharpPackOptions): Uint16Array {
  const fn = 'unpackQuipSharp';
  if (!(Qidxs instanceof BigInt64Array)) throw typeError(fn, 'Qidxs', 'a BigInt64Array', Qidxs);
  const { m, name } = readOptions(fn, options);
  const { codeWords, wordsPer64, residualBytes } = LAYOUTS[name];
  const wordsPerRow = Qidxs.length / m;
  if (!Number.isInteger(wordsPerRow) || wordsPerRow === 0 || wordsPerRow % wordsPer64 !== 0) {
    throw rangeError(
      fn,
      'Qidxs',
      `of length rows * ${wordsPer64} * (n / 64) with n a positive multiple of 64 (rows = ${m})`,
      `length ${Qidxs.length}`,
    );
  }
  const groups = (wordsPerRow / wordsPer64) * 8;
  const codes = new Uint16Array(m * groups * codeWords);
  const u32 = new Uint32Array(Qidxs.buffer, Qidxs.byteOffset, 2 * Qidxs.length);
  const stages = residualBytes || codeWords === 1 ? 1 : 2;
  for (let s = 0; s < stages; s++) {
    forEachE8PWord(m, groups, wordsPerRow, s * (groups / 4), (word, a, b, c, d) => {
      const lo = u32[2 * word + LO];
      const hi = u32[2 * word + HI];
      codes[a * codeWords + s] = ((lo & 0xff) << 8) | gatherByte(hi);
      codes[b * codeWords + s] = (((lo >>> 8) & 0xff) << 8) | gatherByte(hi >>> 1);
      codes[c * codeWords + s] = (((lo >>> 16) & 0xff) << 8) | gatherByte(hi >>> 2);
      codes[d * codeWords + s] = ((lo >>> 24) << 8) | gatherByte(hi >>> 3);
    });
  }
  if (residualBytes) {
    const column = groups / 4;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < groups / 8; c++) {
        const word = r * wordsPerRow + column + c;
        const g = (r * groups + 8 * c) * 2 + 1;
        const lo = u32[2 * word + LO];
        const hi = u32[2 * word + HI];
        for (let i = 0; i < 4; i++) {
          codes[g + 2 * i] = (lo >>> (8 * i)) & 0xff;
          codes[g + 8 + 2 * i] = (hi >>> (8 * i)) & 0xff;
        }
      }
    }
  }
  return codes;
}

/** The layout facts of a QuIP# codebook: quipsharp's slots per group and QuIP#'s words per 64 input features. */
export function quipSharpLayout(name: QuipSharpCodebookName): { codeWords: number; wordsPer64: number } {
  const { codeWords, wordsPer64 } = LAYOUTS[name];
  return { codeWords, wordsPer64 };
}

/** True for a QuIP# codebook name. */
export function isQuipSharpCodebookName(v: unknown): v is QuipSharpCodebookName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(LAYOUTS, v);
}
