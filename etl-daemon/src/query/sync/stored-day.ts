import type { DaySlots } from '../../core/day-slots';
import { buildDaySlots, idArray, mergeDaySlots } from '../../core/day-slots';
import type { DayParts } from '../../db/day-doc';
import { summaryRuns } from '../../db/day-doc';
import type { SummaryDoc } from '../../db/day-summary';
import { decodeSummary } from '../../db/day-summary';
import type { StoredChunk } from '../../etl/day-events';
import { dayEventsFromChunks } from '../../etl/day-events';

/** A day's summary with the dictionary's ids, and the largest of them. */
export interface StoredSlots {
  slots: DaySlots;
  maxId: number;
}

/** A day's stored summaries (its base and segments) joined into one; undefined when one is incomplete. */
export function decodeDay(
  d: DayParts & { day: Date },
  summaries: readonly SummaryDoc[]
): StoredSlots | undefined {
  const key = d.day.getTime();
  const decoded: DaySlots[] = [];
  let maxId = 0;
  for (const { run, parts } of summaryRuns(d)) {
    const mine = summaries.filter((s) => s.day.getTime() === key && s.run === run);
    const stored = mine.length === parts ? decodeSummary(mine) : undefined;
    if (!stored) return undefined;
    decoded.push(stored.slots);
    maxId = Math.max(maxId, stored.maxId);
  }
  return decoded.length === 0 ? undefined : { slots: mergeDaySlots(decoded), maxId };
}

/** A stored summary with dictionary ids turned into index ids; undefined when an id is not mapped yet. */
export function withIndexIds(
  stored: StoredSlots,
  toIndex: Uint32Array,
  userCount: number
): DaySlots | undefined {
  if (stored.maxId >= toIndex.length && stored.slots.ids.length > 0) return undefined;
  const ids = idArray(stored.slots.ids.length, userCount);
  const source = stored.slots.ids;
  for (let e = 0; e < source.length; e += 1) ids[e] = toIndex[source[e] as number] as number;
  return { ...stored.slots, ids };
}

/** Summarises a day from its chunks (days written before summaries existed), with ids from `userId`. */
export function slotsFromChunks(
  day: Date,
  chunks: readonly StoredChunk[],
  userId: (name: string) => number
): DaySlots {
  const events = dayEventsFromChunks(day, chunks);
  const local = events.users.map(userId);
  return buildDaySlots(
    events.t,
    Array.from(events.u, (u) => local[u] as number)
  );
}
