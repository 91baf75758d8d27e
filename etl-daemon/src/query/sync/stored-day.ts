import type { DaySlots } from '../../core/day-slots';
import { buildDaySlots, idArray, mergeDaySlots, rebuiltDaySlots, usersInOrder } from '../../core/day-slots';
import type { DimSlots } from '../../core/dim-slots';
import {
  buildKeyedDay,
  mapDimKeys,
  mergeKeyedDays,
  rebuiltKeyedDay,
  singleKeyDims,
} from '../../core/dim-slots';
import { Interner } from '../../core/interner';
import type { DayParts } from '../../db/day-doc';
import { summaryRuns } from '../../db/day-doc';
import type { DayDims, SummaryDoc } from '../../db/day-summary';
import { decodeSummary } from '../../db/day-summary';
import type { StoredChunk } from '../../etl/day-events';
import { dayEventsFromChunks } from '../../etl/day-events';
import { UNKNOWN_KEY } from '../../etl/dimensions';

/** A day's summary with the dictionary's ids, the largest of them, and its split by key when it has one. */
export interface StoredSlots {
  slots: DaySlots;
  maxId: number;
  dims?: DayDims | undefined;
}

/**
 * A day's summary in the index's user ids, and its split by key in the index's key ids (absent when every key
 * is unknown).
 */
export interface IndexSlots {
  slots: DaySlots;
  dims: DimSlots | undefined;
}

/**
 * Several runs of a day (its base and segments) as one summary with its split by key in one key numbering;
 * the split undefined when no run has one (a run without one is all the unknown key).
 */
function mergedRuns(runs: readonly { slots: DaySlots; dims?: DayDims | undefined }[]): {
  slots: DaySlots;
  dims: DayDims | undefined;
} {
  const [only] = runs;
  if (runs.length === 1 && only) return { slots: only.slots, dims: only.dims };
  if (runs.every((r) => !r.dims)) return { slots: mergeDaySlots(runs.map((r) => r.slots)), dims: undefined };
  const names = new Interner();
  const unknown = names.id(UNKNOWN_KEY);
  // Ids stay the dictionary's: only the keys are put in one numbering, then the runs merged.
  const days = runs.map(({ slots, dims }) => {
    if (!dims) return { slots, dims: singleKeyDims(slots, unknown) };
    const keyIds = dims.keyNames.map((name) => names.id(name));
    return { slots, dims: mapDimKeys(dims.dims, keyIds, names.size) };
  });
  const merged = mergeKeyedDays(days);
  return { slots: merged.slots, dims: { keyNames: names.names, dims: merged.dims } };
}

/** A day's stored summaries (its base and segments) joined into one; undefined when one is incomplete. */
export function decodeDay(
  d: DayParts & { day: Date },
  summaries: readonly SummaryDoc[]
): StoredSlots | undefined {
  const key = d.day.getTime();
  const decoded: { slots: DaySlots; dims?: DayDims | undefined }[] = [];
  let maxId = 0;
  for (const { run, parts } of summaryRuns(d)) {
    const mine = summaries.filter((s) => s.day.getTime() === key && s.run === run);
    const stored = mine.length === parts ? decodeSummary(mine) : undefined;
    if (!stored) return undefined;
    decoded.push(stored);
    maxId = Math.max(maxId, stored.maxId);
  }
  if (decoded.length === 0) return undefined;
  return { ...mergedRuns(decoded), maxId };
}

/**
 * A stored summary with dictionary ids turned into index ids (`names.toIndex`), and its key names into the
 * index's key ids (`keyId`); undefined when a user id is not mapped yet. Each slot's users are sorted again
 * when the mapping does not ascend (`names.ascending`) and leaves them out of order.
 */
export function withIndexIds(
  stored: StoredSlots,
  names: { toIndex: Uint32Array; ascending: boolean },
  index: { userCount: number; keyId: (key: string) => number; keyNames: readonly string[] }
): IndexSlots | undefined {
  const { toIndex } = names;
  if (stored.maxId >= toIndex.length && stored.slots.ids.length > 0) return undefined;
  const ids = idArray(stored.slots.ids.length, index.userCount);
  const source = stored.slots.ids;
  for (let e = 0; e < source.length; e += 1) ids[e] = toIndex[source[e] as number] as number;
  const day = stored.dims;
  // The split's users are the summary's: only its keys are put in the index's numbering.
  const keyIds = day?.keyNames.map((name) => index.keyId(name)) ?? [];
  const dims = day && mapDimKeys(day.dims, keyIds, index.keyNames.length);
  const slots = { ...stored.slots, ids };
  if (names.ascending || usersInOrder(slots)) return { slots, dims };
  return dims ? rebuiltKeyedDay([{ slots, dims }]) : { slots: rebuiltDaySlots([slots]), dims };
}

/** Summarises a day from its chunks (days written before summaries existed), with ids from the index. */
export function slotsFromChunks(
  day: Date,
  chunks: readonly StoredChunk[],
  index: { userId: (name: string) => number; keyId: (key: string) => number }
): IndexSlots {
  const events = dayEventsFromChunks(day, chunks);
  const local = events.users.map((name) => index.userId(name));
  const localKeys = (events.keys ?? []).map((key) => index.keyId(key));
  const ids = Array.from(events.u, (u) => local[u] as number);
  const keys = Array.from(events.k ?? [], (k) => localKeys[k] ?? 0);
  if (keys.some((k) => k !== 0)) return buildKeyedDay(events.t, ids, keys);
  return { slots: buildDaySlots(events.t, ids), dims: undefined };
}
