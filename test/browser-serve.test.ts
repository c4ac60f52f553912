// The page's static file server (scripts/serve-web.ts): files under its folder only, with the cross-origin
// isolation headers the page's workers need, GET and HEAD only.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../scripts/serve-web.js';

/** A raw request (the path is sent as written, `..` and all), resolving with the status, headers and body. */
function get(server: StaticServer, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serveStatic', () => {
  let dir: string;
  let server: StaticServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quipsharp-serve-'));
    await mkdir(join(dir, 'site', 'sub'), { recursive: true });
    await writeFile(join(dir, 'site', 'index.html'), '<p>home</p>');
    await writeFile(join(dir, 'site', 'sub', 'a.js'), 'export {};');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    server = await serveStatic(join(dir, 'site'));
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves files with their type and the isolation headers, index.html for a folder', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const home = await get(server, '/');
    expect(home).toMatchObject({ status: 200, body: '<p>home</p>' });
    expect(home.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    const js = await get(server, '/sub/a.js');
    expect(js).toMatchObject({ status: 200, body: 'export {};' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(await get(server, '/sub/a.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('refuses paths outside its folder, missing files, folders without index.html and other methods', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/missing.js', '/sub/', '/%E0%A4%A', '/a%00.js']) {
      expect((await get(server, path)).status, path).toBe(404);
    }
    expect((await get(server, '/', 'POST')).status).toBe(405);
  });

  it('rejects a root that is not a folder', async () => {
    await expect(serveStatic(join(dir, 'secret.txt'))).rejects.toThrow(/serveStatic: root must be a folder/);
  });
});
