// The ndarray boundary and argument checks shared by every folder. Internal to the library: src/index.ts
// re-exports only the types users need (Matrix, MatrixInput, FloatArray) and matrixFromRowMajor.
export {
  matrixFromRowMajor,
  readMatrix,
  readSymmetricMatrix,
  assertSquare,
  assertSymmetric,
  symmetrizeInPlace,
  transpose,
} from './matrix.js';
export { overlaps, assertNoOverlap } from './overlap.js';
export type { Matrix, MatrixInput, DenseMatrix } from './matrix.js';
export {
  isFloatArray,
  assertFloatArray,
  assertLength,
  assertFinite,
  assertInteger,
  assertFiniteNumber,
  isPowerOfTwo,
} from './validate.js';
export type { FloatArray } from './validate.js';
export { allFinite, assertFiniteFast } from './finite.js';
export { compiledCopy } from './specialize.js';
export { parity, primeFactors, primePower, mulMod, powMod, primitiveRoot } from './numbers.js';
export { exponentOf, timesPow2, log10Scaled, describeMagnitude } from './pow2.js';
