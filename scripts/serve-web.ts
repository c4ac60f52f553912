/**
 * A static file server for the browser page (web/dist/, built by scripts/build-web.ts), for local use only: it
 * listens on 127.0.0.1, answers GET and HEAD with the files under one folder and nothing else.
 *
 * Every response carries the two headers that make the page cross-origin isolated
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`): without them a
 * browser withholds SharedArrayBuffer, and quantizeLinear then runs on the page's own thread instead of on
 * workers.
 *
 *   npx tsx scripts/serve-web.ts [--port 8080] [--root web/dist]
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running server: its base URL (with a trailing slash) and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.npy': 'application/octet-stream',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * The file under `root` that a request path names, or undefined when the path leaves `root` (after decoding, so
 * `%2e%2e/` cannot climb out), is malformed, or names no regular file. A path ending in `/` names its index.html.
 */
async function fileFor(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(root, '.' + (decoded.endsWith('/') ? decoded + 'index.html' : decoded));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? file : undefined;
}

/**
 * Serves the files under `root` on http://127.0.0.1:`port`/ (port 0: any free port). Resolves once the server
 * listens; rejects when it cannot (the port is taken, `root` is not a folder).
 *
 * @example const server = await serveStatic('web/dist'); console.log(server.url); await server.close();
 */
export async function serveStatic(root: string, port = 0): Promise<StaticServer> {
  const base = resolve(root);
  const info = await stat(base).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`serveStatic: root must be a folder, got ${JSON.stringify(root)} (build the page first: npx tsx scripts/build-web.ts)`);
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...ISOLATION_HEADERS, Allow: 'GET, HEAD' }).end();
        return;
      }
      const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
      const file = await fileFor(base, pathname);
      if (!file) {
        response.writeHead(404, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500, ISOLATION_HEADERS);
      response.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** `--name value` from the command line, or the fallback. */
function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const port = Number(flag(args, 'port', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`serve-web: --port must be an integer in [0, 65535], got ${flag(args, 'port', '')}`);
  const root = flag(args, 'root', join(fileURLToPath(new URL('..', import.meta.url)), 'web', 'dist'));
  const server = await serveStatic(root, port);
  console.log(`serving ${root} at ${server.url} (Ctrl-C stops)`);
}
