import { defineConfig } from 'tsup';

export default defineConfig({
  // The library, its Node-only entry (quipsharp/node), the quipsharp command (dist/cli.js, the package's bin) and
  // the worker script quantizeLinear starts next to them (dist/quantize-worker.js).
  entry: { index: 'src/index.ts', node: 'src/node/index.ts', cli: 'src/cli/main.ts', 'quantize-worker': 'src/quantize/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', node: 'src/node/index.ts' } },
  // No source maps in the package: they were 70% of its unpacked size, and the shipped code is readable ES2022.
  sourcemap: false,
  // import.meta.url in the CommonJS build too (the worker script is found relative to the module).
  shims: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
});
