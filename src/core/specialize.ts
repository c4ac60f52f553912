/**
 * Separately compiled copies of a kernel module, one per typed-array element kind.
 *
 * V8 compiles a loop for the element kinds it has seen there, and every closure made from one function literal
 * shares that feedback. A radix-8 FWHT pass fed both Float32Array and Float64Array ran about 1.8x slower than the
 * same pass fed one kind, whichever copy of it was called. A function rebuilt from its source text with
 * `new Function` is a new literal, with feedback and optimized code of its own, so one source can serve both
 * kinds at full speed without a hand-written twin.
 */

/**
 * A fresh copy of `factory()`, compiled from `factory`'s source text. `factory` must be self-contained: its body
 * may use globals (Math, typed arrays) but no name from the module around it, since the copy is compiled in the
 * global scope. `label` names the copy in stack traces.
 *
 * Falls back to `factory()` itself (same results, shared feedback) when the copy cannot be made or fails
 * `works`: where code generation is refused (a Content-Security-Policy without 'unsafe-eval', some edge
 * runtimes), or where a tool rewrote the factory to call helpers of its module (esbuild's keepNames, as used by
 * tsx, adds `__name(...)` calls; coverage instrumentation adds counters).
 */
export function compiledCopy<T>(factory: () => T, label: string, works: (copy: T) => boolean = () => true): T {
  const source = `"use strict";\nreturn (${factory.toString()})();\n//# sourceURL=quipsharp-${label}.js`;
  try {
    const copy = (new Function(source) as () => T)();
    if (works(copy)) return copy;
  } catch {
    // fall through to the shared instance
  }
  return factory();
}
