/**
 * Worker threads for quantizeLinear: Node's worker_threads or a browser's Web Workers, behind one small
 * interface, kept in a pool between calls (a fresh worker loads the library and warms up its JIT, about half a
 * second, which would dominate small layers). Idle workers do not keep a Node process alive and are terminated
 * after IDLE_MS without work. The split of work is static (one range of rows per thread), so a pool library
 * would add little over the platform's Worker; and none serves both Node and browsers.
 */
import type { WorkerReply, WorkerRequest } from './messages.js';

/** One worker: requests with their replies, failures, termination. */
export interface QuantizeWorker {
  /**
   * Sends a request; its replies go to `onReply` until it returns true. A worker handles its requests one at a
   * time and in order, so the replies of one request all come before those of the next.
   */
  request(request: WorkerRequest, onReply: (reply: WorkerReply) => boolean): void;
  /** Replaces the listener of failures (a crash or an error event). */
  onFailure(handler: (error: Error) => void): void;
  /** Whether an idle worker may keep the process alive (Node; a no-op in browsers). */
  keepAlive(yes: boolean): void;
  terminate(): Promise<void>;
}

/** Idle workers are terminated after this long without work. */
const IDLE_MS = 2000;
const idle: QuantizeWorker[] = [];
let idleTimer: ReturnType<typeof setTimeout> | undefined;

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

/** The reply handlers of a worker's outstanding requests, in the order the requests were sent. */
class ReplyQueue {
  private readonly handlers: Array<(reply: WorkerReply) => boolean> = [];
  expect(handler: (reply: WorkerReply) => boolean): void {
    this.handlers.push(handler);
  }
  deliver(reply: WorkerReply): void {
    const head = this.handlers[0];
    if (head && head(reply)) this.handlers.shift();
  }
}

/** `count` workers: idle ones from the pool first, new ones for the rest. */
export async function acquireWorkers(count: number): Promise<QuantizeWorker[]> {
  const workers = idle.splice(0, count);
  while (workers.length < count) workers.push(await startWorker());
  for (const w of workers) w.keepAlive(true);
  return workers;
}

/** Returns workers that finished their work to the pool. */
export function releaseWorkers(workers: QuantizeWorker[]): void {
  for (const w of workers) {
    w.onFailure(() => discard(w));
    w.keepAlive(false);
    idle.push(w);
  }
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void Promise.all(idle.splice(0).map((w) => w.terminate())), IDLE_MS);
  (idleTimer as { unref?: () => void }).unref?.();
}

/** Terminates workers (after a failure or an abort: their state is unknown). */
export async function terminateWorkers(workers: QuantizeWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.terminate()));
}

function discard(w: QuantizeWorker): void {
  const i = idle.indexOf(w);
  if (i >= 0) idle.splice(i, 1);
  void w.terminate();
}

/** Starts one worker. */
async function startWorker(): Promise<QuantizeWorker> {
  const { url, fromSource } = workerScript();
  if (isNode) {
    const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
    const w = fromSource
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
      : new Worker(url);
    const replies = new ReplyQueue();
    let failure: (e: Error) => void = () => {};
    let terminated = false;
    w.on('message', (r: WorkerReply) => replies.deliver(r));
    w.on('error', (e: Error) => failure(e));
    w.on('exit', (code: number) => {
      if (!terminated) failure(new Error(`quantizeLinear: a worker thread exited with code ${code}`));
    });
    return {
      request: (request, onReply) => (replies.expect(onReply), w.postMessage(request)),
      onFailure: (handler) => void (failure = handler),
      keepAlive: (yes) => (yes ? w.ref() : w.unref()),
      terminate: async () => {
        terminated = true;
        await w.terminate();
      },
    };
  }
  const W = (globalThis as unknown as { Worker: new (url: URL, options: { type: 'module' }) => BrowserWorker }).Worker;
  const w = new W(url, { type: 'module' });
  const replies = new ReplyQueue();
  let failure: (e: Error) => void = () => {};
  w.addEventListener('message', (e) => replies.deliver(e.data as WorkerReply));
  w.addEventListener('error', (e) => failure(new Error(`quantizeLinear: a worker failed: ${e.message ?? 'error'}`)));
  return {
    request: (request, onReply) => (replies.expect(onReply), w.postMessage(request)),
    onFailure: (handler) => void (failure = handler),
    keepAlive: () => {},
    terminate: async () => w.terminate(),
  };
}
