// Cholesky, LDL and block LDL factorizations, BlockLDLQ adaptive rounding, its proxy loss and QuIP#'s Hessian
// regularization.
export { cholesky, choleskyInPlace } from './cholesky.js';
export { ldl, blockLDL } from './ldl.js';
export type { LDLResult, BlockLDLResult } from './ldl.js';
export { regularizeHessian } from './regularize.js';
export { blockLDLQ } from './ldlq.js';
export type { BlockLDLQOptions, BlockLDLQResult } from './ldlq.js';
export { proxyLoss } from './proxy.js';
// Internal, for quantize/ (not in src/index.ts): the packed GEMM with the fixed summation order of gemm.ts.
export { gemmAccumulate } from './gemm.js';
export type { GemmOperand } from './gemm.js';
// Internal, for quantize/'s Hessian accumulation: the GEMM's WebAssembly SIMD tile kernel (null where unavailable).
export { SIMD_MR, SIMD_NR } from './gemm-simd.js';
export type { SimdTileKernel } from './gemm-simd.js';
export { activeSimdKernel } from './gemm.js';
// Internal, for quantize/: BlockLDLQ on trusted dense rows, overwritten with the residual (no copies).
export { blockLDLQInPlaceSteps, sweepProductCPU } from './ldlq.js';
export type { SweepProduct } from './ldlq.js';
// Internal, for quantize/: block LDL in place with QuIP#'s one retry at 10 x sigmaReg.
export { blockLDLWithRetryInPlace } from './ldl.js';
