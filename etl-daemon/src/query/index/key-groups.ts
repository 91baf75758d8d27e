import { bitsFor, setBit } from '../../core/bitset';
import type { Piece } from '../../core/slots';
import { cutPieces, slotSplit } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS, SLOTS_PER_DAY } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import { UNKNOWN_KEY_ID } from './key-first-seen';
import type { UserMask } from './user-mask';
import { inMask } from './user-mask';

/** Marks `id` in the bitset of its key's group and adds its logins (keys of no group, -1, are skipped). */
type Mark = (id: number, key: number, logins: number) => void;

/**
 * The entries of whole slots [s0, s1) of a day, each with its key and logins (a day without a split: the
 * unknown key).
 */
function markSlots(day: IndexedDay, s0: number, s1: number, mark: Mark): void {
  const source = day.dims ?? day.slots;
  const { offsets, ids, multiAt, multiCount } = source;
  const keys = day.dims?.keys;
  const e0 = offsets[s0] as number;
  let m = lowerBound(multiAt, e0);
  for (let e = e0; e < (offsets[s1] as number); e += 1) {
    const logins = multiAt[m] === e ? (multiCount[m++] as number) : 1;
    mark(ids[e] as number, keys ? (keys[e] as number) : UNKNOWN_KEY_ID, logins);
  }
}

/**
 * The users of [from, to) of each group of request keys (`groupOfKey[key]`, -1: none), as bitsets: whole
 * slots from the days' split by key, the slots the range's edges cut from their logins (only the mask's users,
 * with a mask). Exact, in one pass
 * over the range's entries, for every group at once (a breakdown's ranking of its values).
 */
export function usersByKeyGroup(
  days: DayStore,
  range: { from: number; to: number; raw: RawSlots | undefined },
  groups: { groupOfKey: Int32Array; count: number; userCount: number; mask?: UserMask | undefined }
): KeyGroupUsers {
  const bits = Array.from({ length: groups.count }, () => bitsFor(groups.userCount));
  const logins = new Float64Array(groups.count);
  const { groupOfKey } = groups;
  const mark: Mark = (id, key, n) => {
    const group = key < groupOfKey.length ? (groupOfKey[key] as number) : -1;
    if (group < 0 || !inMask(groups.mask, id)) return;
    setBit(bits[group] as Uint32Array, id);
    logins[group] = (logins[group] as number) + n;
  };
  const { from, to, raw } = range;
  for (let dayNumber = Math.floor(from / DAY_MS); dayNumber * DAY_MS < to; dayNumber += 1) {
    const day = days.get(dayNumber);
    if (!day) continue;
    const base = dayNumber * DAY_MS;
    const split = slotSplit(Math.max(from - base, 0), Math.min(to - base, DAY_MS));
    if (split.s0 === 0 && split.s1 === SLOTS_PER_DAY && !day.dims) {
      // A day without a split is all the unknown key: its bitset is the group's day.
      if ((groupOfKey[UNKNOWN_KEY_ID] ?? -1) >= 0) markSlots(day, 0, SLOTS_PER_DAY, mark);
      continue;
    }
    if (split.s0 < split.s1) markSlots(day, split.s0, split.s1, mark);
    for (const piece of cutPieces(split)) markPiece(days, { dayNumber, day, piece, raw }, mark);
  }
  return { bits, logins };
}

/** Per group of keys: its users (a bitset sized for every user) and its logins. */
export interface KeyGroupUsers {
  bits: Uint32Array[];
  logins: Float64Array;
}

/** The logins of a piece of one slot, each with its key. */
function markPiece(
  days: DayStore,
  at: { dayNumber: number; day: IndexedDay; piece: Piece; raw: RawSlots | undefined },
  mark: Mark
): void {
  const [s, lo, hi] = at.piece;
  const logins = days.rawOf(at.dayNumber, at.day, s, at.raw);
  if (!logins) return;
  for (let k = lowerBound(logins.t, lo); k < logins.t.length && (logins.t[k] as number) < hi; k += 1)
    mark(logins.u[k] as number, logins.k ? (logins.k[k] as number) : UNKNOWN_KEY_ID, 1);
}
