/**
 * Cache-blocked, register-blocked matrix multiply-accumulate on row-major Float64Arrays (internal helper of
 * src/ldlq: Cholesky's trailing updates, BlockLDLQ's panel feedback, the tuning passes, the proxy loss).
 *
 *   C (m x n) += op(A) (m x k) * op(B) (k x n),   op(X) = X or X^T.
 *
 * Structure (Goto / BLIS): the k range is cut into KC-deep slices, C into MC x NC blocks; each slice of op(A)
 * is packed into MR-row micro-panels and each slice of op(B) into NR-column micro-panels, and a 4 x 3
 * register-blocked micro-kernel runs over them.
 *
 * Summation order (a contract the bit-exact BlockLDLQ tests rely on): every C_ij is updated as
 *   c <- C_ij;  for p in order: c <- c + op(A)_ip * op(B)_pj;  C_ij <- c
 * with "order" 0, 1, ..., k-1 (or k-1, ..., 0 with `reverseK`), one IEEE multiply and one IEEE add per term
 * (JavaScript never fuses them). Cutting k into slices only stores and reloads c in between, which is exact.
 * `gemmAccumulateLower` is the same product restricted to the lower triangle of C (j <= i), with the same order.
 *
 * Two micro-kernels with that order: WebAssembly SIMD (gemm-simd.ts, 4 x 4 tiles in f64x2 lanes) where the platform
 * has it, else the scalar 4 x 3 JavaScript kernel below; they give the same bits.
 */
import { SIMD_MR, SIMD_NR, simdTileKernel, type SimdTileKernel } from './gemm-simd.js';

/**
 * A strided row-major operand: element (r, c) of op(X) is data[offset + r * ld + c], or data[offset + c * ld + r]
 * when `trans`; with `negate` the operand enters as -op(X) (negation is exact, so C -= A B has the same order).
 */
export interface GemmOperand {
  data: Float64Array;
  offset: number;
  ld: number;
  trans: boolean;
  negate?: boolean;
}

const MR = 4;
const NR = 3;
const KC = 256;
const MC = 64;
const NC = 2048;

/**
 * One packing buffer of the scalar kernel, reused between calls (single-threaded library): the packed A block in
 * [0, B_BASE), the packed B slice from B_BASE on (grown on demand). With A and B in one typed array, V8 sets up one
 * array access for both operands in the micro-kernel (measured on the kernel alone: about 7% faster than two
 * buffers).
 */
const B_BASE = Math.ceil(MC / MR) * MR * KC;
let pack = new Float64Array(B_BASE);
const edgeTile = new Float64Array(MR * NR);

let simdAllowed = true;

/**
 * Internal (tests and benchmarks compare the two kernels): allows or forbids the SIMD micro-kernel; returns
 * whether products now run on it (false where the platform has no WebAssembly SIMD).
 */
export function useSimdGemm(allowed: boolean): boolean {
  simdAllowed = allowed;
  return activeSimdKernel() !== null;
}

/** The SIMD tile kernel products run on now: null where the platform has none or useSimdGemm(false) forbids it. */
export function activeSimdKernel(): SimdTileKernel | null {
  return simdAllowed ? simdTileKernel() : null;
}

/** Where the packed operands go: a Float64Array, its B region's start and the micro-panel shapes. */
interface PackTarget {
  buf: Float64Array;
  bBase: number;
  mr: number;
  nr: number;
}

/**
 * The layout of the SIMD kernel's memory (in float64 entries): the packed A block, the packed B slice, then the
 * MC x roundUp(nc, SIMD_NR) block of C being updated (copied in, updated by the kernel, copied back).
 */
const SIMD_B_BASE = Math.ceil(MC / SIMD_MR) * SIMD_MR * KC;
const roundUp = (x: number, r: number): number => Math.ceil(x / r) * r;

/**
 * C (m x n, row-major with leading dimension ldc from cOffset) += op(A) op(B), with op(A) m x k and op(B) k x n.
 * Accumulates every entry sequentially in p order (reversed with `reverseK`), see the module comment.
 */
export function gemmAccumulate(
  m: number,
  n: number,
  k: number,
  A: GemmOperand,
  B: GemmOperand,
  C: Float64Array,
  cOffset: number,
  ldc: number,
  reverseK = false,
): void {
  gemmBlocked(m, n, k, A, B, C, cOffset, ldc, reverseK, false);
}

/**
 * As {@link gemmAccumulate} (forward k order), but only the entries C_ij with j <= i are computed and written: the
 * entries above the diagonal are left untouched and cost (almost) nothing. This is the symmetric rank-k update
 * (SYRK) of a Cholesky factorization when op(B) = op(A)^T.
 */
export function gemmAccumulateLower(
  m: number,
  n: number,
  k: number,
  A: GemmOperand,
  B: GemmOperand,
  C: Float64Array,
  cOffset: number,
  ldc: number,
): void {
  gemmBlocked(m, Math.min(n, m), k, A, B, C, cOffset, ldc, false, true);
}

/** The Goto loop nest shared by both entry points; `lower` restricts it to the tiles that meet j <= i. */
function gemmBlocked(
  m: number,
  n: number,
  k: number,
  A: GemmOperand,
  B: GemmOperand,
  C: Float64Array,
  cOffset: number,
  ldc: number,
  reverseK: boolean,
  lower: boolean,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const simd = activeSimdKernel();
  let target: PackTarget;
  let cBase = 0;
  if (simd) {
    const ncMax = roundUp(Math.min(n, NC), SIMD_NR);
    cBase = SIMD_B_BASE + ncMax * KC;
    simd.reserve(8 * (cBase + MC * ncMax));
    target = { buf: new Float64Array(simd.memory.buffer), bBase: SIMD_B_BASE, mr: SIMD_MR, nr: SIMD_NR };
  } else {
    const need = B_BASE + roundUp(Math.min(n, NC), NR) * KC;
    if (pack.length < need) pack = new Float64Array(need);
    target = { buf: pack, bBase: B_BASE, mr: MR, nr: NR };
  }
  const kSlices = Math.ceil(k / KC);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let s = 0; s < kSlices; s++) {
      // Slice s in processing order covers p in [p0, p0 + kc) of the processing sequence.
      const p0 = s * KC;
      const kc = Math.min(KC, k - p0);
      packOperandB(B, target, p0, kc, k, j0, nc, reverseK);
      // Lower: row blocks that end left of this column block have nothing to do.
      for (let i0 = lower ? Math.floor(j0 / MC) * MC : 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packOperandA(A, target, i0, mc, p0, kc, k, reverseK);
        const diag = lower ? i0 - j0 : Infinity;
        if (simd) simdMacroKernel(simd, target.buf, cBase, mc, nc, kc, C, cOffset + i0 * ldc + j0, ldc, diag);
        else macroKernel(mc, nc, kc, C, cOffset + i0 * ldc + j0, ldc, diag);
      }
    }
  }
}

/** Source index of the p-th term in processing order. */
function sourceP(p: number, k: number, reverseK: boolean): number {
  return reverseK ? k - 1 - p : p;
}

/** Packs op(A)[i0 .. i0+mc, terms p0 .. p0+kc] into mr-row micro-panels: buf[(ir * kc + p) * mr + ii], zero padded. */
function packOperandA(A: GemmOperand, { buf, mr }: PackTarget, i0: number, mc: number, p0: number, kc: number, k: number, reverseK: boolean): void {
  const panels = Math.ceil(mc / mr);
  const { data, offset, ld, trans } = A;
  const sign = A.negate ? -1 : 1;
  const rowStride = trans ? 1 : ld;
  const colStride = trans ? ld : 1;
  for (let ir = 0; ir < panels; ir++) {
    const base = ir * kc * mr;
    for (let ii = 0; ii < mr; ii++) {
      const i = ir * mr + ii;
      if (i >= mc) {
        for (let p = 0; p < kc; p++) buf[base + p * mr + ii] = 0;
        continue;
      }
      const rowOff = offset + (i0 + i) * rowStride;
      for (let p = 0; p < kc; p++) buf[base + p * mr + ii] = sign * data[rowOff + sourceP(p0 + p, k, reverseK) * colStride];
    }
  }
}

/**
 * Packs op(B)[terms p0 .. p0+kc, j0 .. j0+nc] into nr-column micro-panels: buf[bBase + (jr * kc + p) * nr + jj],
 * zero padded.
 */
function packOperandB(B: GemmOperand, { buf, bBase, nr }: PackTarget, p0: number, kc: number, k: number, j0: number, nc: number, reverseK: boolean): void {
  const panels = Math.ceil(nc / nr);
  const { data, offset, ld, trans } = B;
  const sign = B.negate ? -1 : 1;
  if (panels * nr > nc) buf.fill(0, bBase + (panels - 1) * kc * nr, bBase + panels * kc * nr); // padding columns of the last panel
  if (trans) {
    // op(B)(p, j) = data[offset + j ld + p]: walk each source row (fixed j) contiguously.
    for (let j = 0; j < nc; j++) {
      const src = offset + (j0 + j) * ld;
      const jr = (j / nr) | 0;
      const dst = bBase + jr * kc * nr + j - jr * nr;
      for (let p = 0; p < kc; p++) buf[dst + p * nr] = sign * data[src + sourceP(p0 + p, k, reverseK)];
    }
  } else {
    // op(B)(p, j) = data[offset + p ld + j]: walk each source row (fixed p) contiguously.
    for (let p = 0; p < kc; p++) {
      const src = offset + sourceP(p0 + p, k, reverseK) * ld + j0;
      for (let j = 0; j < nc; j++) {
        const jr = (j / nr) | 0;
        buf[bBase + jr * kc * nr + p * nr + j - jr * nr] = sign * data[src + j];
      }
    }
  }
}

/**
 * Runs the 4 x 3 register-blocked micro-kernel (12 accumulators) over every MR x NR tile of an mc x nc block of C,
 * inline in one loop nest. Edge tiles are computed on a zero-padded scratch tile and copied back.
 * Only the entries (i, j) of the block with j <= i + diag are updated (diag = Infinity: all of them): tiles wholly
 * above that line are skipped, tiles crossing it go through the scratch tile and copy back the entries below it.
 * (4 x 3 and the `| 0` index arithmetic are measured choices: V8 spills fewer accumulators than with a
 * 4 x 4 one, and int32 indices need no overflow checks.)
 */
function macroKernel(mc: number, nc: number, kc: number, C: Float64Array, cOff: number, ldc: number, diag: number): void {
  const P = pack;
  for (let jr = 0; jr * NR < nc && jr * NR <= mc - 1 + diag; jr++) {
    const nr = Math.min(NR, nc - jr * NR);
    for (let ir = 0; ir * MR < mc; ir++) {
      const mr = Math.min(MR, mc - ir * MR);
      // Columns j <= i + diag of this tile: up to jMax for its row ii (tile coordinates).
      const jMax = ir * MR + diag - jr * NR;
      if (jMax + MR - 1 < 0) continue; // wholly above the line
      const edge = mr !== MR || nr !== NR || jMax < NR - 1;
      let T = C;
      let co = cOff + ir * MR * ldc + jr * NR;
      let ld = ldc;
      if (edge) {
        edgeTile.fill(0);
        for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) edgeTile[i * NR + j] = C[co + i * ldc + j];
        T = edgeTile;
        co = 0;
        ld = NR;
      }
      let ao = (ir * kc * MR) | 0;
      let bo = (B_BASE + jr * kc * NR) | 0;
      const r1 = co + ld;
      const r2 = r1 + ld;
      const r3 = r2 + ld;
      let c00 = T[co], c01 = T[co + 1], c02 = T[co + 2];
      let c10 = T[r1], c11 = T[r1 + 1], c12 = T[r1 + 2];
      let c20 = T[r2], c21 = T[r2 + 1], c22 = T[r2 + 2];
      let c30 = T[r3], c31 = T[r3 + 1], c32 = T[r3 + 2];
      for (const aEnd = (ao + kc * MR) | 0; ao < aEnd; ao = (ao + MR) | 0, bo = (bo + NR) | 0) {
        const b0 = P[bo], b1 = P[(bo + 1) | 0], b2 = P[(bo + 2) | 0];
        const a0 = P[ao];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
        const a1 = P[(ao + 1) | 0];
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
        const a2 = P[(ao + 2) | 0];
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
        const a3 = P[(ao + 3) | 0];
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
      }
      T[co] = c00; T[co + 1] = c01; T[co + 2] = c02;
      T[r1] = c10; T[r1 + 1] = c11; T[r1 + 2] = c12;
      T[r2] = c20; T[r2 + 1] = c21; T[r2 + 2] = c22;
      T[r3] = c30; T[r3 + 1] = c31; T[r3 + 2] = c32;
      if (edge) {
        const dst = cOff + ir * MR * ldc + jr * NR;
        for (let i = 0; i < mr; i++) {
          const jEnd = Math.min(nr, jMax + i + 1);
          for (let j = 0; j < jEnd; j++) C[dst + i * ldc + j] = edgeTile[i * NR + j];
        }
      }
    }
  }
}

/**
 * The SIMD twin of {@link macroKernel}: the entries j <= i + diag of the mc x nc block of C are copied into the
 * kernel's memory at cBase (rows roundUp(nc, SIMD_NR) entries apart), every column of tiles that meets the line
 * j <= i + diag is updated by one call of the kernel, and the same entries are copied back.
 */
function simdMacroKernel(simd: SimdTileKernel, buf: Float64Array, cBase: number, mc: number, nc: number, kc: number, C: Float64Array, cOff: number, ldc: number, diag: number): void {
  const ncP = roundUp(nc, SIMD_NR);
  const tileRows = Math.ceil(mc / SIMD_MR);
  for (let i = 0; i < mc; i++) {
    const jEnd = Math.min(nc, i + diag + 1);
    if (jEnd > 0) buf.set(C.subarray(cOff + i * ldc, cOff + i * ldc + jEnd), cBase + i * ncP);
  }
  for (let jr = 0; jr * SIMD_NR < nc && jr * SIMD_NR <= mc - 1 + diag; jr++) {
    // the first tile row whose last row reaches column jr NR: (ir + 1) MR - 1 + diag >= jr NR
    const ir0 = diag === Infinity ? 0 : Math.max(0, Math.ceil((jr * SIMD_NR - diag - SIMD_MR + 1) / SIMD_MR));
    if (ir0 >= tileRows) continue;
    const a = 8 * ir0 * kc * SIMD_MR;
    const b = 8 * (SIMD_B_BASE + jr * kc * SIMD_NR);
    const c = 8 * (cBase + ir0 * SIMD_MR * ncP + jr * SIMD_NR);
    simd.tiles(a, b, c, 8 * ncP, kc, tileRows - ir0);
  }
  for (let i = 0; i < mc; i++) {
    const jEnd = Math.min(nc, i + diag + 1);
    if (jEnd > 0) C.set(buf.subarray(cBase + i * ncP, cBase + i * ncP + jEnd), cOff + i * ldc);
  }
}
