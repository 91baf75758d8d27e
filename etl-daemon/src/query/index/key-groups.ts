import { orInto, setBit } from '../../core/bitset';
import { ByteBoundedCache } from '../../core/bounded-cache';
import { blockLevel } from '../../core/slots';
import { MAX_BLOCK_LEVEL } from './spans';
import type { Piece } from '../../core/slots';
import { cutPieces, slotSplit } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import type { KeyGroupUsers } from './key-group-tallies';
import { emptyKeyGroupUsers } from './key-group-tallies';
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
  const { offsets, ids } = day.slots;
  const e0 = offsets[s0] as number;
  const e1 = offsets[s1] as number;
  if (!day.dims) {
    const { multiAt, multiCount } = day.slots;
    for (let e = e0, m = lowerBound(multiAt, e0); e < e1; e += 1)
      mark(ids[e] as number, UNKNOWN_KEY_ID, multiAt[m] === e ? (multiCount[m++] as number) : 1);
    return;
  }
  // Written out, not forEachDimEntry: a moved range's last bucket is marked again at every request.
  const { keys, runAt, runLength, multiAt, multiCount } = day.dims;
  let d = day.dims.offsets[s0] as number;
  let r = lowerBound(runAt, e0);
  let m = lowerBound(multiAt, d);
  for (let e = e0; e < e1; e += 1) {
    const end = d + (runAt[r] === e ? (runLength[r++] as number) : 1);
    for (; d < end; d += 1)
      mark(ids[e] as number, keys[d] as number, multiAt[m] === d ? (multiCount[m++] as number) : 1);
  }
}

/** What a ranking counts: the groups of keys, every user, and optionally only a mask's users. */
export interface KeyGroups {
  groupOfKey: Int32Array;
  count: number;
  userCount: number;
  mask?: UserMask | undefined;
}

/** Fresh bitsets of every group and a marker adding a user's entry (with its logins) to its key's group. */
function tally(groups: KeyGroups): { users: KeyGroupUsers; mark: Mark } {
  const { bits, logins } = emptyKeyGroupUsers(groups.count, groups.userCount);
  const { groupOfKey } = groups;
  const mark: Mark = (id, key, n) => {
    const group = key < groupOfKey.length ? (groupOfKey[key] as number) : -1;
    if (group < 0 || !inMask(groups.mask, id)) return;
    setBit(bits[group] as Uint32Array, id);
    logins[group] = (logins[group] as number) + n;
  };
  return { users: { bits, logins }, mark };
}

/** Marks the entries of [from, to) ms, whole days included, into `mark`. */
function markRange(
  days: DayStore,
  range: { from: number; to: number; raw: RawSlots | undefined },
  mark: Mark
): void {
  const { from, to, raw } = range;
  for (let dayNumber = Math.floor(from / DAY_MS); dayNumber * DAY_MS < to; dayNumber += 1) {
    const day = days.get(dayNumber);
    if (!day) continue;
    const base = dayNumber * DAY_MS;
    const split = slotSplit(Math.max(from - base, 0), Math.min(to - base, DAY_MS));
    if (split.s0 < split.s1) markSlots(day, split.s0, split.s1, mark);
    for (const piece of cutPieces(split)) markPiece(days, { dayNumber, day, piece, raw }, mark);
  }
}

/**
 * Each group's users and logins over aligned blocks of 2^k whole UTC days, built in one pass over a block's
 * entries and kept (bounded): a ranking's whole days are a few ORs of them,
 * as a range's are of the index's own day blocks (spans.ts), so a dashboard's refresh does not read a year of
 * entries again; a replaced day drops only the blocks holding it.
 */
export class KeyGroupBlocks {
  private readonly blocks: ByteBoundedCache<string, KeyGroupUsers>;

  constructor(
    private readonly days: DayStore,
    private readonly groups: KeyGroups,
    cacheBytes: number
  ) {
    this.blocks = new ByteBoundedCache(cacheBytes, (b) => b.bits.reduce((n, x) => n + x.byteLength, 64));
  }

  /** Drops the blocks holding a day (replaced in the index). */
  dayChanged(dayNumber: number): void {
    for (let k = 0; k <= MAX_BLOCK_LEVEL; k += 1) this.blocks.delete(`${k}:${dayNumber >> k}`);
  }

  block(level: number, index: number): KeyGroupUsers {
    const key = `${level}:${index}`;
    let found = this.blocks.get(key);
    if (!found) {
      const { users, mark } = tally({ ...this.groups, mask: undefined });
      const from = (index << level) * DAY_MS;
      markRange(this.days, { from, to: from + (1 << level) * DAY_MS, raw: undefined }, mark);
      found = users;
      this.blocks.set(key, found);
    }
    return found;
  }
}

/**
 * The users of [from, to) of each group of request keys (`groupOfKey[key]`, -1: none), as bitsets: whole
 * slots from the days' split by key, the slots the range's edges cut from their logins (only the mask's users,
 * with a mask). Exact, for every group at once (a breakdown's ranking of its values): without a mask, the
 * whole days through `blocks` (KeyGroupBlocks), the rest in one pass over its entries.
 */
export function usersByKeyGroup(
  days: DayStore,
  range: { from: number; to: number; raw: RawSlots | undefined },
  groups: KeyGroups & { blocks?: KeyGroupBlocks | undefined }
): KeyGroupUsers {
  const { users, mark } = tally(groups);
  const { from, to } = range;
  const wholeFrom = Math.ceil(from / DAY_MS);
  const wholeTo = Math.floor(to / DAY_MS);
  if (!groups.blocks || groups.mask || wholeFrom >= wholeTo) {
    markRange(days, range, mark);
    return users;
  }
  if (from < wholeFrom * DAY_MS) markRange(days, { ...range, to: wholeFrom * DAY_MS }, mark);
  for (let d = wholeFrom; d < wholeTo;) {
    const level = blockLevel(d, wholeTo, MAX_BLOCK_LEVEL);
    const block = groups.blocks.block(level, d >> level);
    for (let g = 0; g < groups.count; g += 1) {
      orInto(users.bits[g] as Uint32Array, block.bits[g] as Uint32Array);
      users.logins[g] = (users.logins[g] as number) + (block.logins[g] as number);
    }
    d += 1 << level;
  }
  if (wholeTo * DAY_MS < to) markRange(days, { ...range, from: wholeTo * DAY_MS }, mark);
  return users;
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
