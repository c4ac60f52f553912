// Hadamard matrices of every supported order and fast transforms by them.
export { fwht, fwhtRows } from './fwht.js';
export type { FwhtOptions } from './fwht.js';
export {
  hadamardFactorization,
  hadamardBase,
  hadamardMatrix,
  supportedHadamardOrder,
  supportedHadamardOrders,
} from './orders.js';
export type { HadamardFactorization } from './orders.js';
export { hadamardTransform, hadamardTransformRows } from './transform.js';
export type { HadamardTransformOptions } from './transform.js';
// for incoherence/, not re-exported by src/index.ts
export { requireHadamardFactorization } from './orders.js';
