import type { HourChunk, DaySummary } from '../etl/day-chunks';
import type { ChunkDoc, DayDoc, DaySegment, SourceRef, UsageCollections } from './collections';
import type { SummaryDoc, SummaryPart } from './day-summary';
import { LeaseLostError } from './job-record';

export interface DayWrite {
  day: Date;
  run: string;
  /** The writer's fencing token (db/lease.ts). */
  fence: number;
  chunks: HourChunk[];
  summary: DaySummary;
  /** The day's slot summary (db/day-summary.ts), with dictionary ids. */
  slots: SummaryPart[];
  complete: boolean;
  src: SourceRef;
  selection: string;
  /** The MongoDB server's time. */
  now: Date;
}

/** A later lease holder has written this day: this runner lost its lease and must not touch it. */
export class FencedOutError extends LeaseLostError {
  override name = 'FencedOutError';
}

/** Matches documents written with a fencing token no larger than `fence` (or none: written before fences). */
function notAfter(fence: number) {
  return { $not: { $gt: fence } };
}

/** A run's slot summary parts, under its id (invisible until a day document names that id). */
async function insertSummaryParts(
  cols: UsageCollections,
  write: Pick<DayWrite, 'day' | 'run' | 'fence' | 'now' | 'slots'>
): Promise<void> {
  const { day, run, fence, now } = write;
  if (write.slots.length === 0) return;
  const summaries: SummaryDoc[] = write.slots.map((part) => ({ ...part, day, run, fence, writtenAt: now }));
  await cols.summaries.insertMany(summaries, { ordered: true });
}

/**
 * Step 1: the run's chunks and slot summary, invisible until the switch (the day document still names
 * another run).
 */
export async function insertChunks(
  cols: UsageCollections,
  write: Pick<DayWrite, 'day' | 'run' | 'fence' | 'src' | 'now' | 'slots' | 'chunks'>
): Promise<void> {
  const { day, run, fence, src, now } = write;
  await insertSummaryParts(cols, write);
  if (write.chunks.length === 0) return;
  const docs: ChunkDoc[] = write.chunks.map((chunk) => ({ ...chunk, day, run, fence, src, writtenAt: now }));
  await cols.chunks.insertMany(docs, { ordered: true });
}

/**
 * Step 2: points the day document at this run, only if no later lease holder has switched it. The day
 * document is created empty first (an empty day reads like a missing one), so the conditional switch
 * never needs an upsert that could create a second document for the day.
 */
export async function switchDay(cols: UsageCollections, write: DayWrite): Promise<void> {
  const { day, run, fence, src, now } = write;
  const placeholder: DayDoc = {
    day,
    run: '',
    chunks: 0,
    summaries: 0,
    logins: 0,
    users: 0,
    complete: false,
    src: { ...src, to: src.from },
    writtenAt: now,
    fence: 0,
    selection: '',
  };
  await cols.days.updateOne({ day }, { $setOnInsert: placeholder }, { upsert: true });
  const switched = await cols.days.updateOne(
    { day, fence: notAfter(fence) },
    {
      $set: {
        run,
        chunks: write.chunks.length,
        summaries: write.slots.length,
        logins: write.summary.logins,
        users: write.summary.users,
        complete: write.complete,
        src,
        writtenAt: now,
        fence,
        selection: write.selection,
        segments: [],
      },
      $unset: { summaryRun: '' },
    }
  );
  if (switched.matchedCount !== 1) {
    throw new FencedOutError(); // its chunks stay orphans until the day's next write deletes them
  }
}

/**
 * Step 3: deletes the day's chunks of other runs (replaced bases, appended segments, orphans of crashed
 * writes) that are no later than this one. A later holder's chunks, inserted but not yet switched, are left
 * alone: deleting them would leave that holder's day without chunks. A reader that still counts with a
 * replaced run and needs its chunks reloads the day (query/exact-count.ts).
 */
export async function deleteReplacedChunks(cols: UsageCollections, write: DayWrite): Promise<void> {
  const replaced = { day: write.day, run: { $ne: write.run }, fence: notAfter(write.fence) };
  await cols.chunks.deleteMany(replaced);
  await cols.summaries.deleteMany(replaced);
}

/**
 * Replaces one UTC day in home.login so that readers and a crash at any step never see a mix: insert the
 * chunks, switch the day document, delete the replaced chunks. A crash before the switch leaves orphans
 * that the day's next write deletes; after it the day is already whole. A runner fenced out by a later
 * lease holder fails at the switch and deletes nothing.
 */
export async function writeDay(cols: UsageCollections, write: DayWrite): Promise<void> {
  await insertChunks(cols, write);
  await switchDay(cols, write);
  await deleteReplacedChunks(cols, write);
}

/** An open day's new logins, appended as a segment of their own (no document of the day is rewritten). */
export interface DayAppend {
  day: Date;
  run: string;
  fence: number;
  chunks: HourChunk[];
  slots: SummaryPart[];
  /** Logins in this segment. */
  logins: number;
  /** Distinct users of the whole day with this segment. */
  users: number;
  /** The day document as the run read it: the append applies only if it is still so. */
  expected: { run: string; segments: number };
  src: SourceRef;
  now: Date;
}

/**
 * Appends a segment to an open day: insert its chunks and summary (invisible: no day document names the
 * run), then add it to the day document only if the document is still the one this run extended (same base,
 * same number of segments) and no later lease holder wrote it. A crash before that leaves orphans that the
 * day's next whole write deletes; readers never see half a segment. Nothing is deleted.
 */
export async function appendToDay(cols: UsageCollections, append: DayAppend): Promise<void> {
  const { day, run, fence, src, now } = append;
  await insertChunks(cols, append);
  const segment: DaySegment = {
    run,
    chunks: append.chunks.length,
    summaries: append.slots.length,
    logins: append.logins,
  };
  const switched = await cols.days.updateOne(
    {
      day,
      run: append.expected.run,
      segments: { $size: append.expected.segments },
      fence: notAfter(fence),
    },
    {
      $push: { segments: segment },
      $inc: { logins: append.logins },
      $set: { users: append.users, src, writtenAt: now, fence },
    }
  );
  if (switched.matchedCount !== 1) throw new FencedOutError();
}

/**
 * Moves an open day's horizon when a run found nothing new for it, so that the next run reads on from
 * here; the day's documents stay as they are.
 */
export async function advanceHorizon(
  cols: UsageCollections,
  update: { day: Date; run: string; fence: number; src: SourceRef; now: Date }
): Promise<void> {
  const moved = await cols.days.updateOne(
    { day: update.day, run: update.run, fence: notAfter(update.fence) },
    { $set: { src: update.src, fence: update.fence } }
  );
  if (moved.matchedCount !== 1) throw new FencedOutError();
}

/**
 * Gives a day stored before summaries its slot summary: the parts are inserted under `summaryRun` (an id of
 * their own, never the day's run), then the day document names them, only if it still has no summary, still
 * names the same run, and no later lease holder wrote it. A crash between the two leaves parts no day names,
 * which the day's next write deletes; a second try inserts under another id. Returns false when the day
 * changed meanwhile (its parts are then removed again).
 */
export async function attachSummary(
  cols: UsageCollections,
  attach: { day: Date; run: string; summaryRun: string; fence: number; slots: SummaryPart[]; now: Date }
): Promise<boolean> {
  const { day, run, summaryRun, fence, now } = attach;
  await insertSummaryParts(cols, { day, run: summaryRun, fence, now, slots: attach.slots });
  const set = await cols.days.updateOne(
    { day, run, summaries: { $exists: false }, fence: notAfter(fence) },
    { $set: { summaries: attach.slots.length, summaryRun } }
  );
  if (set.matchedCount === 1) return true;
  await cols.summaries.deleteMany({ day, run: summaryRun });
  return false;
}
