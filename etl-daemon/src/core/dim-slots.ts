import type { DaySlots } from './day-slots';
import { buildDaySlots } from './day-slots';
import { lowerBound } from './sorted';
import { SLOT_MS, SLOTS_PER_DAY } from './units';

/**
 * One UTC day of logins per 15-minute slot, user and request key (a handler and host, etl/dimensions.ts),
 * held beside the day's slot summary (DaySlots) as the keys of its entries: entry e of the summary (a user in
 * a slot) used one key, or `runLength[r]` keys when `runAt[r] === e`, and its keys follow each other here in
 * the summary's order. Users are the summary's, so the split costs about a byte per entry (its key) where
 * holding each entry's user again cost three (a 100 M bench's 1.8x memory, measured): the few users with two
 * keys in one slot are listed apart. What a filter on handlers, projects or hosts and their breakdowns count
 * from (query/index/derive.ts); it means nothing without the summary it was built with.
 */
export interface DimSlots {
  /** Keys of slot s are `keys[offsets[s]]` … `keys[offsets[s + 1] - 1]`; 97 offsets. */
  offsets: Uint32Array;
  /** Per (user, slot, key): the key id (one byte up to 256 keys). */
  keys: Uint32Array | Uint16Array | Uint8Array;
  /** Summary entries with more than one key, ascending, and how many keys each has. */
  runAt: Uint32Array;
  runLength: Uint32Array;
  /** Keys (indexes into `keys`) with more than one login, ascending, and their login counts. */
  multiAt: Uint32Array;
  multiCount: Uint32Array;
}

/** A day's summary and its split by key, built from the same logins (entries of one numbering). */
export interface KeyedDay {
  slots: DaySlots;
  dims: DimSlots;
}

/** The end of the run of `order` from `k` whose logins are `same` as its first. */
function runEnd(order: readonly number[], k: number, same: (a: number, b: number) => boolean): number {
  let end = k + 1;
  while (end < order.length && same(order[k] as number, order[end] as number)) end += 1;
  return end;
}

/**
 * Splits a day's logins by key: `t` ms since the day began (any order), the user and key id of each. Pure;
 * its runs follow the entries of `buildDaySlots(t, ids)` (both sort by slot, then user).
 */
export function buildDimSlots(
  t: ArrayLike<number>,
  ids: ArrayLike<number>,
  keys: ArrayLike<number>
): DimSlots {
  const slotOf = (i: number) => Math.floor((t[i] ?? 0) / SLOT_MS);
  const sameEntry = (a: number, b: number) => slotOf(a) === slotOf(b) && ids[a] === ids[b];
  const sameKey = (a: number, b: number) => sameEntry(a, b) && keys[a] === keys[b];
  const order = Array.from({ length: t.length }, (_, i) => i);
  order.sort(
    (a, b) => slotOf(a) - slotOf(b) || (ids[a] ?? 0) - (ids[b] ?? 0) || (keys[a] ?? 0) - (keys[b] ?? 0)
  );
  const offsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const split = { keys: [] as number[], runAt: [] as number[], runLength: [] as number[] };
  const multi = { at: [] as number[], count: [] as number[] };
  for (let k = 0, entry = 0; k < order.length; entry += 1) {
    const slot = slotOf(order[k] as number);
    if (slot < 0 || slot >= SLOTS_PER_DAY)
      throw new RangeError(`buildDimSlots: ${t[order[k] as number]} ms is outside the day`);
    // One entry of the summary (a user in a slot): its logins by key.
    const start = split.keys.length;
    for (const end = runEnd(order, k, sameEntry); k < end;) {
      const keyEnd = runEnd(order, k, sameKey);
      if (keyEnd - k > 1) {
        multi.at.push(split.keys.length);
        multi.count.push(keyEnd - k);
      }
      split.keys.push(keys[order[k] as number] ?? 0);
      k = keyEnd;
    }
    if (split.keys.length - start > 1) {
      split.runAt.push(entry);
      split.runLength.push(split.keys.length - start);
    }
    offsets[slot + 1] = split.keys.length;
  }
  for (let s = 1; s <= SLOTS_PER_DAY; s += 1) offsets[s] = Math.max(offsets[s] ?? 0, offsets[s - 1] ?? 0);
  // Not Math.max(...keys): a day of a million entries would overflow the stack.
  const keyIds = keyArray(split.keys.length, split.keys.reduce((max, key) => Math.max(max, key), 0) + 1);
  keyIds.set(split.keys);
  return {
    offsets,
    keys: keyIds,
    runAt: Uint32Array.from(split.runAt),
    runLength: Uint32Array.from(split.runLength),
    multiAt: Uint32Array.from(multi.at),
    multiCount: Uint32Array.from(multi.count),
  };
}

/** A day's summary and split from its logins (what LoginIndex and the job build). Pure. */
export function buildKeyedDay(
  t: ArrayLike<number>,
  ids: ArrayLike<number>,
  keys: ArrayLike<number>
): KeyedDay {
  return { slots: buildDaySlots(t, ids), dims: buildDimSlots(t, ids, keys) };
}

/** The split of a summary whose every login has one key (`key`, the unknown key for days stored without one). */
export function singleKeyDims(slots: DaySlots, key: number): DimSlots {
  return {
    offsets: slots.offsets,
    keys: keyArray(slots.ids.length, key + 1).fill(key),
    runAt: new Uint32Array(0),
    runLength: new Uint32Array(0),
    multiAt: slots.multiAt,
    multiCount: slots.multiCount,
  };
}

/**
 * Calls `visit(slot, id, key, count)` for every (slot, user, key) of slots [s0, s1), in order. For the
 * split's rarer readers: the per-entry loops at start-up and in derivation are written out (no callback).
 */
export function forEachDimEntry(
  day: KeyedDay,
  visit: (slot: number, id: number, key: number, count: number) => void,
  s0 = 0,
  s1 = SLOTS_PER_DAY
): void {
  const { offsets, ids } = day.slots;
  const { keys, runAt, runLength, multiAt, multiCount } = day.dims;
  let d = day.dims.offsets[s0] as number;
  let r = lowerBound(runAt, offsets[s0] as number);
  let m = lowerBound(multiAt, d);
  for (let s = s0; s < s1; s += 1) {
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const id = ids[e] as number;
      const end = d + (runAt[r] === e ? (runLength[r++] as number) : 1);
      for (; d < end; d += 1)
        visit(s, id, keys[d] as number, multiAt[m] === d ? (multiCount[m++] as number) : 1);
    }
  }
}

/**
 * One summary and split from several of a day (an open day's base and appended segments), their ids and keys
 * already in one numbering. Pure: what buildKeyedDay gives for all their logins.
 */
export function mergeKeyedDays(list: readonly KeyedDay[]): KeyedDay {
  return list.length === 1 ? (list[0] as KeyedDay) : rebuiltKeyedDay(list);
}

/** The days' entries expanded to their logins and built again (each slot's users sorted). */
export function rebuiltKeyedDay(list: readonly KeyedDay[]): KeyedDay {
  const t: number[] = [];
  const ids: number[] = [];
  const keys: number[] = [];
  for (const day of list) {
    forEachDimEntry(day, (s, id, key, count) => {
      // Every login of the entry, at the slot's start: building needs only the slot.
      for (let k = 0; k < count; k += 1) {
        t.push(s * SLOT_MS);
        ids.push(id);
        keys.push(key);
      }
    });
  }
  return buildKeyedDay(t, ids, keys);
}

/** The smallest unsigned array for `length` key ids below `keyCount`. */
export function keyArray(length: number, keyCount: number): Uint8Array | Uint16Array | Uint32Array {
  if (keyCount <= 0x100) return new Uint8Array(length);
  return keyCount <= 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/**
 * The same split with its keys renumbered through `keys` (one to one; new keys below `keyCount`), written
 * into the smallest array. Users are the summary's: renumbering them needs nothing here.
 */
export function mapDimKeys(dims: DimSlots, keys: ArrayLike<number>, keyCount: number): DimSlots {
  const n = dims.keys.length;
  const mapped = keyArray(n, keyCount);
  const from = dims.keys;
  for (let d = 0; d < n; d += 1) mapped[d] = keys[from[d] as number] as number;
  return { ...dims, keys: mapped };
}

export function dimBytes(dims: DimSlots): number {
  return (
    dims.offsets.byteLength +
    dims.keys.byteLength +
    dims.runAt.byteLength +
    dims.runLength.byteLength +
    dims.multiAt.byteLength +
    dims.multiCount.byteLength
  );
}
