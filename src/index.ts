// quipsharp: the one public entry. Re-exports only.
export * from './errors/index.js';
export * from './core/index.js';
export * from './random/index.js';
export * from './hadamard/index.js';
export * from './lattice/index.js';
export * from './ldlq/index.js';
export * from './rfft/index.js';
