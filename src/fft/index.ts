// The FFT engine: plans for any length (radix-2/4, mixed radix, Rader, Bluestein).
export { fft, createFFT, FFTPlan } from './fft.js';
export type { FFTOptions } from './fft.js';
// for incoherence/ (the randomized FFT), not re-exported by src/index.ts
export { planCore } from './plan.js';
