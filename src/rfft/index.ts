// Public names of src/rfft/ (re-exports only).
export { fft, createFFT, FFTPlan } from './fft.js';
export type { FFTOptions } from './fft.js';
export { rfftTransform, rfftInverse } from './rfft.js';
export { incoherenceRFFT, reverseIncoherenceRFFT } from './incoherence.js';
export type { IncoherenceRFFTOptions, IncoherenceRFFTResult } from './incoherence.js';
export { incoherenceProcess, reverseIncoherence } from './process.js';
export type { IncoherenceMethod, IncoherenceProcessOptions, IncoherenceProcessed } from './process.js';
