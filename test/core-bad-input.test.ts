import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { blockLDLQ, E8P12, incoherence, matrixFromRowMajor, proxyLoss } from '../src/index.js';
import { readMatrix } from '../src/core/index.js';
import { stridedView } from '../src/core/strided.js';

const H16 = matrixFromRowMajor(Float64Array.from({ length: 256 }, (_, k) => (k % 17 === 0 ? 1 : 0)), 16, 16);

/** A view object with the given geometry over `data`, bypassing ndarray's own constructor. */
function view(data: Float64Array, shape: unknown[], stride: unknown[], offset: unknown) {
  return { data, shape, stride, offset } as unknown as ndarray.NdArray<Float64Array>;
}

describe('the matrix boundary rejects views that do not describe their data', () => {
  it('a view reaching past its data (rows 2-3 of nothing) is a RangeError naming the function', () => {
    expect(() => blockLDLQ(ndarray(new Float64Array(32), [4, 16]), H16, E8P12)).toThrow(
      /blockLDLQ: W must be a view inside its data \(addresses 0\.\.31\)/,
    );
  });
  it('offsets past the end, negative offsets and negative strides reaching below 0', () => {
    const d = new Float64Array(12);
    expect(() => readMatrix('f', 'A', view(d, [3, 4], [4, 1], 1))).toThrow(RangeError);
    expect(() => readMatrix('f', 'A', view(d, [3, 4], [4, 1], -1))).toThrow(RangeError);
    expect(() => readMatrix('f', 'A', view(d, [3, 4], [-4, 1], 0))).toThrow(RangeError);
    expect(() => readMatrix('f', 'A', view(d, [3, 4], [-4, 1], 8))).not.toThrow();
    expect(() => readMatrix('f', 'A', view(d, [3, 4], [4, 1], 12))).toThrow(/addressing 12\.\.23/);
  });
  it('fractional, negative, zero and non-number shapes, string strides and offsets', () => {
    const d = new Float64Array(16);
    expect(() => readMatrix('f', 'A', view(d, [2.5, 4], [4, 1], 0))).toThrow(TypeError);
    expect(() => readMatrix('f', 'A', view(d, [-2, 4], [4, 1], 0))).toThrow(RangeError);
    expect(() => readMatrix('f', 'A', view(d, [0, 4], [4, 1], 0))).toThrow(/non-empty/);
    expect(() => readMatrix('f', 'A', view(d, ['2', 4], [4, 1], 0))).toThrow(/A\.shape\[0\] must be a positive integer/);
    expect(() => readMatrix('f', 'A', view(d, [2, 4], ['4', 1], 0))).toThrow(/A\.stride\[0\] must be an integer/);
    expect(() => readMatrix('f', 'A', view(d, [2, 4], [4, 1.5], 0))).toThrow(TypeError);
    expect(() => readMatrix('f', 'A', view(d, [2, 4], [4, 1], '0'))).toThrow(/A\.offset must be an integer/);
    expect(() => readMatrix('f', 'A', view(d, [2, 4], [4, 1], NaN))).toThrow(TypeError);
    expect(() => readMatrix('f', 'A', view(d, [2, 4], [4], 0))).toThrow(/A\.stride must be two integers/);
  });
  it('data shorter than the shape', () => {
    expect(() => proxyLoss(ndarray(new Float64Array(10), [2, 8]), ndarray(new Float64Array(16), [2, 8]), H16)).toThrow(RangeError);
    expect(() => incoherence(ndarray(new Float32Array(5), [2, 3]))).toThrow(/incoherence: W must be a view inside its data/);
  });
  it('accepts exactly the views whose every address lies in the data, and copies them entry by entry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: -7, max: 7 }),
        fc.integer({ min: -7, max: 7 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (rows, cols, s0, s1, offset, len) => {
          const data = Float64Array.from({ length: len }, (_, k) => k + 0.5);
          const addresses: number[] = [];
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) addresses.push(offset + i * s0 + j * s1);
          const inside = addresses.every((a) => a >= 0 && a < len);
          const A = view(data, [rows, cols], [s0, s1], offset);
          if (!inside) {
            expect(() => readMatrix('f', 'A', A)).toThrow(RangeError);
            return;
          }
          const dense = readMatrix('f', 'A', A);
          expect(Array.from(dense.data)).toEqual(addresses.map((a) => data[a]));
        },
      ),
    );
  });
  it('matrixFromRowMajor checks its arguments', () => {
    expect(() => matrixFromRowMajor(new Float32Array(4) as unknown as Float64Array, 2, 2)).toThrow(TypeError);
    expect(() => matrixFromRowMajor(new Float64Array(4), 2.5, 2)).toThrow(TypeError);
    expect(() => matrixFromRowMajor(new Float64Array(4), 0, 2)).toThrow(RangeError);
    expect(() => matrixFromRowMajor(new Float64Array(4), 3, 2)).toThrow(/of length rows \* cols = 6/);
  });
});

describe('the code-generation-free view has ndarray\'s behaviour', () => {
  it('get, set, index, hi, lo, step, transpose and pick agree with ndarray', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
        fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
        fc.nat(5),
        fc.nat(5),
        (rows, cols, st0, st1, i0, j0) => {
          const data = Float64Array.from({ length: rows * cols }, (_, k) => k);
          const a = ndarray(data, [rows, cols]);
          const b = stridedView(data, [rows, cols]);
          expect(b.constructor.name).toBe('StridedView');
          const same = (x: ndarray.NdArray, y: ndarray.NdArray) => {
            expect(y.shape).toEqual(x.shape);
            expect(y.stride).toEqual(x.stride);
            expect(y.offset).toBe(x.offset);
            expect(y.size).toBe(x.size);
            expect(y.order).toEqual(x.order);
            expect(y.dimension).toBe(x.dimension);
          };
          same(a, b);
          same(a.hi(i0, j0), b.hi(i0, j0));
          same(a.lo(i0, j0), b.lo(i0, j0));
          same(a.step(st0, st1), b.step(st0, st1));
          same(a.transpose(1, 0), b.transpose(1, 0));
          const i = i0 % rows;
          const j = j0 % cols;
          same(a.pick(i, null), b.pick(i, null));
          same(a.pick(null, j), b.pick(null, j));
          expect(b.get(i, j)).toBe(a.get(i, j));
          expect(b.index(i, j)).toBe(a.index(i, j));
          b.set(i, j, -1);
          expect(a.get(i, j)).toBe(-1);
          expect(b.dtype).toBe('float64');
        },
      ),
    );
  });
});

