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
export { rht, rhtInverse } from './rht.js';
export { incoherenceRHT, reverseIncoherenceRHT, incoherence } from './incoherence.js';
export type { IncoherenceOptions, IncoherenceRHTResult } from './incoherence.js';
