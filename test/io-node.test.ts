import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptDataError } from '../src/errors/index.js';
import { readNpy, readNpz, readSafetensors, writeSafetensors, type Tensor } from '../src/io/index.js';
import {
  createSafetensorsWriter,
  openSafetensors,
  openSafetensorsModel,
  readNpyFile,
  readNpzFile,
  readSafetensorsFile,
  writeFileAtomic,
  writeNpyFile,
  writeSafetensorsFile,
} from '../src/node/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quipsharp-io-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = (name: string) => join(dir, name);
/** Files in the temporary directory whose names start with `prefix` (hidden temporary files included). */
const listing = (prefix = '') => readdirSync(dir).filter((f) => f.startsWith(prefix) || f.startsWith(`.${prefix}`)).sort();

const TENSORS: Record<string, Tensor> = {
  'layers.0.weight': { dtype: 'F32', shape: [3, 4], data: new Float32Array(12).map((_, i) => i / 4) },
  'layers.0.bias': { dtype: 'BF16', shape: [3], data: Float32Array.of(1, -2, 0.5) },
  'layers.0.codes': { dtype: 'U16', shape: [5], data: Uint16Array.of(0, 1, 2, 65535, 7) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.of(-3n) },
};

async function expectRejects(p: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await p;
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}

describe('safetensors files', () => {
  it('writeSafetensorsFile writes the bytes of writeSafetensors; readSafetensorsFile reads them back', async () => {
    await writeSafetensorsFile(path('a.safetensors'), TENSORS, { format: 'pt' });
    expect(readFileSync(path('a.safetensors'))).toEqual(Buffer.from(writeSafetensors(TENSORS, { format: 'pt' })));
    const back = await readSafetensorsFile(path('a.safetensors'));
    expect(back).toEqual(readSafetensors(readFileSync(path('a.safetensors'))));
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.tensors.get('layers.0.weight')?.data).toEqual(TENSORS['layers.0.weight'].data);
    expect(listing('a.safetensors')).toEqual(['a.safetensors']); // no temporary file left
  });

  it('openSafetensors reads one tensor at its offset, raw or decoded', async () => {
    await writeSafetensorsFile(path('b.safetensors'), TENSORS);
    const file = readFileSync(path('b.safetensors'));
    const reader = await openSafetensors(path('b.safetensors'));
    expect(reader.names()).toEqual(['step', 'layers.0.weight', 'layers.0.bias', 'layers.0.codes']); // file order
    const info = reader.info('layers.0.bias');
    expect(info).toMatchObject({ dtype: 'BF16', shape: [3], file: path('b.safetensors'), byteLength: 6 });
    const raw = await reader.readRaw('layers.0.bias');
    expect(Buffer.from(raw)).toEqual(file.subarray(info.byteOffset, info.byteOffset + info.byteLength));
    expect(await reader.read('layers.0.bias')).toEqual({ dtype: 'BF16', shape: [3], data: Float32Array.of(1, -2, 0.5), bits: Uint16Array.of(0x3f80, 0xc000, 0x3f00) });
    expect(reader.has('step')).toBe(true);
    expect(reader.has('nope')).toBe(false);
    await expectRejects(reader.read('nope'), RangeError, /SafetensorsReader\.read: name must be a tensor of .*b\.safetensors, got "nope"/);
    await reader.close();
    await reader.close(); // idempotent
    await expectRejects(reader.read('step'), RangeError, /SafetensorsReader\.read: the reader must be open, got closed/);
  });

  it('reads one tensor of a file far larger than memory without reading the rest (a sparse 8 GB file)', async () => {
    const big = 8 * 2 ** 30;
    const header = `{"huge":{"dtype":"U8","shape":[${big}],"data_offsets":[0,${big}]},"small":{"dtype":"F32","shape":[2],"data_offsets":[${big},${big + 8}]}}`;
    const head = new Uint8Array(8 + header.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
    head.set(new TextEncoder().encode(header), 8);
    const fh = await open(path('sparse.safetensors'), 'w');
    await fh.write(head, 0, head.length, 0);
    await fh.write(new Uint8Array(Float32Array.of(3, 4).buffer), 0, 8, head.length + big);
    await fh.close();
    const reader = await openSafetensors(path('sparse.safetensors'));
    expect(reader.info('huge').byteLength).toBe(big);
    expect((await reader.read('small')).data).toEqual(Float32Array.of(3, 4));
    await expectRejects(reader.read('huge'), RangeError, /SafetensorsReader\.read: name must be a tensor of at most \d+ bytes \(the largest typed array here\), got "huge" of 8589934592 bytes/);
    await reader.close();
    rmSync(path('sparse.safetensors'));
  });

  it('validates the header against the file size; names the file in errors; notices truncation after opening', async () => {
    const bytes = writeSafetensors(TENSORS);
    writeFileSync(path('cut.safetensors'), bytes.subarray(0, bytes.length - 1));
    await expectRejects(openSafetensors(path('cut.safetensors')), CorruptDataError, /^openSafetensors: corrupt data: .*cut\.safetensors: tensor "layers\.0\.codes" field "data_offsets": end \d+ is beyond the data region/);
    await expectRejects(readSafetensorsFile(path('cut.safetensors')), CorruptDataError, /^readSafetensorsFile: corrupt data: /);
    writeFileSync(path('tiny.safetensors'), Uint8Array.of(1, 2, 3));
    await expectRejects(openSafetensors(path('tiny.safetensors')), CorruptDataError, /header length: the file is 3 bytes/);

    writeFileSync(path('shrinks.safetensors'), bytes);
    const reader = await openSafetensors(path('shrinks.safetensors'));
    await truncate(path('shrinks.safetensors'), bytes.length - 4);
    await expectRejects(reader.read('layers.0.codes'), CorruptDataError, /tensor "layers\.0\.codes": the file ends 4 bytes early/);
    await reader.close();
    await expectRejects(openSafetensors(path('missing.safetensors')), Error, /ENOENT/);
    await expectRejects(openSafetensors(42 as never), TypeError, /openSafetensors: path must be a non-empty path string, got 42/);
  });
});

describe('createSafetensorsWriter', () => {
  it('writes declared tensors in any order, raw or typed, into the same bytes as writeSafetensors', async () => {
    const specs = Object.fromEntries(Object.entries(TENSORS).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
    const w = await createSafetensorsWriter(path('stream.safetensors'), specs, { format: 'pt' });
    expect(w.pending()).toEqual(['step', 'layers.0.weight', 'layers.0.bias', 'layers.0.codes']);
    expect(listing('stream.safetensors')).toHaveLength(1); // only the temporary file so far
    expect(listing('stream.safetensors')[0]).toMatch(/^\.stream\.safetensors\.\d+\.[0-9a-f]+\.tmp$/);
    await w.write('layers.0.codes', TENSORS['layers.0.codes']);
    await w.write('step', TENSORS.step);
    const source = await openSafetensors(path('a.safetensors'));
    await w.writeRaw('layers.0.bias', await source.readRaw('layers.0.bias'));
    await source.close();
    await expectRejects(w.write('step', TENSORS.step), RangeError, /SafetensorsWriter\.write: name must be a declared tensor not yet written, got "step" \(written already\)/);
    await expectRejects(w.write('other', TENSORS.step), RangeError, /"other" \(not declared\)/);
    await expectRejects(w.write('layers.0.weight', { dtype: 'F32', shape: [4, 3], data: new Float32Array(12) }), RangeError, /tensor must be the declared F32 \[3, 4\], got F32 \[4, 3\]/);
    await expectRejects(w.writeRaw('layers.0.weight', new Uint8Array(47)), RangeError, /bytes must be 48 bytes \(F32 \[3, 4\]\), got 47/);
    expect(w.pending()).toEqual(['layers.0.weight']);
    await w.write('layers.0.weight', TENSORS['layers.0.weight']);
    await w.close();
    expect(readFileSync(path('stream.safetensors'))).toEqual(Buffer.from(writeSafetensors(TENSORS, { format: 'pt' })));
    expect(listing('stream.safetensors')).toEqual(['stream.safetensors']);
    await expectRejects(w.write('step', TENSORS.step), RangeError, /the writer must be open, got closed or aborted/);
  });

  it('close() with tensors missing removes the temporary file and leaves an existing file alone', async () => {
    writeFileSync(path('keep.safetensors'), 'old contents');
    const w = await createSafetensorsWriter(path('keep.safetensors'), { a: { dtype: 'U8', shape: [2] }, b: { dtype: 'U8', shape: [1] } });
    await w.write('a', { dtype: 'U8', shape: [2], data: Uint8Array.of(1, 2) });
    await expectRejects(w.close(), RangeError, /SafetensorsWriter\.close: every declared tensor must be written, got 1 missing \("b"\)/);
    expect(readFileSync(path('keep.safetensors'), 'utf8')).toBe('old contents');
    expect(listing('keep.safetensors')).toEqual(['keep.safetensors']);

    const aborted = await createSafetensorsWriter(path('keep.safetensors'), { a: { dtype: 'U8', shape: [2] } });
    await aborted.write('a', { dtype: 'U8', shape: [2], data: Uint8Array.of(1, 2) });
    await aborted.abort();
    expect(readFileSync(path('keep.safetensors'), 'utf8')).toBe('old contents');
    expect(listing('keep.safetensors')).toEqual(['keep.safetensors']);
  });

  it('a failed writeSafetensorsFile leaves the old file intact and no temporary file', async () => {
    writeFileSync(path('fail.safetensors'), 'old contents');
    const bad = { ...TENSORS, 'layers.0.codes': { dtype: 'U16', shape: [5], data: new Uint16Array(4) } as Tensor };
    await expectRejects(writeSafetensorsFile(path('fail.safetensors'), bad), RangeError, /writeSafetensorsFile: tensors\["layers\.0\.codes"\]\.data must be of length 5/);
    expect(readFileSync(path('fail.safetensors'), 'utf8')).toBe('old contents');
    expect(listing('fail.safetensors')).toEqual(['fail.safetensors']);
    await expectRejects(writeSafetensorsFile(path('no/such/dir.safetensors'), TENSORS), Error, /ENOENT/);
  });

  it('a writer killed midway (SIGKILL) leaves the old file and only an incomplete hidden temporary file', async () => {
    writeFileSync(path('killed.safetensors'), 'old contents');
    const script = path('child.mts'); // an ES module wherever it is
    writeFileSync(
      script,
      [
        `import { createSafetensorsWriter } from ${JSON.stringify(join(__dirname, '..', 'src', 'node', 'index.ts'))};`,
        `const w = await createSafetensorsWriter(${JSON.stringify(path('killed.safetensors'))}, { a: { dtype: 'U8', shape: [1000] }, b: { dtype: 'U8', shape: [1000] } });`,
        `await w.write('a', { dtype: 'U8', shape: [1000], data: new Uint8Array(1000).fill(1) });`,
        `console.log('written');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('written')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readFileSync(path('killed.safetensors'), 'utf8')).toBe('old contents');
    const temps = listing('killed.safetensors').filter((f) => f.endsWith('.tmp'));
    expect(temps).toHaveLength(1);
    // the leftover cannot pass for a complete file
    expect(() => readSafetensors(readFileSync(path(temps[0])))).toThrow(CorruptDataError);
  }, 30_000);
});

describe('writeFileAtomic', () => {
  it('creates or replaces a file and leaves no temporary file', async () => {
    await writeFileAtomic(path('x.bin'), Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(path('x.bin')))).toEqual([1, 2, 3]);
    await writeFileAtomic(path('x.bin'), Uint8Array.of(4));
    expect(Array.from(readFileSync(path('x.bin')))).toEqual([4]);
    expect(listing('x.bin')).toEqual(['x.bin']);
  });

  it('fails cleanly: bad arguments, a missing directory', async () => {
    await expectRejects(writeFileAtomic(path('y.bin'), [1] as never), TypeError, /writeFileAtomic: bytes must be a Uint8Array, got Array\(1\)/);
    await expectRejects(writeFileAtomic('', Uint8Array.of(1)), TypeError, /path must be a non-empty path string/);
    await expectRejects(writeFileAtomic(path('none/y.bin'), Uint8Array.of(1)), Error, /ENOENT/);
    expect(listing('y.bin')).toEqual([]);
  });

  it('durable writes (fsync before the rename) give the same files; a bad durable option is a TypeError naming the function', async () => {
    const tensors = { w: { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) } } satisfies Record<string, Tensor>;
    await writeSafetensorsFile(path('d.safetensors'), tensors, { a: 'b' }, { durable: true });
    expect(new Uint8Array(readFileSync(path('d.safetensors')))).toEqual(writeSafetensors(tensors, { a: 'b' }));
    await writeFileAtomic(path('d.bin'), Uint8Array.of(7, 8), { durable: true });
    expect(Array.from(readFileSync(path('d.bin')))).toEqual([7, 8]);
    await writeNpyFile(path('d.npy'), Float64Array.of(1, 2), [2], undefined, { durable: true });
    expect(Array.from(readNpy(readFileSync(path('d.npy'))).data as Float64Array)).toEqual([1, 2]);
    await expectRejects(writeFileAtomic(path('e.bin'), Uint8Array.of(1), { durable: 'yes' } as never), TypeError, /writeFileAtomic: options.durable must be a boolean/);
    await expectRejects(writeSafetensorsFile(path('e.safetensors'), tensors, undefined, 3 as never), TypeError, /writeSafetensorsFile: options must be an object/);
    await expectRejects(createSafetensorsWriter(path('e.safetensors'), tensors, undefined, { durable: 1 } as never), TypeError, /createSafetensorsWriter: options.durable/);
    await expectRejects(writeNpyFile(path('e.npy'), Float64Array.of(1), [1], undefined, { durable: null } as never), TypeError, /writeNpyFile: options.durable/);
    expect(listing('e.')).toEqual([]);
  });
});

describe('openSafetensorsModel', () => {
  let model: string;
  beforeAll(async () => {
    model = mkdtempSync(join(dir, 'model-'));
    await writeSafetensorsFile(join(model, 'model-00001-of-00002.safetensors'), { 'embed.weight': TENSORS['layers.0.weight'], step: TENSORS.step });
    await writeSafetensorsFile(join(model, 'model-00002-of-00002.safetensors'), {
      'layers.0.bias': TENSORS['layers.0.bias'],
      'layers.0.codes': TENSORS['layers.0.codes'],
    });
    const index = {
      metadata: { total_size: 68 },
      weight_map: {
        'embed.weight': 'model-00001-of-00002.safetensors',
        'layers.0.bias': 'model-00002-of-00002.safetensors',
        'layers.0.codes': 'model-00002-of-00002.safetensors',
        step: 'model-00001-of-00002.safetensors',
      },
    };
    writeFileSync(join(model, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
  });

  it('reads a sharded model through its index, from the directory or the index file', async () => {
    for (const p of [model, join(model, 'model.safetensors.index.json')]) {
      const m = await openSafetensorsModel(p);
      expect(m.names()).toEqual(['embed.weight', 'layers.0.bias', 'layers.0.codes', 'step']);
      expect(m.shards.map((s) => s.path)).toEqual([join(model, 'model-00001-of-00002.safetensors'), join(model, 'model-00002-of-00002.safetensors')]);
      expect(m.info('layers.0.codes').file).toBe(join(model, 'model-00002-of-00002.safetensors'));
      expect((await m.read('layers.0.codes')).data).toEqual(TENSORS['layers.0.codes'].data);
      expect((await m.read('embed.weight')).data).toEqual(TENSORS['layers.0.weight'].data);
      expect(Array.from(await m.readRaw('step'))).toEqual(Array.from(new Uint8Array(BigInt64Array.of(-3n).buffer)));
      await expectRejects(m.read('missing'), RangeError, /SafetensorsModel\.read: name must be a tensor of/);
      await m.close();
      await expectRejects(m.read('step'), RangeError, /the model must be open, got closed/);
    }
  });

  it('reads an unsharded model: a directory with model.safetensors, or the file itself', async () => {
    const single = mkdtempSync(join(dir, 'single-'));
    await writeSafetensorsFile(join(single, 'model.safetensors'), TENSORS);
    for (const p of [single, join(single, 'model.safetensors')]) {
      const m = await openSafetensorsModel(p);
      expect(m.names().sort()).toEqual(Object.keys(TENSORS).sort());
      expect((await m.read('step')).data).toEqual(BigInt64Array.of(-3n));
      await m.close();
    }
    await expectRejects(openSafetensorsModel(mkdtempSync(join(dir, 'empty-'))), RangeError, /openSafetensorsModel: path must be a directory holding model\.safetensors\.index\.json or model\.safetensors/);
  });

  it('rejects a malformed index: a tensor missing from its shard, a shard outside the directory, a missing shard, bad JSON', async () => {
    const bad = (name: string, weightMap: unknown): string => {
      const p = join(model, name);
      writeFileSync(p, JSON.stringify({ weight_map: weightMap }));
      return p;
    };
    await expectRejects(
      openSafetensorsModel(bad('i1.json', { ghost: 'model-00001-of-00002.safetensors' })),
      CorruptDataError,
      /i1\.json: index field "weight_map": tensor "ghost" is not in its shard .*model-00001-of-00002\.safetensors/,
    );
    await expectRejects(openSafetensorsModel(bad('i2.json', { step: '../a.safetensors' })), CorruptDataError, /tensor "step": shard "\.\.\/a\.safetensors" is outside the model's directory/);
    await expectRejects(openSafetensorsModel(bad('i3.json', { step: '/etc/passwd' })), CorruptDataError, /outside the model's directory/);
    await expectRejects(openSafetensorsModel(bad('i4.json', { step: 3 })), CorruptDataError, /the shard must be a file name, got 3/);
    await expectRejects(openSafetensorsModel(bad('i5.json', ['x'])), CorruptDataError, /index field "weight_map": must be an object of shard file names/);
    await expectRejects(openSafetensorsModel(bad('i6.json', { step: 'model-00003-of-00003.safetensors' })), Error, /ENOENT/);
    writeFileSync(join(model, 'i7.json'), '{"weight_map": {"a": "x", "a": "y"}}');
    await expectRejects(openSafetensorsModel(join(model, 'i7.json')), CorruptDataError, /duplicate key "a"/);
  });
});

describe('.npy and .npz files', () => {
  it('writeNpyFile / readNpyFile round trip; readNpzFile reads numpy archives', async () => {
    await writeNpyFile(path('w.npy'), Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    expect(await readNpyFile(path('w.npy'))).toMatchObject({ dtype: 'F64', shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6) });
    expect(await readNpyFile(path('w.npy'))).toEqual(readNpy(readFileSync(path('w.npy'))));
    const npz = join(__dirname, 'fixtures', 'npy', 'savez.npz');
    expect(await readNpzFile(npz)).toEqual(readNpz(readFileSync(npz)));
    await expectRejects(readNpyFile(path('nothing.npy')), Error, /ENOENT/);
    await expectRejects(writeNpyFile(path('bad.npy'), new Float32Array(3), [2]), RangeError, /writeNpy: data must be of length 2/);
    expect(listing('bad.npy')).toEqual([]);
  });
});
