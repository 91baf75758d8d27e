/** The job's slot summaries: written with every day, equal to its chunks, and written for older days by `summarize`. */
import pino from 'pino';
import { decodeSummary } from '../src/db/day-summary';
import { loadNames } from '../src/db/user-names';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { runOnce } from '../src/job/run-once';
import { summarizeStoredDays } from '../src/job/summarize-stored';
import { buildDaySlots } from '../src/core/day-slots';
import { countExact } from '../src/query/exact-count';
import { dayEventsFromChunks } from '../src/etl/day-events';
import { makeIndexSync } from '../src/query/index-loader';
import { bucketBounds } from '../src/time/buckets';
import type { TestDb } from './helpers';
import { fixedClock, openTestDb, runDeps, silentLogger } from './helpers';

const NOW = new Date('2026-11-27T12:00:00Z');
let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
  await db.cols.sysLog.insertMany(
    [...generateSysLog({ days: 12, users: 50, perDay: 70, end: NOW, seed: 31 })].flat()
  );
  await runOnce(runDeps(db.cols, { clock: fixedClock(NOW) }), { start: '2026-11-16' }, 'r1', 1);
});
afterAll(() => db.close());

async function weeklyLogins(start: number, end: number) {
  const sync = makeIndexSync(db.cols, silentLogger);
  await sync.refresh();
  const bounds = bucketBounds(start, end, 'day', 'Asia/Kathmandu');
  return countExact(sync, { bounds, start, end, metrics: ['users', 'logins', 'new_users'] });
}

it("should write each day's summary beside its chunks, equal to what the chunks hold", async () => {
  const names = await loadNames(db.cols.names);
  const days = await db.cols.days.find({ chunks: { $gt: 0 } }).toArray();
  expect(days.length).toBeGreaterThanOrEqual(11);
  for (const day of days) {
    const parts = await db.cols.summaries.find({ day: day.day, run: day.run }).toArray();
    expect(parts.length).toBe(day.summaries);
    const chunks = await db.cols.chunks.find({ day: day.day, run: day.run }).toArray();
    const events = dayEventsFromChunks(day.day, chunks);
    const expected = buildDaySlots(
      events.t,
      Array.from(events.u, (u) => names.ids.get(events.users[u] ?? '') ?? -1)
    );
    expect(decodeSummary(parts)?.slots).toEqual({ ...expected, ids: Uint32Array.from(expected.ids) });
  }
});

it('should count days stored before summaries from their chunks, and `summarize` should write their summaries', async () => {
  const start = Date.parse('2026-11-16T09:07:00Z');
  const end = Date.parse('2026-11-27T11:52:00Z');
  const before = await weeklyLogins(start, end);
  expect(before.logins.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
  // The state a database written by the previous version is in: no summaries, day documents without the field.
  await db.cols.summaries.deleteMany({});
  await db.cols.days.updateMany({}, { $unset: { summaries: '' } });
  expect(await weeklyLogins(start, end)).toEqual(before);

  const outcome = await summarizeStoredDays({
    cols: db.cols,
    owner: 'test',
    leaseTtlMs: 60_000,
    clock: fixedClock(NOW),
    logger: pino({ level: 'silent' }),
  });
  const days = await db.cols.days.countDocuments({});
  expect(outcome).toEqual({ status: 'done', days, skippedDays: 0 });
  expect(await db.cols.days.countDocuments({ summaries: { $exists: false } })).toBe(0);
  expect(await weeklyLogins(start, end)).toEqual(before);
  // Summarising twice finds nothing left to do.
  expect(
    await summarizeStoredDays({
      cols: db.cols,
      owner: 'test',
      leaseTtlMs: 60_000,
      clock: fixedClock(NOW),
      logger: silentLogger,
    })
  ).toEqual({ status: 'done', days: 0, skippedDays: 0 });
});
