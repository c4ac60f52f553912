/**
 * quipsharp/node: the Node-only entry. Files by path on top of the in-memory formats of `quipsharp`: lazy
 * per-tensor safetensors reading (single files and sharded models), streaming and atomic writing, `.npy`/`.npz`
 * by path.
 *
 * @example
 * ```ts
 * import { openSafetensors } from 'quipsharp/node';
 * const reader = await openSafetensors('model.safetensors');
 * const W = await reader.read('model.layers.0.mlp.down_proj.weight');
 * await reader.close();
 * ```
 *
 * @module quipsharp/node
 */
export { openSafetensors, readSafetensorsFile } from './safetensors-reader.js';
export type { SafetensorsReader, SafetensorsSource, SafetensorsTensorInfo } from './safetensors-reader.js';
export { createSafetensorsWriter, writeSafetensorsFile } from './safetensors-writer.js';
export type { SafetensorsWriter } from './safetensors-writer.js';
export { openSafetensorsModel, MODEL_INDEX, MODEL_FILE } from './model.js';
export type { SafetensorsModel } from './model.js';
export { readNpyFile, writeNpyFile, readNpzFile } from './npy-files.js';
export { writeFileAtomic } from './atomic.js';
export type { AtomicWriteOptions } from './atomic.js';
export { useNodeWebGPU, releaseNodeWebGPU } from './webgpu.js';
