/**
 * safetensors throughput through the Node entry: writing and reading a 1 GiB file in the system's temporary
 * folder (deleted afterwards), beside plain `node:fs` moving the same bytes, and the in-memory reader and writer.
 *
 * Work per call: one whole file. Writes go through `writeSafetensorsFile` (temporary file, one positional write per
 * tensor, rename; and with `durable`, fsync), compared with `open` + `write` (+ `fsync`) + `close` of the file's
 * bytes; reads through `readSafetensorsFile` (header, then one read per tensor into its own buffer) and
 * `openSafetensors` + `read` of every tensor, compared with `fs.readFile`. Reads follow the writes, so they come
 * from the page cache (as when a file is read twice); the durable writes include the fsync, so they are bound by
 * the disk, the others by the page cache. BF16 rows add the decoding of
 * every element to float32 (2 GiB of output). Each row is the median of 3 calls, with the slowest and fastest; the
 * rows of a table take turns, so that load from other processes falls on all of them alike.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors, type Tensor } from '../src/io/index.js';
import { openSafetensors, readSafetensorsFile, writeSafetensorsFile } from '../src/node/index.js';
import { report, type Column, type Measurement } from './harness.js';

const TENSORS = 16;
const FILE_BYTES = 2 ** 30;
const RUNS = 3;

type Timed = Measurement & { times: number[] };

/**
 * Times each row RUNS times after one untimed call, taking the rows in turn (round robin), so that a change in the
 * machine's load during the benchmark falls on every row alike. Keeps every time, for the median and the spread.
 */
async function timeRows(rows: [string, () => Promise<unknown> | unknown][], after: () => Promise<void> = async () => {}): Promise<Timed[]> {
  for (const [, fn] of rows) {
    await fn();
    await after();
  }
  const times = rows.map((): number[] => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [k, [, fn]] of rows.entries()) {
      const t0 = performance.now();
      await fn();
      times[k].push(performance.now() - t0);
      await after();
    }
  }
  return rows.map(([name], k) => {
    const t = times[k].sort((a, b) => a - b);
    return { name, ms: t[0], medianMs: t[t.length >> 1], runs: RUNS, times: t };
  });
}

/** 16 tensors of `dtype` filling 1 GiB of data. */
function model(dtype: 'F32' | 'BF16'): Record<string, Tensor> {
  const elements = FILE_BYTES / TENSORS / (dtype === 'F32' ? 4 : 2);
  const out: Record<string, Tensor> = {};
  for (let t = 0; t < TENSORS; t++) {
    const data = new Float32Array(elements);
    for (let i = 0; i < elements; i++) data[i] = ((i * 2654435761) % 1000003) / 1000003 - 0.5;
    out[`model.layers.${t}.weight`] = { dtype, shape: [elements / 4096, 4096], data } as Tensor;
  }
  return out;
}

async function writeWithFs(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < bytes.length; ) {
      done += (await fh.write(bytes, done, Math.min(2 ** 30, bytes.length - done))).bytesWritten;
    }
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quipsharp-bench-io-'));
  try {
    const f32 = model('F32');
    const bytes = writeSafetensors(f32);
    const mb = bytes.length / 1e6;
    const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(0)}`;
    const columns: Column[] = [
      { header: 'MB/s (median)', cell: (m) => rate(m.medianMs) },
      {
        header: 'MB/s (slowest - fastest)',
        cell: (m) => {
          const t = (m as Timed).times;
          return `${rate(t[t.length - 1])} - ${rate(t[0])}`;
        },
      },
    ];
    const file = join(dir, 'model.safetensors');

    // Every write makes a new file (as a model run does), deleted untimed after it, and the system's dirty pages
    // are flushed (sync) before the next row, so no row pays for the previous one's writeback: replacing a file
    // whose pages are still being written back makes ext4 flush the new data at the rename, and a writer that
    // follows another's gigabyte of dirty pages is throttled.
    const fresh = join(dir, 'fresh.bin');
    const writes = await timeRows(
      [
        ['fs open + write + close', () => writeWithFs(fresh, bytes, false)],
        ['writeSafetensorsFile (stream, rename)', () => writeSafetensorsFile(fresh, f32)],
        ['fs open + write + fsync + close', () => writeWithFs(fresh, bytes, true)],
        ['writeSafetensorsFile, durable (stream, fsync, rename)', () => writeSafetensorsFile(fresh, f32, undefined, { durable: true })],
      ],
      async () => {
        await rm(fresh, { force: true });
        execFileSync('sync');
      },
    );
    // The in-memory writer apart: its gigabyte of garbage would land on the next row's time.
    writes.push(...(await timeRows([['writeSafetensors (in memory)', () => writeSafetensors(f32)]])));
    await writeSafetensorsFile(file, f32);
    report(`Write a ${mb.toFixed(0)} MB safetensors file (16 F32 tensors)`, writes, writes[0], columns);

    const reads = await timeRows([
      ['fs.readFile', () => readFile(file)],
      ['readSafetensorsFile', () => readSafetensorsFile(file)],
      [
        'openSafetensors + read every tensor',
        async () => {
          const reader = await openSafetensors(file);
          for (const name of reader.names()) await reader.read(name);
          await reader.close();
        },
      ],
      ['readSafetensors (in memory)', () => readSafetensors(bytes)],
    ]);
    report(`Read a ${mb.toFixed(0)} MB safetensors file (16 F32 tensors, page cache)`, reads, reads[0], columns);

    const bf16 = model('BF16');
    const bfFile = join(dir, 'bf16.safetensors');
    const bfRows = await timeRows([
      ['writeSafetensorsFile, BF16 (encode + write)', () => writeSafetensorsFile(bfFile, bf16)],
      ['readSafetensorsFile, BF16 (read + decode)', () => readSafetensorsFile(bfFile)],
    ]);
    report(`BF16: a ${mb.toFixed(0)} MB file of 537M elements (MB/s of file bytes)`, bfRows, bfRows[0], columns);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
