/** The device backends the GPU benchmarks run on here, each printed with its description (the adapter's for WebGPU). */
import { describeBackend, type DeviceMode } from '../src/backend/index.js';
import { useNodeWebGPU } from '../src/node/webgpu.js';

/** webasm always; webgpu when an adapter answers (else a line saying how to get one). */
export async function deviceBackends(): Promise<DeviceMode[]> {
  const webgpu = await useNodeWebGPU();
  const out: DeviceMode[] = webgpu ? ['webasm', 'webgpu'] : ['webasm'];
  for (const name of out) {
    const d = await describeBackend(name);
    console.log(`- ${name}: ${d.device}${d.isFallbackAdapter ? ' (software fallback adapter)' : ''}`);
  }
  if (!webgpu) console.log('- webgpu: no adapter (install the `webgpu` package and a Vulkan driver; see docs/backends.md)');
  console.log('');
  return out;
}
