/**
 * One linear layer through QuIP#, from files: write the example layer's W and H as .npy files (stand-ins for
 * a real layer's weight and the Hessian of its inputs), read them back, quantize to 2 bits with E8P12, print the
 * report, save the quantized layer, load it, and run compressed inference y = W_hat x from the codes.
 *
 *   npx tsx examples/quantize-layer.ts        (writes W.npy, H.npy and layer.safetensors in the current folder)
 */
import ndarray from 'ndarray';
import { exampleLayer, QuantizedLinear, quantizeLinear, randomNormal } from 'quipsharp';
import { readNpyFile, writeNpyFile, writeFileAtomic } from 'quipsharp/node';
import { readFile } from 'node:fs/promises';

const m = 256; // output features (rows of W)
const n = 512; // input features

// 1. W (m x n) and H = E[x x^T] (n x n) as .npy files, as numpy's np.save writes them.
const layer = exampleLayer(m, n, 1024, 7);
await writeNpyFile('W.npy', Float32Array.from(layer.W.data), [m, n]);
await writeNpyFile('H.npy', layer.H.data, [n, n]);

// 2. Read them back: a .npy array is { dtype, shape, data } in C order; an ndarray view makes it a matrix.
const Wfile = await readNpyFile('W.npy');
const Hfile = await readNpyFile('H.npy');
console.log(`W.npy: ${Wfile.dtype} ${Wfile.shape.join(' x ')}, H.npy: ${Hfile.dtype} ${Hfile.shape.join(' x ')}`);
if (Wfile.dtype !== 'F32' || Hfile.dtype !== 'F64') throw new Error('W.npy must hold float32 and H.npy float64');
const W = ndarray(Wfile.data, Wfile.shape); // the dtype checks narrow .data to Float32Array / Float64Array
const H = ndarray(Hfile.data, Hfile.shape);

// 3. Quantize: incoherence processing (RHT), block LDL of H, BlockLDLQ rounding with E8P12, on every core.
const q = await quantizeLinear(W, H, { codebook: 'e8p12', seed: 0 });
const r = q.report!;
console.log(`quantized ${q.outFeatures} x ${q.inFeatures} with ${q.codebook} (${q.incoherence.method})`);
console.log(`  relative proxy loss tr(dW H dW^T) / tr(W H W^T): ${r.relativeProxyLoss.toFixed(5)}`);
console.log(`  weight error ||dW||_F / ||W||_F:                  ${r.weightError.toFixed(4)}`);
console.log(`  bits per weight (codes, signs, scale):           ${r.bitsPerWeight.toFixed(3)}`);
console.log(`  sigmaReg ${r.sigmaReg}, retries ${r.retries}`);

// 4. Save and load (the quantized format, a safetensors file).
await writeFileAtomic('layer.safetensors', q.toSafetensors('model.layers.0.mlp.up_proj'));
const bytes = await readFile('layer.safetensors');
const loaded = QuantizedLinear.fromSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
console.log(`saved and loaded layer.safetensors: ${bytes.length} bytes (float32 W: ${4 * m * n} bytes)`);

// 5. Compressed inference: y = W_hat x from the codes, checked against the dequantized W_hat.
const x = randomNormal(n, 1);
const y = loaded.matvec(x);
const What = loaded.dequantize();
let maxDiff = 0;
let maxY = 0;
for (let i = 0; i < m; i++) {
  let dense = 0;
  for (let j = 0; j < n; j++) dense += What.get(i, j) * x[j];
  maxDiff = Math.max(maxDiff, Math.abs(y[i] - dense));
  maxY = Math.max(maxY, Math.abs(dense));
}
console.log(`matvec from the codes vs W_hat x: max relative difference ${(maxDiff / maxY).toExponential(2)}`);
const same = loaded.codes.every((c, i) => c === q.codes[i]);
console.log(`loaded codes identical to the quantized ones: ${same}`);
