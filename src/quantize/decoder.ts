/**
 * Compressed inference kernels (QuIP# Algorithm 2's inner product): y' = C x' and Y' = C X' for the matrix C of
 * decoded codebook points, computed from the 16-bit codes without materializing C.
 *
 * An E8P12 code c has abs-row a = c >> 8 and sign byte s = c & 255, and decodes to
 *   w_i = ROWS[a][i] * SIGNS[s][i] + SHIFT[s]        (256-entry abs table, 256 sign patterns, shift +-1/4),
 * so w . x = sum_i ROWS[a][i] (SIGNS[s][i] x_i) + SHIFT[s] sum_i x_i. For a matrix-vector product the kernel
 * builds, for each 8-column chunk of x, the 256 signed copies SIGNS[s] * x (16 KiB, in L1) once, and each code
 * then costs 8 multiply-adds, the same as a dense float row. A residual stage adds a second code word per
 * 8 weights: another E8P12 code at scale 1/residualScale (RVQ4), or an index into a 256-point grid whose 256 dot
 * products with the chunk are precomputed (RVQ3). Codebooks without such a structure are decoded row by row
 * with their own decodeRows.
 *
 * The tables are read off the codebook's own decodeRows (exact: every entry is a multiple of 1/4, and the
 * 256 x 8 + 256 x 8 entries come from 512 decoded codes), so the kernels cannot drift from the codebook.
 */
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, type Codebook } from '../lattice/index.js';

/** E8P12's decoding tables: w = ROWS[c >> 8] * SIGNS[c & 255] + SHIFT[c & 255] coordinatewise. */
interface E8P12Tables {
  rows: Float64Array; // 256 x 8
  signs: Float64Array; // 256 x 8, entries +-1
  shifts: Float64Array; // 256
}

let e8p12Tables: E8P12Tables | undefined;

/** Reads the tables off E8P12.decodeRows: codes (a << 8) have sign byte 0 (no sign flips, shift +1/4). */
function tablesOfE8P12(): E8P12Tables {
  if (e8p12Tables) return e8p12Tables;
  const codes = new Uint16Array(512);
  for (let a = 0; a < 256; a++) codes[a] = a << 8;
  for (let s = 0; s < 256; s++) codes[256 + s] = s; // abs row 0 = (1/2, ..., 1/2)
  const v = E8P12.decodeRows(codes);
  const rows = new Float64Array(2048);
  const signs = new Float64Array(2048);
  const shifts = new Float64Array(256);
  for (let k = 0; k < 2048; k++) rows[k] = v[k] - 0.25;
  for (let s = 0; s < 256; s++) {
    // w_i = +-1/2 + t with t = +-1/4: w_i in {3/4, -1/4} means t = +1/4, w_i in {1/4, -3/4} means t = -1/4.
    const w0 = v[8 * (256 + s)];
    const t = w0 === 0.75 || w0 === -0.25 ? 0.25 : -0.25;
    shifts[s] = t;
    for (let i = 0; i < 8; i++) signs[8 * s + i] = v[8 * (256 + s) + i] - t > 0 ? 1 : -1;
  }
  e8p12Tables = { rows, signs, shifts };
  return e8p12Tables;
}

/** How one layer's code words are turned into inner products. */
export interface CodeDecoder {
  /** y[i] += (C x)_i for a length-n x (Float64Array), codes chunk-major (see {@link chunkMajor}). */
  matvecAccumulate(codesT: Uint16Array, m: number, n: number, x: Float64Array, y: Float64Array): void;
  /** Y[i * B + b] += (C X)_{ib} for X given as Xt[k * B + b] (n x B), codes chunk-major. */
  matmulAccumulate(codesT: Uint16Array, m: number, n: number, B: number, Xt: Float64Array, Y: Float64Array): void;
}

/**
 * Codes rearranged chunk-major: the code words of column chunk j for rows 0..m-1 are contiguous, so a kernel
 * sweeping one chunk of x reads them sequentially. `codes` is row-major m x (n / dim) x codeWords.
 */
export function chunkMajor(codes: Uint16Array, m: number, chunks: number, words: number): Uint16Array {
  const out = new Uint16Array(codes.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < chunks; j++) {
      const src = (i * chunks + j) * words;
      const dst = (j * m + i) * words;
      for (let w = 0; w < words; w++) out[dst + w] = codes[src + w];
    }
  }
  return out;
}

/** The kernel for `codebook`: specialized for E8P12 and its residual variants, generic otherwise. */
export function decoderFor(codebook: Codebook): CodeDecoder {
  if (codebook === E8P12) return new LatticeDecoder(undefined, 1);
  if (codebook === E8P12RVQ4B) return new LatticeDecoder('e8p12', E8P12RVQ4B.residualScale);
  if (codebook === E8P12RVQ3B) return new LatticeDecoder(E8P12RVQ3B.residualGrid(), E8P12RVQ3B.residualScale);
  return new GenericDecoder(codebook);
}

/** E8P12 first stage, optionally a second stage (another E8P12 code, or a 256-point grid), scaled by 1/scale. */
class LatticeDecoder implements CodeDecoder {
  private readonly t = tablesOfE8P12();
  /** Signed copies of one 8-chunk of x: XS[8 s + i] = SIGNS[s][i] x_i, and TS[s] = SHIFT[s] sum x. */
  private readonly XS = new Float64Array(2048);
  private readonly TS = new Float64Array(256);
  /** For a grid second stage: G[r] = grid[r] . x / scale. */
  private readonly G = new Float64Array(256);
  private readonly words: number;
  private readonly inv: number;

  constructor(
    private readonly second: 'e8p12' | Float64Array | undefined,
    scale: number,
  ) {
    this.words = second === undefined ? 1 : 2;
    this.inv = 1 / scale;
  }

  private prepareChunk(x: Float64Array, o: number): void {
    const { XS, TS, G, second } = this;
    const { signs, shifts } = this.t;
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += x[o + i];
    for (let s = 0; s < 256; s++) {
      const b = 8 * s;
      for (let i = 0; i < 8; i++) XS[b + i] = signs[b + i] * x[o + i];
      TS[s] = shifts[s] * sum;
    }
    if (second instanceof Float64Array) {
      for (let r = 0; r < 256; r++) {
        let d = 0;
        for (let i = 0; i < 8; i++) d += second[8 * r + i] * x[o + i];
        G[r] = d * this.inv;
      }
    }
  }

  matvecAccumulate(codesT: Uint16Array, m: number, n: number, x: Float64Array, y: Float64Array): void {
    const { XS, TS, G, words, inv, second } = this;
    const R = this.t.rows;
    const chunks = n >>> 3;
    for (let j = 0; j < chunks; j++) {
      this.prepareChunk(x, 8 * j);
      let k = j * m * words;
      if (words === 1) {
        for (let i = 0; i < m; i++, k++) {
          const c = codesT[k];
          const a = (c >>> 8) << 3;
          const s = c & 255;
          const b = s << 3;
          y[i] +=
            R[a] * XS[b] + R[a + 1] * XS[b + 1] + R[a + 2] * XS[b + 2] + R[a + 3] * XS[b + 3] +
            R[a + 4] * XS[b + 4] + R[a + 5] * XS[b + 5] + R[a + 6] * XS[b + 6] + R[a + 7] * XS[b + 7] + TS[s];
        }
      } else if (second === 'e8p12') {
        for (let i = 0; i < m; i++, k += 2) {
          y[i] += e8dot(R, XS, TS, codesT[k]) + e8dot(R, XS, TS, codesT[k + 1]) * inv;
        }
      } else {
        for (let i = 0; i < m; i++, k += 2) y[i] += e8dot(R, XS, TS, codesT[k]) + G[codesT[k + 1]];
      }
    }
  }

  matmulAccumulate(codesT: Uint16Array, m: number, n: number, B: number, Xt: Float64Array, Y: Float64Array): void {
    const { words, inv, second } = this;
    const { rows: R, signs: S, shifts: T } = this.t;
    const w = new Float64Array(8);
    const chunks = n >>> 3;
    for (let j = 0; j < chunks; j++) {
      const xo = 8 * j * B;
      let k = j * m * words;
      for (let i = 0; i < m; i++, k += words) {
        decodeInto(R, S, T, codesT[k], w, 1, false);
        if (words === 2) {
          if (second === 'e8p12') decodeInto(R, S, T, codesT[k + 1], w, inv, true);
          else {
            const g = 8 * codesT[k + 1];
            const P = second as Float64Array;
            for (let q = 0; q < 8; q++) w[q] += P[g + q] * inv;
          }
        }
        const w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7];
        const yo = i * B;
        for (let b = 0; b < B; b++) {
          const p = xo + b;
          Y[yo + b] +=
            w0 * Xt[p] + w1 * Xt[p + B] + w2 * Xt[p + 2 * B] + w3 * Xt[p + 3 * B] +
            w4 * Xt[p + 4 * B] + w5 * Xt[p + 5 * B] + w6 * Xt[p + 6 * B] + w7 * Xt[p + 7 * B];
        }
      }
    }
  }
}

/** E8P12 code c's point dotted with the chunk whose signed copies are XS, TS. */
function e8dot(R: Float64Array, XS: Float64Array, TS: Float64Array, c: number): number {
  const a = (c >>> 8) << 3;
  const s = c & 255;
  const b = s << 3;
  return (
    R[a] * XS[b] + R[a + 1] * XS[b + 1] + R[a + 2] * XS[b + 2] + R[a + 3] * XS[b + 3] +
    R[a + 4] * XS[b + 4] + R[a + 5] * XS[b + 5] + R[a + 6] * XS[b + 6] + R[a + 7] * XS[b + 7] + TS[s]
  );
}

/** w = scale * decode(c) (or w += it, with `add`). */
function decodeInto(R: Float64Array, S: Float64Array, T: Float64Array, c: number, w: Float64Array, scale: number, add: boolean): void {
  const a = (c >>> 8) << 3;
  const s = c & 255;
  const b = s << 3;
  const t = T[s];
  for (let q = 0; q < 8; q++) {
    const v = (R[a + q] * S[b + q] + t) * scale;
    w[q] = add ? w[q] + v : v;
  }
}

/** Any other codebook: decode one row of codes at a time with its decodeRows, then dot. */
class GenericDecoder implements CodeDecoder {
  constructor(private readonly codebook: Codebook) {}

  /** Row i of C, from the chunk-major codes. */
  private row(codesT: Uint16Array, m: number, n: number, i: number): Float64Array {
    const { dim, codeWords } = this.codebook;
    const chunks = n / dim;
    const rowCodes = new Uint16Array(chunks * codeWords);
    for (let j = 0; j < chunks; j++) {
      for (let w = 0; w < codeWords; w++) rowCodes[j * codeWords + w] = codesT[(j * m + i) * codeWords + w];
    }
    return this.codebook.decodeRows(rowCodes);
  }

  matvecAccumulate(codesT: Uint16Array, m: number, n: number, x: Float64Array, y: Float64Array): void {
    for (let i = 0; i < m; i++) {
      const r = this.row(codesT, m, n, i);
      let acc = 0;
      for (let k = 0; k < n; k++) acc += r[k] * x[k];
      y[i] += acc;
    }
  }

  matmulAccumulate(codesT: Uint16Array, m: number, n: number, B: number, Xt: Float64Array, Y: Float64Array): void {
    for (let i = 0; i < m; i++) {
      const r = this.row(codesT, m, n, i);
      for (let b = 0; b < B; b++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += r[k] * Xt[k * B + b];
        Y[i * B + b] += acc;
      }
    }
  }
}
