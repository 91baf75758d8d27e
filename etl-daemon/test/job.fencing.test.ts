/**
 * Several hosts, one MongoDB: times that order writers come from the server (hello.localTime), never from a
 * host's own clock, and a runner that lost its lease can neither switch a day nor delete a later holder's
 * chunks (fencing tokens). Process clocks are skewed by faking `Date` in this process; the runners are
 * built as `run` and `serve` build them (jobRunnerFromConfig), so they use what production uses.
 */
import { jobRunnerFromConfig } from '../src/job/runner-from-config';
import { loadConfig } from '../src/config/config';
import type { UsageCollections } from '../src/db/collections';
import { readJob } from '../src/db/job-record';
import { acquireLease } from '../src/db/lease';
import { serverClock } from '../src/db/server-clock';
import type { DayWrite } from '../src/db/write-day';
import { encodeSummary } from '../src/db/day-summary';
import { buildDaySlots } from '../src/core/day-slots';
import { FencedOutError, deleteReplacedChunks, insertChunks, switchDay, writeDay } from '../src/db/write-day';
import { buildDayChunks } from '../src/etl/day-chunks';
import { LeaseLostError } from '../src/db/job-record';
import { runOnce } from '../src/job/run-once';
import { makeIndexSync } from '../src/query/index-loader';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/core/units';
import { addUtcDays, startOfUtcDay, utcDayLabel } from '../src/time/utc-day';
import type { TestDb } from './helpers';
import { expectedLogins, loginDoc, openTestDb, runDeps, silentLogger, storedLogins } from './helpers';

let db: TestDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  jest.useRealTimers();
  await db.close();
});

/** Fakes only `Date` (the process clock), `offsetMs` away from the real time; timers keep running. */
function skewProcessClock(offsetMs: number): void {
  jest.useRealTimers();
  jest.useFakeTimers({
    now: Date.now() + offsetMs,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

const config = loadConfig({ USAGE_SOURCE: 'seed', USAGE_RETRY_ATTEMPTS: '1', USAGE_LEASE_TTL_MS: '60000' });

async function expectAllDaysWhole(cols: UsageCollections): Promise<void> {
  for (const day of await cols.days.find({}).toArray()) {
    expect([utcDayLabel(day.day), await cols.chunks.countDocuments({ day: day.day, run: day.run })]).toEqual([
      utcDayLabel(day.day),
      day.chunks,
    ]);
  }
}

describe('leases on the server clock', () => {
  it('should keep a live lease from hosts whose clocks run 10 minutes ahead or behind', async () => {
    const serverNow = await serverClock(db.cols.db)();
    const held = await acquireLease(db.cols.job, 'host-a', 60_000, serverNow);
    expect(held).toBeDefined();
    for (const skew of [10 * MINUTE_MS, -10 * MINUTE_MS]) {
      skewProcessClock(skew);
      const outcome = await jobRunnerFromConfig(config, db.cols, silentLogger).run({});
      expect(outcome.status === 'skipped' && outcome.reason).toMatch(
        /^another runner holds the lease \(host-a until /
      );
    }
    jest.useRealTimers();
    const lease = (await readJob(db.cols.job))?.lease;
    expect(lease?.owner).toBe('host-a');
    expect(lease?.until.getTime()).toBe(serverNow.getTime() + 60_000);
  });

  it('should give one consistent result from two concurrent runners with skewed clocks, stamped with server time', async () => {
    const today = startOfUtcDay(new Date());
    const docs = Array.from({ length: 300 }, (_, i) =>
      loginDoc(`u${i % 37}`, new Date(today.getTime() - 3 * DAY_MS + i * 13 * MINUTE_MS + (i % 1000)))
    ).filter((d) => (d.created as Date) < new Date());
    await db.cols.sysLog.insertMany(docs);
    const start = utcDayLabel(addUtcDays(today, -3));
    skewProcessClock(10 * MINUTE_MS);
    const ahead = jobRunnerFromConfig(config, db.cols, silentLogger).run({ start });
    skewProcessClock(-10 * MINUTE_MS);
    const behind = jobRunnerFromConfig(config, db.cols, silentLogger).run({ start });
    const outcomes = await Promise.all([ahead, behind]);
    jest.useRealTimers();
    expect(outcomes.map((o) => o.status).sort()).toEqual(['skipped', 'success']);
    expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
    await expectAllDaysWhole(db.cols);
    const serverNow = (await serverClock(db.cols.db)()).getTime();
    for (const day of await db.cols.days.find({}).toArray()) {
      expect(Math.abs(day.writtenAt.getTime() - serverNow)).toBeLessThan(MINUTE_MS);
    }
    const job = await readJob(db.cols.job);
    expect(Math.abs((job?.dataUntil?.getTime() ?? 0) - serverNow)).toBeLessThan(MINUTE_MS);
  });
});

describe('fenced day writes', () => {
  const day = new Date('2026-03-30T00:00:00Z');
  const now = new Date('2026-03-31T12:00:00Z');
  function dayWrite(run: string, fence: number, users: string[]): DayWrite {
    const events = users.map((user, i) => ({ user, created: new Date(day.getTime() + i * 3_600_000) }));
    const { chunks, summary } = buildDayChunks(day, events);
    const slots = encodeSummary(
      buildDaySlots(
        events.map((e) => e.created.getTime() - day.getTime()),
        users.map((_, i) => i)
      )
    );
    return {
      day,
      run,
      fence,
      chunks,
      summary,
      slots,
      complete: true,
      src: { collection: 'c', from: day, to: now },
      selection: 's',
      now,
    };
  }

  it('should refuse the switch of a runner fenced out by a later holder, leaving the later day whole', async () => {
    const stale = dayWrite('stale', 1, ['amy', 'bob']);
    const later = dayWrite('later', 2, ['amy', 'bob', 'cy']);
    await insertChunks(db.cols, stale);
    await writeDay(db.cols, later);
    await expect(switchDay(db.cols, stale)).rejects.toThrow(FencedOutError);
    expect(await db.cols.days.findOne({ day })).toMatchObject({ run: 'later', fence: 2, logins: 3 });
    await expectAllDaysWhole(db.cols);
    // The stale chunks are orphans; the day's next write removes them.
    await writeDay(db.cols, dayWrite('next', 3, ['amy']));
    expect(await db.cols.chunks.distinct('run')).toEqual(['next']);
    expect(await db.cols.summaries.distinct('run')).toEqual(['next']);
  });

  it("should not let an earlier holder delete a later holder's chunks before that holder switches", async () => {
    const earlier = dayWrite('earlier', 1, ['amy']);
    const later = dayWrite('later', 2, ['amy', 'bob']);
    await insertChunks(db.cols, later);
    await writeDay(db.cols, earlier); // switches (the day was never switched by fence 2) and deletes
    expect(await db.cols.chunks.countDocuments({ run: 'later' })).toBe(later.chunks.length);
    await switchDay(db.cols, later);
    await deleteReplacedChunks(db.cols, later);
    expect(await db.cols.days.findOne({ day })).toMatchObject({ run: 'later', logins: 2 });
    expect(await db.cols.chunks.distinct('run')).toEqual(['later']);
    expect(await db.cols.summaries.distinct('run')).toEqual(['later']);
    await expectAllDaysWhole(db.cols);
  });

  it('should stop a runner whose lease expired and was taken, without undoing the new holder', async () => {
    const docs = Array.from({ length: 100 }, (_, i) =>
      loginDoc(`u${i % 11}`, new Date(Date.parse('2026-03-25T00:00:00Z') + i * 97 * MINUTE_MS))
    );
    expect(docs.at(-1)?.created).toEqual(new Date('2026-03-31T16:03:00Z'));
    await db.cols.sysLog.insertMany(docs);
    let resume: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let release: () => void = () => undefined;
    const reachedPause = new Promise<void>((resolve) => (release = resolve));
    const slow = runOnce(
      runDeps(db.cols, {
        owner: 'slow-host',
        onProgress: async (p) => {
          if (p.done === 2) {
            release();
            await paused; // a long GC pause: the lease expires meanwhile
          }
        },
      }),
      { start: '2026-03-25' },
      'slow',
      1
    );
    await reachedPause;
    // The slow runner's lease expires (server time moves on) and another host takes it and runs the range.
    await db.cols.job.updateOne({}, { $set: { 'lease.until': new Date('2026-03-31T11:00:00Z') } });
    const taker = await runOnce(runDeps(db.cols, { owner: 'taker' }), { start: '2026-03-25' }, 'taker', 1);
    expect(taker.status).toBe('success');
    resume();
    await expect(slow).rejects.toThrow(LeaseLostError);
    expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
    await expectAllDaysWhole(db.cols);
    const days = await db.cols.days.find({}).toArray();
    expect(new Set(days.map((d) => d.run))).toEqual(new Set(['taker.1']));
  });
});

describe('the index loader and writers with skewed clocks', () => {
  it('should see every write of hosts whose clocks run ahead and behind', async () => {
    // The lines' day (the one before `today`) must be closed whenever the test runs: until 01:00 UTC
    // (USAGE_CLOSE_AFTER) yesterday is still open and a late line older than the re-read window waits for the
    // day to close, as designed. A `today` two hours back keeps the lines' day closed at any hour.
    const today = startOfUtcDay(new Date(Date.now() - 2 * HOUR_MS));
    const start = utcDayLabel(addUtcDays(today, -1));
    const sync = makeIndexSync(db.cols, silentLogger);
    await db.cols.sysLog.insertMany([loginDoc('amy', new Date(today.getTime() - 3_600_000))]);
    skewProcessClock(5 * MINUTE_MS);
    expect((await jobRunnerFromConfig(config, db.cols, silentLogger).run({ start })).status).toBe('success');
    skewProcessClock(10 * MINUTE_MS);
    await sync.refresh();
    expect(sync.index.loginCount).toBe(1);

    await db.cols.sysLog.insertMany([loginDoc('bob', new Date(today.getTime() - 7_200_000))]);
    skewProcessClock(-5 * MINUTE_MS);
    expect((await jobRunnerFromConfig(config, db.cols, silentLogger).run({ start })).status).toBe('success');
    skewProcessClock(-10 * MINUTE_MS);
    await sync.refresh();
    jest.useRealTimers();
    expect(sync.index.loginCount).toBe(2);
    expect(sync.index.usersBetween(today.getTime() - DAY_MS, today.getTime())).toEqual(['amy', 'bob']);
  });
});
