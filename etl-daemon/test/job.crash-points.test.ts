/**
 * Every write path crash-safe and idempotent: a run fails at each of its writes in turn (through the fault
 * proxy: the write dropped before MongoDB sees it, or carried out with its reply lost, as a crash or a
 * failover right after it would leave it), then the next run, on another connection, leaves every day
 * loadable and exact, for the writer and for another client that only reads. The run under test closes one
 * day (dictionary claim and fill, summary, chunks, placeholder, switch, chunk delete, summary delete) and
 * appends to an open one (segment summary, chunks, day update); `summarize` is checked the same way.
 */
import type { Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { UsageCollections } from '../src/db/collections';
import { usageCollections } from '../src/db/collections';
import { runOnce } from '../src/job/run-once';
import { summarizeStoredDays } from '../src/job/summarize-stored';
import { countExact } from '../src/query/exact-count';
import { makeIndexSync } from '../src/query/index-loader';
import type { FaultAction, SeenCommand } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { TestDb } from './helpers';
import {
  expectedLogins,
  fixedClock,
  loginDoc,
  openTestDb,
  runDeps,
  silentLogger,
  storedLogins,
  testMongoUri,
} from './helpers';

const A = new Date('2026-03-31T00:30:00Z');
const B = new Date('2026-03-31T01:30:00Z');
const C = new Date('2026-03-31T01:40:00Z');
const isWrite = (c: SeenCommand) =>
  ['insert', 'update', 'delete', 'findAndModify'].includes(c.name) && c.collection.startsWith('login');

function linesBeforeA(): Document[] {
  return [
    loginDoc('amy', '2026-03-30T08:00:00Z'),
    loginDoc('bob', '2026-03-30T23:50:00Z'),
    loginDoc('amy', '2026-03-31T00:10:00Z'),
  ];
}

/** What arrives between run A and run B: late lines for the 30th, new users today. */
function linesBeforeB(): Document[] {
  return [
    loginDoc('cy', '2026-03-30T23:58:00Z'),
    loginDoc('dan', '2026-03-31T00:40:00Z'),
    loginDoc('eve', '2026-03-31T01:20:00Z'),
    loginDoc('amy', '2026-03-31T01:21:00Z'),
  ];
}

function colsOf(client: MongoClient, db: TestDb): UsageCollections {
  return usageCollections(
    client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: db.loginDb, collection: 'login' }
  );
}

/** Every day loadable and exact: stored logins as sys.log says, and another client's index counts the same. */
async function expectWholeAndExact(db: TestDb, docs: Document[]): Promise<void> {
  expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
  const reader = await MongoClient.connect(testMongoUri());
  const sync = makeIndexSync(colsOf(reader, db), silentLogger);
  await sync.refresh();
  const start = Date.parse('2026-03-30T00:05:00Z');
  const end = Date.parse('2026-03-31T01:21:30Z');
  const bounds = [start, Date.parse('2026-03-31T00:00:00Z'), end];
  const counted = await countExact(sync, { bounds, start, end, metrics: ['users', 'logins'] });
  const lines = expectedLogins(docs).map((l) => l.split('|'));
  const inDay = (from: number, to: number) =>
    lines.filter(([, iso]) => Date.parse(iso ?? '') >= from && Date.parse(iso ?? '') < to);
  const expected = [
    [start, bounds[1] ?? 0],
    [bounds[1] ?? 0, end],
  ].map(([from, to]) => inDay(from ?? 0, to ?? 0));
  expect(counted.logins).toEqual(expected.map((l) => l.length));
  expect(counted.users).toEqual(expected.map((l) => new Set(l.map(([, , user]) => user)).size));
  await sync.close();
  await reader.close();
}

async function prepared(): Promise<{ db: TestDb; docs: Document[] }> {
  const db = await openTestDb();
  const docs = linesBeforeA();
  await db.cols.sysLog.insertMany(docs.map((d) => ({ ...d })));
  await runOnce(runDeps(db.cols, { clock: fixedClock(A) }), { start: '2026-03-30' }, 'a', 1);
  const more = linesBeforeB();
  await db.cols.sysLog.insertMany(more.map((d) => ({ ...d })));
  return { db, docs: [...docs, ...more] };
}

/** Run B through the proxy, failing at its `k`-th write; undefined once k is past its last write. */
async function runBFailingAt(db: TestDb, k: number, action: FaultAction): Promise<string | undefined> {
  const proxy = await startFaultProxy(testMongoUri());
  // No driver retry: on a replica set the driver resends a retryable write once; here each failure is final.
  const client = await MongoClient.connect(proxy.uri, { retryWrites: false, retryReads: false });
  let seen = 0;
  let target: SeenCommand | undefined;
  proxy.inject({
    match: (c) => {
      if (!isWrite(c)) return false;
      seen += 1;
      if (seen === k) target = c;
      return seen === k;
    },
    action,
  });
  const cols = colsOf(client, db);
  await runOnce(runDeps(cols, { clock: fixedClock(B), leaseTtlMs: 3_000 }), {}, 'b', 1).catch(
    () => undefined
  );
  await client.close(true);
  await proxy.close();
  return target ? `${target.name} ${target.collection}` : undefined;
}

describe.each([
  ['dropped before MongoDB sees it', { kind: 'drop' } as const],
  ['carried out, its reply lost', { kind: 'lose-reply' } as const],
])('a run failing at each of its writes, %s', (_, action) => {
  it('should leave every day loadable and exact after the next run', async () => {
    const failed: string[] = [];
    for (let k = 1; ; k += 1) {
      const { db, docs } = await prepared();
      try {
        const at = await runBFailingAt(db, k, action);
        if (at === undefined) break;
        failed.push(at);
        // The next run, on its own connection, after the failed one's lease ran out.
        const next = await runOnce(runDeps(db.cols, { clock: fixedClock(C) }), {}, 'c', 1);
        expect([at, next.status]).toEqual([at, 'success']);
        await expectWholeAndExact(db, docs);
      } finally {
        await db.close();
      }
    }
    // Every write kind of a day's write was hit at least once.
    for (const write of [
      'update login.names', // dictionary claim (upsert) and fill
      'insert login.summary',
      'insert login',
      'update login.day', // placeholder, switch, append
      'delete login',
      'delete login.summary',
      'findAndModify login.job',
    ]) {
      expect(failed).toContain(write);
    }
    expect(failed.length).toBeGreaterThanOrEqual(15);
  });
});

it('should leave every day loadable and exact when `summarize` fails at each of its writes', async () => {
  for (let k = 1; ; k += 1) {
    const db = await openTestDb();
    const docs = [...linesBeforeA(), ...linesBeforeB()];
    try {
      await db.cols.sysLog.insertMany(docs.map((d) => ({ ...d })));
      await runOnce(runDeps(db.cols, { clock: fixedClock(C) }), { start: '2026-03-30' }, 'b', 1);
      // Days as a previous version stored them: one run each, no summaries.
      await db.cols.summaries.deleteMany({});
      await db.cols.days.updateMany({}, { $unset: { summaries: '', summaryRun: '', segments: '' } });
      const proxy = await startFaultProxy(testMongoUri());
      const client = await MongoClient.connect(proxy.uri, { retryWrites: false, retryReads: false });
      let seen = 0;
      proxy.inject({ match: (c) => isWrite(c) && ++seen === k, action: { kind: 'lose-reply' } });
      const deps = { owner: 'summarize', leaseTtlMs: 3_000, logger: silentLogger };
      await summarizeStoredDays({ ...deps, cols: colsOf(client, db), clock: fixedClock(C) }).catch(
        () => undefined
      );
      await client.close(true);
      await proxy.close();
      if (seen < k) break;
      const again = await summarizeStoredDays({
        ...deps,
        cols: db.cols,
        clock: fixedClock(new Date(C.getTime() + 60_000)),
      });
      expect(again.status).toBe('done');
      expect(await db.cols.days.countDocuments({ summaries: { $exists: false } })).toBe(0);
      await expectWholeAndExact(db, docs);
    } finally {
      await db.close();
    }
  }
});

it('should count a day whose summary parts do not add up (an earlier `summarize` crashed twice) from its chunks', async () => {
  const { db, docs } = await prepared();
  try {
    await runOnce(runDeps(db.cols, { clock: fixedClock(B) }), {}, 'b', 1);
    const day = await db.cols.days.findOne({ day: new Date('2026-03-30T00:00:00Z') });
    // The earlier version's summarize inserted parts under the day's own run, crashed, and inserted them
    // again on its next try before naming them: the day names N parts and 2N are there.
    const parts = await db.cols.summaries.find({ day: day?.day, run: day?.run }).toArray();
    expect(parts.length).toBeGreaterThan(0);
    await db.cols.summaries.insertMany(parts.map(({ _id, ...p }) => p));
    await expectWholeAndExact(db, docs);
  } finally {
    await db.close();
  }
});
