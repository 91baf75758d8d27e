import type { HourChunk, DaySummary } from '../etl/day-chunks';
import type { ChunkDoc, DayDoc, SourceRef, UsageCollections } from './collections';
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
export function notAfter(fence: number) {
  return { $not: { $gt: fence } };
}

/**
 * Step 1: the run's chunks and slot summary, invisible until the switch (the day document still names
 * another run).
 */
export async function insertChunks(cols: UsageCollections, write: DayWrite): Promise<void> {
  const { day, run, fence, src, now } = write;
  if (write.slots.length > 0) {
    const summaries: SummaryDoc[] = write.slots.map((part) => ({ ...part, day, run, fence, writtenAt: now }));
    await cols.summaries.insertMany(summaries, { ordered: true });
  }
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
      },
    }
  );
  if (switched.matchedCount !== 1) {
    throw new FencedOutError(); // its chunks stay orphans until the day's next write deletes them
  }
}

/**
 * Step 3: deletes the day's chunks of other runs that are no later than this one. A later holder's chunks,
 * inserted but not yet switched, are left alone: deleting them would leave that holder's day without chunks.
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
