/**
 * Decoding E8P12 and residual-E8 codes to float32 weights on any backend. The CPU path is the codebook's own
 * `decodeRows` into a Float32Array; the device path (decode-plan.ts) gives the same bits.
 */
import { rangeError, typeError } from '../errors/index.js';
import { E8P12, E8P12Codebook, ResidualE8Codebook } from '../lattice/index.js';
import { runPlan } from './device.js';
import { buildDecodePlan, e8p12Tables, QUARTER_OFFSET, QUARTER_VALUES, type DecodeRecipe, type E8P12Tables } from './decode-plan.js';
import { readOptions, type BackendOptions } from './options.js';
import { resolveBackend } from './registry.js';

/** Code rows per device dispatch: 2^21 rows are 2^24 weights (64 MiB of float32). */
const MAX_DISPATCH_ROWS = 2 ** 21;
/** Largest second-stage grid a device decodes from a table (its 8 size entries are a kernel constant). */
const MAX_DEVICE_GRID = 4096;

let e8p12: E8P12Tables | undefined;
/** Each codebook object's recipe and the id naming its plans (two codebooks may share a name). */
const recipes = new WeakMap<object, { recipe: DecodeRecipe; id: number }>();
let nextId = 0;

/** The E8P12 tables: every E8P12Codebook decodes alike, and a residual codebook's first stage is E8P12. */
function e8p12TablesOnce(): E8P12Tables {
  e8p12 ??= e8p12Tables((c) => E8P12.decode(c));
  return e8p12;
}

/** fround(v1 + w_u / scale) for the 25 quarter values v1 (rows) and the values w (columns). */
function combinedTable(values: ArrayLike<number>, scale: number): Float32Array {
  const U = values.length;
  const table = new Float32Array(QUARTER_VALUES * U);
  for (let q = 0; q < QUARTER_VALUES; q++) for (let u = 0; u < U; u++) table[q * U + u] = (q - QUARTER_OFFSET) / 4 + values[u] / scale;
  return table;
}

/** Whether `grid` (size x 8) is the E8P12 grid, row = code. */
function isE8P12Grid(grid: Float64Array): boolean {
  if (grid.length !== 65536 * 8) return false;
  const e8 = E8P12.grid();
  for (let i = 0; i < grid.length; i++) if (grid[i] !== e8[i]) return false;
  return true;
}

/** The device recipe of `codebook` (built once per codebook object), or a RangeError for a grid too large. */
function recipeOf(fn: string, codebook: E8P12Codebook | ResidualE8Codebook): { recipe: DecodeRecipe; id: number } {
  const cached = recipes.get(codebook);
  if (cached) return cached;
  const tables = e8p12TablesOnce();
  let recipe: DecodeRecipe;
  if (codebook instanceof E8P12Codebook) recipe = { kind: 'e8p12', tables };
  else {
    const grid = codebook.residualGrid();
    const scale = codebook.residualScale;
    if (isE8P12Grid(grid)) {
      const quarters = Array.from({ length: QUARTER_VALUES }, (_, q) => (q - QUARTER_OFFSET) / 4);
      recipe = { kind: 'residual-e8p12', tables, combined: combinedTable(quarters, scale) };
    } else {
      const size = grid.length / 8;
      if (size > MAX_DEVICE_GRID) {
        throw rangeError(fn, 'codebook', `a residual codebook whose second stage is E8P12 or has at most ${MAX_DEVICE_GRID} points on a device backend`, `${size} points`);
      }
      const distinct = [...new Set(grid)];
      const index = new Map(distinct.map((v, u) => [v, u]));
      const gridValue = Float32Array.from(grid, (v) => index.get(v) as number);
      recipe = { kind: 'residual-grid', tables, combined: combinedTable(distinct, scale), gridValue, distinct: distinct.length };
    }
  }
  const entry = { recipe, id: nextId++ };
  recipes.set(codebook, entry);
  return entry;
}

/** The second code word's bound of a residual codebook: its grid's last code. */
function secondStageMax(codebook: ResidualE8Codebook): number {
  return codebook.residualGrid().length / 8 - 1;
}
const secondMax = new WeakMap<object, number>();

/** The checks of `codes` as the codebook's decodeRows makes them; returns the number of rows k. */
function checkCodes(fn: string, codebook: E8P12Codebook | ResidualE8Codebook, codes: unknown): number {
  if (!(codes instanceof Uint16Array)) throw typeError(fn, 'codes', 'a Uint16Array', codes);
  const words = codebook.codeWords;
  if (codes.length % words !== 0) throw rangeError(fn, 'codes', `k * ${words} code words (length a multiple of ${words})`, `length ${codes.length}`);
  if (codebook instanceof ResidualE8Codebook) {
    let max = secondMax.get(codebook);
    if (max === undefined) secondMax.set(codebook, (max = secondStageMax(codebook)));
    if (max < 65535) {
      for (let i = 1; i < codes.length; i += 2) if (codes[i] > max) throw rangeError(fn, 'codes', `code words in [0, ${max}]`, `${codes[i]} at index ${i}`);
    }
  }
  return codes.length / words;
}

/**
 * The weights of k code rows as a row-major k x 8 float32 matrix, on the backend of `options.backend` (default: the
 * current one): row r is the codebook point of codes[r] (E8P12) or of the pair codes[2r], codes[2r + 1] (residual
 * codebooks: first + second / residualScale). Resolves to a new Float32Array(8k), bit for bit
 * `codebook.decodeRows(codes, new Float32Array(8 * k))` on every backend. O(k); on a device, 2^21 rows per dispatch.
 *
 * `codebook` is an E8P12Codebook (E8P12) or a ResidualE8Codebook (E8P12RVQ3B, E8P12RVQ4B, or one whose second
 * stage is E8P12 or has at most 4096 points).
 *
 * Throws (as a rejected Promise) TypeError for another codebook, codes that are not a Uint16Array or a bad options
 * object; RangeError for a length not a multiple of the code words per row or a second code word beyond the second
 * stage's size (naming its index); RangeError/TypeError for an unknown backend name; BackendUnavailableError when
 * the backend named cannot run here.
 *
 * @example await decodeRowsAsync(E8P12, Uint16Array.of(0, 1), { backend: 'webgpu' }) // 16 weights
 */
export async function decodeRowsAsync(codebook: E8P12Codebook | ResidualE8Codebook, codes: Uint16Array, options?: BackendOptions): Promise<Float32Array> {
  const fn = 'decodeRowsAsync';
  if (!(codebook instanceof E8P12Codebook || codebook instanceof ResidualE8Codebook)) {
    throw typeError(fn, 'codebook', 'an E8P12 or residual E8 codebook (E8P12, E8P12RVQ3B, E8P12RVQ4B)', codebook);
  }
  const k = checkCodes(fn, codebook, codes);
  const { backend } = readOptions(fn, options, []);
  const mode = await resolveBackend(fn, backend);
  const out = new Float32Array(8 * k);
  if (mode === 'cpu') return codebook.decodeRows(codes, out);
  const { recipe, id } = recipeOf(fn, codebook);
  const words = codebook.codeWords;
  for (let r0 = 0; r0 < k; r0 += MAX_DISPATCH_ROWS) {
    const rows = Math.min(MAX_DISPATCH_ROWS, k - r0);
    const input = Float32Array.from(codes.subarray(r0 * words, (r0 + rows) * words));
    const part = (await runPlan(mode, `decode:${id}:${rows}`, (gpu) => buildDecodePlan(gpu, rows, recipe), [input])) as Float32Array;
    out.set(part, 8 * r0);
  }
  return out;
}
