import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BFLOAT16, FLOAT16, FLOAT8_E4M3, FLOAT8_E5M2, nearestCode, type MinifloatCodec } from '../src/io/minifloat.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 with bit pattern `bits`, as a one-element array (its bits intact). */
function fromBits(bits: number): Float32Array {
  const out = new Float32Array(1);
  new Uint32Array(out.buffer)[0] = bits >>> 0;
  return out;
}
function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** Value of a code of a format with `e` exponent bits, `m` mantissa bits and IEEE specials (inf, NaN). */
function ieeeValue(code: number, e: number, m: number): number {
  const sign = code >>> (e + m) ? -1 : 1;
  const exp = (code >>> m) & ((1 << e) - 1);
  const man = code & ((1 << m) - 1);
  const bias = (1 << (e - 1)) - 1;
  if (exp === (1 << e) - 1) return man === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * man * 2 ** (1 - bias - m);
  return sign * (1 + man / 2 ** m) * 2 ** (exp - bias);
}

/**
 * The slow explicit definition of round-to-nearest-even into a format: scan every non-negative finite code for the
 * nearest value (ties to the even code), with the code after the largest finite one standing for overflow at
 * `overflowValue`.
 */
function bruteNearest(a: number, value: (c: number) => number, maxFinite: number, overflowValue: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c <= maxFinite + 1; c++) {
    const v = c === maxFinite + 1 ? overflowValue : value(c);
    const d = Math.abs(a - v);
    if (d < bestDistance || (d === bestDistance && c % 2 === 0)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function roundTripsEveryCode(codec: MinifloatCodec, codes: Uint8Array | Uint16Array): void {
  for (let c = 0; c < codes.length; c++) codes[c] = c;
  const back = codec.encode(codec.decode(codes));
  expect(Array.from(back)).toEqual(Array.from(codes));
}

describe('F16', () => {
  it('decodes every code to its exact value (NaN codes to NaN)', () => {
    const codes = new Uint16Array(65536).map((_, i) => i);
    const values = FLOAT16.decode(codes);
    for (let c = 0; c < 65536; c++) {
      const v = ieeeValue(c, 5, 10);
      if (Number.isNaN(v)) expect(values[c]).toBeNaN();
      else expect(Object.is(values[c], v)).toBe(true);
    }
  });

  it('encode(decode(code)) === code for all 65536 codes, NaN payloads and signaling NaNs included', () => {
    roundTripsEveryCode(FLOAT16, new Uint16Array(65536));
  });

  it('keeps NaN payloads in the float32 bits', () => {
    const d = FLOAT16.decode(Uint16Array.of(0x7e01, 0xfc01));
    const bits = new Uint32Array(d.buffer);
    expect(bits[0]).toBe(0x7fc02000);
    expect(bits[1]).toBe(0xff802000);
  });

  it('rounds float32 to nearest even like the explicit definition (random bit patterns)', () => {
    const value = (c: number) => ieeeValue(c, 5, 10);
    const table = new Float64Array(0x7c01).map((_, c) => (c === 0x7c00 ? 65536 : value(c)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = fromBits(bits);
        const got = FLOAT16.encode(x)[0];
        if (Number.isNaN(x[0])) {
          expect(got & 0x7c00).toBe(0x7c00);
          expect(got & 0x3ff).not.toBe(0);
          return;
        }
        const want = ((bits >>> 16) & 0x8000) | nearestCode(table, Math.abs(x[0]));
        expect(got).toBe(want);
      }),
      { numRuns: 20000 },
    );
  });

  it('agrees with the brute-force scan near the boundaries (ties, overflow, subnormals)', () => {
    const value = (c: number) => ieeeValue(c, 5, 10);
    const cases = [65504, 65519.99, 65520, 65536, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0000001, 3 * 2 ** -25, 2 ** -14, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
    for (const v of cases) {
      const x = Float32Array.of(v);
      expect(FLOAT16.encode(x)[0]).toBe(bruteNearest(x[0], value, 0x7bff, 65536));
    }
    expect(FLOAT16.encode(Float32Array.of(Infinity, -Infinity, 1 / 3))).toEqual(Uint16Array.of(0x7c00, 0xfc00, 0x3555));
  });
});

describe('BF16', () => {
  it('decodes to the top half of a float32 and round-trips all 65536 codes', () => {
    const d = BFLOAT16.decode(Uint16Array.of(0x3f80, 0xc040, 0x7f80, 0x7fc1));
    expect(Array.from(new Uint32Array(d.buffer))).toEqual([0x3f800000, 0xc0400000, 0x7f800000, 0x7fc10000]);
    roundTripsEveryCode(BFLOAT16, new Uint16Array(65536));
  });

  it('rounds to nearest even: the dropped 16 bits decide, a tie keeps the even code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = fromBits(bits);
        const got = BFLOAT16.encode(x)[0];
        if (Number.isNaN(x[0])) {
          expect(got & 0x7f80).toBe(0x7f80);
          expect(got & 0x7f).not.toBe(0);
          return;
        }
        const hi = bits >>> 16;
        const lo = bits & 0xffff;
        const up = lo > 0x8000 || (lo === 0x8000 && (hi & 1) === 1);
        expect(got).toBe((hi + (up ? 1 : 0)) & 0xffff);
      }),
      { numRuns: 20000 },
    );
    // the largest finite float32 rounds up to infinity (its dropped half is above the tie)
    expect(BFLOAT16.encode(fromBits(0x7f7fffff))[0]).toBe(0x7f80);
  });
});

describe('F8_E4M3 (float8_e4m3fn) and F8_E5M2', () => {
  const e4m3Value = (c: number): number => {
    const sign = c & 0x80 ? -1 : 1;
    const e = (c >>> 3) & 0xf;
    const m = c & 7;
    if (e === 0xf && m === 7) return NaN;
    return sign * (e === 0 ? m * 2 ** -9 : (1 + m / 8) * 2 ** (e - 7));
  };

  it('decodes every code exactly, with the formats\' landmarks', () => {
    const codes = new Uint8Array(256).map((_, i) => i);
    const e4 = FLOAT8_E4M3.decode(codes);
    const e5 = FLOAT8_E5M2.decode(codes);
    for (let c = 0; c < 256; c++) {
      const v4 = e4m3Value(c);
      const v5 = ieeeValue(c, 5, 2);
      if (Number.isNaN(v4)) expect(e4[c]).toBeNaN();
      else expect(Object.is(e4[c], v4)).toBe(true);
      if (Number.isNaN(v5)) expect(e5[c]).toBeNaN();
      else expect(Object.is(e5[c], v5)).toBe(true);
    }
    expect([e4[0x7e], e4[0x01], e4[0x08]]).toEqual([448, 2 ** -9, 2 ** -6]);
    expect([e5[0x7b], e5[0x7c], e5[0x01]]).toEqual([57344, Infinity, 2 ** -16]);
  });

  it('round-trips all 256 codes of each', () => {
    roundTripsEveryCode(FLOAT8_E4M3, new Uint8Array(256));
    roundTripsEveryCode(FLOAT8_E5M2, new Uint8Array(256));
  });

  it('rounds like the brute-force scan; E4M3 overflows to NaN, E5M2 to infinity', () => {
    const e4 = (c: number) => e4m3Value(c);
    const e5 = (c: number) => ieeeValue(c, 5, 2);
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -70000, max: 70000 }), (v) => {
        const x = Float32Array.of(v);
        const sign = bitsOf(x[0]) >>> 31 ? 0x80 : 0;
        expect(FLOAT8_E4M3.encode(x)[0]).toBe(sign | bruteNearest(Math.abs(x[0]), e4, 0x7e, 480));
        expect(FLOAT8_E5M2.encode(x)[0]).toBe(sign | bruteNearest(Math.abs(x[0]), e5, 0x7b, 65536));
      }),
      { numRuns: 3000 },
    );
    // ties: 464 is halfway between 448 (even code 0x7e) and the NaN code; 61440 halfway between 57344 (odd) and inf
    expect(Array.from(FLOAT8_E4M3.encode(Float32Array.of(464, 464.1, Infinity, -1e9, NaN)))).toEqual([0x7e, 0x7f, 0x7f, 0xff, 0x7f]);
    expect(Array.from(FLOAT8_E5M2.encode(Float32Array.of(61439, 61440, Infinity, -Infinity)))).toEqual([0x7b, 0x7c, 0x7c, 0xfc]);
  });
});
