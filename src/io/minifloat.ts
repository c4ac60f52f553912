/**
 * The small float formats of tensor files, decoded to and encoded from `Float32Array`:
 *
 * | format | bits (sign, exponent, mantissa) | bias | largest finite | specials |
 * | --- | --- | --- | --- | --- |
 * | F16 (IEEE binary16) | 1, 5, 10 | 15 | 65504 | inf, NaN with a 10-bit payload |
 * | BF16 (bfloat16) | 1, 8, 7 | 127 | 3.39e38 | inf, NaN with a 7-bit payload |
 * | F8_E5M2 | 1, 5, 2 | 15 | 57344 | inf, NaN with a 2-bit payload |
 * | F8_E4M3 (PyTorch's float8_e4m3fn) | 1, 4, 3 | 7 | 448 | no inf; NaN = S.1111.111 |
 *
 * Decoding is exact: every value of these formats is a float32. NaN payloads are carried into the float32
 * mantissa's top bits, and the codecs read and write float32 bit patterns through integer views (never
 * through JavaScript numbers, which may quiet or canonicalize NaNs), so `encode(decode(raw))` returns `raw` bit for
 * bit. Encoding rounds to nearest, ties to even; values beyond the largest finite one round as IEEE arithmetic
 * does: to infinity for F16, BF16 and F8_E5M2, and to NaN for F8_E4M3, which has no infinity (as PyTorch casts).
 */

/** Raw storage of a small float format: one code per element. */
export type MinifloatBits = Uint8Array | Uint16Array;

export interface MinifloatCodec {
  /** Float32 values of the codes. */
  decode(raw: MinifloatBits): Float32Array;
  /** Codes of the float32 values, rounded to nearest even. */
  encode(data: Float32Array): MinifloatBits;
}

/**
 * Float32 bit patterns of a float32 array, as a view (no copy). Signed, so that every pattern fits V8's small
 * integers (a Uint32Array's values of 2^31 and above do not).
 */
function float32Bits(data: Float32Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length);
}

/** Decodes codes through a table of float32 bit patterns indexed by code. */
function decodeByTable(raw: MinifloatBits, table: Int32Array): Float32Array {
  const out = new Float32Array(raw.length);
  const o = float32Bits(out);
  for (let i = 0; i < raw.length; i++) o[i] = table[raw[i]];
  return out;
}

/**
 * The code nearest to `a` (ties to the even code) among the non-negative codes `0..values.length - 1`, whose values
 * `values` increase with the code. The last entry is the code that overflow rounds to, valued at the first
 * power-of-two step beyond the largest finite value, so that rounding at the top behaves as in IEEE arithmetic.
 * `a` must be >= 0 and not NaN. Cost: a binary search.
 */
export function nearestCode(values: Float64Array, a: number): number {
  const top = values.length - 1;
  if (a >= values[top]) return top;
  let lo = 0; // values[lo] <= a < values[hi]
  let hi = top;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= a) lo = mid;
    else hi = mid;
  }
  // both values are float32, so their midpoint is exact in float64
  const half = (values[lo] + values[hi]) / 2;
  if (a < half) return lo;
  if (a > half) return hi;
  return lo % 2 === 0 ? lo : hi;
}

// ---- F16 ----

let f16Table: Int32Array | undefined;

/** Float32 bit patterns of the 65536 binary16 codes. */
function float16Table(): Int32Array {
  if (f16Table) return f16Table;
  const t = new Int32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    let e = (h >>> 10) & 0x1f;
    let m = h & 0x3ff;
    if (e === 0x1f) t[h] = sign | 0x7f800000 | (m << 13);
    else if (e !== 0) t[h] = sign | ((e + 112) << 23) | (m << 13);
    else if (m === 0) t[h] = sign;
    else {
      // subnormal m * 2^-24: normalize the mantissa, lowering the exponent
      e = 1;
      while ((m & 0x400) === 0) {
        m <<= 1;
        e--;
      }
      t[h] = sign | ((e + 112) << 23) | ((m & 0x3ff) << 13);
    }
  }
  f16Table = t;
  return t;
}

/** Binary16 code of a float32 bit pattern, rounded to nearest even. */
function float16Code(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const a = x & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7c00 | ((a >>> 13) & 0x3ff || 0x200); // NaN keeps its payload's top bits
  if (a >= 0x477ff000) return sign | 0x7c00; // >= 65520, halfway above 65504: infinity
  if (a >= 0x38800000) {
    // normal: rebias the exponent (127 -> 15), then round the 13 dropped mantissa bits to nearest even
    const r = a - 0x38000000;
    return sign | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13);
  }
  if (a <= 0x33000000) return sign; // <= 2^-25, half the smallest subnormal: zero (the tie goes to even 0)
  // subnormal: (1.m * 2^(e - 127)) / 2^-24 = mant * 2^(e - 126) with e <= 112, so shift right by 126 - e >= 14
  const mant = (a & 0x7fffff) | 0x800000;
  const shift = 126 - (a >>> 23);
  let q = mant >>> shift;
  const rest = mant - (q << shift);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (q & 1) === 1)) q++;
  return sign | q;
}

export const FLOAT16: MinifloatCodec = {
  decode: (raw) => decodeByTable(raw, float16Table()),
  encode(data) {
    const x = float32Bits(data);
    const out = new Uint16Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = float16Code(x[i]);
    return out;
  },
};

// ---- BF16: the top half of a float32 ----

export const BFLOAT16: MinifloatCodec = {
  decode(raw) {
    const out = new Float32Array(raw.length);
    const o = float32Bits(out);
    for (let i = 0; i < raw.length; i++) o[i] = raw[i] << 16;
    return out;
  },
  encode(data) {
    const x = float32Bits(data);
    const out = new Uint16Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if ((v & 0x7fffffff) > 0x7f800000) out[i] = (v >>> 16) | ((v & 0x7f0000) === 0 ? 0x40 : 0); // NaN stays NaN
      else out[i] = (v + 0x7fff + ((v >>> 16) & 1)) >>> 16;
    }
    return out;
  },
};

// ---- 8-bit formats: table decode, binary-search encode ----

interface Float8Format {
  /** Value of a non-negative code (NaN for NaN codes). */
  value(code: number): number;
  /** Largest finite non-negative code; the next code is where overflow goes (inf for E5M2, NaN for E4M3). */
  maxFinite: number;
  /** First power-of-two step beyond the largest finite value: where overflow rounding is decided. */
  overflowValue: number;
  /** Mantissa bits: a NaN's payload moves between them and the top of the float32 mantissa. */
  mantissaBits: number;
}

const E4M3: Float8Format = {
  value(c) {
    const e = (c >>> 3) & 0xf;
    const m = c & 7;
    if (e === 0xf && m === 7) return NaN;
    return e === 0 ? m * 2 ** -9 : (1 + m / 8) * 2 ** (e - 7);
  },
  maxFinite: 0x7e,
  overflowValue: 480,
  mantissaBits: 3,
};

const E5M2: Float8Format = {
  value(c) {
    const e = (c >>> 2) & 0x1f;
    const m = c & 3;
    if (e === 0x1f) return m === 0 ? Infinity : NaN;
    return e === 0 ? m * 2 ** -16 : (1 + m / 4) * 2 ** (e - 15);
  },
  maxFinite: 0x7b,
  overflowValue: 65536,
  mantissaBits: 2,
};

function float8Codec(format: Float8Format): MinifloatCodec {
  const payloadShift = 23 - format.mantissaBits;
  const mantissaMask = (1 << format.mantissaBits) - 1;
  // the positive NaN code of float32 bits x: its payload's top bits (E5M2), or the one NaN (E4M3); never inf
  const quietBit = 1 << (format.mantissaBits - 1);
  const nanCode = (x: number): number => (format.maxFinite + 1) | ((x >>> payloadShift) & mantissaMask || quietBit);
  let table: Int32Array | undefined;
  let values: Float64Array | undefined;
  const decodeTable = (): Int32Array => {
    if (table) return table;
    const t = new Int32Array(256);
    const f = new Float32Array(1);
    const fb = new Uint32Array(f.buffer);
    for (let c = 0; c < 128; c++) {
      const v = format.value(c);
      if (Number.isNaN(v)) fb[0] = 0x7f800000 | ((c & mantissaMask) << payloadShift); // keeps the payload
      else f[0] = v;
      t[c] = fb[0];
      t[c | 0x80] = fb[0] | 0x80000000;
    }
    table = t;
    return t;
  };
  const encodeValues = (): Float64Array => {
    if (values) return values;
    const v = new Float64Array(format.maxFinite + 2);
    for (let c = 0; c <= format.maxFinite; c++) v[c] = format.value(c);
    v[format.maxFinite + 1] = format.overflowValue;
    values = v;
    return v;
  };
  return {
    decode: (raw) => decodeByTable(raw, decodeTable()),
    encode(data) {
      const x = float32Bits(data);
      const vals = encodeValues();
      const out = new Uint8Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const sign = (x[i] >>> 24) & 0x80;
        const a = Math.abs(data[i]);
        out[i] = sign | (Number.isNaN(a) ? nanCode(x[i]) : nearestCode(vals, a));
      }
      return out;
    },
  };
}

export const FLOAT8_E4M3: MinifloatCodec = float8Codec(E4M3);
export const FLOAT8_E5M2: MinifloatCodec = float8Codec(E5M2);
