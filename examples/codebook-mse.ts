/**
 * Why vector quantization: the mean squared error per coordinate of each codebook on unit Gaussian input (what
 * incoherence processing makes the weights look like), against the Gaussian rate-distortion bound
 * D(R) = 2^(-2R), the least MSE any code of R bits per coordinate can reach. Each codebook quantizes x scaled by
 * its `optScale` (as quantizeLinear does with the weights), then decodes and scales back.
 *
 *   npx tsx examples/codebook-mse.ts
 */
import { E8P12, E8P12RVQ3B, E8P12RVQ4B, ScalarCodebook, randomNormal, type Codebook } from 'quipsharp';

const samples = 8 * 20000; // 20000 vectors of 8 coordinates
const x = randomNormal(samples, 2024);

function mse(codebook: Codebook): number {
  const s = codebook.optScale;
  const scaled = x.map((v) => v * s);
  const { values } = codebook.quantize(scaled); // the nearest codebook points, k x dim
  let sum = 0;
  for (let i = 0; i < samples; i++) sum += (x[i] - values[i] / s) ** 2;
  return sum / samples;
}

const codebooks: Codebook[] = [
  new ScalarCodebook(2, 8),
  E8P12,
  new ScalarCodebook(3, 8),
  E8P12RVQ3B,
  new ScalarCodebook(4, 8),
  E8P12RVQ4B,
];
console.log(`MSE per coordinate on N(0, 1), ${samples / 8} vectors of 8 (seed 2024)`);
console.log(`${'codebook'.padEnd(12)}${'bits'.padStart(6)}${'MSE'.padStart(10)}${'bound 2^-2R'.padStart(13)}${'MSE / bound'.padStart(13)}`);
for (const cb of codebooks) {
  const d = mse(cb);
  const bound = 2 ** (-2 * cb.bitsPerWeight);
  console.log(`${cb.name.padEnd(12)}${String(cb.bitsPerWeight).padStart(6)}${d.toFixed(5).padStart(10)}${bound.toFixed(5).padStart(13)}${(d / bound).toFixed(2).padStart(13)}`);
}

// E8P12's 2^16 points: 256 absolute-value patterns (a 256-entry table, the code's high byte), 128 sign flips of
// even parity (the low byte, its parity bit choosing the shift) and a shift of +1/4 or -1/4, so every point lies
// in E8 + 1/4 or E8 - 1/4. Decoding is a table lookup and 8 sign flips.
for (const code of [0, 1, 256]) console.log(`E8P12.decode(${code}) = [${[...E8P12.decode(code)].join(', ')}]`);
