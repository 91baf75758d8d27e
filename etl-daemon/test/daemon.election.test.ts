/**
 * While MongoDB has no primary (an election takes about 12 s; here the fault proxy refuses every connection),
 * a loaded replica keeps answering from memory and stays ready for its load balancer; /health names the
 * database as failing. When MongoDB is back, the replica writes and reads again without a restart.
 */
import { writeDemoData } from '../src/demo/write-demo-data';
import type { ServeProcess } from './daemon-process';
import { startServe } from './daemon-process';
import type { FaultProxy } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { TestDb } from './helpers';
import { openTestDb, testMongoUri } from './helpers';

const DAYS = 20;
let db: TestDb;
let proxy: FaultProxy;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  db = await openTestDb();
  await writeDemoData(db.cols.sysLog, { days: DAYS, users: 100, perDay: 150, end: new Date(), seed: 21 });
  proxy = await startFaultProxy(testMongoUri());
});
afterAll(async () => {
  await serve?.kill();
  await proxy.close();
  await db.close();
});

it('should stay ready and answer from memory while MongoDB is unreachable, and recover when it is back', async () => {
  serve = await startServe({
    MONGODB_URI: proxy.uri,
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${db.loginDb}.login`,
    USAGE_START: new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10),
    USAGE_INCREMENTAL_SCHEDULE: '',
    USAGE_INDEX_REFRESH_MS: '1000',
  });
  await serve.waitForLog('"msg":"run finished"');
  const base = serve.base;
  // Whole UTC days: no slot logins to read, the index answers alone.
  const midnight = Date.now() - (Date.now() % 86_400_000);
  const url = `${base}/api/v1/logins?start=${midnight - 10 * 86_400_000}&end=${midnight}&aggregate=d&metric=users,logins`;
  let before = await (await fetch(url)).json();
  // The run's days reach the index on its next refresh (every second here).
  for (let i = 0; i < 50 && !before.buckets.every((b: { users: number }) => b.users > 0); i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    before = await (await fetch(url)).json();
  }
  expect(before.buckets.every((b: { users: number }) => b.users > 0)).toBe(true);

  proxy.down();
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(503);
  expect((await health.json()).checks.database.ok).toBe(false);
  expect([(await fetch(`${base}/ready`)).status]).toEqual([200]);
  // Another range, counted now (not a kept answer), from memory.
  const during = await fetch(url.replace(/end=\d+/, `end=${midnight - 86_400_000}`));
  expect(during.status).toBe(200);
  expect((await during.json()).buckets).toEqual(before.buckets.slice(0, -1));

  proxy.up();
  for (let i = 0; i < 100 && (await fetch(`${base}/health`)).status !== 200; i += 1) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect((await fetch(`${base}/health`)).status).toBe(200);
  const run = await fetch(`${base}/api/v1/job/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(run.status).toBe(202);
});
