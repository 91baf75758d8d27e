/**
 * kill -9 at several points of a real `core4-usage run` child process, then rerun until done: home.login must
 * equal an uninterrupted run's, with no day lost, none counted twice and no orphaned documents.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { usageCollections, ensureIndexes } from '../src/db/collections';
import { readJob } from '../src/db/job-record';
import { serverClock } from '../src/db/server-clock';
import { writeDemoData } from '../src/demo/write-demo-data';
import { runOnce } from '../src/job/run-once';
import { addUtcDays, startOfUtcDay, utcDayLabel } from '../src/time/utc-day';
import type { TestDb } from './helpers';
import { openTestDb, presetSelector, runDeps, storedLogins, testMongoUri } from './helpers';

const CLI = path.resolve(__dirname, '../bin/core4-usage.js');
const DAYS = 40;

let db: TestDb;
let start: string;

function childEnv(loginDb: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MONGODB_URI: testMongoUri(),
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${loginDb}.login`,
    USAGE_START: start,
    USAGE_LEASE_TTL_MS: '3000',
    USAGE_RETRY_ATTEMPTS: '1',
    LOG_LEVEL: 'warn',
  };
}

/** Starts `run`; kills it with SIGKILL after `afterLines` progress lines (plus `delayMs`), or lets it finish. */
async function runChild(
  loginDb: string,
  kill?: { afterLines: number; delayMs: number }
): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: number; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'run'], {
    env: childEnv(loginDb),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let lines = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('progress')) return;
    lines += 1;
    if (kill && lines === kill.afterLines) setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
  });
  if (kill && kill.afterLines === 0) setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
  const result = await exited;
  return { ...result, lines, stderr };
}

beforeAll(async () => {
  db = await openTestDb();
  const now = new Date();
  start = utcDayLabel(addUtcDays(startOfUtcDay(now), -(DAYS - 1)));
  await writeDemoData(db.cols.sysLog, { days: DAYS, users: 150, perDay: 250, end: now, seed: 11 });
});
afterAll(async () => {
  for (const name of ['ref', 'killed'].map((n) => `${db.loginDb}_${n}`)) {
    await db.client
      .db(name)
      .dropDatabase()
      .catch(() => undefined);
  }
  await db.close();
});

it('should end with the same home.login after SIGKILLs at several points as after one uninterrupted run', async () => {
  const refCols = usageCollections(
    db.client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: `${db.loginDb}_ref`, collection: 'login' }
  );
  await ensureIndexes(refCols);
  const reference = await runOnce(
    runDeps(refCols, {
      clock: serverClock(refCols.db),
      selector: presetSelector('core4-logins'),
      configStart: new Date(start),
    }),
    {},
    'ref',
    1
  );
  expect(reference.status === 'success' && reference.stats.days).toBe(DAYS);
  const expected = await storedLogins(refCols);

  const killedDb = `${db.loginDb}_killed`;
  const kills = [
    { afterLines: 0, delayMs: 150 },
    { afterLines: 3, delayMs: 0 },
    { afterLines: 9, delayMs: 5 },
    { afterLines: 20, delayMs: 0 },
  ];
  const killedAt: number[] = [];
  for (const kill of kills) {
    const result = await runChild(killedDb, kill);
    if (result.signal === 'SIGKILL') killedAt.push(result.lines);
    // The dead runner's lease blocks until it expires; a rerun before then skips and says so.
    await sleep(3100);
  }
  expect(killedAt.length).toBeGreaterThanOrEqual(3);

  let final = await runChild(killedDb);
  for (let tries = 0; final.code === 75 && tries < 5; tries += 1) {
    await sleep(1000);
    final = await runChild(killedDb);
  }
  expect(final.stderr).not.toMatch(/"level":50/);
  expect(final.code).toBe(0);

  const killedCols = usageCollections(
    db.client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: killedDb, collection: 'login' }
  );
  expect(await storedLogins(killedCols)).toEqual(expected);
  const summary = async (cols: typeof refCols) =>
    (
      await cols.days
        .find({}, { projection: { _id: 0, day: 1, logins: 1, users: 1, chunks: 1, complete: 1 } })
        .toArray()
    ).sort((a, b) => a.day.getTime() - b.day.getTime());
  expect(await summary(killedCols)).toEqual(await summary(refCols));
  const days = await killedCols.days.find({}).toArray();
  expect(await killedCols.chunks.countDocuments({})).toBe(days.reduce((n, d) => n + d.chunks, 0));
  expect((await readJob(killedCols.job))?.checkpoint).toEqual((await readJob(refCols.job))?.checkpoint);
});

it('should make a rerun skip with exit code 75 while a live lease is held', async () => {
  const loginDb = `${db.loginDb}_killed`;
  const cols = usageCollections(
    db.client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: loginDb, collection: 'login' }
  );
  await cols.job.updateOne(
    {},
    {
      $set: {
        lease: { owner: 'other-host:1', until: new Date(Date.now() + 60_000), acquiredAt: new Date() },
      },
    }
  );
  const result = await runChild(loginDb);
  expect(result.code).toBe(75);
  expect(result.stderr).toMatch(
    /^core4-usage: skipped: another runner holds the lease \(other-host:1 until .*\)$/m
  );
});
