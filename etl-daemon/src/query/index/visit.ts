import { slotSplit } from '../../core/slots';
import type { Piece } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS, SLOT_MS } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';

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
