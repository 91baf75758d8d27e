import type { HourChunk, DaySummary } from '../etl/day-chunks';
import type { ChunkDoc, SourceRef, UsageCollections } from './collections';

export interface DayWrite {
  day: Date;
  run: string;
  chunks: HourChunk[];
  summary: DaySummary;
  complete: boolean;
  src: SourceRef;
  now: Date;
}

/**
 * Replaces one UTC day in home.login so that readers and a crash at any step never see a mix:
 * 1. insert this run's chunks (invisible: the day document still names the previous run),
 * 2. point the day document at this run (the switch),
 * 3. delete every other run's chunks of the day.
 * A crash before 2 leaves orphans that the day's next write deletes; after 2 the day is already whole.
 */
export async function writeDay(cols: UsageCollections, write: DayWrite): Promise<void> {
  const { day, run, src, now } = write;
  if (write.chunks.length > 0) {
    const docs: ChunkDoc[] = write.chunks.map((chunk) => ({ ...chunk, day, run, src, writtenAt: now }));
    await cols.chunks.insertMany(docs, { ordered: true });
  }
  await cols.days.updateOne(
    { day },
    {
      $set: {
        day,
        run,
        chunks: write.chunks.length,
        logins: write.summary.logins,
        users: write.summary.users,
        complete: write.complete,
        src,
        writtenAt: now,
      },
    },
    { upsert: true }
  );
  await cols.chunks.deleteMany({ day, run: { $ne: run } });
}
