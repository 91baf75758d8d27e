import { bitsFor, countBits, setBits } from '../../core/bitset';
import type { Counts, DaySlots } from '../../core/day-slots';
import { addLoginsPerUser, countArray, idArray } from '../../core/day-slots';
import type { DimSlots } from '../../core/dim-slots';
import { dimBytes } from '../../core/dim-slots';
import { lowerBound } from '../../core/sorted';
import { SLOT_MS, SLOTS_PER_DAY } from '../../core/units';

/** The logins of one slot (or a whole day), in time order: ms since the UTC day began, and index user ids. */
export interface RawLogins {
  t: Int32Array;
  u: Int32Array;
  /** Per login: the request key id (absent: all unknown). */
  k?: Int32Array;
}

/** The users of a day with more than one login and their day's login counts (everyone else logged in once). */
export interface Repeats {
  ids: Uint32Array | Uint16Array;
  counts: Counts;
}

/**
 * One UTC day: its slot summary with index ids, the dense bitset of its users, and the raw logins only when
 * the day was given as events (tests, small indexes); `serial` names this version of the day in caches.
 * `repeats` is found on first use (dayRepeats): only logins counted for a few users need it, and start-up
 * would otherwise find it for every day (15 % of a 20 M start-up's busy time, profiled).
 */
export interface IndexedDay {
  serial: number;
  slots: DaySlots;
  bits: Uint32Array;
  users: number;
  raw: RawLogins | undefined;
  repeats?: Repeats;
  /**
   * The day split by request key, built with `slots` and naming its users (core/dim-slots.ts); absent: every
   * login's key is unknown.
   */
  dims?: DimSlots | undefined;
}

let serials = 0;

/** Scratch per-user counts shared by every day built, zero between calls. */
let scratch = new Uint32Array(0);
/** Scratch for a day's repeaters (ids and counts) while they are found. */
let multiScratch = new Uint32Array(0);
let countScratch = new Uint32Array(0);

/** Indexes a day's summary for `userCount` users (ids below it), with its split by key when it has one. */
export function indexDay(
  slots: DaySlots,
  raw: RawLogins | undefined,
  userCount: number,
  dims?: DimSlots
): IndexedDay {
  const bits = bitsFor(userCount);
  setBits(bits, slots.ids);
  return {
    serial: (serials += 1),
    slots,
    bits,
    users: countBits(bits),
    raw,
    ...(dims ? { dims } : {}),
  };
}

/** The day's repeaters, found on first use and kept with the day. */
export function dayRepeats(day: IndexedDay): Repeats {
  day.repeats ??= findRepeats(day.slots, day.bits, day.bits.length * 32);
  return day.repeats;
}

/**
 * The users of a day with more than one login, and their day's login counts, in the smallest arrays that
 * hold them.
 */
function findRepeats(slots: DaySlots, bits: Uint32Array, userCount: number): Repeats {
  if (scratch.length < userCount) scratch = new Uint32Array(Math.max(userCount, scratch.length * 2, 1024));
  const counts = scratch;
  addLoginsPerUser(counts, slots);
  // The day's users in ascending order are its bitset's: no sort, and the scratch is cleared on the way. The
  // bits are walked here rather than through forEachBit's callback, and the repeaters gathered in typed
  // scratch.
  if (multiScratch.length < userCount)
    multiScratch = new Uint32Array(Math.max(userCount, multiScratch.length * 2));
  const found = multiScratch;
  if (countScratch.length < userCount) countScratch = new Uint32Array(multiScratch.length);
  const foundCount = countScratch;
  let n = 0;
  let max = 0;
  for (let w = 0; w < bits.length; w += 1) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      word ^= low;
      const id = w * 32 + 31 - Math.clz32(low);
      const count = counts[id] as number;
      counts[id] = 0;
      if (count > 1) {
        found[n] = id;
        foundCount[n] = count;
        n += 1;
        if (count > max) max = count;
      }
    }
  }
  const multiIds = idArray(n, n > 0 ? (found[n - 1] as number) : 0);
  const multiCounts = countArray(n, max);
  for (let k = 0; k < n; k += 1) {
    multiIds[k] = found[k] as number;
    multiCounts[k] = foundCount[k] as number;
  }
  return { ids: multiIds, counts: multiCounts };
}

/**
 * Adds each user's logins of the day to `totals[id]` (ids past its end left out). Nothing per user is kept
 * with a day for this: "who uses it" is the only reader, through totals of 32-day blocks, and start-up does
 * not pay for it.
 */
export function addDayLogins(totals: Uint32Array | Float64Array, day: IndexedDay): void {
  addLoginsPerUser(totals, day.slots);
}

/** A day's logins in total. */
export function dayLogins(day: IndexedDay): number {
  return day.slots.loginsBefore[SLOTS_PER_DAY] as number;
}

/** The logins of slot s (0 … 95) of a day. */
export function slotLoginCount(day: IndexedDay, s: number): number {
  return (day.slots.loginsBefore[s + 1] as number) - (day.slots.loginsBefore[s] as number);
}

/** The raw logins of slot s from a day that keeps them (days given as events). */
export function rawSlice(raw: RawLogins, s: number): RawLogins {
  const from = lowerBound(raw.t, s * SLOT_MS);
  const to = lowerBound(raw.t, (s + 1) * SLOT_MS, from);
  const slice = { t: raw.t.subarray(from, to), u: raw.u.subarray(from, to) };
  return raw.k ? { ...slice, k: raw.k.subarray(from, to) } : slice;
}

/** Bytes a day holds. */
export function dayBytes(day: IndexedDay): number {
  const s = day.slots;
  return (
    s.offsets.byteLength +
    s.ids.byteLength +
    s.loginsBefore.byteLength +
    s.multiAt.byteLength +
    s.multiCount.byteLength +
    day.bits.byteLength +
    (day.repeats ? day.repeats.ids.byteLength + day.repeats.counts.byteLength : 0) +
    (day.raw ? day.raw.t.byteLength + day.raw.u.byteLength + (day.raw.k?.byteLength ?? 0) : 0) +
    (day.dims ? dimBytes(day.dims) : 0)
  );
}

/**
 * The first (or last) slot of a day holding each of `ids` (ascending): a slot's entries are sorted by id, so a few users
 * are found by binary search in each slot; many by one pass over the day's entries.
 */
export function slotsOfUsers(day: IndexedDay, ids: readonly number[], which: 'first' | 'last'): number[] {
  const { offsets, ids: entries } = day.slots;
  if (ids.length * SLOTS_PER_DAY * 8 < entries.length) {
    return ids.map((id) => {
      for (let k = 0; k < SLOTS_PER_DAY; k += 1) {
        const s = which === 'first' ? k : SLOTS_PER_DAY - 1 - k;
        const e = lowerBound(entries, id, offsets[s], offsets[s + 1]);
        if (e < (offsets[s + 1] as number) && entries[e] === id) return s;
      }
      return 0;
    });
  }
  // slot + 1 of each wanted id (0: not wanted or not found yet), in an array as long as the largest id.
  const found = new Uint8Array((ids.at(-1) ?? 0) + 1);
  const wanted = new Uint8Array(found.length);
  for (const id of ids) wanted[id] = 1;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const id = entries[e] as number;
      if (id < wanted.length && wanted[id] === 1 && (which === 'last' || found[id] === 0)) found[id] = s + 1;
    }
  }
  return ids.map((id) => Math.max(0, (found[id] as number) - 1));
}
