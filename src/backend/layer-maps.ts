/**
 * The incoherence maps of a quantized layer in the form a device runs them (QuIP# Algorithm 2 around the code
 * product): y = hostScale * (outputDiagonal .* Out(C In(inputDiagonal .* x))), C the decoded m x n code matrix,
 * In and Out orthogonal maps of the rows (a Hadamard transform or the randomized FFT). quantize/ builds these from
 * a layer's incoherence record, rescaling and scale; the device kernels only see float32 tables and shapes.
 */

/** One side's map of rows of length `length`, as a device applies it. */
export type DeviceMap =
  | {
      /** y = x. */
      kind: 'identity';
    }
  | {
      /**
       * y = scale * (B kron H_p) x for rows of length m p (p a power of two): the FWHT of each of the m segments
       * x[a p .. (a + 1) p), then segment a of y = scale * sum_c base[a m + c] * segment c (base row-major m x m,
       * applied as given: the caller transposes it for H^T). m = 1 is the plain FWHT (base = [1]).
       */
      kind: 'hadamard';
      m: number;
      p: number;
      base: Float32Array;
      scale: number;
    }
  | {
      /**
       * The randomized FFT of rows of length 2k, entries interleaved as z_j = x_{2j} + i x_{2j+1}:
       * forward (rfftTransform): y = F (e^{i phases} . z) / sqrt(k); inverse (rfftInverse):
       * y = e^{-i phases} . (conj(F) z) / sqrt(k), F_ab = e^{-2 pi i a b / k}. phases has k entries.
       */
      kind: 'rfft';
      phases: Float64Array;
      inverse: boolean;
    };

/**
 * Everything around the code product of one layer on a device. The diagonals are float32 with entries of
 * magnitude at most 1 (powers of two are moved into hostScale), so that inputs scaled to at most 1 in magnitude
 * keep every intermediate far inside float32's range.
 */
export interface DeviceMaps {
  /** x <- x .* inputDiagonal (length n) before the input map, or null for none. */
  inputDiagonal: Float32Array | null;
  /** The input-side map V (rows of length n). */
  input: DeviceMap;
  /** The output-side map U^T (rows of length m). */
  output: DeviceMap;
  /** y <- y .* outputDiagonal (length m) after the output map, or null for none. */
  outputDiagonal: Float32Array | null;
  /** The float64 factor the host multiplies the read-back result by (the layer's scale and moved powers of two). */
  hostScale: number;
}
