// The backend registry: names, 'auto', unavailable backends, descriptions, the plan cache and disposal.
import { afterAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NAMES,
  cachedPlanCount,
  describeBackend,
  disposeDevices,
  fwhtRowsAsync,
  getBackend,
  resolveBackend,
  setBackend,
} from '../src/backend/index.js';
import { BackendUnavailableError } from '../src/errors/index.js';
import { hasWebGPU, requireWebGPU, WEBGPU_SKIP } from './backend-helpers.js';

afterAll(async () => {
  setBackend('cpu');
  await disposeDevices();
});

describe('setBackend / getBackend', () => {
  it('starts at cpu and keeps what is set', () => {
    expect(getBackend()).toBe('cpu');
    for (const name of BACKEND_NAMES) {
      setBackend(name);
      expect(getBackend()).toBe(name);
    }
    setBackend('auto');
  });

  it('rejects unknown names with a RangeError listing the supported ones, non-strings with a TypeError', () => {
    expect(() => setBackend('cuda' as never)).toThrow(
      new RangeError(`setBackend: name must be one of 'auto', 'cpu', 'webasm', 'webgpu', 'webgl', got "cuda"`),
    );
    expect(() => setBackend(undefined as never)).toThrow(TypeError);
    expect(() => setBackend(1 as never)).toThrow(/setBackend: name must be one of 'auto'.*got 1/);
    expect(getBackend()).toBe('auto');
  });

  it('a call rejects a bad options.backend under its own name', async () => {
    await expect(fwhtRowsAsync(new Float32Array(4), 1, 4, { backend: 'gpu' as never })).rejects.toThrow(
      new RangeError(`fwhtRowsAsync: options.backend must be one of 'auto', 'cpu', 'webasm', 'webgpu', 'webgl', got "gpu"`),
    );
  });

  it('the current backend is the default of every call', async () => {
    setBackend('cpu');
    expect(await resolveBackend('f', undefined)).toBe('cpu');
    setBackend('webasm');
    expect(await resolveBackend('f', undefined)).toBe('webasm');
    expect(await resolveBackend('f', 'cpu')).toBe('cpu');
    setBackend('auto');
  });
});

describe('resolution', () => {
  it("'auto' never fails: WebGPU when an adapter answers, else (no WebGL2 in Node) the CPU", async () => {
    expect(await resolveBackend('f', 'auto')).toBe(hasWebGPU ? 'webgpu' : 'cpu');
  });

  it('an explicit backend that cannot run throws BackendUnavailableError saying how to enable it', async () => {
    const error = await resolveBackend('fwhtRowsAsync', 'webgl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).toBe('webgl');
    expect((error as Error).message).toMatch(/^fwhtRowsAsync: backend 'webgl' is not available here: WebGL2 needs a browser/);
    await expect(setBackendThenCall('webgl')).rejects.toThrow(BackendUnavailableError);
  });

  it.skipIf(hasWebGPU)(`without an adapter, 'webgpu' throws BackendUnavailableError naming the fix${requireWebGPU ? '' : ` (${WEBGPU_SKIP})`}`, async () => {
    expect(requireWebGPU, 'QUIPSHARP_REQUIRE_WEBGPU=1 but no WebGPU adapter answered').toBe(false);
    await expect(resolveBackend('f', 'webgpu')).rejects.toThrow(/npm install webgpu.*mesa-vulkan-drivers.*useNodeWebGPU/);
  });
});

async function setBackendThenCall(name: 'webgl'): Promise<Float32Array> {
  setBackend(name);
  try {
    return await fwhtRowsAsync(new Float32Array(2), 1, 2);
  } finally {
    setBackend('auto');
  }
}

describe('describeBackend', () => {
  it('names the CPU and webasm backends', async () => {
    expect(await describeBackend('cpu')).toEqual({ backend: 'cpu', device: 'TypeScript on the main thread' });
    expect((await describeBackend('webasm')).backend).toBe('webasm');
    await expect(describeBackend('vulkan' as never)).rejects.toThrow(/^describeBackend: name must be one of 'auto'/);
    await expect(describeBackend('webgl')).rejects.toThrow(BackendUnavailableError);
  });

  it.skipIf(!hasWebGPU)("describes the WebGPU adapter (lavapipe: a fallback adapter named 'llvmpipe')", async () => {
    const d = await describeBackend('webgpu');
    expect(d.backend).toBe('webgpu');
    expect(d.device.length).toBeGreaterThan(3);
    expect(typeof d.isFallbackAdapter).toBe('boolean');
  });
});

describe('plan cache', () => {
  it('caches one plan per shape, bounded, and disposeDevices empties it', async () => {
    await disposeDevices();
    expect(cachedPlanCount()).toBe(0);
    const x = Float32Array.of(1, 2, 3, 4);
    await fwhtRowsAsync(x, 1, 4, { backend: 'webasm' });
    await fwhtRowsAsync(x, 1, 4, { backend: 'webasm' });
    expect(cachedPlanCount()).toBe(1);
    for (let rows = 1; rows <= 50; rows++) await fwhtRowsAsync(new Float32Array(rows * 2).fill(1), rows, 2, { backend: 'webasm' });
    expect(cachedPlanCount()).toBe(48);
    // an evicted shape is rebuilt and still right
    expect(Array.from(await fwhtRowsAsync(x, 1, 4, { backend: 'webasm' }))).toEqual([10, -2, -4, 0]);
    await disposeDevices();
    expect(cachedPlanCount()).toBe(0);
    expect(Array.from(await fwhtRowsAsync(x, 1, 4, { backend: 'webasm' }))).toEqual([10, -2, -4, 0]);
  });
});
