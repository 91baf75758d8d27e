import { BitCounter, bitsFor, forEachNew, hasBit, setBit } from '../../core/bitset';
import { DAY_MS, SLOT_MS } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import { addDayLogins, slotsOfUsers } from './indexed-day';
import { TOTALS_BLOCK_LEVEL } from './spans';
import { visitLogins } from './visit';

/** Per user id: first and last login in a range (exact, or the start of its 15-minute slot), logins, active days. */
export interface Activity {
  /** The ids with a login in the range (in order of first sight: cut day, whole days by id, cut day). */
  ids: number[];
  first: Float64Array;
  last: Float64Array;
  /** Bit 1: `first` is exact; bit 2: `last` is exact (else the slot's start, to be refined). */
  exact: Uint8Array;
  logins: Float64Array;
  activeDays: Uint32Array;
}

/**
 * What the tally reads: the days, the users active in an interval (bitset), the logins per user of an
 * aligned block of 2^TOTALS_BLOCK_LEVEL days, and the slots cut at the edges.
 */
export interface ActivitySource {
  days: DayStore;
  userCount: number;
  active(a: number, b: number): Uint32Array;
  loginTotals(block: number): Uint32Array;
  raw: RawSlots | undefined;
}

/**
 * Everybody's activity in [from, to) (inside the days holding data): active days by the local days of
 * `dayBounds` (each an OR of cached day parts), logins from each whole UTC day's bitset and repeat counts,
 * first and last logins by finding, in the first (last) whole day a user appears in, their first (last)
 * slot. Only the UTC days the range cuts are read login by login. A year costs its days' bitsets, not its
 * millions of (user, slot) entries.
 */
export function tallyActivity(
  source: ActivitySource,
  range: { from: number; to: number; dayBounds: readonly number[] }
): Activity {
  const n = source.userCount;
  const t: Activity = {
    ids: [],
    first: new Float64Array(n),
    last: new Float64Array(n),
    exact: new Uint8Array(n),
    logins: new Float64Array(n),
    activeDays: new Uint32Array(n),
  };
  const seen = bitsFor(n);
  const wholeFrom = Math.ceil(range.from / DAY_MS);
  const wholeTo = Math.max(wholeFrom, Math.floor(range.to / DAY_MS));
  /** The users of the last cut day: their last login is known from its logins (lastsBackward skips them). */
  const lastCut = bitsFor(n);
  const visit = (a: number, b: number, mark?: Uint32Array) => {
    if (a >= b) return;
    visitLogins(source.days, { from: a, to: b, raw: source.raw }, (id, at, count, exact) => {
      note(t, seen, { id, at, count, exact });
      if (mark) setBit(mark, id);
    });
  };
  visit(range.from, Math.min(range.to, wholeFrom * DAY_MS));
  wholeDays(t, source, { seen, wholeFrom, wholeTo });
  visit(Math.max(range.from, wholeTo * DAY_MS), range.to, lastCut);
  lastsBackward(t, source, { wholeFrom, wholeTo, done: lastCut });
  const active = new BitCounter(seen.length);
  forEachLocalDay(range, (a, b) => active.add(source.active(a, b)));
  active.addCountsTo(t.activeDays);
  return t;
}

/**
 * The whole UTC days [wholeFrom, wholeTo): first slots of the users seen first in them, day by day, and
 * their logins, from the login totals of the aligned blocks they hold and day by day around those.
 */
function wholeDays(
  t: Activity,
  source: ActivitySource,
  options: { seen: Uint32Array; wholeFrom: number; wholeTo: number }
): void {
  const { seen, wholeFrom, wholeTo } = options;
  const blockFrom = Math.ceil(wholeFrom / 2 ** TOTALS_BLOCK_LEVEL);
  const blockTo = Math.max(blockFrom, Math.floor(wholeTo / 2 ** TOTALS_BLOCK_LEVEL));
  const inBlocks = (d: number) => d >> TOTALS_BLOCK_LEVEL >= blockFrom && d >> TOTALS_BLOCK_LEVEL < blockTo;
  for (let d = wholeFrom; d < wholeTo; d += 1) {
    const day = source.days.get(d);
    if (!day) continue;
    firstSightings(t, seen, d, day);
    if (!inBlocks(d)) addDayLogins(t.logins, day);
  }
  for (let j = blockFrom; j < blockTo; j += 1) addInto(t.logins, source.loginTotals(j));
}

/** target[i] += totals[i] for the ids both hold. */
function addInto(target: Float64Array, totals: Uint32Array): void {
  const n = Math.min(target.length, totals.length);
  for (let i = 0; i < n; i += 1) target[i] = (target[i] as number) + (totals[i] as number);
}

/** One login (or a slot's logins) of a day the range cuts, in time order. */
function note(
  t: Activity,
  seen: Uint32Array,
  login: { id: number; at: number; count: number; exact: boolean }
): void {
  const { id, at, count, exact } = login;
  if (!hasBit(seen, id)) {
    setBit(seen, id);
    t.ids.push(id);
    t.first[id] = at;
    t.last[id] = at;
    t.exact[id] = exact ? 3 : 0;
  } else if (at > (t.last[id] as number) || (at === t.last[id] && exact)) {
    t.last[id] = at;
    t.exact[id] = ((t.exact[id] as number) & 1) | (exact ? 2 : 0);
  }
  t.logins[id] = (t.logins[id] as number) + count;
}

/** The first slot of a whole UTC day's users seen for the first time. */
function firstSightings(t: Activity, seen: Uint32Array, d: number, day: IndexedDay): void {
  const fresh: number[] = [];
  forEachNew(day.bits, seen, (id) => fresh.push(id));
  if (fresh.length === 0) return;
  const slots = slotsOfUsers(day, fresh, 'first');
  fresh.forEach((id, k) => {
    t.ids.push(id);
    t.first[id] = d * DAY_MS + (slots[k] as number) * SLOT_MS;
  });
}

/**
 * Last logins: those seen in the last cut day have theirs from its logins; everybody else's is the last slot
 * of the last whole day they appear in (walked backwards), or else their login in the first cut day.
 */
function lastsBackward(
  t: Activity,
  source: ActivitySource,
  options: { wholeFrom: number; wholeTo: number; done: Uint32Array }
): void {
  const { done } = options;
  for (let d = options.wholeTo - 1; d >= options.wholeFrom; d -= 1) {
    const day = source.days.get(d);
    if (!day) continue;
    const pending: number[] = [];
    forEachNew(day.bits, done, (id) => pending.push(id));
    if (pending.length === 0) continue;
    const slots = slotsOfUsers(day, pending, 'last');
    pending.forEach((id, k) => {
      t.last[id] = d * DAY_MS + (slots[k] as number) * SLOT_MS;
      t.exact[id] = (t.exact[id] as number) & 1;
    });
  }
}

/** The local days of `dayBounds` cut to the range, in order. */
function forEachLocalDay(
  range: { from: number; to: number; dayBounds: readonly number[] },
  visit: (a: number, b: number) => void
): void {
  const { dayBounds } = range;
  for (let j = 0; j + 1 < dayBounds.length; j += 1) {
    const a = Math.max(range.from, dayBounds[j] as number);
    const b = Math.min(range.to, dayBounds[j + 1] as number);
    if (a < b) visit(a, b);
  }
}
