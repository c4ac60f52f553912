/**
 * The `this` of a gpu.js kernel function, for typing the kernels written in TypeScript. Kernel bodies are compiled
 * by gpu.js from their source text to WGSL, WebAssembly or GLSL: they may use only arithmetic, Math functions,
 * comparisons, loops with bounds known to the kernel, and bitwise operators on integers below 2^24 (every value is
 * a float32 in the generated code).
 */
export interface KernelThis<C> {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number };
  readonly constants: C;
}
