// One call that quantizes a layer (QuIP# Algorithm 1), the quantized layer with compressed inference
// (Algorithm 2), and the Hessian accumulator for activations captured elsewhere.
export { quantizeLinear, quantizeLinearSync } from './quantize-linear.js';
export { QuantizedLinear } from './quantized-linear.js';
export type { QuantizeReport, QuantizedLinearFields } from './quantized-linear.js';
export type { QuantizeLinearOptions, QuantizeProgress, QuantizeStage, CodebookName, IncoherenceChoice } from './options.js';
export type { IncoherenceRecord, RHTRecord, RFFTRecord, NoIncoherenceRecord, QuipSharpRecord } from './record.js';
export type { QuipSharpHessianDict } from './quantize-linear.js';
export { HessianAccumulator } from './hessian.js';
export type { HessianSums } from './hessian.js';
export { readQuantizedModel, writeQuantizedModel } from './model-file.js';
export type { QuantizedModel } from './model-file.js';
export { FORMAT_NAME, FORMAT_VERSION } from './format.js';
// internal, for src/cli/ (quantize-model assembles model files from layer files; inspect reads headers only)
export { formatMetadata, layerTensors, ownedNames, readLayerEntries, type LayerEntry } from './format.js';
