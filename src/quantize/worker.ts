/**
 * The worker side of quantizeLinear: runs prepareLayer, the row energies or roundRows on the shared arrays it is
 * sent and posts the results (and progress) back. Runs under Node's worker_threads or as a browser module worker.
 */
import { builtinCodebook } from './options.js';
import { prepareLayer } from './prepare.js';
import { roundRows } from './round.js';
import { serializeError, type EnergiesJob, type WorkerReply, type WorkerRequest } from './messages.js';
import { claimRowEnergies } from './energy.js';
import type { Codebook } from '../lattice/index.js';

type Port = { post(reply: WorkerReply): void; listen(handler: (request: WorkerRequest) => void): void };

function codebookNamed(name: string): Codebook {
  const cb = builtinCodebook(name);
  if (!cb) throw new RangeError(`quantizeLinear: worker got an unknown codebook ${JSON.stringify(name)}`);
  return cb;
}

/** A copy of a in shared memory. */
function sharedCopy(a: Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/** a itself when it views shared memory, else a shared copy (so every worker reads it without a copy). */
function shared(a: Float64Array): Float64Array {
  return a.buffer instanceof SharedArrayBuffer ? a : sharedCopy(a);
}

function handle(port: Port, request: WorkerRequest): void {
  try {
    if (request.type === 'prepare') {
      const { m, n } = request;
      // The layer is prepared in place on shared copies: W becomes U and H becomes L, visible to every worker.
      const layer = prepareLayer(
        request.fn,
        { data: sharedCopy(request.W), rows: m, cols: n },
        { data: sharedCopy(request.H), rows: n, cols: n },
        { ...request, codebook: codebookNamed(request.codebook) },
        (stage) => port.post({ type: 'stage', stage }),
      );
      layer.L = shared(layer.L);
      layer.D = shared(layer.D);
      if (layer.Hp) layer.Hp = shared(layer.Hp);
      port.post({ type: 'prepared', layer });
    } else if (request.type === 'energies') {
      energies(port, request.energies, true);
      port.post({ type: 'energies-paused' });
    } else {
      roundRows(request.fn, request.job, codebookNamed(request.codebook), request.r0, request.r1, request.codes, request.sums, (count) =>
        port.post({ type: 'blocks', count }),
      );
      energies(port, request.energies, false);
      port.post({ type: 'rounded' });
    }
  } catch (e) {
    port.post({ type: 'error', error: serializeError(e) });
  }
}

function energies(port: Port, job: EnergiesJob, yieldOnStop: boolean): void {
  claimRowEnergies(job.W, job.H, job.m, job.n, job.control, job.energy, yieldOnStop, () => port.post({ type: 'energy-chunk' }));
}

async function connect(): Promise<Port> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    const { parentPort } = await import(/* @vite-ignore */ 'node:worker_threads');
    if (!parentPort) throw new Error('quantize worker: not running in a worker thread');
    return { post: (r) => parentPort.postMessage(r), listen: (h) => void parentPort.on('message', h) };
  }
  const scope = globalThis as unknown as { postMessage(r: WorkerReply): void; addEventListener(t: 'message', h: (e: MessageEvent) => void): void };
  return { post: (r) => scope.postMessage(r), listen: (h) => scope.addEventListener('message', (e) => h(e.data as WorkerRequest)) };
}

void connect().then((port) => port.listen((request) => handle(port, request)));
