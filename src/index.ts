/**
 * quipsharp: QuIP# (Tseng et al., ICML 2024) in pure TypeScript: incoherence processing, lattice codebooks,
 * BlockLDLQ, quantizeLinear and compressed inference, files in and out. Runs in Node and browsers; the Node-only
 * file functions are in `quipsharp/node`.
 *
 * @module quipsharp
 */
// quipsharp: the one public entry. Every public name is listed here explicitly; test/exports.test.ts compares
// this list (at run time and in the .d.ts) with test/fixtures/public-api.json, so a change to the public surface
// is deliberate.

export { NotSymmetricError, NotPositiveDefiniteError, CorruptDataError, BackendUnavailableError, DisposedError } from './errors/index.js';

export { matrixFromRowMajor } from './core/index.js';
export type { Matrix, MatrixInput, FloatArray } from './core/index.js';

export { philoxWords, randomSigns, randomPhases, randomUniform, randomNormal } from './random/index.js';
export type { Seed } from './random/index.js';

export {
  fwht,
  fwhtInPlace,
  fwhtRows,
  fwhtRowsInPlace,
  hadamardFactorization,
  hadamardBase,
  hadamardMatrix,
  supportedHadamardOrder,
  supportedHadamardOrders,
  hadamardTransform,
  hadamardTransformInPlace,
  hadamardTransformRows,
  hadamardTransformRowsInPlace,
} from './hadamard/index.js';
export type { FwhtOptions, HadamardFactorization, HadamardTransformOptions } from './hadamard/index.js';

export { fft, fftInPlace, createFFT, FFTPlan } from './fft/index.js';
export type { FFTOptions, ComplexArrays } from './fft/index.js';

export {
  rht,
  rhtInverse,
  incoherenceRHT,
  reverseIncoherenceRHT,
  incoherence,
  rfftTransform,
  rfftInverse,
  incoherenceRFFT,
  reverseIncoherenceRFFT,
  incoherenceProcess,
  reverseIncoherence,
} from './incoherence/index.js';
export type {
  IncoherenceOptions,
  IncoherenceRHTResult,
  IncoherenceRFFTOptions,
  IncoherenceRFFTResult,
  IncoherenceMethod,
  IncoherenceProcessOptions,
  IncoherenceProcessed,
} from './incoherence/index.js';

export {
  ScalarCodebook,
  nearestD8,
  nearestE8,
  nearestE8Rows,
  E8P12,
  E8P12Codebook,
  E8P12RVQ3B,
  E8P12RVQ4B,
  ResidualE8Codebook,
} from './lattice/index.js';
export type { Codebook, QuantizeResult, ResidualStage } from './lattice/index.js';

export { cholesky, choleskyInPlace, ldl, blockLDL, regularizeHessian, blockLDLQ, proxyLoss } from './ldlq/index.js';
export type { LDLResult, BlockLDLResult, BlockLDLQOptions, BlockLDLQResult } from './ldlq/index.js';

export {
  quantizeLinear,
  quantizeLinearSync,
  QuantizedLinear,
  HessianAccumulator,
  readQuantizedModel,
  writeQuantizedModel,
} from './quantize/index.js';
export type {
  QuantizeLinearOptions,
  QuantizeProgress,
  QuantizeStage,
  QuantizeReport,
  QuantizedLinearFields,
  CodebookName,
  IncoherenceChoice,
  IncoherenceRecord,
  RHTRecord,
  RFFTRecord,
  NoIncoherenceRecord,
  HessianSums,
  QuantizedModel,
  QuipSharpHessianDict,
  QuipSharpRecord,
} from './quantize/index.js';

export { exampleActivations, exampleLayer, exampleModel } from './example/index.js';
export type { ExampleLayer, ExampleModel, ExampleModelOptions, ExampleTensor } from './example/index.js';

export { readSafetensors, writeSafetensors, readNpy, writeNpy, readNpz, readTorchFile, isTensor, DTYPES } from './io/index.js';
export type { Safetensors, Npy, WriteNpyOptions, Dtype, Tensor, TensorOf, TensorData, TensorDataTypes, MinifloatBitsTypes, TensorSpec, TorchValue } from './io/index.js';

export {
  packQuipSharp,
  unpackQuipSharp,
  quipSharpHessianToDense,
  regularizeQuipSharpHessian,
  denseToQuipSharpHessian,
  readQuipSharpLayer,
  quipSharpLayerToAttr,
  dequantizeQuipSharp,
  quipSharpHadamardRowsInPlace,
  quipSharpHadamardBase,
  quipSharpHadamardFactor,
  QUIP_SHARP_BASE_ORDERS,
} from './interop/index.js';
export type {
  QuipSharpLayer,
  QuipSharpPart,
  QuipSharpCodebookName,
  QuipSharpPackOptions,
  QuipSharpHessianFile,
  QuipSharpHadamardFactor,
  QuipSharpHadamardOptions,
} from './interop/index.js';

export {
  setBackend,
  getBackend,
  describeBackend,
  disposeDevices,
  BACKEND_NAMES,
  fwhtRowsAsync,
  hadamardTransformRowsAsync,
  decodeRowsAsync,
  randomSignsAsync,
  nearestE8P12Async,
} from './backend/index.js';
export type {
  BackendName,
  ResolvedBackend,
  BackendDescription,
  BackendOptions,
  FwhtAsyncOptions,
  HadamardTransformAsyncOptions,
  NearestE8P12Result,
  ProductOptions,
  WebGPUKernel,
  WebGPUKernelOptions,
} from './backend/index.js';
