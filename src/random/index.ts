// Philox4x32-10 and the seeded streams (signs, phases, uniforms, normals).
export { philoxWords, randomSigns, randomPhases, randomUniform, randomNormal } from './streams.js';
export type { Seed } from './streams.js';
// for other folders, not re-exported by src/index.ts
export { seedKey } from './streams.js';
