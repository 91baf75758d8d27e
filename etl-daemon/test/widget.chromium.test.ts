/// <reference lib="dom" />
/**
 * The widget as a person sees it: the real daemon app listening on loopback, the page loaded in headless
 * Chromium (Debian's, through playwright-core), the plotted values compared with the API's numbers, and a
 * screenshot kept in test-output/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { writeDemoData } from '../src/demo/write-demo-data';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { openTestDb, presetSelector } from './helpers';

/** Debian's Chromium, headless and offline, as the plugin's smoke test starts it (CHROMIUM_PATH overrides). */
const CHROMIUM = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../test-support/chromium.json'), 'utf8')
) as { executable: string; args: string[] };
const OUTPUT = path.resolve(__dirname, '../test-output');
const NOW = new Date();

let db: TestDb;
let app: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  db = await openTestDb();
  // With core4's sys.role for the demo's users: the page's breakdown by core4 group.
  const demo = { days: 60, users: 200, perDay: 200, end: NOW, seed: 9 };
  await writeDemoData(db.cols.sysLog, demo, undefined, db.cols);
  app = await buildTestApp(db, NOW, {
    runFrom: new Date(NOW.getTime() - 59 * 86_400_000).toISOString().slice(0, 10),
    // A second source beside the default, as USAGE_SOURCE=…,core4-requests makes it: the page offers both.
    moreSources: [{ name: 'core4-requests', selector: presetSelector('core4-requests') }],
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM.executable,
    args: CHROMIUM.args,
  });
  mkdirSync(OUTPUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

interface Answer {
  buckets: { start: string; users: number; logins: number; partial: boolean; returning: number }[];
}

/** What the page plots: complete buckets in one series, buckets the range cuts (and their neighbours) dashed in another. */
function split(buckets: Answer['buckets'], value: (b: Answer['buckets'][number]) => number) {
  return {
    whole: buckets.map((b) => (b.partial ? null : value(b))),
    cut: buckets.map((b, i) =>
      b.partial || buckets[i + 1]?.partial || buckets[i - 1]?.partial ? value(b) : null
    ),
  };
}

it('should plot what /api/v1/logins answers, follow its controls and keep its state in the URL', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const start = new Date(NOW.getTime() - 56 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(NOW.getTime() + 86_400_000).toISOString().slice(0, 10);
  const query = `metric=users&aggregate=week&tz=Asia%2FKathmandu&start=${start}&end=${end}`;
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector('body[data-state="ready"]');

  const api = (
    await app.inject({ method: 'GET', url: `/api/v1/logins?${query}&metric=logins` })
  ).json<Answer>();
  const plotted = await page.evaluate(
    () => (window as unknown as { widgetChart: { data: number[][] } }).widgetChart.data
  );
  expect(plotted[0]).toEqual(api.buckets.map((b) => Date.parse(b.start) / 1000));
  const users = split(api.buckets, (b) => b.users);
  expect([plotted[1], plotted[2]]).toEqual([users.whole, users.cut]);
  // The range cuts the first or the last week: drawn apart, not as a drop.
  expect(api.buckets.some((b) => b.partial)).toBe(true);
  expect(plotted[2]?.some((v) => v !== null)).toBe(true);
  expect(api.buckets.length).toBeGreaterThanOrEqual(8);
  expect(Math.max(...api.buckets.map((b) => b.users))).toBeGreaterThan(50);
  const firstRow = await page.textContent('#values tbody tr td');
  expect(firstRow).toBe(api.buckets[0]?.start);
  await page.screenshot({ path: path.join(OUTPUT, 'widget-weekly-users.png'), fullPage: true });
  // `npm run screenshots` renews the README's picture from this run.
  if (process.env.UPDATE_SCREENSHOTS === '1')
    await page.screenshot({ path: path.resolve(__dirname, '../docs/widget.png'), fullPage: true });

  await page.selectOption('#metric', 'logins');
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('metric') === 'logins');
  await page.waitForSelector('body[data-state="ready"]');
  const logins = await page.evaluate(
    () => (window as unknown as { widgetChart: { data: number[][] } }).widgetChart.data
  );
  const expectedLogins = split(api.buckets, (b) => b.logins);
  expect([logins[1], logins[2]]).toEqual([expectedLogins.whole, expectedLogins.cut]);
  await page.screenshot({ path: path.join(OUTPUT, 'widget-weekly-logins.png'), fullPage: true });

  await page.selectOption('#metric', 'returning');
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('metric') === 'returning');
  await page.waitForSelector('body[data-state="ready"]');
  const returning = await page.evaluate(
    () => (window as unknown as { widgetChart: { data: number[][] } }).widgetChart.data
  );
  const apiReturning = (
    await app.inject({
      method: 'GET',
      url: `/api/v1/logins?${query.replace('metric=users', 'metric=returning')}`,
    })
  ).json<Answer>();
  expect([returning[1], returning[2]]).toEqual(
    Object.values(split(apiReturning.buckets, (b) => b.returning))
  );

  await page.selectOption('#metric', 'retention');
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('metric') === 'retention');
  await page.waitForSelector('body[data-state="ready"]');
  const retention = (
    await app.inject({
      method: 'GET',
      url: `/api/v1/retention?cohort=week&tz=Asia%2FKathmandu&start=${start}&end=${end}`,
    })
  ).json<{ cohorts: { start: string; size: number; retained: number[] }[] }>();
  const table = await page.$$eval('#values tbody tr', (rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? ''))
  );
  expect(table.map((cells) => cells.slice(1).map(Number))).toEqual(
    retention.cohorts.map((c) => [c.size, ...c.retained])
  );
  expect(retention.cohorts.length).toBeGreaterThanOrEqual(8);
  expect(await page.textContent('#values thead')).toContain('week 0');
  await page.screenshot({ path: path.join(OUTPUT, 'widget-retention.png'), fullPage: true });
  expect(errors).toEqual([]);
});

it('should draw a breakdown by core4 group as one line per group, as /api/v1/logins breaks it down', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const start = new Date(NOW.getTime() - 42 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(NOW.getTime() + 86_400_000).toISOString().slice(0, 10);
  const query = `metric=users&aggregate=week&tz=Europe%2FBerlin&start=${start}&end=${end}`;
  await page.goto(`${base}/?${query}&by=role`);
  await page.waitForSelector('body[data-state="ready"]');
  const api = (
    await app.inject({ method: 'GET', url: `/api/v1/logins?${query}&breakdown=role&limit=8` })
  ).json<{ buckets: { start: string }[]; series: { key: string; buckets: { users: number }[] }[] }>();
  expect(api.series.length).toBe(9);
  const plotted = await page.evaluate(() => {
    const chart = (window as unknown as { widgetChart: { data: number[][]; series: { label?: string }[] } })
      .widgetChart;
    return { data: chart.data, labels: chart.series.map((s) => s.label ?? '') };
  });
  expect(plotted.data[0]).toEqual(api.buckets.map((b) => Date.parse(b.start) / 1000));
  expect(plotted.data.slice(1)).toEqual(api.series.map((s) => s.buckets.map((b) => b.users)));
  expect(plotted.labels.slice(1)).toEqual(api.series.map((s) => s.key));
  const header = await page.$$eval('#values thead th', (cells) => cells.map((c) => c.textContent));
  expect(header).toEqual(['bucket start', ...api.series.map((s) => s.key)]);
  await page.screenshot({ path: path.join(OUTPUT, 'widget-by-group.png'), fullPage: true });
  expect(errors).toEqual([]);
});

it('should draw the requests by project, one line per project, as /api/v1/logins breaks them down', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const start = new Date(NOW.getTime() - 42 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(NOW.getTime() + 86_400_000).toISOString().slice(0, 10);
  const query = `metric=users&aggregate=week&tz=Asia%2FKathmandu&start=${start}&end=${end}&source=core4-requests`;
  await page.goto(`${base}/?${query}&by=project`);
  await page.waitForSelector('body[data-state="ready"]');
  const api = (
    await app.inject({ method: 'GET', url: `/api/v1/logins?${query}&breakdown=project&limit=8` })
  ).json<{ series: { key: string; buckets: { users: number }[] }[] }>();
  // The demo's apps: core4's own and three other projects.
  expect(api.series.map((s) => s.key).sort()).toEqual(['core4', 'fin', 'hr', 'mkt']);
  const plotted = await page.evaluate(() => {
    const chart = (window as unknown as { widgetChart: { data: number[][]; series: { label?: string }[] } })
      .widgetChart;
    return { data: chart.data, labels: chart.series.map((s) => s.label ?? '') };
  });
  expect(plotted.data.slice(1)).toEqual(api.series.map((s) => s.buckets.map((b) => b.users)));
  expect(plotted.labels.slice(1)).toEqual(api.series.map((s) => s.key));
  await page.screenshot({ path: path.join(OUTPUT, 'widget-by-project.png'), fullPage: true });
  expect(errors).toEqual([]);
});

it("should offer the daemon's sources and plot the one chosen, kept in the URL", async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const start = new Date(NOW.getTime() - 42 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(NOW.getTime() + 86_400_000).toISOString().slice(0, 10);
  const query = `metric=users&aggregate=week&tz=UTC&start=${start}&end=${end}`;
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector('body[data-state="ready"]');
  expect(await page.isVisible('#source')).toBe(true);
  expect(await page.$$eval('#source option', (o) => o.map((x) => x.textContent))).toEqual([
    'seed (default)',
    'core4-requests',
  ]);
  await page.selectOption('#source', 'core4-requests');
  await page.waitForFunction(
    () => new URLSearchParams(window.location.search).get('source') === 'core4-requests'
  );
  await page.waitForSelector('body[data-state="ready"]');
  const plotted = await page.evaluate(
    () => (window as unknown as { widgetChart: { data: number[][] } }).widgetChart.data
  );
  const api = (
    await app.inject({ method: 'GET', url: `/api/v1/logins?${query}&source=core4-requests` })
  ).json<Answer>();
  const seed = (await app.inject({ method: 'GET', url: `/api/v1/logins?${query}` })).json<Answer>();
  const users = split(api.buckets, (b) => b.users);
  expect([plotted[1], plotted[2]]).toEqual([users.whole, users.cut]);
  expect(api.buckets.map((b) => b.users)).not.toEqual(seed.buckets.map((b) => b.users));
  expect(errors).toEqual([]);
});

it('should show the API error when a control holds a bad value', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/?tz=Mars%2FOlympus`);
  await page.waitForSelector('body[data-state="error"]');
  expect(await page.textContent('#error')).toContain(
    'tz: "Mars/Olympus" is not accepted; expected an IANA time zone'
  );
});
