/**
 * SIGTERM ends `serve` within 10 s in every state (orchestrators kill after 30 s): idle, loading the index,
 * in the start-up run, in a scheduled run, in a run started over HTTP, and with MongoDB gone. The slow states
 * are made real with the fault proxy (test/fault-proxy.ts): the command the process waits on is held.
 */
import { loadConfig } from '../src/config/config';
import { readJob } from '../src/db/job-record';
import { writeDemoData } from '../src/demo/write-demo-data';
import { jobRunnerFromConfig } from '../src/job/runner-from-config';
import type { ServeProcess } from './daemon-process';
import { startServe } from './daemon-process';
import type { FaultProxy, SeenCommand } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { TestDb } from './helpers';
import { expectedLogins, openTestDb, silentLogger, storedLogins, testMongoUri } from './helpers';

const DAYS = 40;
const LIMIT_MS = 10_000;
const HOLD = { kind: 'stall', ms: 120_000 } as const;
let db: TestDb;
let proxy: FaultProxy;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  db = await openTestDb();
  await writeDemoData(db.cols.sysLog, { days: DAYS, users: 200, perDay: 300, end: new Date(), seed: 12 });
});
afterAll(() => db.close());
beforeEach(async () => {
  proxy = await startFaultProxy(testMongoUri());
});
afterEach(async () => {
  await serve?.kill();
  serve = undefined;
  await proxy.close();
  // Each state starts from the same home.login: nothing stored, no lease.
  for (const col of [
    db.cols.chunks,
    db.cols.days,
    db.cols.job,
    db.cols.runs,
    db.cols.summaries,
    db.cols.names,
  ])
    await col.deleteMany({});
});

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: proxy.uri,
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${db.loginDb}.login`,
    USAGE_START: new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10),
    USAGE_RUN_ON_START: 'false',
    USAGE_INCREMENTAL_SCHEDULE: '',
    ...overrides,
  };
}

const isWrite = (collection: string) => (c: SeenCommand) =>
  c.name === 'insert' && c.collection === collection;

async function expectQuickExit(): Promise<void> {
  const exit = await (serve as ServeProcess).terminate();
  process.stdout.write(`shutdown: ${expect.getState().currentTestName ?? ''}: ${exit.ms} ms\n`);
  expect(exit.code).toBe(0);
  expect(exit.ms).toBeLessThan(LIMIT_MS);
  expect((serve as ServeProcess).log()).toContain('SIGTERM: shutting down');
}

it('should exit within 10 s when idle, releasing nothing it does not hold', async () => {
  serve = await startServe(env());
  await serve.waitForLog('"msg":"index ready');
  await expectQuickExit();
});

it('should exit within 10 s while the index loads (its read held by MongoDB)', async () => {
  await jobRunnerFromConfig(loadConfig(env({ MONGODB_URI: testMongoUri() })), db.cols, silentLogger).run({});
  proxy.inject({ match: (c) => c.name === 'find' && c.collection === 'login.summary', action: HOLD });
  serve = await startServe(env());
  await proxy.waitFor((c) => c.name === 'find' && c.collection === 'login.summary');
  const health = await fetch(`${serve.base}/health`);
  expect((await health.json()).status).toBe('loading');
  await expectQuickExit();
});

it('should exit within 10 s during the start-up run, and release the lease when it can', async () => {
  serve = await startServe(env({ USAGE_RUN_ON_START: 'true' }));
  // The run writes a few days, then its next write is held.
  await proxy.waitFor(isWrite('login'), 3);
  proxy.inject({ match: isWrite('login'), action: HOLD });
  await proxy.waitFor(isWrite('login'), 4);
  await expectQuickExit();
  const job = await readJob(db.cols.job);
  // The held write kept the run from its lease release: the lease runs out by itself (USAGE_LEASE_TTL_MS).
  expect(job?.lastRun?.result === 'success').toBe(false);
});

it('should exit within 10 s during a scheduled run', async () => {
  serve = await startServe(env({ USAGE_INCREMENTAL_SCHEDULE: '*/2 * * * * *' }));
  proxy.inject({ match: isWrite('login'), action: HOLD });
  await proxy.waitFor(isWrite('login'), 1, 20_000);
  expect((await readJob(db.cols.job))?.lease?.until.getTime()).toBeGreaterThan(Date.now());
  await expectQuickExit();
});

it('should exit within 10 s during a run started over HTTP', async () => {
  serve = await startServe(env());
  await serve.waitForLog('"msg":"index ready');
  proxy.inject({ match: isWrite('login'), action: HOLD });
  const started = await fetch(`${serve.base}/api/v1/job/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(started.status).toBe(202);
  await proxy.waitFor(isWrite('login'));
  await expectQuickExit();
});

it('should exit within 10 s when MongoDB has gone away during the start-up run, and the next run recovers exact', async () => {
  serve = await startServe(
    env({ USAGE_RUN_ON_START: 'true', USAGE_SOURCE: 'seed', USAGE_LEASE_TTL_MS: '3000' })
  );
  await proxy.waitFor(isWrite('login'), 2);
  proxy.down();
  // Its retries and backoffs are now waiting on a server that does not answer.
  await new Promise((r) => setTimeout(r, 1500));
  await expectQuickExit();
  // MongoDB is back; the dead process's lease runs out (3 s here) and the next runner takes over.
  proxy.up();
  const config = loadConfig(
    env({ MONGODB_URI: testMongoUri(), USAGE_SOURCE: 'seed', USAGE_LEASE_TTL_MS: '3000' })
  );
  let outcome = await jobRunnerFromConfig(config, db.cols, silentLogger).run({});
  for (let i = 0; i < 40 && outcome.status === 'skipped'; i += 1) {
    await new Promise((r) => setTimeout(r, 250));
    outcome = await jobRunnerFromConfig(config, db.cols, silentLogger).run({});
  }
  expect(outcome.status).toBe('success');
  const docs = await db.cols.sysLog.find({}).toArray();
  expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
  expect((await readJob(db.cols.job))?.lease).toBeNull();
});

it('should release the lease when a run stops between two days at shutdown', async () => {
  serve = await startServe(env({ USAGE_RUN_ON_START: 'true' }));
  await proxy.waitFor(isWrite('login'), 3);
  await expectQuickExit();
  const job = await readJob(db.cols.job);
  expect(job?.lease).toBeNull();
  expect(['aborted', 'success']).toContain(job?.lastRun?.result);
});
