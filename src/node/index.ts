// quipsharp/node: the Node-only entry. Files by path on top of src/io's in-memory formats: lazy per-tensor
// safetensors reading (single files and sharded models), streaming and atomic writing, .npy/.npz by path.
export { openSafetensors, readSafetensorsFile } from './safetensors-reader.js';
export type { SafetensorsReader, SafetensorsSource, SafetensorsTensorInfo } from './safetensors-reader.js';
export { createSafetensorsWriter, writeSafetensorsFile } from './safetensors-writer.js';
export type { SafetensorsWriter } from './safetensors-writer.js';
export { openSafetensorsModel, MODEL_INDEX, MODEL_FILE } from './model.js';
export type { SafetensorsModel } from './model.js';
export { readNpyFile, writeNpyFile, readNpzFile } from './npy-files.js';
export { writeFileAtomic } from './atomic.js';
