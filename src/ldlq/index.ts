// Cholesky, LDL and block LDL factorizations, BlockLDLQ adaptive rounding and its proxy loss.
export { cholesky, choleskyInPlace } from './cholesky.js';
export { ldl, blockLDL, regularizeHessian } from './ldl.js';
export type { LDLResult, BlockLDLResult } from './ldl.js';
export { blockLDLQ } from './ldlq.js';
export type { BlockLDLQOptions, BlockLDLQResult } from './ldlq.js';
export { proxyLoss } from './proxy.js';
