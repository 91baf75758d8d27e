/**
 * An open day refreshed all day: each run appends only the logins that are new since the previous one
 * (late lines of the re-read window included), nothing is rewritten until the day closes, and a second
 * process following home.login counts exactly what sys.log holds at every step.
 */
import type { CommandStartedEvent, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { usageCollections } from '../src/db/collections';
import { makeJobRunner } from '../src/job/job-runner';
import { buildDaySlots, mergeDaySlots } from '../src/core/day-slots';
import { newLogins } from '../src/job/new-logins';
import { runOnce } from '../src/job/run-once';
import { makeIndexSync } from '../src/query/index-loader';
import { countExact } from '../src/query/exact-count';
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
import { seededRandom } from '../src/demo/random';

const DAY = Date.parse('2026-03-31T00:00:00Z');
const MIN = 60_000;
const STEP = 20 * MIN;

let db: TestDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => db.close());

/** Lines of one day, each with the time it reaches sys.log: mostly at once, some up to 4 minutes late. */
function arrivals(seed: number): { doc: Document; arrives: number; created: number }[] {
  const random = seededRandom(seed);
  const lines: { doc: Document; arrives: number; created: number }[] = [];
  for (let k = 0; k < 700; k += 1) {
    // Whole seconds, as core4 writes them; some users twice in the same second.
    const created = DAY + Math.floor(random() * 86_400) * 1000;
    const user = `user${Math.floor(random() * 90)}`;
    const late = random() < 0.3 ? Math.floor(random() * 4 * MIN) : 0;
    lines.push({ doc: loginDoc(user, new Date(created)), arrives: created + late, created });
    if (random() < 0.05)
      lines.push({ doc: loginDoc(user, new Date(created)), arrives: created + late, created });
  }
  // Two lines later than the ingest lag: read only when the day closes.
  lines.push({
    doc: loginDoc('straggler', new Date(DAY + 10 * 3_600_000)),
    arrives: DAY + 10 * 3_600_000 + 40 * MIN,
    created: DAY + 10 * 3_600_000,
  });
  lines.push({
    doc: loginDoc('late-eve', new Date(DAY + 86_399_000)),
    arrives: DAY + 86_400_000 + 30 * MIN,
    created: DAY + 86_399_000,
  });
  return lines;
}

/** Distinct users and logins of [start, end) straight from the lines (no product code). */
function oracle(lines: { doc: Document; created: number }[], start: number, end: number) {
  const inside = lines.filter((l) => l.created >= start && l.created < end);
  return { users: new Set(inside.map((l) => String(l.doc.user))).size, logins: inside.length };
}

it('should append only new logins all day, count exactly on a second process at every step, and compact at close', async () => {
  const lines = arrivals(17);
  const reader = makeIndexSync(db.cols, silentLogger);
  let inserted = 0;
  const byArrival = [...lines].sort((a, b) => a.arrives - b.arrives);
  for (let now = DAY + STEP; now <= DAY + 86_400_000 + 90 * MIN; now += STEP) {
    const arrived = byArrival.filter((l) => l.arrives <= now);
    if (arrived.length > inserted)
      await db.cols.sysLog.insertMany(arrived.slice(inserted).map((l) => ({ ...l.doc })));
    inserted = arrived.length;
    const outcome = await runOnce(
      runDeps(db.cols, { clock: fixedClock(new Date(now)) }),
      { start: '2026-03-31', end: '2026-03-31' },
      `run${now}`,
      1
    );
    expect(outcome.status).toBe('success');
    const day = await db.cols.days.findOne({ day: new Date(DAY) });
    const open = now < DAY + 86_400_000 + 60 * MIN;
    expect(day?.complete).toBe(!open);
    // What a run can know: every line that arrived in time for its read window (the stragglers only at close).
    const known = arrived.filter((l) => l.arrives - l.created < 5 * MIN || !open);
    expect(await storedLogins(db.cols)).toEqual(expectedLogins(known.map((l) => l.doc)));

    // Another process following home.login: a range cutting today's slots inside, at 07 and 53 minutes.
    await reader.refresh();
    const start = DAY + 7 * MIN;
    const end = Math.min(now, DAY + 86_400_000) - 7 * MIN;
    if (end <= start) continue;
    const counted = await countExact(reader, {
      bounds: [start, end],
      start,
      end,
      metrics: ['users', 'logins'],
    });
    expect({ users: counted.users[0], logins: counted.logins[0] }).toEqual(oracle(known, start, end));
  }
  const closed = await db.cols.days.findOne({ day: new Date(DAY) });
  expect(closed).toMatchObject({ complete: true, segments: [], logins: lines.length });
  expect(await db.cols.chunks.distinct('run', { day: new Date(DAY) })).toEqual([closed?.run]);
  await reader.close();
});

it('should append nothing, and only move the horizon, when a run finds nothing new', async () => {
  await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-31T08:00:00Z')]);
  await runOnce(
    runDeps(db.cols, { clock: fixedClock(new Date('2026-03-31T09:00:00Z')) }),
    { start: '2026-03-31' },
    'a',
    1
  );
  const chunksBefore = await db.cols.chunks.countDocuments({});
  await runOnce(runDeps(db.cols, { clock: fixedClock(new Date('2026-03-31T09:05:00Z')) }), {}, 'b', 1);
  expect(await db.cols.chunks.countDocuments({})).toBe(chunksBefore);
  expect(await db.cols.days.findOne({ day: new Date(DAY) })).toMatchObject({
    run: 'a.1',
    segments: [],
    src: { to: new Date('2026-03-31T09:05:00Z') },
  });
});

it('should rewrite an open day whole when stored logins have vanished from sys.log', async () => {
  await db.cols.sysLog.insertMany([
    loginDoc('amy', '2026-03-31T08:58:00Z'),
    loginDoc('bob', '2026-03-31T08:59:00Z'),
  ]);
  await runOnce(
    runDeps(db.cols, { clock: fixedClock(new Date('2026-03-31T09:00:00Z')) }),
    { start: '2026-03-31' },
    'a',
    1
  );
  await db.cols.sysLog.deleteMany({ user: 'bob' });
  await runOnce(runDeps(db.cols, { clock: fixedClock(new Date('2026-03-31T09:05:00Z')) }), {}, 'b', 1);
  expect(await storedLogins(db.cols)).toEqual(['2026-03-31|2026-03-31T08:58:00.000Z|amy']);
  expect(await db.cols.days.findOne({ day: new Date(DAY) })).toMatchObject({ run: 'b.1', segments: [] });
});

describe('newLogins', () => {
  const e = (user: string, iso: string) => ({ user, created: new Date(iso) });
  it('should take fresh logins as a multiset against stored ones', () => {
    const stored = [e('amy', '2026-03-31T08:00:00Z')];
    const fresh = [
      e('amy', '2026-03-31T08:00:00Z'),
      e('amy', '2026-03-31T08:00:00Z'),
      e('bob', '2026-03-31T08:01:00Z'),
    ];
    expect(newLogins(stored, fresh)).toEqual({ added: fresh.slice(1), vanished: 0 });
  });
  it('should say how many stored logins are gone', () => {
    expect(newLogins([e('amy', '2026-03-31T08:00:00Z')], [])).toEqual({ vanished: 1 });
  });
});

it('should merge slot summaries into what one summary of all their logins is', () => {
  const random = seededRandom(3);
  const t = Array.from({ length: 3000 }, () => Math.floor(random() * 86_400_000));
  const ids = Array.from({ length: 3000 }, () => Math.floor(random() * 200));
  const cut = [0, 700, 1900, 3000];
  const parts = cut.slice(1).map((to, k) => buildDaySlots(t.slice(cut[k], to), ids.slice(cut[k], to)));
  expect(mergeDaySlots(parts)).toEqual(buildDaySlots(t, ids));
});

it('should read only the dictionary batches written since its previous run', async () => {
  const client = await MongoClient.connect(testMongoUri(), { monitorCommands: true });
  const finds: Document[] = [];
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find' && event.command.find === 'login.names')
      finds.push(event.command.filter as Document);
  });
  const cols = usageCollections(
    client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: db.loginDb, collection: 'login' }
  );
  let now = new Date('2026-03-31T09:00:00Z');
  const runner = makeJobRunner(runDeps(cols, { clock: () => Promise.resolve(now) }), {
    attempts: 1,
    backoffMs: 0,
  });
  await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-31T08:00:00Z')]);
  await runner.run({ start: '2026-03-31' });
  await db.cols.sysLog.insertMany([loginDoc('bob', '2026-03-31T09:01:00Z')]);
  now = new Date('2026-03-31T09:05:00Z');
  await runner.run({});
  // The first run read from batch 0 and appended batch 0 (amy); the second read from batch 1 on.
  expect(finds.map((f) => f.batch as unknown)).toEqual([{ $gte: 0 }, { $gte: 1 }]);
  await client.close();
});
