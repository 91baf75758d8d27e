/**
 * The write path of an open day before appends (kept as it was, for `npm run bench:writes`): every run of
 * today read the stored logins back, added what sys.log had since, and replaced the whole day (insert all
 * of its chunks and its summary under the new run, switch the day document, delete the old run's documents).
 */
import type { UsageCollections } from '../../src/db/collections';
import { summaryWithNames } from '../../src/db/day-summary';
import type { NameDictionary } from '../../src/db/user-names';
import { writeDay } from '../../src/db/write-day';
import { buildDayChunks } from '../../src/etl/day-chunks';
import type { LoginEvent } from '../../src/etl/selector';

export async function rewriteOpenDayV1(
  cols: UsageCollections,
  names: NameDictionary,
  write: { day: Date; run: string; fence: number; events: LoginEvent[]; complete: boolean; now: Date }
): Promise<void> {
  const { day, events, now } = write;
  const { chunks, summary } = buildDayChunks(day, events);
  const slots = await summaryWithNames(
    cols.names,
    names,
    { t: events.map((e) => e.created.getTime() - day.getTime()), names: events.map((e) => e.user) },
    now
  );
  await writeDay(cols, {
    day,
    run: write.run,
    fence: write.fence,
    chunks,
    summary,
    slots,
    complete: write.complete,
    src: { collection: cols.sysLogName, from: day, to: now },
    selection: 'bench',
    now,
  });
}
