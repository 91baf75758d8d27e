import { SLOT_MS, SLOTS_PER_DAY } from './units';
import { idArray } from './day-slots';

/**
 * One UTC day of logins per 15-minute slot, user and request key (a handler and host, etl/dimensions.ts):
 * the day's slot summary (DaySlots) split by what each request was. Entries are sorted by slot, then user,
 * then key; a user who used two handlers in a slot has two entries. What a filter on handlers, projects or
 * hosts and their breakdowns count from (query/index/derive.ts).
 */
export interface DimSlots {
  /** Entries of slot s are `offsets[s]` … `offsets[s + 1] - 1`; 97 offsets. */
  offsets: Uint32Array;
  /** Per entry: the user id. */
  ids: Uint32Array | Uint16Array;
  /** Per entry: the key id. */
  keys: Uint32Array | Uint16Array;
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
  if (list.length === 1) return list[0] as DimSlots;
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

/**
 * The same summary with ids and keys renumbered, still sorted by slot, user and key (re-sorted when the new
 * numbering does not keep their order).
 */
export function mapDimSlots(
  dims: DimSlots,
  mapping: { id: (id: number) => number; key: (key: number) => number }
): DimSlots {
  const ids = new Uint32Array(dims.ids.length);
  const keys = new Uint32Array(dims.keys.length);
  for (let e = 0; e < ids.length; e += 1) {
    ids[e] = mapping.id(dims.ids[e] as number);
    keys[e] = mapping.key(dims.keys[e] as number);
  }
  const mapped = { ...dims, ids: filled(ids), keys: filled(keys) };
  return inOrder(mapped) ? mapped : mergeDimSlots([mapped, emptyDimSlots()]);
}

function inOrder(dims: DimSlots): boolean {
  const { offsets, ids, keys } = dims;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (let e = (offsets[s] as number) + 1; e < (offsets[s + 1] as number); e += 1) {
      const before =
        (ids[e - 1] as number) - (ids[e] as number) || (keys[e - 1] as number) - (keys[e] as number);
      if (before >= 0) return false;
    }
  }
  return true;
}

export function emptyDimSlots(): DimSlots {
  const none = new Uint32Array(0);
  return {
    offsets: new Uint32Array(SLOTS_PER_DAY + 1),
    ids: none,
    keys: none,
    multiAt: none,
    multiCount: none,
  };
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
