/**
 * core4 writes sys.log with write concern 0 from several hosts (core4/logger/handler.py: insert_one per
 * record), so a line stamped before midnight can arrive after it. A day closes only USAGE_CLOSE_AFTER after
 * its end, and an open day's next run reads from a little before the previous run's horizon.
 */
import type { Document } from 'mongodb';
import { readJob } from '../src/db/job-record';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { sourceFilter } from '../src/etl/selector';
import { planReads } from '../src/job/plan-reads';
import { runOnce } from '../src/job/run-once';
import type { TestDb } from './helpers';
import {
  DEFAULT_SELECTOR,
  expectedLogins,
  fixedClock,
  loginDoc,
  openTestDb,
  presetSelector,
  runDeps,
  storedLogins,
} from './helpers';

const at = (iso: string) => new Date(iso);
const day = (label: string) => new Date(`${label}T00:00:00Z`);

let db: TestDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => db.close());

async function runAt(iso: string, args = {}, overrides = {}) {
  const outcome = await runOnce(runDeps(db.cols, { clock: fixedClock(at(iso)), ...overrides }), args, iso, 1);
  if (outcome.status !== 'success') throw new Error('run skipped');
  return outcome;
}

describe('late lines', () => {
  it('should count lines stamped yesterday that arrive after midnight, and keep the checkpoint on the open day', async () => {
    await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-30T22:00:00Z')]);
    const first = await runAt('2026-03-31T00:10:00Z', { start: '2026-03-30' });
    // Yesterday ended ten minutes ago: it stays open (closes at 01:00 with the default hour).
    expect(first.checkpoint).toEqual(day('2026-03-30'));
    expect(await db.cols.days.findOne({ day: day('2026-03-30') })).toMatchObject({ complete: false });
    expect((await readJob(db.cols.job))?.checkpoint).toEqual(day('2026-03-30'));

    // Two lines of yesterday arrive late: one 2 minutes late (within the 5-minute ingest lag), one 20.
    await db.cols.sysLog.insertMany([
      loginDoc('bob', '2026-03-31T00:08:00Z'),
      loginDoc('cy', '2026-03-30T23:50:00Z'),
      loginDoc('dan', '2026-03-31T00:12:00Z'),
    ]);
    const second = await runAt('2026-03-31T00:15:00Z');
    expect(second.checkpoint).toEqual(day('2026-03-30'));
    // The run after 00:10 read from 00:05: bob and dan, not yet cy (stamped before that horizon).
    expect(await storedLogins(db.cols)).toEqual([
      '2026-03-30|2026-03-30T22:00:00.000Z|amy',
      '2026-03-31|2026-03-31T00:08:00.000Z|bob',
      '2026-03-31|2026-03-31T00:12:00.000Z|dan',
    ]);

    // The run after 01:00 closes yesterday with a whole re-read: cy is counted, the checkpoint moves on.
    const third = await runAt('2026-03-31T01:30:00Z');
    expect(third.checkpoint).toEqual(day('2026-03-31'));
    expect(await storedLogins(db.cols)).toEqual([
      '2026-03-30|2026-03-30T22:00:00.000Z|amy',
      '2026-03-30|2026-03-30T23:50:00.000Z|cy',
      '2026-03-31|2026-03-31T00:08:00.000Z|bob',
      '2026-03-31|2026-03-31T00:12:00.000Z|dan',
    ]);
    expect(await db.cols.days.findOne({ day: day('2026-03-30') })).toMatchObject({
      complete: true,
      logins: 2,
      src: { to: day('2026-03-31') },
    });
  });

  it('should close a day only USAGE_CLOSE_AFTER after its end', async () => {
    await db.cols.sysLog.insertMany([loginDoc('amy', '2026-03-30T12:00:00Z')]);
    const closeAfterMs = 3 * 3_600_000;
    const early = await runAt('2026-03-31T02:59:59Z', { start: '2026-03-30' }, { closeAfterMs });
    expect(early.checkpoint).toEqual(day('2026-03-30'));
    const late = await runAt('2026-03-31T03:00:00Z', {}, { closeAfterMs });
    expect(late.checkpoint).toEqual(day('2026-03-31'));
  });
});

describe('incremental runs', () => {
  const NOW = at('2026-03-31T14:00:00Z');
  function fixture(): Document[] {
    return [...generateSysLog({ days: 2, users: 80, perDay: 900, end: NOW, seed: 5 })].flat();
  }

  it('should read only the lines since the previous run (with the margin) and store the same logins as a full read', async () => {
    const docs = fixture();
    const previousHorizon = at('2026-03-31T13:55:00Z');
    const [before, after] = [
      docs.filter((d) => d.created < previousHorizon),
      docs.filter((d) => d.created >= previousHorizon),
    ];
    await db.cols.sysLog.insertMany(before);
    await runAt(previousHorizon.toISOString(), { start: '2026-03-30' });
    await db.cols.sysLog.insertMany(after);

    const incremental = await runAt(NOW.toISOString());
    // It read [13:50, end of day): the five new minutes plus five of margin, a small share of the day.
    const expectedRead = await db.cols.sysLog.countDocuments(
      sourceFilter(DEFAULT_SELECTOR, at('2026-03-31T13:50:00Z'), day('2026-04-01'))
    );
    const dayTotal = await db.cols.sysLog.countDocuments(
      sourceFilter(DEFAULT_SELECTOR, day('2026-03-31'), day('2026-04-01'))
    );
    expect(incremental.stats.sourceDocs).toBe(expectedRead);
    expect(expectedRead).toBeGreaterThan(0);
    expect(expectedRead / dayTotal).toBeLessThan(0.05);
    expect(incremental.stats.days).toBe(1);
    expect(await storedLogins(db.cols)).toEqual(expectedLogins(docs));
  });

  it('should read an open day whole when it was stored under another selection', async () => {
    const docs = fixture();
    await db.cols.sysLog.insertMany(docs);
    await runAt('2026-03-31T13:55:00Z', { start: '2026-03-31' });
    const selector = presetSelector('core4-logins');
    const switched = await runAt(NOW.toISOString(), {}, { selector });
    expect(switched.stats.sourceDocs).toBe(
      await db.cols.sysLog.countDocuments(sourceFilter(selector, day('2026-03-31'), day('2026-04-01')))
    );
    expect(await storedLogins(db.cols)).toEqual(
      expectedLogins(docs).filter((l) => l.startsWith('2026-03-31'))
    );
  });
});

describe('planReads', () => {
  const options = { extractedAt: at('2026-03-31T00:30:00Z'), closeAfterMs: 3_600_000, ingestLagMs: 300_000 };
  const stored = (label: string, until: string) => ({
    day: day(label),
    parts: { run: `r-${label}`, chunks: 1, summaries: 1, segments: [] },
    readUntil: at(until),
  });

  it('should leave a day alone that ended before the previous horizon, and extend today from before it', () => {
    const plan = planReads(
      [day('2026-03-30'), day('2026-03-31')],
      [stored('2026-03-30', '2026-03-31T00:25:00Z'), stored('2026-03-31', '2026-03-31T00:25:00Z')],
      options
    );
    expect(plan.readFrom).toEqual(at('2026-03-31T00:20:00Z'));
    expect(plan.days.map((d) => [d.mode, d.complete])).toEqual([
      ['unchanged', false],
      ['tail', false],
    ]);
  });

  it('should read a closing day whole, and extend a later open day from where that read starts', () => {
    const plan = planReads(
      [day('2026-03-29'), day('2026-03-30')],
      [stored('2026-03-29', '2026-03-29T23:00:00Z'), stored('2026-03-30', '2026-03-30T12:00:00Z')],
      { ...options, extractedAt: at('2026-03-30T12:05:00Z') }
    );
    expect(plan.days.map((d) => d.mode)).toEqual(['full', 'tail']);
    expect(plan.readFrom).toEqual(day('2026-03-29'));
    const tail = plan.days[1];
    expect(tail?.mode === 'tail' && tail.keepBefore).toEqual(day('2026-03-30'));
  });

  it('should read nothing when nothing can be new', () => {
    const plan = planReads([day('2026-03-30')], [stored('2026-03-30', '2026-03-31T00:20:00Z')], options);
    expect(plan).toEqual({ readFrom: undefined, days: [expect.objectContaining({ mode: 'unchanged' })] });
  });
});
