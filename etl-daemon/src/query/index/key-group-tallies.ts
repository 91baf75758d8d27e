import { countBits } from '../../core/bitset';
import { ByteBoundedCache } from '../../core/bounded-cache';
import { idArray } from '../../core/day-slots';
import { DAY_MS } from '../../core/units';

/** Per group of keys: its users (a bitset sized for every user) and its logins. */
export interface KeyGroupUsers {
  bits: Uint32Array[];
  logins: Float64Array;
}

/** Per group of request keys over one range: its users as ascending ids, and its logins. */
export interface KeyGroupTally {
  users: (Uint16Array | Uint32Array)[];
  logins: Float64Array;
}

/** The ids set in a bitset, ascending, in the smallest array that holds them. */
function idsOf(bits: Uint32Array): Uint16Array | Uint32Array {
  const out = idArray(countBits(bits), bits.length * 32);
  let n = 0;
  for (let w = 0; w < bits.length; w += 1) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      out[n] = w * 32 + 31 - Math.clz32(low);
      n += 1;
      word ^= low;
    }
  }
  return out;
}

/**
 * Groups' users as id lists rather than bitsets: a group's users in one bucket are few beside everyone (a
 * handler's week), and a list is what a union of several groups walks.
 */
export function tallyOf(users: KeyGroupUsers): KeyGroupTally {
  return { users: users.bits.map(idsOf), logins: users.logins };
}

/** The distinct users of several groups of a tally: each list's ids set in `scratch` (zero, and zeroed after). */
export function unionCount(tally: KeyGroupTally, groups: readonly number[], scratch: Uint32Array): number {
  let n = 0;
  for (const g of groups) {
    const ids = tally.users[g] as Uint16Array | Uint32Array;
    for (let e = 0; e < ids.length; e += 1) {
      const id = ids[e] as number;
      const word = id >>> 5;
      const bit = 1 << (id & 31);
      if (((scratch[word] as number) & bit) === 0) {
        scratch[word] = (scratch[word] as number) | bit;
        n += 1;
      }
    }
  }
  scratch.fill(0);
  return n;
}

interface Kept {
  from: number;
  to: number;
  tally: KeyGroupTally;
}

const bytesOf = (kept: Kept) =>
  kept.tally.users.reduce((n, ids) => n + ids.byteLength + 64, kept.tally.logins.byteLength + 96);

/**
 * The tallies of the ranges a grouping was asked about (a breakdown's buckets), kept within `cacheBytes`
 * until a day they overlap changes: a dashboard's range moved by a bucket finds every other bucket here, so
 * only the new one is counted.
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

  /** The tally of [from, to): kept, or counted by `count` and kept. */
  tally(from: number, to: number, count: () => KeyGroupUsers): KeyGroupTally {
    const key = `${from}:${to}`;
    let kept = this.kept.get(key);
    if (!kept) {
      kept = { from, to, tally: tallyOf(count()) };
      this.kept.set(key, kept);
    }
    return kept.tally;
  }
}
