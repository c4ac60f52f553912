/**
 * Reading the tensors of QuIP#'s dicts as the file readers return them (`{ dtype, shape, data }` with
 * safetensors' dtype names; F16 with `data` decoded to float32 and `bits` kept), with checks that name the caller's function and argument path.
 */
import { describeValue, rangeError, typeError } from '../errors/index.js';
import { assertFinite } from '../core/index.js';

/** A tensor as readTorchFile or readSafetensors return it (only the fields read here). */
export interface TensorInput {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number> | BigInt64Array;
}

/** Checks that `v` is a tensor of one of `dtypes` with `shape` (entries -1 match any size); returns it. */
export function readTensor(fn: string, arg: string, v: unknown, dtypes: readonly string[], shape: readonly number[]): TensorInput {
  const t = v as Partial<TensorInput> | null;
  if (typeof t !== 'object' || t === null || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !ArrayBuffer.isView(t.data)) {
    throw typeError(fn, arg, 'a tensor { dtype, shape, data }', v);
  }
  if (!dtypes.includes(t.dtype)) throw rangeError(fn, `${arg}.dtype`, dtypes.map((d) => `'${d}'`).join(' or '), `'${t.dtype}'`);
  const s = t.shape;
  if (s.length !== shape.length || s.some((x, i) => x !== shape[i] && !(shape[i] === -1 && Number.isSafeInteger(x) && x >= 0))) {
    throw rangeError(fn, `${arg}.shape`, `[${shape.map((x) => (x === -1 ? '*' : x)).join(', ')}]`, `[${s.map(describeValue).join(', ')}]`);
  }
  const numel = s.reduce((a: number, b: number) => a * b, 1);
  if ((t.data as ArrayLike<unknown>).length !== numel) {
    throw rangeError(fn, `${arg}.data`, `of length ${numel} (its shape)`, `length ${(t.data as ArrayLike<unknown>).length}`);
  }
  return t as TensorInput;
}

/** The values of an F16/F32/F64 tensor as a new Float64Array, checked finite. */
export function floatValues(fn: string, arg: string, t: TensorInput): Float64Array {
  const values = Float64Array.from(t.data as ArrayLike<number>);
  assertFinite(fn, arg, values);
  return values;
}

/** A Python int or float from a QuIP# dict: a number, or a 0-dim float tensor. */
export function scalarValue(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' && (typeof v !== 'object' || v === null)) throw typeError(fn, arg, 'a number or a 0-dim tensor', v);
  const x = typeof v === 'number' ? v : floatValues(fn, arg, readTensor(fn, arg, v, ['F64', 'F32', 'F16'], []))[0];
  if (!Number.isFinite(x)) throw rangeError(fn, arg, 'a finite number', String(x));
  return x;
}
