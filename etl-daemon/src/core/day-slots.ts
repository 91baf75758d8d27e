import { SLOT_MS, SLOTS_PER_DAY } from './units';

/**
 * One UTC day of logins summarised per 15-minute slot: who logged in during each slot (each user once) and
 * how many logins each slot holds. Its size grows with the (user, slot) pairs of the day, never with
 * repeated logins, and it answers every bucket that starts and ends on slot boundaries exactly; a range
 * edge inside a slot reads that slot's logins (see LoginIndex).
 */
export interface DaySlots {
  /** Entries of slot s are `ids[offsets[s]] … ids[offsets[s + 1] - 1]`; 97 offsets. */
  offsets: Uint32Array;
  /** User ids, one entry per (user, slot) with a login. */
  ids: Uint32Array | Uint16Array;
  /** loginsBefore[s]: logins in slots before s (97 values, the last one the day's total). */
  loginsBefore: Uint32Array;
  /** Entries with more than one login, ascending, and their login counts. */
  multiAt: Uint32Array;
  multiCount: Uint32Array;
}

/** The smallest unsigned array holding ids up to `maxId` (two bytes per entry up to 65,536 users). */
export function idArray(length: number, maxId: number): Uint32Array | Uint16Array {
  return maxId < 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

export type Counts = Uint8Array | Uint16Array | Uint32Array;

/** The smallest unsigned array holding counts up to `max`. */
export function countArray(length: number, max: number): Counts {
  if (max < 0x100) return new Uint8Array(length);
  return max < 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/**
 * Summarises a day's logins: `t` ms since the day began (any order), `ids` the user of each login.
 * Pure and independent of how ids were assigned, so the job (dictionary ids) and the index (its own ids)
 * share it.
 */
export function buildDaySlots(t: ArrayLike<number>, ids: ArrayLike<number>): DaySlots {
  const n = t.length;
  // Sort logins by (slot, id) so that repeats of a user in a slot are adjacent.
  const order = Array.from({ length: n }, (_, i) => i);
  const slotOf = (i: number) => Math.floor((t[i] ?? 0) / SLOT_MS);
  order.sort((a, b) => slotOf(a) - slotOf(b) || (ids[a] ?? 0) - (ids[b] ?? 0));
  const offsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const loginsBefore = new Uint32Array(SLOTS_PER_DAY + 1);
  const entryIds: number[] = [];
  const multiAt: number[] = [];
  const multiCount: number[] = [];
  let maxId = 0;
  for (let k = 0; k < n;) {
    const i = order[k] ?? 0;
    const slot = slotOf(i);
    if (slot < 0 || slot >= SLOTS_PER_DAY)
      throw new RangeError(`buildDaySlots: ${t[i]} ms is outside the day`);
    const id = ids[i] ?? 0;
    let count = 0;
    while (k < n && slotOf(order[k] ?? 0) === slot && ids[order[k] ?? 0] === id) {
      k += 1;
      count += 1;
    }
    if (count > 1) {
      multiAt.push(entryIds.length);
      multiCount.push(count);
    }
    entryIds.push(id);
    if (id > maxId) maxId = id;
    offsets[slot + 1] = entryIds.length;
    loginsBefore[slot + 1] = (loginsBefore[slot + 1] ?? 0) + count;
  }
  // Empty slots carry the previous offset forward; per-slot login counts become running sums.
  for (let s = 1; s <= SLOTS_PER_DAY; s += 1) {
    offsets[s] = Math.max(offsets[s] ?? 0, offsets[s - 1] ?? 0);
    loginsBefore[s] = (loginsBefore[s] ?? 0) + (loginsBefore[s - 1] ?? 0);
  }
  const idsArray = idArray(entryIds.length, maxId);
  idsArray.set(entryIds);
  return {
    offsets,
    ids: idsArray,
    loginsBefore,
    multiAt: Uint32Array.from(multiAt),
    multiCount: Uint32Array.from(multiCount),
  };
}

/**
 * Adds each user's logins in `slots` to `totals[id]` (ids past its end left out): one login per entry, or the
 * entry's repeat count.
 */
export function addLoginsPerUser(totals: Uint32Array | Float64Array, slots: DaySlots): void {
  const { ids, multiAt, multiCount } = slots;
  for (let e = 0, m = 0; e < ids.length; e += 1) {
    const id = ids[e] as number;
    const count = multiAt[m] === e ? ((multiCount[m++] as number) ?? 1) : 1;
    if (id < totals.length) totals[id] = (totals[id] as number) + count;
  }
}

/**
 * One summary of a day from several (an open day's base and the segments appended to it): per slot each user
 * once, with the logins of all of them. Pure; the result is what buildDaySlots gives for all their logins.
 */
export function mergeDaySlots(list: readonly DaySlots[]): DaySlots {
  return list.length === 1 ? (list[0] as DaySlots) : rebuiltDaySlots(list);
}

/** The summaries' entries expanded to their logins and summarised again (each slot's users sorted). */
export function rebuiltDaySlots(list: readonly DaySlots[]): DaySlots {
  const t: number[] = [];
  const ids: number[] = [];
  for (const slots of list) {
    let multi = 0;
    for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
      for (let e = slots.offsets[s] ?? 0; e < (slots.offsets[s + 1] ?? 0); e += 1) {
        let count = 1;
        if (slots.multiAt[multi] === e) count = slots.multiCount[multi++] ?? 1;
        // Every login of the entry, at the slot's start: buildDaySlots needs only the slot.
        for (let k = 0; k < count; k += 1) {
          t.push(s * SLOT_MS);
          ids.push(slots.ids[e] ?? 0);
        }
      }
    }
  }
  return buildDaySlots(t, ids);
}

/** Whether each slot's users are in ascending order, as built (readers find a user in a slot by bisection). */
export function usersInOrder(slots: Pick<DaySlots, 'offsets' | 'ids'>): boolean {
  const { offsets, ids } = slots;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (let e = (offsets[s] as number) + 1; e < (offsets[s + 1] as number); e += 1)
      if ((ids[e - 1] as number) >= (ids[e] as number)) return false;
  }
  return true;
}
