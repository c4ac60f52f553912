/**
 * Complex FFT benchmarks: quipsharp's split-array plan against fft.js (radix-4, interleaved) at powers of
 * two, both measured the same way in this process, and non-powers of two from LLM widths against the
 * power of two just above (time per element). The targets: at least parity with fft.js at powers of two, and a
 * per-element cost within 3x of the power of two above for the LLM widths 5504 and 6912.
 *
 * Work per call: fft.js `transform` / `inverseTransform` read a fixed input and write a separate output;
 * quipsharp's rows use the allocation-free `forwardInPlace` / `inverseInPlace`, so its single-transform rows
 * first restore the input (two `Float64Array.set` copies, counted against quipsharp) to keep the data from
 * growing by sqrt(N) per call. The forward + inverse rows need no restore for either library.
 */
import FFT from 'fft.js';
import { createFFT } from '../src/fft/index.js';
import { randomNormal } from '../src/random/index.js';
import { keep, measure, report, type Measurement } from './harness.js';

const SIZES = [1024, 4096, 65536];

/** Enough untimed calls for every kernel to reach optimized code (the harness default is 2). */
const WARM = { warmup: 500 };

function data(n: number, stream: number): { re: Float64Array; im: Float64Array } {
  return { re: randomNormal(n, 2024, stream), im: randomNormal(n, 2024, stream + 1) };
}

function powerOfTwo(n: number): void {
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
  const oursForward = measure('quipsharp plan.forwardInPlace (+ input restore)', () => {
    re.set(x.re);
    im.set(x.im);
    plan.forwardInPlace(re, im);
    keep(re);
  }, WARM);
  report(`Complex FFT, N = ${n}, forward`, [peerForward, oursForward], peerForward);

  const peerPair = measure('fft.js transform + inverseTransform', () => {
    f.transform(spectrum, input);
    f.inverseTransform(back, spectrum);
    keep(back);
  }, WARM);
  const oursPair = measure('quipsharp plan.forwardInPlace + plan.inverseInPlace', () => {
    plan.forwardInPlace(re, im);
    plan.inverseInPlace(re, im);
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
      plan.forwardInPlace(re, im);
      plan.inverseInPlace(re, im);
      keep(re);
    },
    WARM,
  );
}

export default function run(): void {
  for (const n of SIZES) powerOfTwo(n);

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
