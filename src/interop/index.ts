// QuIP#'s formats: its Hadamard tables and transform, its packed code layout, its Hessian files and its layers.
export {
  QUIP_SHARP_BASE_ORDERS,
  quipSharpHadamardBase,
  quipSharpHadamardFactor,
  quipSharpHadamardRowsInPlace,
} from './hadamard.js';
export type { QuipSharpHadamardFactor, QuipSharpHadamardOptions } from './hadamard.js';
export { packQuipSharp, unpackQuipSharp, isQuipSharpCodebookName } from './pack.js';
export type { QuipSharpCodebookName, QuipSharpPackOptions } from './pack.js';
export { quipSharpHessianToDense, regularizeQuipSharpHessian, denseToQuipSharpHessian } from './hessian.js';
export type { QuipSharpHessianFile } from './hessian.js';
export { readQuipSharpLayer, quipSharpLayerToAttr, dequantizeQuipSharp, quipSharpCodebook } from './layer.js';
export type { QuipSharpLayer, QuipSharpPart } from './layer.js';
// for quantize/ (QuantizedLinear.fromQuipSharp), not re-exported by src/index.ts
export { requireQuipSharpFactor } from './hadamard.js';
export { float16Bits } from './float16.js';
