// Incoherence processing: the randomized Hadamard transform (RHT), the randomized FFT (RFFT), the 'auto'
// dispatcher between them, and QuIP's incoherence measure.
export { rht, rhtInverse } from './rht.js';
export { incoherenceRHT, reverseIncoherenceRHT } from './rht-incoherence.js';
export type { IncoherenceOptions, IncoherenceRHTResult } from './rht-incoherence.js';
export { rfftTransform, rfftInverse } from './rfft.js';
export { incoherenceRFFT, reverseIncoherenceRFFT } from './rfft-incoherence.js';
export type { IncoherenceRFFTOptions, IncoherenceRFFTResult } from './rfft-incoherence.js';
export { incoherenceProcess, reverseIncoherence } from './process.js';
export type { IncoherenceMethod, IncoherenceProcessOptions, IncoherenceProcessed } from './process.js';
export { incoherence } from './measure.js';
// for quantize/ (QuIP#'s maps on both sides of a layer), not re-exported by src/index.ts
export { transformBothSides } from './conjugate.js';
export { incoherenceProcessInPlace } from './process.js';
export type { IncoherenceParameters } from './process.js';
export type { RowMap } from './conjugate.js';
