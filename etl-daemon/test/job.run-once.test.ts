import type { Document, FindCursor } from 'mongodb';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { readJob } from '../src/db/job-record';
import { acquireLease } from '../src/db/lease';
import { makeJobRunner } from '../src/job/job-runner';
import { runOnce } from '../src/job/run-once';
import type { TestDb } from './helpers';
import {
  customSelector,
  expectedLogins,
  fixedClock,
  loginDoc,
  openTestDb,
  runDeps,
  silentLogger,
  storedLogins,
} from './helpers';

const NOW = new Date('2026-03-31T12:00:00Z');

function fixture(days: number, end = NOW): Document[] {
  return [...generateSysLog({ days, users: 60, perDay: 80, end, seed: 7 })].flat();
}

let db: TestDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => db.close());

describe('runOnce', () => {
  it('should store exactly the logins the seed convention selects, per UTC day', async () => {
    const docs = fixture(5);
    await db.cols.sysLog.insertMany(docs);
    const outcome = await runOnce(runDeps(db.cols), { start: '2026-03-27' }, 'run-a', 1);
    expect(outcome.status).toBe('success');
    const expected = expectedLogins(docs);
    expect(expected.length).toBeGreaterThan(200);
    expect(await storedLogins(db.cols)).toEqual(expected);
    if (outcome.status !== 'success') return;
    expect(outcome.stats).toEqual({
      days: 5,
      logins: expected.length,
      excluded: docs.filter((d) => d.user === 'admin' && d.message === 'successful login').length,
      malformed: docs.filter(
        (d) => d.message === 'successful login' && (typeof d.user !== 'string' || d.user === '')
      ).length,
      unwrapped: 0,
      sourceDocs: docs.filter((d) => d.message === 'successful login').length,
    });
    expect(outcome.stats.excluded).toBeGreaterThan(0);
    expect(outcome.stats.malformed).toBeGreaterThan(0);
  });

  it('should take the user from a nested field and exclude every configured user', async () => {
    await db.cols.sysLog.insertMany([
      loginDoc(undefined, '2026-03-30T10:00:00Z', { meta: { login: 'amy' } }),
      loginDoc(undefined, '2026-03-30T11:00:00Z', { meta: { login: 'bob' } }),
      loginDoc(undefined, '2026-03-30T12:00:00Z', { meta: { login: 'robot' } }),
      loginDoc(undefined, '2026-03-30T13:00:00Z', { meta: 'flat' }),
    ]);
    const selector = customSelector(/successful login/, 'meta.login', ['bob', 'robot']);
    const outcome = await runOnce(
      runDeps(db.cols, { selector }),
      { start: '2026-03-30', end: '2026-03-30' },
      'r',
      1
    );
    expect(await storedLogins(db.cols)).toEqual(['2026-03-30|2026-03-30T10:00:00.000Z|amy']);
    expect(outcome.status === 'success' && outcome.stats).toEqual({
      days: 1,
      logins: 1,
      excluded: 2,
      malformed: 1,
      unwrapped: 0,
      sourceDocs: 4,
    });
  });

  it('should skip and count malformed login lines without failing', async () => {
    await db.cols.sysLog.insertMany([
      loginDoc('amy', '2026-03-30T10:00:00Z'),
      loginDoc('', '2026-03-30T10:01:00Z'),
      loginDoc('   ', '2026-03-30T10:02:00Z'),
      loginDoc(42, '2026-03-30T10:03:00Z'),
      loginDoc(null, '2026-03-30T10:04:00Z'),
      loginDoc(['amy'], '2026-03-30T10:05:00Z'),
      loginDoc('x'.repeat(300), '2026-03-30T10:06:00Z'),
      loginDoc('bob', '2026-03-30T10:07:00Z', { message: 'unrelated' }),
    ]);
    const outcome = await runOnce(runDeps(db.cols), { start: '2026-03-30', end: '2026-03-30' }, 'r', 1);
    expect(outcome.status === 'success' && outcome.stats).toEqual({
      days: 1,
      logins: 1,
      excluded: 0,
      malformed: 6,
      unwrapped: 0,
      sourceDocs: 7,
    });
    expect(await storedLogins(db.cols)).toEqual(['2026-03-30|2026-03-30T10:00:00.000Z|amy']);
  });

  it('should give the same home.login when a range is rerun, with no duplicates', async () => {
    const docs = fixture(4);
    await db.cols.sysLog.insertMany(docs);
    await runOnce(runDeps(db.cols), { start: '2026-03-28' }, 'first', 1);
    const once = await storedLogins(db.cols);
    await runOnce(runDeps(db.cols), { start: '2026-03-28' }, 'second', 1);
    await runOnce(runDeps(db.cols), { start: '2026-03-29', end: '2026-03-30' }, 'third', 1);
    expect(await storedLogins(db.cols)).toEqual(once);
    expect(await db.cols.days.countDocuments({})).toBe(4);
    const runs = await db.cols.chunks.distinct('run');
    // The open day (the 31st) had nothing new for 'second' and 'third': its documents stay those of 'first'.
    expect(runs.sort()).toEqual(['first.1', 'second.1', 'third.1']);
    expect(await db.cols.chunks.distinct('run', { day: new Date('2026-03-31T00:00:00Z') })).toEqual([
      'first.1',
    ]);
  });

  it('should resume from the checkpoint, re-read today on every run, and keep every document traceable', async () => {
    await db.cols.sysLog.insertMany([
      loginDoc('amy', '2026-03-29T08:00:00Z'),
      loginDoc('bob', '2026-03-30T09:00:00Z'),
      loginDoc('cy', '2026-03-31T10:00:00Z'),
    ]);
    const first = await runOnce(runDeps(db.cols), { start: '2026-03-29' }, 'a', 1);
    expect(first.status === 'success' && first.checkpoint).toEqual(new Date('2026-03-31T00:00:00Z'));
    let job = await readJob(db.cols.job);
    expect(job?.checkpoint).toEqual(new Date('2026-03-31T00:00:00Z'));
    expect(job?.dataUntil).toEqual(NOW);
    expect(job?.lastRun).toMatchObject({
      id: 'a',
      result: 'success',
      start: new Date('2026-03-29T00:00:00Z'),
    });
    const today = await db.cols.days.findOne({ day: new Date('2026-03-31T00:00:00Z') });
    expect(today).toMatchObject({
      complete: false,
      logins: 1,
      src: { from: new Date('2026-03-31T00:00:00Z'), to: NOW },
    });

    // A login later today and one late-arriving for yesterday: only today is re-read without --start.
    await db.cols.sysLog.insertMany([
      loginDoc('dan', '2026-03-31T13:00:00Z'),
      loginDoc('eve', '2026-03-30T23:00:00Z'),
    ]);
    const later = new Date('2026-03-31T14:00:00Z');
    const second = await runOnce(runDeps(db.cols, { clock: fixedClock(later) }), {}, 'b', 1);
    expect(second.status === 'success' && second.stats.days).toBe(1);
    expect(await storedLogins(db.cols)).toEqual([
      '2026-03-29|2026-03-29T08:00:00.000Z|amy',
      '2026-03-30|2026-03-30T09:00:00.000Z|bob',
      '2026-03-31|2026-03-31T10:00:00.000Z|cy',
      '2026-03-31|2026-03-31T13:00:00.000Z|dan',
    ]);
    job = await readJob(db.cols.job);
    expect(job?.dataUntil).toEqual(later);
    // Today's new login was appended as a segment of run b; a's chunk stays (nothing rewritten).
    const todays = await db.cols.chunks.find({ day: new Date('2026-03-31T00:00:00Z') }).toArray();
    expect(todays.map((c) => [c.run, c.src.collection]).sort()).toEqual([
      ['a.1', `${db.sysDb}.sys.log`],
      [`b.1.${Date.parse('2026-03-31T00:00:00Z')}`, `${db.sysDb}.sys.log`],
    ]);
    expect(await db.cols.days.findOne({ day: new Date('2026-03-31T00:00:00Z') })).toMatchObject({
      run: 'a.1',
      logins: 2,
      users: 2,
      segments: [{ run: `b.1.${Date.parse('2026-03-31T00:00:00Z')}`, chunks: 1, summaries: 1, logins: 1 }],
    });

    // After midnight the daily run closes the 31st and moves the checkpoint on.
    const nextDay = new Date('2026-04-01T01:30:00Z');
    const third = await runOnce(runDeps(db.cols, { clock: fixedClock(nextDay) }), {}, 'c', 1);
    expect(third.status === 'success' && [third.stats.days, third.checkpoint]).toEqual([
      2,
      new Date('2026-04-01T00:00:00Z'),
    ]);
    // Closing compacts the day: one run again, its base and segment deleted.
    expect(await db.cols.days.findOne({ day: new Date('2026-03-31T00:00:00Z') })).toMatchObject({
      complete: true,
      run: 'c.1',
      segments: [],
      logins: 2,
    });
    expect(await db.cols.chunks.distinct('run', { day: new Date('2026-03-31T00:00:00Z') })).toEqual(['c.1']);
    expect(await db.cols.summaries.distinct('run', { day: new Date('2026-03-31T00:00:00Z') })).toEqual([
      'c.1',
    ]);
  });

  it('should not move the checkpoint for a historical rerun, and reset to the configured start', async () => {
    await db.cols.sysLog.insertMany([
      loginDoc('amy', '2026-01-01T08:00:00Z'),
      loginDoc('bob', '2026-03-30T09:00:00Z'),
    ]);
    await runOnce(runDeps(db.cols), { start: '2026-03-30' }, 'a', 1);
    await runOnce(runDeps(db.cols), { start: '2026-01-01', end: '2026-01-02' }, 'b', 1);
    expect((await readJob(db.cols.job))?.checkpoint).toEqual(new Date('2026-03-31T00:00:00Z'));
    const reset = await runOnce(runDeps(db.cols), { reset: true }, 'c', 1);
    expect(reset.status === 'success' && [reset.firstDay, reset.stats.days]).toEqual([
      new Date('2026-01-01T00:00:00Z'),
      90,
    ]);
    expect(await storedLogins(db.cols)).toEqual([
      '2026-01-01|2026-01-01T08:00:00.000Z|amy',
      '2026-03-30|2026-03-30T09:00:00.000Z|bob',
    ]);
  });

  it.each([
    [
      { start: '2026-03-30', end: '2026-03-29' },
      'unexpected date range [2026-03-30 - 2026-03-29]: end is before start',
    ],
    [
      { start: '2026-03-30', end: '2026-04-01' },
      'end: 2026-04-01 is in the future (today is 2026-03-31 UTC)',
    ],
    [{ start: 'yesterday' }, "start: 'yesterday' is not an ISO 8601 date or date-time (e.g. 2026-01-31)"],
    [{ end: '2026-13-01' }, "end: '2026-13-01' is not an ISO 8601 date or date-time (e.g. 2026-01-31)"],
  ])('should reject %j with a clear error and record it', async (args, message) => {
    const runner = makeJobRunner(runDeps(db.cols), { attempts: 3, backoffMs: 0 });
    await expect(runner.run(args)).rejects.toThrow(message);
    const job = await readJob(db.cols.job);
    expect(job).toMatchObject({ state: 'failed', lastRun: { attempt: 1, result: 'failed', error: message } });
    expect(job?.lease).toBeNull();
  });

  it('should retry a failed attempt with backoff and then succeed', async () => {
    await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-30T08:00:00Z')]);
    let calls = 0;
    const failFirst = () => {
      calls += 1;
      if (calls === 1) throw new Error('progress sink unavailable');
    };
    const waits: number[] = [];
    const runner = makeJobRunner(runDeps(db.cols), {
      attempts: 3,
      backoffMs: 250,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const outcome = await runner.run({ start: '2026-03-30' }, { onProgress: failFirst });
    expect(outcome.status).toBe('success');
    expect(waits).toEqual([250]);
    expect(await readJob(db.cols.job)).toMatchObject({
      state: 'idle',
      lastRun: { attempt: 2, result: 'success' },
    });
    expect(await storedLogins(db.cols)).toEqual(['2026-03-30|2026-03-30T08:00:00.000Z|amy']);
  });

  it('should record the run as failed after the last attempt', async () => {
    await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-30T08:00:00Z')]);
    const waits: number[] = [];
    const runner = makeJobRunner(runDeps(db.cols), {
      attempts: 3,
      backoffMs: 100,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const alwaysFail = () => {
      throw new Error('progress sink unavailable');
    };
    await expect(runner.run({ start: '2026-03-30' }, { onProgress: alwaysFail })).rejects.toThrow(
      'progress sink unavailable'
    );
    expect(waits).toEqual([100, 200]);
    expect(await readJob(db.cols.job)).toMatchObject({
      state: 'failed',
      lastRun: { attempt: 3, result: 'failed', error: 'progress sink unavailable' },
      lease: null,
    });
  });

  it('should let one of two concurrent runners work and make the other skip, saying who holds the lease', async () => {
    await db.cols.sysLog.insertMany(fixture(20));
    const a = runOnce(runDeps(db.cols, { owner: 'host-a' }), { start: '2026-03-12' }, 'a', 1);
    const b = runOnce(runDeps(db.cols, { owner: 'host-b' }), { start: '2026-03-12' }, 'b', 1);
    const outcomes = await Promise.all([a, b]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['skipped', 'success']);
    const skipped = outcomes.find((o) => o.status === 'skipped');
    expect(skipped?.status === 'skipped' && skipped.reason).toMatch(
      /^another runner holds the lease \(host-[ab] until /
    );
    expect((await readJob(db.cols.job))?.lease).toBeNull();
  });

  it('should take over an expired lease and stop a runner whose lease was taken', async () => {
    await db.cols.sysLog.insertMany(fixture(3));
    expect(await acquireLease(db.cols.job, 'crashed-host', 1000, new Date(NOW.getTime() - 5000))).toEqual({
      owner: 'crashed-host',
      fence: 1,
    });
    const outcome = await runOnce(runDeps(db.cols, { owner: 'live-host' }), { start: '2026-03-29' }, 'a', 1);
    expect(outcome.status).toBe('success');

    // A lease that is still valid blocks; the job document names its holder.
    expect(await acquireLease(db.cols.job, 'other-host', 60_000, NOW)).toEqual({
      owner: 'other-host',
      fence: 3,
    });
    const blocked = await runOnce(runDeps(db.cols, { owner: 'live-host' }), {}, 'b', 1);
    expect(blocked.status === 'skipped' && blocked.reason).toContain('other-host');
  });

  it('should stop between days when its lease is taken over, without touching the job document', async () => {
    await db.cols.sysLog.insertMany(fixture(10));
    let stolen = false;
    const deps = runDeps(db.cols, {
      owner: 'slow-host',
      onProgress: (p) => {
        if (p.done === 2 && !stolen) {
          stolen = true;
          void db.cols.job.updateOne(
            {},
            { $set: { lease: { owner: 'thief', until: new Date(NOW.getTime() + 60_000), acquiredAt: NOW } } }
          );
        }
      },
    });
    await expect(runOnce(deps, { start: '2026-03-22' }, 'a', 1)).rejects.toThrow(
      'the job lease was taken over'
    );
    const job = await readJob(db.cols.job);
    expect(job?.lease?.owner).toBe('thief');
    expect(job?.checkpoint?.getTime()).toBeLessThanOrEqual(new Date('2026-03-25T00:00:00Z').getTime());
  });
});

describe('runOnce and the source cursor', () => {
  it('should close its sys.log cursor when a run fails mid-range', async () => {
    // More login lines than one batch (5,000), so that the server keeps the cursor open between batches.
    const docs = [...generateSysLog({ days: 6, users: 60, perDay: 1500, end: NOW, seed: 7 })].flat();
    expect(docs.filter((d) => d.message === 'successful login').length).toBeGreaterThan(5000);
    await db.cols.sysLog.insertMany(docs);
    // The driver emits 'close' when a cursor is closed (its server cursor killed, its session ended).
    const cursors: Array<{ cursor: FindCursor; closed: boolean }> = [];
    const find = db.cols.sysLog.find.bind(db.cols.sysLog);
    const sysLog = Object.create(db.cols.sysLog) as typeof db.cols.sysLog;
    sysLog.find = ((...args: Parameters<typeof find>) => {
      const cursor = find(...args);
      const entry = { cursor, closed: false };
      cursor.once('close', () => (entry.closed = true));
      cursors.push(entry);
      return cursor;
    }) as typeof find;
    const failing = runDeps(
      { ...db.cols, sysLog },
      {
        onProgress: (p) => {
          if (p.done === 2) throw new Error('progress sink unavailable');
        },
      }
    );
    await expect(runOnce(failing, { start: '2026-03-26' }, 'a', 1)).rejects.toThrow(
      'progress sink unavailable'
    );
    expect(cursors).toHaveLength(1);
    expect(cursors[0]?.closed).toBe(true);
    expect(cursors[0]?.cursor.bufferedCount()).toBeGreaterThan(0); // it failed with lines still to read
  });
});

describe('runOnce on days with clock changes', () => {
  it.each([
    ['Europe/Berlin spring forward', '2026-03-29'],
    ['Europe/Berlin fall back', '2026-10-25'],
    ['America/New_York spring forward', '2026-03-08'],
    ['Australia/Lord_Howe half-hour change', '2026-04-05'],
  ])('should keep every login of %s to the millisecond', async (_, date) => {
    const base = new Date(`${date}T00:00:00Z`).getTime();
    const docs = Array.from({ length: 96 }, (__, i) =>
      loginDoc(`u${i % 7}`, new Date(base - 6 * 3_600_000 + i * 22 * 60_000 + (i % 1000)))
    );
    await db.cols.sysLog.insertMany(docs);
    const now = new Date(base + 3 * 86_400_000);
    await runOnce(
      runDeps(db.cols, { clock: fixedClock(now) }),
      { start: new Date(base - 86_400_000).toISOString() },
      'a',
      1
    );
    expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
  });
});

it('uses a silent logger in tests', () => {
  expect(silentLogger.level).toBe('silent');
});
