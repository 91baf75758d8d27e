/**
 * The real daemon app, with tokens configured, scraped by a real Prometheus (Debian's package) on loopback
 * with the demo stack's scrape configuration (provisioning/prometheus/prometheus.yml: bearer token from a
 * file) and alert rules: the login gauges arrive in Prometheus with the expected values.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse, stringify } from 'yaml';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { loginDoc, openTestDb } from './helpers';

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const RULES = path.resolve(__dirname, '../../provisioning/prometheus/rules/core4-usage.rules.yml');
const DEMO_CONFIG = path.resolve(__dirname, '../../provisioning/prometheus/prometheus.yml');
const TOKEN = 'scrape-read-token-0123456789';
const NOW = new Date();
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const HOUR = 3_600_000;

let db: TestDb;
let app: FastifyInstance;
let prometheus: ChildProcess;
let promUrl: string;
let dir: string;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

async function promQuery(
  expr: string
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result;
}

beforeAll(async () => {
  db = await openTestDb();
  await db.cols.sysLog.insertMany([
    loginDoc('amy', ago(0.5 * HOUR)),
    loginDoc('bob', ago(2 * HOUR)),
    loginDoc('amy', ago(72 * HOUR)),
    loginDoc('cy', ago(240 * HOUR)),
  ]);
  app = await buildTestApp(db, NOW, {
    runFrom: ago(15 * 24 * HOUR)
      .toISOString()
      .slice(0, 10),
    api: { readToken: TOKEN, openMetrics: false },
  });
  const target = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).host;
  dir = mkdtempSync(path.join(tmpdir(), 'core4-usage-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  const tokenFile = path.join(dir, 'core4-usage-token');
  writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  // The demo stack's configuration, pointed at this daemon and this token file, scraping every second.
  const demo = parse(readFileSync(DEMO_CONFIG, 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: Array<{
      authorization: { credentials_file: string };
      static_configs: Array<{ targets: string[] }>;
    }>;
  };
  demo.global = { scrape_interval: '1s', evaluation_interval: '1s' };
  demo.rule_files = [RULES];
  const [scrape] = demo.scrape_configs;
  if (!scrape?.authorization || !scrape.static_configs[0])
    throw new Error('demo scrape config changed shape');
  scrape.authorization.credentials_file = tokenFile;
  scrape.static_configs[0].targets = [target];
  writeFileSync(config, stringify(demo));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' }
  );
  for (let i = 0; i < 120; i += 1) {
    const up = await promQuery('up{job="core4-usage"}').catch(() => []);
    if (up[0]?.value[1] === '1' && (await promQuery('core4_usage_logins').catch(() => [])).length > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
});

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await app?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('should receive the login gauges of every window with the values the API computes', async () => {
  const value = async (expr: string) => Number((await promQuery(expr))[0]?.value[1]);
  expect(await value('up{job="core4-usage"}')).toBe(1);
  expect(await value('core4_usage_distinct_users{window="1h"}')).toBe(1);
  expect(await value('core4_usage_logins{window="1h"}')).toBe(1);
  expect(await value('core4_usage_distinct_users{window="24h"}')).toBe(2);
  expect(await value('core4_usage_logins{window="24h"}')).toBe(2);
  expect(await value('core4_usage_distinct_users{window="7d"}')).toBe(2);
  expect(await value('core4_usage_logins{window="7d"}')).toBe(3);
  expect(await value('core4_usage_distinct_users{window="30d"}')).toBe(3);
  expect(await value('core4_usage_logins{window="30d"}')).toBe(4);
  expect(await value('core4_usage_job_last_success_timestamp_seconds')).toBe(NOW.getTime() / 1000);
});

it('should load the alert rules, with nobody-logged-in and job-stale inactive', async () => {
  const response = await fetch(`${promUrl}/api/v1/rules`);
  const body = (await response.json()) as {
    data: { groups: Array<{ rules: Array<{ name: string; state: string }> }> };
  };
  const rules = body.data.groups.flatMap((g) => g.rules);
  expect(rules.map((r) => r.name).sort()).toEqual([
    'Core4UsageDaemonDown',
    'Core4UsageJobStale',
    'Core4UsageLoginDrop',
    'Core4UsageNobodyLoggedIn',
  ]);
  for (const rule of rules) expect([rule.name, rule.state]).toEqual([rule.name, 'inactive']);
});
