/**
 * The backends the device tests run on here. webasm always runs; WebGPU runs when an adapter answers (in Node:
 * the `webgpu` package and a Vulkan driver such as Mesa's lavapipe), and QUIPSHARP_REQUIRE_WEBGPU=1 makes a missing
 * adapter a failure instead of a skip.
 */
import { describe } from 'vitest';
import { useNodeWebGPU } from '../src/node/webgpu.js';

export const hasWebGPU = await useNodeWebGPU();
export const requireWebGPU = process.env.QUIPSHARP_REQUIRE_WEBGPU === '1';

/** The message of the skipped WebGPU tests. */
export const WEBGPU_SKIP =
  'WebGPU tests skipped: no adapter (install the `webgpu` package and a Vulkan driver, e.g. ' +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers`; set QUIPSHARP_REQUIRE_WEBGPU=1 to fail instead)';

if (!hasWebGPU && !requireWebGPU) console.warn(WEBGPU_SKIP);

/** A device backend under test. */
export type DeviceBackend = 'webasm' | 'webgpu';

/**
 * One suite per device backend, `body(backend)` defining its tests: webasm always; webgpu when an adapter answers
 * or QUIPSHARP_REQUIRE_WEBGPU=1 (then its tests fail without one), else a skipped suite whose title says how to
 * enable it.
 */
export function describeDevices(body: (backend: DeviceBackend) => void): void {
  for (const backend of ['webasm', 'webgpu'] as const) {
    const skip = backend === 'webgpu' && !hasWebGPU && !requireWebGPU;
    describe.skipIf(skip)(skip ? `on webgpu (${WEBGPU_SKIP})` : `on ${backend}`, () => body(backend));
  }
}

/** The error a rejected promise (or throwing call) gives, for comparing errors across backends. */
export async function errorOf(run: () => Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await run();
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected the call to fail');
}
