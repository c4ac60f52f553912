/**
 * The whole QuIP# rounding pipeline as the README and examples/demo.ts run it, checked by its exact laws:
 * incoherence processing is orthogonal (the proxy loss of any What is the same in both bases), the codes decode to
 * What, and BlockLDLQ beats nearest rounding on a layer whose Hessian has correlated inputs.
 */
import { describe, expect, it } from 'vitest';
import ndarray from 'ndarray';
import {
  blockLDL,
  blockLDLQ,
  E8P12,
  E8P12RVQ4B,
  incoherenceProcess,
  matrixFromRowMajor,
  proxyLoss,
  regularizeHessian,
  reverseIncoherence,
  type Codebook,
  type IncoherenceMethod,
  type Matrix,
} from '../src/index.js';
import { exampleLayer } from '../src/index.js';

function scaledCopy(A: Matrix, s: number): Matrix {
  return matrixFromRowMajor(A.data.map((v) => v * s), A.shape[0], A.shape[1]);
}

function quantizeLayer(W: Matrix, H: Matrix, method: IncoherenceMethod, codebook: Codebook) {
  const p = incoherenceProcess(W, H, { method, seed: 11 });
  const { L } = blockLDL(regularizeHessian(p.H, 1e-2), codebook.dim);
  const w = p.W.data;
  const s = Math.sqrt(w.reduce((acc, v) => acc + v * v, 0) / w.length) / codebook.optScale;
  const { What, codes } = blockLDLQ(scaledCopy(p.W, 1 / s), null, codebook, { L });
  const nearest = codebook.quantize(scaledCopy(p.W, 1 / s).data).values;
  return { p, s, What: scaledCopy(What, s), codes, nearest: scaledCopy(matrixFromRowMajor(nearest, W.shape[0], W.shape[1]), s) };
}

describe('the QuIP# pipeline, end to end', () => {
  for (const method of ['rht', 'rfft'] as const) {
    it(`${method}: proxy loss is basis-independent, codes decode to What, BlockLDLQ beats nearest rounding`, () => {
      const m = 48;
      const n = 80; // 80 = 20 * 4 (Paley II) and even: both methods apply
      const { W, H } = exampleLayer(m, n, 400, 3);
      const { p, s, What, codes, nearest } = quantizeLayer(W, H, method, E8P12);
      expect(p.method).toBe(method);

      const back = reverseIncoherence(What, p);
      const inProcessed = proxyLoss(p.W, What, p.H);
      const inOriginal = proxyLoss(W, back, H);
      expect(Math.abs(inOriginal - inProcessed) / inProcessed).toBeLessThan(1e-10);

      const decoded = E8P12.decodeRows(codes);
      for (let i = 0; i < decoded.length; i++) expect(decoded[i] * s).toBe(What.data[i]);

      expect(inProcessed).toBeLessThan(0.5 * proxyLoss(p.W, nearest, p.H));
    });
  }

  it('more bits, less loss: RVQ4 below E8P12 on the same layer', () => {
    const { W, H } = exampleLayer(32, 64, 300, 4);
    const two = quantizeLayer(W, H, 'auto', E8P12);
    const four = quantizeLayer(W, H, 'auto', E8P12RVQ4B);
    expect(proxyLoss(four.p.W, four.What, four.p.H)).toBeLessThan(0.25 * proxyLoss(two.p.W, two.What, two.p.H));
  });

  it('takes any ndarray view: a column-major float32 W gives the same result as its row-major float64 copy', () => {
    const { W, H } = exampleLayer(16, 24, 100, 5);
    const Wt = new Float32Array(16 * 24);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 24; j++) Wt[j * 16 + i] = W.data[i * 24 + j];
    const view = ndarray(Wt, [16, 24], [1, 16]); // the same matrix (rounded to float32), column-major
    const a = incoherenceProcess(view, H, { seed: 2 });
    const b = incoherenceProcess(matrixFromRowMajor(Float64Array.from(W.data, Math.fround), 16, 24), H, { seed: 2 });
    expect(a.method).toBe('rht');
    expect(a.W.data).toEqual(b.W.data);
    expect(a.H.data).toEqual(b.H.data);
  });
});
