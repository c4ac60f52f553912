/**
 * Headless Chromium for the browser tests: builds the browser build (scripts/build-web.ts) into a temporary
 * folder, serves it cross-origin isolated (scripts/serve-web.ts), launches Debian's chromium through
 * playwright-core, and runs functions in a page that has the library loaded, returning their plain-data results.
 *
 * Chromium is looked for at $QUIPSHARP_CHROMIUM, else /usr/bin/chromium. Where it is missing, `browserSkip`
 * holds the reason (with how to install it) and a test file skips; with QUIPSHARP_REQUIRE_BROWSER=1 the same
 * message fails the run instead (`requireBrowser`).
 *
 * The GPU paths are software here: WebGL2 through SwiftShader needs no flag, WebGPU gets SwiftShader's adapter
 * from --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.js';
import { serveStatic, type StaticServer } from '../scripts/serve-web.js';
import type * as Library from '../src/index.js';

/** The library as the page sees it: the browser build's module namespace (`import('quipsharp')`). */
export type BrowserLibrary = typeof Library;

/** Where Chromium is expected. */
export const chromiumPath = process.env.QUIPSHARP_CHROMIUM ?? '/usr/bin/chromium';

const INSTALL_HINT =
  `the browser tests need Chromium at ${chromiumPath} (Debian: apt-get install chromium; ` +
  'elsewhere set QUIPSHARP_CHROMIUM to a Chromium or Chrome executable)';

/** Why the browser tests cannot run here (Chromium missing), or undefined when they can. */
export const browserSkip: string | undefined = existsSync(chromiumPath) ? undefined : INSTALL_HINT;

/** True when QUIPSHARP_REQUIRE_BROWSER=1: a missing Chromium fails the run instead of skipping. */
export const requireBrowser = process.env.QUIPSHARP_REQUIRE_BROWSER === '1';

/**
 * A describe block for tests that need Chromium, with one harness started before them and closed after them:
 * `body(harness)` defines the tests, which call `harness()` for it. Skipped with the reason in its name where
 * Chromium is missing, unless QUIPSHARP_REQUIRE_BROWSER=1, where it runs and {@link startHarness} fails with that
 * reason.
 *
 * @example describeBrowser('kernels in Chromium', (harness) => { it('...', async () => { await harness().evaluate(f, 1); }); });
 */
export function describeBrowser(name: string, body: (harness: () => BrowserHarness) => void): void {
  const skip = browserSkip !== undefined && !requireBrowser;
  const reason = `skipped: ${browserSkip}; QUIPSHARP_REQUIRE_BROWSER=1 makes this a failure`;
  if (skip) console.warn(`${name}: ${reason}`);
  describe.skipIf(skip)(skip ? `${name} (${reason})` : name, () => {
    let h: BrowserHarness | undefined;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h?.close();
    });
    body(() => h!);
  });
}

/**
 * Chromium's flags: headless with software WebGL2 (SwiftShader, the default) and software WebGPU, and none of
 * the background connections (updates, sync, field trials) that a machine without a network refuses. The
 * profile is a new empty folder each time.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--disable-quic',
];

/** A page of the served build, with every console error and uncaught exception it produced so far. */
export interface HarnessPage {
  page: Page;
  /** Console messages of type 'error', uncaught page errors and failed requests, in order. */
  errors: string[];
}

/** A running harness: the browser (one context with a fresh profile), the served build and pages on it. */
export interface BrowserHarness {
  context: BrowserContext;
  /** Base URL of the served build (trailing slash). */
  url: string;
  /**
   * Opens `path` of the build (default the blank harness page) in a new page and waits for its load event.
   * Errors the page logs are collected from the start, before any script runs.
   */
  open(path?: string): Promise<HarnessPage>;
  /**
   * Runs `fn(lib, arg)` in a blank page with the browser build imported as `lib`, and resolves with its result.
   * `fn` is sent as source text: it may use only its parameters and browser globals (no variables or imports of
   * the test file), and `arg` and the result must be plain data: numbers, strings, booleans, arrays, plain objects
   * and typed arrays (which travel as bytes: return a Float32Array rather than an array of its numbers, which is
   * several times slower to send). A throw in `fn` rejects with its message.
   */
  evaluate<A, R>(fn: (lib: BrowserLibrary, arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Closes the browser, stops the server and removes the build and the profile. */
  close(): Promise<void>;
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  return errors;
}

/**
 * Builds the browser build, serves it and launches Chromium. Throws when Chromium is missing (check
 * `browserSkip` first) or the build fails. Takes about 3 s (build) + 1 s (launch).
 *
 * @example
 * const h = await startHarness();
 * const codes = await h.evaluate((lib, n) => Array.from(lib.randomSigns(n, 1)), 16);
 * await h.close();
 */
export async function startHarness(): Promise<BrowserHarness> {
  if (browserSkip) throw new Error(`startHarness: ${browserSkip}`);
  const scratch = await mkdtemp(join(tmpdir(), 'quipsharp-browser-'));
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  try {
    const { outDir } = await buildWeb(join(scratch, 'dist'));
    server = await serveStatic(outDir);
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
  } catch (e) {
    await context?.close();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
    throw e;
  }
  const c = context;
  const s = server;
  const open = async (path = 'harness.html'): Promise<HarnessPage> => {
    const page = await c.newPage();
    const errors = collectErrors(page);
    await page.goto(new URL(path, s.url).href, { waitUntil: 'load' });
    return { page, errors };
  };
  let blank: Promise<HarnessPage> | undefined;
  return {
    context: c,
    url: s.url,
    open,
    async evaluate<A, R>(fn: (lib: BrowserLibrary, arg: A) => R | Promise<R>, arg: A): Promise<R> {
      const { page } = await (blank ??= open());
      // The function travels as source and is applied to the module namespace the page imports (the import is
      // in the evaluated text too, so that no test-side transform of dynamic imports reaches it). Transpilers
      // that keep function names (tsx, esbuild's keepNames) wrap inner functions in calls of a `__name` helper:
      // the evaluated scope defines it as the identity.
      return page.evaluate(
        ({ source, value }) => {
          const text = `(async (value) => { const __name = (f) => f; return (${source})(await import('quipsharp'), value); })`;
          const run = (0, eval)(text) as (v: unknown) => Promise<unknown>;
          return run(value);
        },
        { source: fn.toString(), value: arg as unknown },
      ) as Promise<R>;
    },
    async close() {
      await c.close();
      await s.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
