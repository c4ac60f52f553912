/**
 * A plain strided view with ndarray's interface, for environments that refuse code generation.
 *
 * `ndarray` compiles one constructor per element type and dimension with `new Function`, which throws under a
 * Content-Security-Policy without 'unsafe-eval' (and in some edge runtimes). Every matrix quipsharp returns is
 * built by {@link makeNdArray}: a real ndarray where the platform allows it, else this class, which has the same
 * fields and methods (get, set, index, lo, hi, step, transpose, pick), written without code generation.
 * No maintained package offers this fallback, hence the hand-written class.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';

type Float = Float32Array | Float64Array;

class StridedView<D extends Float> {
  readonly dimension: number;
  constructor(
    readonly data: D,
    readonly shape: number[],
    readonly stride: number[],
    readonly offset: number,
  ) {
    this.dimension = shape.length;
  }
  get dtype(): string {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get order(): number[] {
    return this.stride
      .map((s, i) => [Math.abs(s), i] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, i]) => i);
  }
  index(...idx: number[]): number {
    let k = this.offset;
    for (let d = 0; d < this.dimension; d++) k += this.stride[d] * idx[d];
    return k;
  }
  get(...idx: number[]): number {
    return this.data[this.index(...idx)];
  }
  set(...args: number[]): number {
    const v = args[this.dimension];
    this.data[this.index(...args)] = v;
    return v;
  }
  hi(...idx: number[]): StridedView<D> {
    const shape = this.shape.map((s, d) => (typeof idx[d] !== 'number' || idx[d] < 0 ? s : idx[d] | 0));
    return new StridedView(this.data, shape, this.stride.slice(), this.offset);
  }
  lo(...idx: number[]): StridedView<D> {
    let offset = this.offset;
    const shape = this.shape.slice();
    for (let d = 0; d < this.dimension; d++) {
      const i = idx[d];
      if (typeof i === 'number' && i >= 0) {
        offset += this.stride[d] * (i | 0);
        shape[d] -= i | 0;
      }
    }
    return new StridedView(this.data, shape, this.stride.slice(), offset);
  }
  step(...idx: number[]): StridedView<D> {
    let offset = this.offset;
    const shape = this.shape.slice();
    const stride = this.stride.slice();
    for (let d = 0; d < this.dimension; d++) {
      const i = idx[d];
      if (typeof i !== 'number') continue;
      const s = i | 0;
      if (s < 0) {
        offset += stride[d] * (shape[d] - 1);
        shape[d] = Math.ceil(-shape[d] / s);
      } else {
        shape[d] = Math.ceil(shape[d] / s);
      }
      stride[d] *= s;
    }
    return new StridedView(this.data, shape, stride, offset);
  }
  transpose(...axes: number[]): StridedView<D> {
    const perm = this.shape.map((_, d) => (axes[d] === undefined ? d : axes[d] | 0));
    return new StridedView(this.data, perm.map((p) => this.shape[p]), perm.map((p) => this.stride[p]), this.offset);
  }
  pick(...idx: Array<number | null>): StridedView<D> {
    let offset = this.offset;
    const shape: number[] = [];
    const stride: number[] = [];
    for (let d = 0; d < this.dimension; d++) {
      const i = idx[d];
      if (typeof i === 'number' && i >= 0) offset += this.stride[d] * (i | 0);
      else {
        shape.push(this.shape[d]);
        stride.push(this.stride[d]);
      }
    }
    return new StridedView(this.data, shape, stride, offset);
  }
}

/** A view of `data` with the given shape (row-major strides): an ndarray, or the fallback class where code generation is refused. */
export function makeNdArray<D extends Float>(data: D, shape: number[]): NdArray<D> {
  try {
    return ndarray(data, shape);
  } catch {
    return stridedView(data, shape);
  }
}

/** The code-generation-free view of `data` with the given shape and row-major strides. */
export function stridedView<D extends Float>(data: D, shape: number[]): NdArray<D> {
  const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return new StridedView(data, shape.slice(), stride, 0) as unknown as NdArray<D>;
}
