// File formats in memory (bytes in, bytes out, no file system): safetensors, numpy's .npy and .npz. Public:
// readSafetensors, writeSafetensors, readNpy, writeNpy, readNpz and the types below. The rest is internal, for the
// Node entry (src/node/), which adds paths, streaming reads and atomic writes.
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type { Safetensors } from './safetensors.js';
export { readNpy, writeNpy } from './npy.js';
export type { Npy, WriteNpyOptions } from './npy.js';
export { readNpz } from './npz.js';
export { DTYPES } from './tensor.js';
export type { Dtype, Tensor, TensorOf, TensorData, TensorDataTypes, MinifloatBitsTypes, TensorSpec } from './tensor.js';

// internal, for src/node/ (the streaming reader and writer share the header code and the element codecs)
export { decodeTensor, elementBytes } from './tensor.js';
export { LENGTH_BYTES, readHeaderLength, parseHeader, planFile, namedEntries } from './safetensors-header.js';
export type { SafetensorsEntry, PlannedEntry } from './safetensors-header.js';
export { parseJson, describeJson } from './json.js';

// torch.save files (src/io/torch*.ts, pickle.ts)
export { readTorchFile, isTensor } from './torch.js';
export type { TorchValue } from './torch.js';
