/**
 * Complex FFT benchmarks: quipsharp's split-array plan against fft.js (radix-4, interleaved) at powers of
 * two, both measured the same way in this process, and non-powers of two from LLM widths against the
 * power of two just above (time per element).
 *
 * Work per call: fft.js `transform` / `inverseTransform` read a fixed input and write a separate output;
 * quipsharp works in place, so its single-transform rows first restore the input (two `Float64Array.set`
 * copies, counted against quipsharp) to keep the data from growing by sqrt(N) per call. The
 * forward + inverse rows need no restore for either library.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createFFT } from '../src/rfft/index.js';
import { randomNormal } from '../src/random/index.js';
import { keep, measure, report, type Measurement } from './harness.js';

const SIZES = [1024, 4096, 65536];

/** Enough untimed calls for every kernel to reach optimized code (the harness default is 2). */
const WARM = { warmup: 500 };

interface FFTjs {
  createComplexArray(): number[];
  transform(out: number[], data: number[]): void;
  inverseTransform(out: number[], data: number[]): void;
}

/**
 * fft.js (a CommonJS file) evaluated as a plain function instead of through `import`/`require`: under
 * tsx, requiring a CommonJS source of more than about 10 kB invalidates V8's ArrayBufferDetaching
 * protector for the whole process (detaching any ArrayBuffer does the same), after which every
 * typed-array access carries a detach check and quipsharp runs 25-35% slower. Plain node and bundlers
 * do not do this, and fft.js itself (plain arrays) does not care; loading it this way keeps both
 * libraries in the state of a normal application.
 */
function loadFFTjs(): new (n: number) => FFTjs {
  const path = createRequire(import.meta.url).resolve('fft.js');
  const module = { exports: {} };
  new Function('module', 'exports', readFileSync(path, 'utf8'))(module, module.exports);
  return module.exports as new (n: number) => FFTjs;
}

function data(n: number, stream: number): { re: Float64Array; im: Float64Array } {
  return { re: randomNormal(n, 2024, stream), im: randomNormal(n, 2024, stream + 1) };
}

function powerOfTwo(FFT: new (n: number) => FFTjs, n: number): void {
  const x = data(n, 10);
  const f = new FFT(n);
  const input = f.createComplexArray();
  const spectrum = f.createComplexArray();
  const back = f.createComplexArray();
  for (let i = 0; i < n; i++) {
    input[2 * i] = x.re[i];
    input[2 * i + 1] = x.im[i];
  }
  const plan = createFFT(n);
  const re = x.re.slice();
  const im = x.im.slice();

  const peerForward = measure('fft.js transform', () => {
    f.transform(spectrum, input);
    keep(spectrum);
  }, WARM);
  const oursForward = measure('quipsharp plan.forward (+ input restore)', () => {
    re.set(x.re);
    im.set(x.im);
    plan.forward(re, im);
    keep(re);
  }, WARM);
  report(`Complex FFT, N = ${n}, forward`, [peerForward, oursForward], peerForward);

  const peerPair = measure('fft.js transform + inverseTransform', () => {
    f.transform(spectrum, input);
    f.inverseTransform(back, spectrum);
    keep(back);
  }, WARM);
  const oursPair = measure('quipsharp plan.forward + plan.inverse', () => {
    plan.forward(re, im);
    plan.inverse(re, im);
    keep(re);
  }, WARM);
  report(`Complex FFT, N = ${n}, forward + inverse`, [peerPair, oursPair], peerPair);
}

function quipsharpPair(n: number, name: string): Measurement {
  const plan = createFFT(n);
  const { re, im } = data(n, 10);
  return measure(
    name,
    () => {
      plan.forward(re, im);
      plan.inverse(re, im);
      keep(re);
    },
    WARM,
  );
}

export default function run(): void {
  const FFT = loadFFTjs();
  for (const n of SIZES) powerOfTwo(FFT, n);

  const pow2 = quipsharpPair(8192, 'N = 8192 = 2^13');
  const sizes = new Map<Measurement, number>([[pow2, 8192]]);
  sizes.set(quipsharpPair(5504, 'N = 5504 = 2^7 * 43'), 5504);
  sizes.set(quipsharpPair(6912, 'N = 6912 = 2^8 * 27'), 6912);
  const perElement = (m: Measurement) => m.ms / (sizes.get(m) as number);
  report('Non-powers of two against the power of two above (quipsharp, forward + inverse)', [...sizes.keys()], pow2, [
    { header: 'ns / element', cell: (m) => (perElement(m) * 1e6).toFixed(2) },
    { header: 'per-element cost vs 2^13', cell: (m) => `${(perElement(m) / perElement(pow2)).toFixed(2)}x` },
  ]);
}
