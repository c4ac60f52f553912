// One call that quantizes a layer (QuIP# Algorithm 1), the quantized layer with compressed inference
// (Algorithm 2), and the Hessian accumulator for activations captured elsewhere.
export { quantizeLinear, quantizeLinearSync } from './quantize-linear.js';
export { QuantizedLinear } from './quantized-linear.js';
export type { QuantizeReport, QuantizedLinearFields } from './quantized-linear.js';
export type { QuantizeLinearOptions, QuantizeProgress, QuantizeStage, CodebookName, IncoherenceChoice } from './options.js';
export type { IncoherenceRecord, RHTRecord, RFFTRecord, NoIncoherenceRecord } from './record.js';
