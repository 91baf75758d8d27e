import { SLOT_MS, SLOTS_PER_DAY } from './units';
import { idArray } from './day-slots';

/**
 * One UTC day of logins per 15-minute slot, user and request key (a handler and host, etl/dimensions.ts):
 * the day's slot summary (DaySlots) split by what each request was. Entries are sorted by slot, then user (a
 * user's keys in a slot are adjacent, built in key order; renumbered keys may leave them in another); a user
 * who used two handlers in a slot has two entries. What a filter on handlers, projects or hosts and their
 * breakdowns count from (query/index/derive.ts).
 */
export interface DimSlots {
  /** Entries of slot s are `offsets[s]` … `offsets[s + 1] - 1`; 97 offsets. */
  offsets: Uint32Array;
  /** Per entry: the user id. */
  ids: Uint32Array | Uint16Array;
  /** Per entry: the key id (one byte per entry up to 256 keys). */
  keys: Uint32Array | Uint16Array | Uint8Array;
  /** Entries with more than one login, ascending, and their login counts. */
  multiAt: Uint32Array;
  multiCount: Uint32Array;
}

/** Summarises a day's logins by slot, user and key: `t` ms since the day began (any order). Pure. */
export function buildDimSlots(
  t: ArrayLike<number>,
  ids: ArrayLike<number>,
  keys: ArrayLike<number>
): DimSlots {
  const n = t.length;
  const slotOf = (i: number) => Math.floor((t[i] ?? 0) / SLOT_MS);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(
    (a, b) => slotOf(a) - slotOf(b) || (ids[a] ?? 0) - (ids[b] ?? 0) || (keys[a] ?? 0) - (keys[b] ?? 0)
  );
  const offsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const entryIds: number[] = [];
  const entryKeys: number[] = [];
  const multiAt: number[] = [];
  const multiCount: number[] = [];
  for (let k = 0; k < n;) {
    const i = order[k] ?? 0;
    const slot = slotOf(i);
    if (slot < 0 || slot >= SLOTS_PER_DAY)
      throw new RangeError(`buildDimSlots: ${t[i]} ms is outside the day`);
    const same = (j: number) => slotOf(j) === slot && ids[j] === ids[i] && keys[j] === keys[i];
    let count = 0;
    while (k < n && same(order[k] ?? 0)) {
      k += 1;
      count += 1;
    }
    if (count > 1) {
      multiAt.push(entryIds.length);
      multiCount.push(count);
    }
    entryIds.push(ids[i] ?? 0);
    entryKeys.push(keys[i] ?? 0);
    offsets[slot + 1] = entryIds.length;
  }
  for (let s = 1; s <= SLOTS_PER_DAY; s += 1) offsets[s] = Math.max(offsets[s] ?? 0, offsets[s - 1] ?? 0);
  return {
    offsets,
    ids: filled(entryIds),
    keys: filled(entryKeys),
    multiAt: Uint32Array.from(multiAt),
    multiCount: Uint32Array.from(multiCount),
  };
}

/** The values in the smallest unsigned array that holds them. */
export function filled(values: readonly number[] | Uint32Array): Uint32Array | Uint16Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const out = idArray(values.length, max);
  out.set(values);
  return out;
}

/** Calls `visit(slot, id, key, count)` for every entry, in order. */
export function forEachDimEntry(
  dims: DimSlots,
  visit: (slot: number, id: number, key: number, count: number) => void
): void {
  const { offsets, ids, keys, multiAt, multiCount } = dims;
  let m = 0;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const count = multiAt[m] === e ? (multiCount[m++] as number) : 1;
      visit(s, ids[e] as number, keys[e] as number, count);
    }
  }
}

/**
 * One summary from several of a day (an open day's base and appended segments), their ids and keys already
 * in one numbering. Pure: what buildDimSlots gives for all their logins.
 */
export function mergeDimSlots(list: readonly DimSlots[]): DimSlots {
  return list.length === 1 ? (list[0] as DimSlots) : rebuiltDimSlots(list);
}

/** The summaries' entries, expanded to their logins and summarised again (sorted, repeats joined). */
function rebuiltDimSlots(list: readonly DimSlots[]): DimSlots {
  const t: number[] = [];
  const ids: number[] = [];
  const keys: number[] = [];
  for (const dims of list) {
    forEachDimEntry(dims, (s, id, key, count) => {
      for (let k = 0; k < count; k += 1) {
        t.push(s * SLOT_MS);
        ids.push(id);
        keys.push(key);
      }
    });
  }
  return buildDimSlots(t, ids, keys);
}

/** The smallest unsigned array for `length` key ids below `keyCount`. */
export function keyArray(length: number, keyCount: number): Uint8Array | Uint16Array | Uint32Array {
  if (keyCount <= 0x100) return new Uint8Array(length);
  return keyCount <= 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/**
 * The same summary with ids renumbered through `ids` (kept when absent; new ids below `userCount`) and keys
 * through `keys` (new keys below `keyCount`), written straight into the smallest arrays; re-sorted only when
 * the new ids do not keep the users' order within a slot.
 */
export function mapDimSlots(
  dims: DimSlots,
  mapping: { ids?: ArrayLike<number>; keys: ArrayLike<number>; userCount: number; keyCount: number }
): DimSlots {
  const n = dims.ids.length;
  const keys = keyArray(n, mapping.keyCount);
  for (let e = 0; e < n; e += 1) keys[e] = mapping.keys[dims.keys[e] as number] as number;
  let ids = dims.ids;
  if (mapping.ids) {
    ids = idArray(n, mapping.userCount);
    for (let e = 0; e < n; e += 1) ids[e] = mapping.ids[dims.ids[e] as number] as number;
  }
  const mapped = { ...dims, ids, keys };
  return usersInOrder(mapped) ? mapped : rebuiltDimSlots([mapped]);
}

/** Whether each slot's users are in ascending order (a user's entries adjacent). */
function usersInOrder(dims: DimSlots): boolean {
  const { offsets, ids } = dims;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (let e = (offsets[s] as number) + 1; e < (offsets[s + 1] as number); e += 1)
      if ((ids[e - 1] as number) > (ids[e] as number)) return false;
  }
  return true;
}

export function dimBytes(dims: DimSlots): number {
  return (
    dims.offsets.byteLength +
    dims.ids.byteLength +
    dims.keys.byteLength +
    dims.multiAt.byteLength +
    dims.multiCount.byteLength
  );
}
