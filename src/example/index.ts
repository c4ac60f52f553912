// The embedded example: a seeded stand-in for an LLM's linear layers and their proxy Hessians, for the
// `quipsharp` command's no-argument run, the docs and anyone trying the library without a model at hand.
export { exampleActivations, exampleLayer, exampleModel } from './example.js';
export type { ExampleLayer, ExampleModel, ExampleModelOptions, ExampleTensor } from './example.js';
