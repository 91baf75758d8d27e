import { slotSplit } from '../../core/slots';
import type { Piece } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS, SLOT_MS } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import { dayRepeats } from './indexed-day';

/** Called per user and slot (count logins at the slot's start), or per login of a cut slot (exact). */
export type LoginVisitor = (id: number, at: number, count: number, exact: boolean) => void;

/**
 * Visits the logins of [from, to) in time order, grouped as the index holds them: per whole slot each user
 * once with their login count and the slot's start (`exact` false), and in slots cut by `from` or `to` each
 * login with its own instant (`exact` true, read from `raw`). For per-user tables.
 */
export function visitLogins(
  days: DayStore,
  range: { from: number; to: number; raw: RawSlots | undefined },
  visit: LoginVisitor
): void {
  const { from, to, raw } = range;
  for (let dayNumber = Math.floor(from / DAY_MS); dayNumber * DAY_MS < to; dayNumber += 1) {
    const day = days.get(dayNumber);
    if (!day) continue;
    const base = dayNumber * DAY_MS;
    const split = slotSplit(Math.max(from - base, 0), Math.min(to - base, DAY_MS));
    const piece = (cut: Piece) => {
      const logins = days.rawOf(dayNumber, day, cut[0], raw);
      if (!logins) return;
      for (
        let k = lowerBound(logins.t, cut[1]);
        k < logins.t.length && (logins.t[k] as number) < cut[2];
        k += 1
      )
        visit(logins.u[k] as number, base + (logins.t[k] as number), 1, true);
    };
    if (split.before) piece(split.before);
    visitSlots(day, base, split, visit);
    if (split.after) piece(split.after);
  }
}

/** Each user of whole slots [s0, s1) of a day once per slot, with their logins in it. */
function visitSlots(
  day: IndexedDay,
  base: number,
  { s0, s1 }: { s0: number; s1: number },
  visit: LoginVisitor
): void {
  const { offsets, ids, multiAt, multiCount } = day.slots;
  let m = lowerBound(multiAt, offsets[s0] as number);
  for (let s = s0; s < s1; s += 1) {
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const count = multiAt[m] === e ? (multiCount[m++] as number) : 1;
      visit(ids[e] as number, base + s * SLOT_MS, count, false);
    }
  }
}

/**
 * Adds each user's logins in [from, to) to `into` (indexed by user id), listing in `touched` every id it
 * raises from zero: whole UTC days from their users' bitset and repeat counts (no entry walked), the parts of
 * cut days login by login (visitLogins).
 */
export function addLoginsPerUser(
  days: DayStore,
  range: { from: number; to: number; raw: RawSlots | undefined },
  into: Uint32Array,
  touched: number[]
): void {
  const { from, to, raw } = range;
  const add = (id: number, count: number) => {
    if (into[id] === 0) touched.push(id);
    into[id] = (into[id] as number) + count;
  };
  const wholeFrom = Math.ceil(from / DAY_MS);
  const wholeTo = Math.floor(to / DAY_MS);
  if (wholeFrom >= wholeTo) {
    visitLogins(days, range, (id, _at, count) => add(id, count));
    return;
  }
  if (from < wholeFrom * DAY_MS)
    visitLogins(days, { from, to: wholeFrom * DAY_MS, raw }, (id, _at, count) => add(id, count));
  for (let d = wholeFrom; d < wholeTo; d += 1) {
    const day = days.get(d);
    if (day) addWholeDay(day, into, touched);
  }
  if (wholeTo * DAY_MS < to)
    visitLogins(days, { from: wholeTo * DAY_MS, to, raw }, (id, _at, count) => add(id, count));
}

/** A whole day's logins per user: one per user of its bitset, plus each repeater's further logins. */
function addWholeDay(day: IndexedDay, into: Uint32Array, touched: number[]): void {
  // Loops written out (no callback per user): this runs for every day of every bucket of a breakdown.
  const { bits } = day;
  for (let w = 0; w < bits.length; w += 1) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      const id = (w << 5) + (31 - Math.clz32(low));
      if (into[id] === 0) touched.push(id);
      into[id] = (into[id] as number) + 1;
      word ^= low;
    }
  }
  const { ids, counts } = dayRepeats(day);
  for (let k = 0; k < ids.length; k += 1) {
    const id = ids[k] as number;
    into[id] = (into[id] as number) + (counts[k] as number) - 1;
  }
}
