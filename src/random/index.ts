export { philox4x32 } from './philox.js';
export { philoxWords, randomSigns, randomPhases, randomUniform, randomNormal, seedKey } from './streams.js';
export type { Seed } from './streams.js';
