import { bucketBounds } from '../time/buckets';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../core/units';
import type { LoginIndex, RawSlots } from './login-index';

export const USER_SORTS = ['lastSeen', 'firstSeen', 'logins', 'activeDays', 'name'] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** One user's activity in a range: first and last login in it (exact), logins, local days with a login. */
export interface UserRow {
  name: string;
  firstSeen: number;
  lastSeen: number;
  logins: number;
  activeDays: number;
}

export interface Tally {
  id: number;
  first: number;
  firstExact: boolean;
  last: number;
  lastExact: boolean;
  logins: number;
  activeDays: number;
}

/**
 * Everybody's activity in [start, end), from the index: per whole slot (first and last known to the slot)
 * and per login in the cut slots at the edges. `tz` makes the days of `activeDays`. Tallied in arrays by user
 * id (a year holds millions of (user, slot) entries: no object or map lookup per entry), rows made at the end.
 */
export function tallyUsers(
  index: LoginIndex,
  start: number,
  end: number,
  tz: string,
  raw: RawSlots
): Tally[] {
  // Only the days holding data: a range of 6,000 years costs what its data days cost.
  const extent = index.extent;
  if (!extent || Math.max(start, extent.start) >= Math.min(end, extent.end)) return [];
  const days = bucketBounds(Math.max(start, extent.start), Math.min(end, extent.end), 'day', tz);
  const activity = index.activity(start, end, days, raw);
  if (!activity) return [];
  return activity.ids.map((id) => ({
    id,
    first: activity.first[id] as number,
    firstExact: ((activity.exact[id] as number) & 1) !== 0,
    last: activity.last[id] as number,
    lastExact: ((activity.exact[id] as number) & 2) !== 0,
    logins: activity.logins[id] as number,
    activeDays: activity.activeDays[id] as number,
  }));
}

/**
 * The slots holding logins of the first and the last UTC day with data in [start, end): where a page's
 * first and last logins mostly are (people active in a range are mostly active on its first and last days).
 */
export function edgeDaySlots(index: LoginIndex, start: number, end: number): number[] {
  const extent = index.extent;
  if (!extent) return [];
  const from = Math.max(start, extent.start);
  const to = Math.min(end, extent.end);
  if (from >= to) return [];
  const days = new Set([Math.floor(from / DAY_MS), Math.floor((to - 1) / DAY_MS)]);
  const slots: number[] = [];
  for (const day of days)
    for (let s = day * SLOTS_PER_DAY; s < (day + 1) * SLOTS_PER_DAY; s += 1)
      if (index.slotLogins(s) > 0) slots.push(s);
  return slots;
}

/** The slots whose logins make these rows' first and last logins exact (or only their last logins). */
export function slotsToRefine(tallies: readonly Tally[], which: 'both' | 'last' = 'both'): number[] {
  const slots = new Set<number>();
  for (const t of tallies) {
    if (!t.firstExact && which === 'both') slots.add(Math.floor(t.first / SLOT_MS));
    if (!t.lastExact) slots.add(Math.floor(t.last / SLOT_MS));
  }
  return [...slots];
}

/** Exact first and last logins from the slots' logins (a slot-level value is its slot's start). */
export function refine(tallies: readonly Tally[], raw: RawSlots): void {
  for (const t of tallies) {
    if (!t.firstExact) {
      const at = loginInSlot(raw, Math.floor(t.first / SLOT_MS), t.id, 'first');
      if (at !== undefined) [t.first, t.firstExact] = [at, true];
    }
    if (!t.lastExact) {
      const at = loginInSlot(raw, Math.floor(t.last / SLOT_MS), t.id, 'last');
      if (at !== undefined) [t.last, t.lastExact] = [at, true];
    }
  }
}

function loginInSlot(raw: RawSlots, slot: number, id: number, which: 'first' | 'last'): number | undefined {
  const logins = raw.get(slot);
  if (!logins) return undefined;
  const dayStart = Math.floor((slot * SLOT_MS) / DAY_MS) * DAY_MS;
  let found: number | undefined;
  for (let k = 0; k < logins.t.length; k += 1) {
    if (logins.u[k] !== id) continue;
    found = dayStart + (logins.t[k] as number);
    if (which === 'first') return found;
  }
  return found;
}

function key(t: Tally, sort: UserSort): number {
  switch (sort) {
    case 'lastSeen':
      return t.last;
    case 'firstSeen':
      return t.first;
    case 'logins':
      return t.logins;
    case 'activeDays':
      return t.activeDays;
    case 'name':
      return 0;
  }
}

/** How a page of the user table is sorted and cut. */
export interface PageOptions {
  sort: UserSort;
  descending: boolean;
  limit: number;
  nameOf: (id: number) => string;
}

/** Ties (and `sort=name`) by name: in the requested direction when sorting by name, else ascending. */
function nameOrder({ sort, descending, nameOf }: PageOptions): (a: Tally, b: Tally) => number {
  const sign = sort === 'name' && descending ? -1 : 1;
  return (a, b) => {
    const x = nameOf(a.id);
    const y = nameOf(b.id);
    return sign * (x < y ? -1 : x > y ? 1 : 0);
  };
}

/**
 * Sorts and pages the tallies. First and last logins are known to the slot until refined, so a page sorted
 * by them takes every row sharing the boundary row's slot, to be refined and sorted again (pageRows). Only
 * the rows that can be on the page are sorted: the boundary key is found among the keys alone (a typed-array
 * sort), so a year's 5,000 users cost one numeric sort, not 60,000 comparisons through names.
 */
export function candidates(tallies: Tally[], options: PageOptions): Tally[] {
  const { sort, descending, limit } = options;
  const sign = descending ? -1 : 1;
  const byName = nameOrder(options);
  const coarse = (t: Tally) =>
    sort === 'firstSeen' || sort === 'lastSeen' ? Math.floor(key(t, sort) / SLOT_MS) : key(t, sort);
  let rows = tallies;
  if (tallies.length > limit && sort !== 'name') {
    // Keys in page order (ascending after the sign): the limit-th is the boundary.
    const keys = Float64Array.from(tallies, (t) => sign * coarse(t)).sort();
    const boundary = keys[limit - 1] as number;
    rows = tallies.filter((t) => sign * coarse(t) <= boundary);
  }
  rows.sort((a, b) => sign * (coarse(a) - coarse(b)) || byName(a, b));
  if (rows.length <= limit) return rows;
  const boundary = coarse(rows[limit - 1] as Tally);
  let n = limit;
  while (n < rows.length && coarse(rows[n] as Tally) === boundary) n += 1;
  return rows.slice(0, n);
}

/** The page after refinement: exact order, cut to `limit`. */
export function pageRows(tallies: Tally[], options: PageOptions): UserRow[] {
  const { sort, descending, limit, nameOf } = options;
  const sign = descending ? -1 : 1;
  const byName = nameOrder(options);
  tallies.sort((a, b) => sign * (key(a, sort) - key(b, sort)) || byName(a, b));
  return tallies.slice(0, limit).map((t) => ({
    name: nameOf(t.id),
    firstSeen: t.first,
    lastSeen: t.last,
    logins: t.logins,
    activeDays: t.activeDays,
  }));
}
