import { bitsFor, countBits, forEachBit, orInto, setBits } from '../../core/bitset';
import { ByteBoundedCache } from '../../core/bounded-cache';
import { idArray } from '../../core/day-slots';
import { DAY_MS } from '../../core/units';

/** Per group of keys: its users (a bitset sized for every user) and its logins. */
export interface KeyGroupUsers {
  bits: Uint32Array[];
  logins: Float64Array;
}

/**
 * A group's users over one range: as ascending ids, or as a bitset where that is smaller (a handler used by
 * most people in a week); `count` of them.
 */
export interface GroupUsers {
  count: number;
  ids: Uint16Array | Uint32Array | undefined;
  bits: Uint32Array | undefined;
}

/**
 * Per group of request keys over one range: its users, and its logins; `unions` keeps the distinct users of
 * the few sets of groups asked about (a breakdown's merged rest asks the same set at every refresh).
 */
export interface KeyGroupTally {
  users: GroupUsers[];
  logins: Float64Array;
  unions?: Map<string, number>;
}

/** Sets of groups whose union a tally keeps (a dashboard's few breakdowns); more start the list again. */
const KEPT_UNIONS = 8;

/** No users and no logins in each of `count` groups. */
export function emptyKeyGroupUsers(count: number, userCount: number): KeyGroupUsers {
  return { bits: Array.from({ length: count }, () => bitsFor(userCount)), logins: new Float64Array(count) };
}

/** A bitset's users in the smaller of the two forms: ids in the smallest array that holds them, or the bitset. */
function groupUsers(bits: Uint32Array): GroupUsers {
  const count = countBits(bits);
  const maxId = bits.length * 32 - 1;
  if (count * idArray(0, maxId).BYTES_PER_ELEMENT >= bits.byteLength) return { count, ids: undefined, bits };
  const ids = idArray(count, maxId);
  let n = 0;
  forEachBit(bits, (id) => {
    ids[n++] = id;
  });
  return { count, ids, bits: undefined };
}

/** Groups' users from bitsets into the smaller form each (a group's users in one bucket are often few). */
export function tallyOf(users: KeyGroupUsers): KeyGroupTally {
  return { users: users.bits.map(groupUsers), logins: users.logins };
}

/** Adds a group's users to a bitset sized for every user. */
function addUsers(target: Uint32Array, users: GroupUsers): void {
  if (users.bits) orInto(target, users.bits);
  else if (users.ids) setBits(target, users.ids);
}

/**
 * The distinct users of several groups of a tally (one group: its count); `scratch` is a zero bitset sized for
 * every user, zero again after.
 */
export function unionCount(tally: KeyGroupTally, groups: readonly number[], scratch: Uint32Array): number {
  if (groups.length === 1) return tally.users[groups[0] as number]?.count ?? 0;
  const key = groups.join(',');
  const kept = tally.unions?.get(key);
  if (kept !== undefined) return kept;
  for (const g of groups) addUsers(scratch, tally.users[g] as GroupUsers);
  const n = countBits(scratch);
  scratch.fill(0);
  if (!tally.unions || tally.unions.size >= KEPT_UNIONS) tally.unions = new Map();
  tally.unions.set(key, n);
  return n;
}

/** Each group's users and logins over the ranges of several tallies together (ranges that do not overlap). */
export function rangeUsers(
  tallies: readonly KeyGroupTally[],
  count: number,
  userCount: number
): KeyGroupUsers {
  const { bits, logins } = emptyKeyGroupUsers(count, userCount);
  for (const tally of tallies) {
    for (let g = 0; g < count; g += 1) {
      addUsers(bits[g] as Uint32Array, tally.users[g] as GroupUsers);
      logins[g] = (logins[g] as number) + (tally.logins[g] as number);
    }
  }
  return { bits, logins };
}

interface Kept {
  from: number;
  to: number;
  tally: KeyGroupTally;
}

const bytesOf = (kept: Kept) =>
  kept.tally.users.reduce(
    (n, u) => n + (u.ids?.byteLength ?? 0) + (u.bits?.byteLength ?? 0) + 64,
    kept.tally.logins.byteLength + 96
  );

/**
 * The tallies of the ranges groupings were asked about (breakdowns' buckets), kept within `cacheBytes` until a
 * day they overlap changes: a dashboard's range moved by a bucket finds every other bucket here, so only the
 * new one is counted. One store for every grouping: a year of weekly buckets of 50 handlers at 100 M requests
 * takes tens of MB, more than a share per grouping would hold.
 */
export class KeyGroupTallies {
  private readonly kept: ByteBoundedCache<string, Kept>;

  constructor(cacheBytes: number) {
    this.kept = new ByteBoundedCache(cacheBytes, bytesOf);
  }

  /** Drops the tallies of ranges overlapping a day (replaced in the index). */
  dayChanged(dayNumber: number): void {
    const from = dayNumber * DAY_MS;
    this.kept.deleteWhere((kept) => kept.from < from + DAY_MS && kept.to > from);
  }

  /** The tally of a grouping (named by `grouping`) over [from, to): kept, or counted by `count` and kept. */
  tally(grouping: string, from: number, to: number, count: () => KeyGroupUsers): KeyGroupTally {
    const key = `${grouping}|${from}:${to}`;
    let kept = this.kept.get(key);
    if (!kept) {
      kept = { from, to, tally: tallyOf(count()) };
      this.kept.set(key, kept);
    }
    return kept.tally;
  }
}
