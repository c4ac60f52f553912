export { matrixFromRowMajor, readMatrix, assertSquare, assertSymmetric, symmetrizeInPlace, transpose } from './matrix.js';
export type { Matrix, MatrixInput, DenseMatrix, RowMap } from './matrix.js';
export type { FloatArray } from './validate.js';
