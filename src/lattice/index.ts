// Public names of src/lattice/ (re-exports only).
export type { Codebook, QuantizeResult } from './codebook.js';
export { ScalarCodebook } from './scalar.js';
export { nearestD8, nearestE8, nearestE8Rows } from './lattice.js';
export { E8P12, E8P12Codebook } from './e8p12.js';
export { E8P12RVQ3B, E8P12RVQ4B, ResidualE8Codebook } from './residual.js';
export type { ResidualStage } from './residual.js';
