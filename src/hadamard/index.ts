// Hadamard matrices of every supported order and fast transforms by them.
export { fwht, fwhtInPlace, fwhtRows, fwhtRowsInPlace } from './fwht.js';
export type { FwhtOptions, HadamardTransformOptions } from './options.js';
export {
  hadamardFactorization,
  hadamardBase,
  hadamardMatrix,
  supportedHadamardOrder,
  supportedHadamardOrders,
} from './orders.js';
export type { HadamardFactorization } from './orders.js';
export {
  hadamardTransform,
  hadamardTransformInPlace,
  hadamardTransformRows,
  hadamardTransformRowsInPlace,
} from './transform.js';
// for incoherence/, not re-exported by src/index.ts: the checked order lookup and the row transform under the
// caller's function and argument names
export { requireHadamardFactorization } from './orders.js';
export { planFor } from './plan.js';
export type { HadamardPlan } from './plan.js';
