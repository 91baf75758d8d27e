/**
 * Smoke test of the built plugin: dist/module.js loaded in headless Chromium on a stand-in page (real React,
 * rxjs and @grafana/* through a define() shim), querying the real daemon through a stand-in for Grafana's
 * data-source proxy, with the values shown on the page checked against the daemon and a screenshot kept.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { READ_TOKEN, query, request, startDaemon, type Daemon } from '../__integration__/daemon';

const ROOT = path.resolve(__dirname, '../..');
const OUTPUT = path.join(ROOT, 'test-output');
const HOST = path.join(OUTPUT, 'host');
/** Debian's Chromium, headless and offline, as the daemon's widget test starts it (CHROMIUM_PATH overrides). */
const CHROMIUM = JSON.parse(readFileSync(path.resolve(ROOT, '../test-support/chromium.json'), 'utf8')) as {
  executable: string;
  args: string[];
};
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.ttf': 'font/ttf',
};

let daemon: Daemon;
let server: http.Server;
let browser: Browser;
let base: string;

function serveFile(res: http.ServerResponse, file: string) {
  if (!existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res
    .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
    .end(readFileSync(file));
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/module.js'))) {
    throw new Error('dist/module.js is missing: run `npm run build` first');
  }
  mkdirSync(HOST, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'tests/smoke/host.tsx')],
    bundle: true,
    outdir: HOST,
    format: 'iife',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.svg': 'text', '.woff': 'file', '.woff2': 'file', '.ttf': 'file' },
    logLevel: 'error',
  });
  daemon = await startDaemon();
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname === '/') {
      return serveFile(res, path.join(ROOT, 'tests/smoke/page.html'));
    }
    if (url.pathname === '/smoke.js') {
      return serveFile(res, path.join(ROOT, 'tests/smoke/smoke.js'));
    }
    if (url.pathname.startsWith('/host/')) {
      return serveFile(res, path.join(HOST, path.basename(url.pathname)));
    }
    if (url.pathname === '/plugin/module.js') {
      return serveFile(res, path.join(ROOT, 'dist/module.js'));
    }
    if (url.pathname.startsWith('/proxy/daemon/')) {
      // Grafana's data-source proxy: the route's URL plus the token from secureJsonData, added server-side.
      const target = `${daemon.url}${url.pathname.slice('/proxy/daemon'.length)}${url.search}`;
      http
        .get(target, { headers: { Authorization: `Bearer ${READ_TOKEN}` } }, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, {
            'content-type': upstream.headers['content-type'] ?? 'application/json',
          });
          upstream.pipe(res);
        })
        .on('error', () => res.writeHead(502).end('{"message":"Bad Gateway"}'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM.executable,
    args: CHROMIUM.args,
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await daemon?.stop();
});

it('should load dist/module.js, run a query through the proxy and show the daemon numbers', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, timezoneId: 'Asia/Kathmandu' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}/?metric=users`);
  await page
    .waitForSelector('body[data-state="ready"], body[data-state="error"]', { state: 'attached', timeout: 60_000 })
    .catch((error: Error) => {
      throw new Error(`${error.message}\npage errors: ${errors.join('\n')}`);
    });
  expect(await page.evaluate(() => (window as unknown as { smokeError?: string }).smokeError)).toBeUndefined();
  const result = (await page.evaluate(() => (window as unknown as { smokeResult: unknown }).smokeResult)) as {
    aggregate: string;
    tz: string;
    start: number;
    end: number;
    values: number[];
    times: number[];
  };
  // The browser zone came from the page (Chromium names Kathmandu by its older IANA link, Asia/Katmandu,
  // which the daemon accepts), the aggregate from the one-week interval.
  const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  expect(['Asia/Kathmandu', 'Asia/Katmandu']).toContain(browserZone);
  expect([result.aggregate, result.tz]).toEqual(['week', browserZone]);
  const { data } = await request(
    `${daemon.url}/api/v1/logins${query({ start: result.start, end: result.end, aggregate: 'week', tz: 'Asia/Kathmandu' })}`,
    { Authorization: `Bearer ${READ_TOKEN}` }
  );
  const expected = (data as { buckets: Array<{ start: string; users: number }> }).buckets;
  expect(result.values).toEqual(expected.map((b) => b.users));
  expect(result.times).toEqual(expected.map((b) => Date.parse(b.start)));
  const shown = await page.$$eval('#values td.v', (cells) => cells.map((c) => Number(c.textContent)));
  expect(shown).toEqual(expected.map((b) => b.users));
  expect(shown.length).toBeGreaterThanOrEqual(12);
  // The plugin's own query editor renders with the real @grafana/ui.
  await page.waitForSelector('#query-editor-metric');
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, 'plugin-smoke.png'), fullPage: true });
  // `npm run screenshots` renews the README's picture of the stand-in page from this run.
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'docs', 'stand-in-page.png'), fullPage: true });
  }
  expect(errors).toEqual([]);
});
