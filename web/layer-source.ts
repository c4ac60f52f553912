/**
 * Where the page's layer comes from: the library's seeded example layer, or a weight matrix W and its proxy
 * Hessian H dropped in as two `.npy` files.
 */
import { exampleLayer, matrixFromRowMajor, readNpy, type Matrix, type Npy } from 'quipsharp';

/** A layer to quantize: W (m x n, out x in), H (n x n), and a line saying where they came from. */
export interface PageLayer {
  W: Matrix;
  H: Matrix;
  label: string;
}

/** Parameters of the example layer (the library's {@link exampleLayer}). */
export interface ExampleParameters {
  m: number;
  n: number;
  samples: number;
  seed: number;
}

/**
 * The library's example layer: W (m x n) Gaussian with 1% outliers times 20, H from `samples` correlated
 * activations with four loud channels, all from `seed`. Cost O(samples n^2). Throws the library's RangeError
 * for sizes it does not accept.
 *
 * @example const { W, H } = examplePageLayer({ m: 256, n: 512, samples: 1024, seed: 2024 });
 */
export function examplePageLayer(p: ExampleParameters): PageLayer {
  const { W, H } = exampleLayer(p.m, p.n, p.samples, p.seed);
  return { W, H, label: `example layer ${p.m} x ${p.n}, H from ${p.samples} activations, seed ${p.seed}` };
}

/** A float `.npy` array as a matrix, or a RangeError naming the file and what is wrong with it. */
function npyMatrix(file: string, a: Npy): Matrix {
  if (a.dtype !== 'F32' && a.dtype !== 'F64' && a.dtype !== 'F16') {
    throw new RangeError(`${file}: must hold floats (<f2, <f4 or <f8), got ${a.descr}`);
  }
  if (a.shape.length !== 2) throw new RangeError(`${file}: must be a matrix (2-D), got shape [${a.shape.join(', ')}]`);
  const [rows, cols] = a.shape;
  if (rows === 0 || cols === 0) throw new RangeError(`${file}: must not be empty, got shape [${rows}, ${cols}]`);
  // float16 and float32 widen to float64 exactly
  return matrixFromRowMajor(Float64Array.from(a.data as Float32Array | Float64Array), rows, cols);
}

/**
 * W and H from the bytes of two `.npy` files (float16, float32 or float64 matrices; H must be n x n for W's n
 * columns). The library checks the rest when the layer is used (finite entries, H symmetric). Throws
 * CorruptDataError for a file that is not `.npy`, RangeError for the wrong dtype or shapes.
 *
 * @example const layer = npyPageLayer('W.npy', wBytes, 'H.npy', hBytes);
 */
export function npyPageLayer(wName: string, wBytes: Uint8Array, hName: string, hBytes: Uint8Array): PageLayer {
  const W = npyMatrix(wName, readNpy(wBytes));
  const H = npyMatrix(hName, readNpy(hBytes));
  const [m, n] = W.shape;
  if (H.shape[0] !== n || H.shape[1] !== n) {
    throw new RangeError(`${hName}: must be ${n} x ${n} (W has ${n} columns), got ${H.shape[0]} x ${H.shape[1]}`);
  }
  return { W, H, label: `${wName} (${m} x ${n}) with ${hName}` };
}
