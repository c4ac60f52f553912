/**
 * Worker threads for quantizeLinear: Node's worker_threads or a browser's Web Workers, behind one small
 * interface. The split of work is static (one range of rows per thread), so a pool library would add nothing
 * over the platform's Worker; and none serves both Node and browsers.
 */
import type { WorkerReply, WorkerRequest } from './messages.js';

/** One worker: send a request, receive its replies, terminate. */
export interface QuantizeWorker {
  post(request: WorkerRequest): void;
  onReply(handler: (reply: WorkerReply) => void): void;
  onFailure(handler: (error: Error) => void): void;
  terminate(): Promise<void>;
}

/** The part of the DOM Worker interface used here (the library is compiled without the DOM typings). */
interface BrowserWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', handler: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Cores the platform reports: os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere. */
export async function availableCores(): Promise<number> {
  if (isNode) {
    const os = await import(/* @vite-ignore */ 'node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/** True where quantizeLinear can start workers with shared memory. */
export function workersAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  return isNode || typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/**
 * The worker script next to this module: dist/quantize-worker.js in the package; src/quantize/worker.ts when
 * the library runs from source (its own tests and scripts), which a Node worker then loads through tsx's
 * loader (Node 20 does not pass the parent's module hooks on to worker threads, so the worker registers them).
 */
function workerScript(): { url: URL; fromSource: boolean } {
  const here = import.meta.url;
  const fromSource = /\.ts(\?.*)?$/.test(here);
  return { url: new URL(fromSource ? './worker.ts' : './quantize-worker.js', here), fromSource };
}

/** Starts one worker. */
export async function startWorker(): Promise<QuantizeWorker> {
  const { url, fromSource } = workerScript();
  if (isNode) {
    const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
    const w = fromSource
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
      : new Worker(url);
    return {
      post: (request) => w.postMessage(request),
      onReply: (handler) => void w.on('message', handler),
      onFailure: (handler) => {
        w.on('error', handler);
        w.on('exit', (code) => {
          if (code !== 0) handler(new Error(`quantizeLinear: a worker thread exited with code ${code}`));
        });
      },
      terminate: async () => void (await w.terminate()),
    };
  }
  const W = (globalThis as unknown as { Worker: new (url: URL, options: { type: 'module' }) => BrowserWorker }).Worker;
  const w = new W(url, { type: 'module' });
  return {
    post: (request) => w.postMessage(request),
    onReply: (handler) => w.addEventListener('message', (e) => handler(e.data as WorkerReply)),
    onFailure: (handler) => w.addEventListener('error', (e) => handler(new Error(`quantizeLinear: a worker failed: ${e.message ?? 'error'}`))),
    terminate: async () => w.terminate(),
  };
}
