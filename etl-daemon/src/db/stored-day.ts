import type { DayDoc, UsageCollections } from './collections';
import type { SummaryDoc } from './day-summary';
import { decodeSummary } from './day-summary';
import type { DayParts } from './day-doc';
import { chunkRuns, chunkTotal, summaryRuns } from './day-doc';
import { timeLimit } from './deployment';
import { chunkEvents } from '../etl/day-chunks';
import type { LoginEvent } from '../etl/selector';
import { HOUR_MS } from '../core/units';

/** What a previous run left for an open day written under the same selection. */
export interface StoredOpenDay {
  day: Date;
  /** The documents that make the day now. */
  parts: DayParts;
  /** The horizon the previous run read up to (its `src.to`). */
  readUntil: Date;
}

/** The day's stored documents are not what its day document says (being rewritten, or a lagging read). */
export class StoredDayChangedError extends Error {
  override name = 'StoredDayChangedError';
  constructor(day: Date) {
    super(
      `the stored logins of ${day.toISOString().slice(0, 10)} changed while they were read; the run is retried`
    );
  }
}

/** Open days in [firstDay, lastDay] that a previous run wrote under `selection`. */
export async function storedOpenDays(
  cols: UsageCollections,
  firstDay: Date,
  lastDay: Date,
  selection: string
): Promise<StoredOpenDay[]> {
  const docs = await cols.days
    .find(
      { day: { $gte: firstDay, $lte: lastDay }, complete: false, selection, run: { $ne: '' } },
      {
        projection: { _id: 0, day: 1, run: 1, chunks: 1, summaries: 1, summaryRun: 1, segments: 1, src: 1 },
        ...timeLimit(cols.days),
      }
    )
    .toArray();
  return docs.map((d: Pick<DayDoc, 'day' | 'src' | keyof DayParts>) => ({
    day: d.day,
    parts: {
      run: d.run,
      chunks: d.chunks,
      summaries: d.summaries,
      summaryRun: d.summaryRun,
      segments: d.segments,
    },
    readUntil: d.src.to,
  }));
}

/**
 * The stored logins of an open day from `from` on, read from the hours that can hold them, and checked
 * against the day document: the day's runs must hold exactly the chunks it counts (a day rewritten
 * meanwhile, or a read that missed documents, is a StoredDayChangedError instead of lost logins).
 */
export async function storedEvents(
  cols: UsageCollections,
  stored: Pick<StoredOpenDay, 'day' | 'parts'>,
  from: Date
): Promise<LoginEvent[]> {
  const runs = { $in: chunkRuns(stored.parts) };
  const fromHour = Math.max(0, Math.floor((from.getTime() - stored.day.getTime()) / HOUR_MS));
  const [chunks, count] = await Promise.all([
    cols.chunks
      .find(
        { day: stored.day, run: runs, hour: { $gte: fromHour } },
        {
          projection: { _id: 0, hour: 1, part: 1, users: 1, u: 1, t: 1, keys: 1, k: 1 },
          ...timeLimit(cols.chunks),
        }
      )
      .toArray(),
    cols.chunks.countDocuments({ day: stored.day, run: runs }, timeLimit(cols.chunks)),
  ]);
  if (count !== chunkTotal(stored.parts)) throw new StoredDayChangedError(stored.day);
  return chunks.flatMap((chunk) => chunkEvents(stored.day, chunk)).filter((e) => e.created >= from);
}

/** The dictionary ids of everyone with a login on a stored open day, from its slot summaries. */
export async function storedDayIds(
  cols: UsageCollections,
  stored: Pick<StoredOpenDay, 'day' | 'parts'>
): Promise<Set<number>> {
  const ids = new Set<number>();
  const runs = summaryRuns(stored.parts);
  if (runs.length === 0) return ids;
  const docs = (await cols.summaries
    .find(
      { day: stored.day, run: { $in: runs.map((r) => r.run) } },
      { projection: { _id: 0 }, ...timeLimit(cols.summaries) }
    )
    .toArray()) as SummaryDoc[];
  for (const { run, parts } of runs) {
    const mine = docs.filter((d) => d.run === run);
    const decoded = mine.length === parts ? decodeSummary(mine) : undefined;
    if (!decoded) throw new StoredDayChangedError(stored.day);
    for (const id of decoded.slots.ids) ids.add(id);
  }
  return ids;
}
