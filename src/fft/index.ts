// The FFT engine: plans for any length (radix-2/4, mixed radix, Rader, Bluestein).
export { fft, fftInPlace, createFFT, FFTPlan } from './fft.js';
export type { FFTOptions, ComplexArrays } from './fft.js';
// for incoherence/ (the randomized FFT), not re-exported by src/index.ts: the unchecked engines, cached per length
export { planCore } from './plan.js';
export type { FFTEngine } from './plan.js';
