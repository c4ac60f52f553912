/**
 * The proxy Hessian H = (1/N) sum_r x_r x_r^T of a layer's inputs, from activation dumps: four .npy files of
 * captured input rows (as a forward pass in PyTorch or onnxruntime would save them), accumulated batch by batch
 * and in two accumulators merged at the end (two workers, or two shards of a calibration set). The split does not
 * change H: the sums are double-double. Then why H matters: the same layer quantized with its H and with the
 * identity (plain weight MSE), both scored by the proxy loss tr((W - W_hat) H (W - W_hat)^T).
 *
 *   npx tsx examples/hessian-from-activations.ts        (writes act-0.npy .. act-3.npy in the current folder)
 */
import ndarray from 'ndarray';
import { exampleActivations, HessianAccumulator, proxyLoss, quantizeLinearSync, randomNormal } from 'quipsharp';
import { readNpyFile, writeNpyFile } from 'quipsharp/node';

const n = 256; // input features
const m = 256; // output features of the layer these are the inputs of
const rows = 512; // rows per dump

// 1. Four dumps of `rows` x n activations (correlated, with a few loud channels).
const all = exampleActivations(4 * rows, n, 3);
for (let f = 0; f < 4; f++) await writeNpyFile(`act-${f}.npy`, all.subarray(f * rows * n, (f + 1) * rows * n), [rows, n]);

// 2. Accumulate: dumps 0 and 1 into one accumulator, 2 and 3 into another, then merge.
const first = new HessianAccumulator(n);
const second = new HessianAccumulator(n);
for (let f = 0; f < 4; f++) {
  const dump = await readNpyFile(`act-${f}.npy`);
  if (dump.dtype !== 'F32' || dump.shape[1] !== n) throw new Error(`act-${f}.npy must hold float32 rows of ${n}`);
  (f < 2 ? first : second).add(dump.data); // flat rows of n, read in place
}
const merged = first.merge(second);
const H = merged.hessian();
console.log(`H from ${merged.count} rows of ${n} features, in 4 files and 2 accumulators`);

// 3. The same rows in one batch, and the definition (1/N) X^T X summed naively: the split changes nothing.
const once = new HessianAccumulator(n).add(all).hessian();
let split = 0;
let naive = 0;
for (let i = 0; i < n; i++) {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < 4 * rows; r++) s += all[r * n + i] * all[r * n + j];
    const scale = Math.sqrt(H.get(i, i) * H.get(j, j));
    split = Math.max(split, Math.abs(H.get(i, j) - once.get(i, j)) / scale);
    naive = Math.max(naive, Math.abs(H.get(i, j) - s / (4 * rows)) / scale);
  }
}
console.log(`max |H_ij - H'_ij| / sqrt(H_ii H_jj): split vs one batch ${split.toExponential(2)}, vs naive sum ${naive.toExponential(2)}`);
let diag = '';
for (const j of [0, 3, n >> 2, n >> 1]) diag += ` H[${j}][${j}] = ${H.get(j, j).toFixed(1)}`;
console.log(`loud channels 3, n/4, n/2 show on the diagonal:${diag}`);

// 4. Why H: quantize a layer with H and with the identity (rounding for weight MSE), score both under H.
const W = ndarray(randomNormal(m * n, 5), [m, n]);
const identity = ndarray(new Float64Array(n * n), [n, n]);
for (let j = 0; j < n; j++) identity.set(j, j, 1);
const withH = quantizeLinearSync(W, H, { seed: 0 });
const withI = quantizeLinearSync(W, identity, { seed: 0 });
const lossH = proxyLoss(W, withH.dequantize(), H);
const lossI = proxyLoss(W, withI.dequantize(), H);
console.log(`proxy loss under H: quantized with H ${lossH.toFixed(1)}, with the identity ${lossI.toFixed(1)} (${(lossI / lossH).toFixed(2)}x)`);
