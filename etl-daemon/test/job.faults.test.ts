/**
 * MongoDB misbehaving under a run, through the fault proxy: a command stalled past the client's time limit,
 * and the server going away mid-run and coming back. The runner's retries finish the job; the counts are
 * exact afterwards and no lease is left held by a run that gave up.
 */
import type { Document } from 'mongodb';
import { loadConfig } from '../src/config/config';
import { connectMongo } from '../src/db/connect';
import { usageCollections } from '../src/db/collections';
import { readJob } from '../src/db/job-record';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { jobRunnerFromConfig } from '../src/job/runner-from-config';
import type { FaultProxy } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { TestDb } from './helpers';
import { expectedLogins, openTestDb, silentLogger, storedLogins, testMongoUri } from './helpers';

const NOW = new Date();
let db: TestDb;
let proxy: FaultProxy;
let docs: Document[];

beforeEach(async () => {
  db = await openTestDb();
  docs = [...generateSysLog({ days: 8, users: 30, perDay: 40, end: NOW, seed: 4 })].flat();
  await db.cols.sysLog.insertMany(docs.map((d) => ({ ...d })));
  proxy = await startFaultProxy(testMongoUri());
});
afterEach(async () => {
  await proxy.close();
  await db.close();
});

/** The daemon's configuration with short limits, so a stall outlasts them in seconds. */
function config() {
  return loadConfig({
    MONGODB_URI: proxy.uri,
    USAGE_SOURCE: 'seed',
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${db.loginDb}.login`,
    USAGE_START: new Date(NOW.getTime() - 7 * 86_400_000).toISOString().slice(0, 10),
    USAGE_MONGO_MAX_TIME: '1s',
    USAGE_WRITE_TIMEOUT: '1s',
    USAGE_SOCKET_TIMEOUT: '2s',
    USAGE_RETRY_BACKOFF_MS: '200',
    USAGE_RETRY_ATTEMPTS: '4',
    USAGE_LEASE_TTL_MS: '3000',
  });
}

async function runThroughProxy() {
  const settings = config();
  // No driver retry: each failure below reaches the runner, whose own retries must recover.
  const client = await connectMongo(`${proxy.uri}&retryWrites=false&retryReads=false`, settings.mongo);
  const cols = usageCollections(client, settings.sysLog, settings.login, settings.mongo);
  try {
    return await jobRunnerFromConfig(settings, cols, silentLogger).run({});
  } finally {
    await client.close(true);
  }
}

async function expectExactAndFree(): Promise<void> {
  expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
  const job = await readJob(db.cols.job);
  expect(job?.lease).toBeNull();
  expect(job?.state).toBe('idle');
}

it('should give up on a command MongoDB holds past the socket limit, retry, and end exact', async () => {
  proxy.inject({
    match: (c) => c.name === 'insert' && c.collection === 'login',
    action: { kind: 'stall', ms: 60_000 },
  });
  const started = Date.now();
  const outcome = await runThroughProxy();
  expect(outcome.status).toBe('success');
  // One attempt cut after USAGE_SOCKET_TIMEOUT (2 s), not after the minute MongoDB held it.
  expect(Date.now() - started).toBeLessThan(20_000);
  expect((await readJob(db.cols.job))?.lastRun?.attempt).toBeGreaterThanOrEqual(2);
  await expectExactAndFree();
});

it('should recover from MongoDB going away mid-run and coming back', async () => {
  // Away at the run's third day write, back a second later.
  let writes = 0;
  proxy.inject({
    match: (c) => c.name === 'update' && c.collection === 'login.day' && ++writes === 3,
    action: { kind: 'drop' },
  });
  const watcher = (async () => {
    await proxy.waitFor((c) => c.name === 'update' && c.collection === 'login.day', 3);
    proxy.down();
    await new Promise((r) => setTimeout(r, 1000));
    proxy.up();
  })();
  const outcome = await runThroughProxy();
  await watcher;
  expect(outcome.status).toBe('success');
  expect((await readJob(db.cols.job))?.lastRun?.attempt).toBeGreaterThanOrEqual(2);
  await expectExactAndFree();
});
