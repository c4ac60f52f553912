/**
 * The WebAssembly SIMD micro-kernel of the packed GEMM (gemm.ts): a column of MR x NR tiles of C += A_panel B_panel
 * over packed micro-panels, with two float64 lanes per instruction (f64x2). Each lane computes one entry of C in
 * the same order as the scalar kernel, c <- c + a_p * b_p for p = 0, 1, ..., one IEEE multiply and one IEEE add
 * per term (WebAssembly's f64x2.mul and f64x2.add are correctly rounded and never fused), so both kernels give the
 * same bits.
 *
 * Why hand-assembled: no maintained npm package emits WebAssembly from TypeScript at run time without a compiler
 * toolchain, and this module is one small function (the bytes below are built from the opcode table of the
 * WebAssembly 2.0 specification, section 5.4); the scalar JavaScript kernel stays as the fallback wherever
 * WebAssembly or its SIMD proposal is missing (or a content-security policy forbids compiling).
 */

/** The part of the WebAssembly JavaScript API used here (the library's TypeScript targets ES2022 without DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Rows of a micro-tile. */
export const SIMD_MR = 4;
/** Columns of a micro-tile: two f64x2 vectors. */
export const SIMD_NR = 4;
const VECTORS = SIMD_NR / 2;

/** A compiled kernel with its own linear memory (one per thread: module state is per worker). */
export interface SimdTileKernel {
  /** The kernel's memory; views must be re-created after {@link SimdTileKernel.reserve}. */
  readonly memory: WasmMemory;
  /**
   * For t < count: C tile at byte c + t MR ldc (rows ldc bytes apart) += the MR x kc A micro-panel at byte
   * a + t kc MR 8 times the kc x NR B micro-panel at byte b. kc >= 1.
   */
  tiles(a: number, b: number, c: number, ldc: number, kc: number, count: number): void;
  /** Grows the memory to at least `bytes`. */
  reserve(bytes: number): void;
}

// Opcodes (WebAssembly 2.0, section 5.4) and value types.
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  simd: 0xfd,
} as const;
const SIMD_OP = { load: 0x00, load64Splat: 0x0a, store: 0x0b, f64x2Add: 0xf0, f64x2Mul: 0xf2 } as const;
const I32 = 0x7f;
const V128 = 0x7b;
const EMPTY_BLOCK = 0x40;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a small non-negative i32 constant. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const simd = (op: number, ...imm: number[]): number[] => [OP.simd, ...uleb(op), ...imm];
/** memarg: alignment hint 2^3 (8 bytes; packed rows are only 8-byte aligned) and a constant byte offset. */
const memarg = (offset: number): number[] => [3, ...uleb(offset)];

/** The body of tiles(a, b, c, ldc, kc, count). */
function tilesBody(): number[] {
  // params 0..5; locals: p, ap, bp, row pointers r1..r(MR-1), then v128 accumulators, B vectors, the A splat
  const [a, b, c, ldc, kc, count] = [0, 1, 2, 3, 4, 5];
  const p = 6;
  const ap = 7;
  const bp = 8;
  const row = (r: number): number => (r === 0 ? c : 8 + r); // r1.. at 9..
  const firstV = 9 + SIMD_MR - 1;
  const acc = (r: number, v: number): number => firstV + r * VECTORS + v;
  const bv = (v: number): number => firstV + SIMD_MR * VECTORS + v;
  const splat = firstV + SIMD_MR * VECTORS + VECTORS;
  const get = (l: number): number[] => [OP.localGet, ...uleb(l)];
  const set = (l: number): number[] => [OP.localSet, ...uleb(l)];
  const code: number[] = [];
  code.push(OP.block, EMPTY_BLOCK, OP.loop, EMPTY_BLOCK);
  code.push(...get(count), OP.i32Eqz, OP.brIf, 1);
  for (let r = 1; r < SIMD_MR; r++) code.push(...get(row(r - 1)), ...get(ldc), OP.i32Add, ...set(row(r)));
  for (let r = 0; r < SIMD_MR; r++) for (let v = 0; v < VECTORS; v++) code.push(...get(row(r)), ...simd(SIMD_OP.load, ...memarg(16 * v)), ...set(acc(r, v)));
  code.push(...get(a), ...set(ap), ...get(b), ...set(bp), ...get(kc), ...set(p));
  code.push(OP.loop, EMPTY_BLOCK);
  for (let v = 0; v < VECTORS; v++) code.push(...get(bp), ...simd(SIMD_OP.load, ...memarg(16 * v)), ...set(bv(v)));
  for (let r = 0; r < SIMD_MR; r++) {
    code.push(...get(ap), ...simd(SIMD_OP.load64Splat, ...memarg(8 * r)), ...set(splat));
    for (let v = 0; v < VECTORS; v++) {
      code.push(...get(acc(r, v)), ...get(splat), ...get(bv(v)), ...simd(SIMD_OP.f64x2Mul), ...simd(SIMD_OP.f64x2Add), ...set(acc(r, v)));
    }
  }
  code.push(...get(ap), OP.i32Const, ...sleb(8 * SIMD_MR), OP.i32Add, ...set(ap));
  code.push(...get(bp), OP.i32Const, ...sleb(8 * SIMD_NR), OP.i32Add, ...set(bp));
  code.push(...get(p), OP.i32Const, 1, OP.i32Sub, OP.localTee, ...uleb(p), OP.brIf, 0, OP.end);
  for (let r = 0; r < SIMD_MR; r++) for (let v = 0; v < VECTORS; v++) code.push(...get(row(r)), ...get(acc(r, v)), ...simd(SIMD_OP.store, ...memarg(16 * v)));
  // next tile: A continues where this one's panel ended; C moves MR rows down
  code.push(...get(ap), ...set(a));
  code.push(...get(row(SIMD_MR - 1)), ...get(ldc), OP.i32Add, ...set(c));
  code.push(...get(count), OP.i32Const, 1, OP.i32Sub, ...set(count), OP.br, 0, OP.end, OP.end);
  const locals = vec([
    [...uleb(3 + SIMD_MR - 1), I32],
    [...uleb(SIMD_MR * VECTORS + VECTORS + 1), V128],
  ]);
  return [...locals, ...code, OP.end];
}

/** The module: one memory (exported as "memory", 1 page to start) and the function "tiles". */
function moduleBytes(): Uint8Array {
  const body = tilesBody();
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('tiles'), 0x00, 0], [...name('memory'), 0x02, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}

let kernel: SimdTileKernel | null | undefined;

/**
 * This thread's SIMD kernel, compiled on first use, or null where WebAssembly SIMD is not available (or compiling
 * is refused). Synchronous compilation is fine for a module of a few hundred bytes, also on a browser's main thread.
 */
export function simdTileKernel(): SimdTileKernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = moduleBytes();
    if (!wasm || !wasm.validate(bytes)) return kernel;
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = instance.exports.memory as WasmMemory;
    const tiles = instance.exports.tiles as SimdTileKernel['tiles'];
    kernel = {
      memory,
      tiles,
      reserve(need) {
        const have = memory.buffer.byteLength;
        if (need > have) memory.grow(Math.ceil((need - have) / 65536));
      },
    };
  } catch {
    kernel = null;
  }
  return kernel;
}
