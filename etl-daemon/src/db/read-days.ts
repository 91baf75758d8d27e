import type { StoredChunk } from '../etl/day-events';
import type { DayDoc, UsageCollections } from './collections';
import type { DayParts } from './day-doc';
import { chunkRuns, summaryRuns } from './day-doc';
import type { SummaryDoc } from './day-summary';
import { timeLimit } from './deployment';

/** The day-document fields a reader needs to load a day and to know its version. */
const DAY_FIELDS = {
  _id: 0,
  day: 1,
  run: 1,
  chunks: 1,
  summaries: 1,
  summaryRun: 1,
  segments: 1,
  writtenAt: 1,
} as const;

/** The chunk fields a reader of logins needs. */
const CHUNK_FIELDS = {
  _id: 0,
  day: 1,
  run: 1,
  hour: 1,
  part: 1,
  users: 1,
  u: 1,
  t: 1,
  keys: 1,
  k: 1,
} as const;

/** Day documents written since `writtenSince` (all without it), or of the given UTC days. */
export function readDayDocs(
  cols: UsageCollections,
  which: { writtenSince?: Date | undefined; days?: readonly Date[] }
): Promise<DayDoc[]> {
  const filter = {
    ...(which.writtenSince ? { writtenAt: { $gte: which.writtenSince } } : {}),
    ...(which.days ? { day: { $in: [...which.days] } } : {}),
  };
  return cols.days.find(filter, { projection: DAY_FIELDS, ...timeLimit(cols.days) }).toArray();
}

/** Day documents stored before slot summaries existed, oldest first (what `summarize` writes summaries for). */
export function readUnsummarisedDays(
  cols: UsageCollections
): Promise<Pick<DayDoc, 'day' | 'run' | 'chunks'>[]> {
  return cols.days
    .find(
      { summaries: { $exists: false } },
      { projection: { _id: 0, day: 1, run: 1, chunks: 1 }, ...timeLimit(cols.days) }
    )
    .sort({ day: 1 })
    .toArray();
}

/** The summary parts of these days' current runs (base and segments). */
export async function readSummaries(
  cols: UsageCollections,
  days: readonly (DayParts & { day: Date })[]
): Promise<SummaryDoc[]> {
  if (days.length === 0) return [];
  const filter = {
    day: { $in: days.map((d) => d.day) },
    run: { $in: days.flatMap((d) => summaryRuns(d).map((r) => r.run)) },
  };
  return cols.summaries.find(filter, { projection: { _id: 0 }, ...timeLimit(cols.summaries) }).toArray();
}

/**
 * The given hours' chunks of several days' current runs, in one round trip: a request whose range edges or
 * page rows fall on many days (who uses it: a first and a last login per row) would otherwise wait for one
 * query per day. One `$or` clause per day, each an equality on `day` with `run` and `hour` lists, as the
 * chunks' index reads it.
 */
export async function readChunksOfDays(
  cols: UsageCollections,
  days: readonly (DayParts & { day: Date; hours: readonly number[] })[]
): Promise<StoredChunk[]> {
  if (days.length === 0) return [];
  const filter = {
    $or: days.map((d) => ({ day: d.day, run: { $in: chunkRuns(d) }, hour: { $in: [...d.hours] } })),
  };
  return cols.chunks.find(filter, { projection: CHUNK_FIELDS, ...timeLimit(cols.chunks) }).toArray();
}

/** The hour chunks of these days' current runs (only the given hours, when given). */
export async function readChunks(
  cols: UsageCollections,
  days: readonly (DayParts & { day: Date })[],
  hours?: readonly number[]
): Promise<StoredChunk[]> {
  if (days.length === 0) return [];
  const filter = {
    day: { $in: days.map((d) => d.day) },
    run: { $in: days.flatMap(chunkRuns) },
    ...(hours ? { hour: { $in: [...hours] } } : {}),
  };
  return cols.chunks.find(filter, { projection: CHUNK_FIELDS, ...timeLimit(cols.chunks) }).toArray();
}
