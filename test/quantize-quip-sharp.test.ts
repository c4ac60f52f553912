// quipsharp against QuIP#'s own artifacts: the layer QuIP# quantized (layer_B2.json and the two .pt files it
// wrote), run and re-quantized through the public API.
import { describe, expect, it } from 'vitest';
import {
  matrixFromRowMajor,
  proxyLoss,
  quantizeLinear,
  quantizeLinearSync,
  QuantizedLinear,
  quipSharpHessianToDense,
  readTorchFile,
  HessianAccumulator,
} from '../src/index.js';
import { b64, sampleBytes, sampleJson, type B64Array } from './interop-samples.js';

const sample = sampleJson<{
  m: number;
  n: number;
  W: B64Array;
  H: B64Array;
  SU_signs: B64Array;
  SV_signs: B64Array;
  codes_prepack: B64Array;
  hatW_attr_f64_rows0to15: B64Array;
  x: B64Array;
  y_attr: B64Array;
  proxy_loss: number;
}>('layer_B2.json');
const { m, n } = sample;
const W = matrixFromRowMajor(Float64Array.from(b64(sample.W, 'float32')), m, n);
const signsIn = b64(sample.SU_signs, 'int8');
const signsOut = b64(sample.SV_signs, 'int8');
const hessianFile = readTorchFile(sampleBytes('B2_hessian.pt')) as { flatH: unknown; mu: unknown; n: number; ct: unknown };
const attr = readTorchFile(sampleBytes('B2_attr.pt')) as Record<string, unknown>;
const qsCodes = b64(sample.codes_prepack, 'uint32');

describe("QuIP#'s saved layer", () => {
  const q = QuantizedLinear.fromQuipSharp(attr, { codebook: 'E8P12' });
  it('dequantizes to the W_hat its saved attr represents, and matvec gives its y', () => {
    const ref = b64(sample.hatW_attr_f64_rows0to15, 'float64');
    const Wq = q.dequantize().data;
    let d = 0;
    for (let k = 0; k < 16 * n; k++) d = Math.max(d, Math.abs(Wq[k] - ref[k]));
    expect(d).toBeLessThan(1e-12);
    const y = q.matvec(Float64Array.from(b64(sample.x, 'float32')));
    const yRef = b64(sample.y_attr, 'float64');
    let e = 0;
    let s = 0;
    for (let i = 0; i < m; i++) {
      e = Math.max(e, Math.abs(y[i] - yRef[i]));
      s = Math.max(s, Math.abs(yRef[i]));
    }
    expect(e / s).toBeLessThan(1e-10);
  });
  it('toQuipSharp gives back the dict QuIP# saved (packed codes, float16 bits)', () => {
    const back = q.toQuipSharp() as Record<string, { data: unknown; bits?: Uint16Array }>;
    const orig = attr as Record<string, { data: unknown; bits?: Uint16Array }>;
    expect(back.Qidxs.data).toEqual(orig.Qidxs.data);
    expect(back.SU.bits).toEqual(orig.SU.bits);
    expect(back.SV.bits).toEqual(orig.SV.bits);
  });
  it('refuses to export a layer quantized in quipsharp\'s own transform', () => {
    const own = quantizeLinearSync(W, matrixFromRowMajor(Float64Array.from(b64(sample.H, 'float64')), n, n), { seed: 1 });
    expect(() => own.toQuipSharp()).toThrow(/QuantizedLinear\.toQuipSharp: this must be a layer in QuIP#'s transform/);
  });
});

describe("quantizeLinear with compat 'quip-sharp'", () => {
  it("gives QuIP#'s codes from QuIP#'s W, Hessian file and signs (at least 99.9%, any difference a near-tie)", async () => {
    const q = await quantizeLinear(W, hessianFile, { compat: 'quip-sharp', signsIn, signsOut });
    let same = 0;
    for (let k = 0; k < qsCodes.length; k++) if (q.codes[k] === qsCodes[k]) same++;
    expect(same / qsCodes.length).toBeGreaterThanOrEqual(0.999);
    expect(same).toBe(qsCodes.length); // on this layer: every code
    expect(q.incoherence.method).toBe('quip-sharp');
    // the same from the dense E[x x^T] of the file, and the relative proxy loss QuIP# measured on its regularized H
    const dense = quantizeLinearSync(W, quipSharpHessianToDense(hessianFile), { compat: 'quip-sharp', signsIn, signsOut });
    expect(dense.codes).toEqual(q.codes);
    const Hreg = matrixFromRowMajor(Float64Array.from(b64(sample.H, 'float64')), n, n);
    const zero = matrixFromRowMajor(new Float64Array(m * n), m, n);
    const relative = proxyLoss(W, q.dequantize(), Hreg) / proxyLoss(W, zero, Hreg);
    expect(Math.abs(relative / sample.proxy_loss - 1)).toBeLessThan(1e-4);
    // and it exports to QuIP#'s packed layout
    const exported = q.toQuipSharp() as Record<string, { data: unknown }>;
    expect(exported.Qidxs.data).toEqual((attr as Record<string, { data: unknown }>).Qidxs.data);
  });
  it('checks its sign vectors and its incoherence option', () => {
    expect(() => quantizeLinearSync(W, hessianFile, { compat: 'quip-sharp', signsIn: new Int8Array(n) })).toThrow(/options\.signsIn must be \+-1 everywhere/);
    expect(() => quantizeLinearSync(W, hessianFile, { compat: 'quip-sharp', signsOut: signsIn })).toThrow(/options\.signsOut must be of length 192/);
    expect(() => quantizeLinearSync(W, hessianFile, { compat: 'quip-sharp', incoherence: 'rfft' })).toThrow(/options\.incoherence must be 'auto' or 'rht' with compat/);
    expect(() => quantizeLinearSync(W, W, { signsIn })).toThrow(/options\.signsIn must be given only with compat 'quip-sharp'/);
  });
});

describe("HessianAccumulator and QuIP#'s Hessian files", () => {
  it('fromQuipSharp reads the file QuIP# wrote (count, mean, E[x x^T]) and toQuipSharp writes it back', () => {
    const acc = HessianAccumulator.fromQuipSharp(hessianFile);
    expect(acc.count).toBe(1024);
    expect(acc.hessian().data).toEqual(quipSharpHessianToDense(hessianFile).data);
    const mu = (hessianFile.mu as { data: Float32Array }).data;
    expect(Float32Array.from(acc.mean())).toEqual(mu);
    const back = acc.toQuipSharp();
    expect(back.n).toBe(n);
    expect(back.ct).toBe(1024);
    expect(back.mu).toEqual(mu);
    const flat = (hessianFile.flatH as { data: Float32Array }).data;
    let worst = 0;
    for (let k = 0; k < flat.length; k++) worst = Math.max(worst, Math.abs(back.flatH[k] - flat[k]) / (Math.abs(flat[k]) + 1e-3));
    expect(worst).toBeLessThan(1e-5); // float32 round trip through E[x x^T]
    // and the accumulation goes on: merging the file with itself keeps E[x x^T], doubles the count
    const twice = HessianAccumulator.fromQuipSharp(hessianFile).merge(acc);
    expect(twice.count).toBe(2048);
    expect(twice.hessian().data).toEqual(acc.hessian().data);
  });
});
