/**
 * The index as it was before per-day slot summaries (git 181462d, src/query/login-index.ts), kept unchanged
 * as the scale benchmark's baseline: every login in memory (8 bytes each), hour bitsets up to 32,768 users.
 */
import { DAY_MS, HOUR_MS } from '../../src/core/units';
import { countBits, hasBit, orInto, setBit } from '../../src/core/bitset';

export type Metric = 'users' | 'logins' | 'new_users';
export const METRICS: readonly Metric[] = ['users', 'logins', 'new_users'];

/**
 * One UTC day of logins, sorted by time: `t` ms since the day began, `u` user id; `bits` its distinct users;
 * `hourFirst[h]` the index of hour h's first login; `hourBits` the users of each hour and of aligned runs of
 * 2, 4, 8 and 16 hours (HOUR_BLOCKS), when the user count keeps them small: a bucket cut at 18:15 then reads
 * two bitsets (16 h + 2 h) and 15 minutes of logins, not 18 hours of logins.
 */
interface IndexedDay {
  t: Int32Array;
  u: Int32Array;
  bits: Uint32Array;
  hourFirst: Int32Array;
  hourBits: Uint32Array | undefined;
  words: number;
}

/**
 * Runs of whole days are read through aligned blocks of 2^k days (k ≤ 10, about 2.8 years), each with the OR
 * of its days' bitsets: a week costs about 3 ORs instead of 7, a year about 10 instead of 365. Built on first
 * use, dropped when one of their days is replaced; they roughly double the memory of the day bitsets.
 */
const MAX_BLOCK_LEVEL = 10;

/** The distinct users and the number of logins of a run of days. */
interface DaySpan {
  bits: Uint32Array;
  logins: number;
}
const EMPTY_SPAN: DaySpan = { bits: new Uint32Array(0), logins: 0 };
/** Hour bitsets cost 46 × words × 4 bytes a day: kept up to 32,768 users (188 KB a day). */
const MAX_HOUR_BITSET_WORDS = 1024;
/** Intra-day blocks per level: 24 of one hour, 12 of two, 6 of four, 3 of eight and one of 16 hours. */
const HOUR_LEVEL_COUNT = [24, 12, 6, 3, 1];
/** Where each level starts in a day's hourBits, in bitsets; the last entry is their total (46). */
const HOUR_LEVEL_OFFSET = HOUR_LEVEL_COUNT.reduce(
  (offsets, count) => [...offsets, (offsets.at(-1) ?? 0) + count],
  [0]
);
const HOUR_BLOCKS = HOUR_LEVEL_OFFSET.at(-1) ?? 0;

/** A UTC day as loaded from home.login, in time order. */
export interface DayEvents {
  day: Date;
  users: readonly string[];
  /** Per login: index into `users`. */
  u: ArrayLike<number>;
  /** Per login: ms since the day began, ascending. */
  t: ArrayLike<number>;
}

/** Fills the 2-, 4-, 8- and 16-hour blocks of a day's hour bitsets from the one-hour ones. */
function buildHourBlocks(hourBits: Uint32Array, words: number): void {
  const block = (level: number, j: number) => {
    const offset = ((HOUR_LEVEL_OFFSET[level] ?? 0) + j) * words;
    return hourBits.subarray(offset, offset + words);
  };
  for (let level = 1; level < HOUR_LEVEL_COUNT.length; level += 1) {
    for (let j = 0; j < (HOUR_LEVEL_COUNT[level] ?? 0); j += 1) {
      orInto(block(level, j), block(level - 1, 2 * j));
      orInto(block(level, j), block(level - 1, 2 * j + 1));
    }
  }
}

/**
 * The largest block (of 2^level units, aligned to its size, up to 2^maxLevel) that starts at `at` and ends by
 * `to`: reading [from, to) block by block this way takes about 2·log2(to - from) blocks.
 */
function blockLevel(at: number, to: number, maxLevel: number): number {
  let level = 0;
  while (level < maxLevel && (at >> (level + 1)) << (level + 1) === at && at + (2 << level) <= to) level += 1;
  return level;
}

/** ORs the users of hours [from, to) of one day into `into` through the largest aligned hour blocks. */
function orHours(hourBits: Uint32Array, words: number, from: number, to: number, into: Uint32Array): void {
  // A block that ends by hour 24 always exists: level k holds 24 >> k blocks.
  for (let h = from; h < to;) {
    const level = blockLevel(h, to, HOUR_LEVEL_COUNT.length - 1);
    const offset = ((HOUR_LEVEL_OFFSET[level] ?? 0) + (h >> level)) * words;
    orInto(into, hourBits.subarray(offset, offset + words));
    h += 1 << level;
  }
}

function lowerBound(values: Int32Array | Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every login of home.login in memory (8 bytes each) with bitsets of distinct users per UTC day and hour. A
 * bucket's whole UTC days are an OR of day-block bitsets, the whole hours of its cut edge days an OR of
 * hour-block bitsets, and the minutes left are read login by login, so counts are exact for buckets of any
 * zone and any range, to the millisecond.
 */
export class LoginIndex {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly days = new Map<number, IndexedDay>();
  /** blocks[k - 1]: block j of level k ≥ 1 covers days [j·2^k, (j+1)·2^k); level 0 is `days` itself. */
  private readonly blocks = Array.from({ length: MAX_BLOCK_LEVEL }, () => new Map<number, DaySpan>());
  /** First login of each user id, ms; and the same values sorted, for counting new users per bucket. */
  private firstSeen = new Float64Array(0);
  private firstSeenSorted = new Float64Array(0);
  /** Set by replaceDays; first-seen times are recomputed only when a new-users count needs them. */
  private firstSeenStale = false;

  get userCount(): number {
    return this.names.length;
  }

  get loginCount(): number {
    let n = 0;
    for (const day of this.days.values()) n += day.t.length;
    return n;
  }

  /** Replaces the given days (an empty day removes its logins) and recomputes first-seen times. */
  replaceDays(updates: Iterable<DayEvents>): void {
    for (const update of updates) {
      const dayNumber = Math.floor(update.day.getTime() / DAY_MS);
      this.blocks.forEach((cache, k) => cache.delete(dayNumber >> (k + 1)));
      const local = Array.from(update.users, (name) => this.idOf(name));
      const n = update.t.length;
      const t = new Int32Array(n);
      const u = new Int32Array(n);
      for (let i = 0; i < n; i += 1) {
        t[i] = update.t[i] ?? 0;
        u[i] = local[update.u[i] ?? 0] ?? 0;
        if (i > 0 && (t[i] ?? 0) < (t[i - 1] ?? 0))
          throw new RangeError('LoginIndex: logins of a day must be in time order');
      }
      if (n === 0) {
        this.days.delete(dayNumber);
        continue;
      }
      const words = Math.ceil(this.names.length / 32);
      const bits = new Uint32Array(words);
      const hourFirst = new Int32Array(25);
      const hourBits = words <= MAX_HOUR_BITSET_WORDS ? new Uint32Array(HOUR_BLOCKS * words) : undefined;
      for (let h = 0, i = 0; h <= 24; h += 1) {
        while (i < n && (t[i] ?? 0) < h * HOUR_MS) i += 1;
        hourFirst[h] = i;
      }
      for (let i = 0; i < n; i += 1) {
        const id = u[i] ?? 0;
        setBit(bits, id);
        if (hourBits) {
          const word = Math.floor((t[i] ?? 0) / HOUR_MS) * words + (id >>> 5);
          hourBits[word] = (hourBits[word] ?? 0) | (1 << (id & 31));
        }
      }
      if (hourBits) buildHourBlocks(hourBits, words);
      this.days.set(dayNumber, { t, u, bits, hourFirst, hourBits, words });
    }
    this.firstSeenStale = true;
  }

  private idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  private computeFirstSeen(): void {
    if (!this.firstSeenStale) return;
    this.firstSeenStale = false;
    const first = new Float64Array(this.names.length).fill(Infinity);
    for (const dayNumber of [...this.days.keys()].sort((a, b) => a - b)) {
      const day = this.days.get(dayNumber);
      if (!day) continue;
      const base = dayNumber * DAY_MS;
      for (let i = 0; i < day.t.length; i += 1) {
        const id = day.u[i] ?? 0;
        if (first[id] === Infinity) first[id] = base + (day.t[i] ?? 0);
      }
    }
    this.firstSeen = first;
    this.firstSeenSorted = Float64Array.from(first).sort();
  }

  /** A bitset of the given users (unknown names match nobody). */
  userMask(names: readonly string[]): Uint32Array {
    const mask = new Uint32Array(Math.ceil(this.names.length / 32));
    for (const name of names) {
      const id = this.ids.get(name);
      if (id !== undefined) setBit(mask, id);
    }
    return mask;
  }

  /**
   * Counts per bucket [bounds[i], bounds[i+1]) ∩ [start, end): distinct users, logins, and users whose
   * first login ever falls in it; optionally only for the users in `mask`.
   */
  count(
    bounds: readonly number[],
    start: number,
    end: number,
    metrics: readonly Metric[],
    mask?: Uint32Array
  ): Record<Metric, number[]> {
    const result: Record<Metric, number[]> = { users: [], logins: [], new_users: [] };
    const scratch = new Uint32Array(Math.ceil(this.names.length / 32));
    const wantUsers = metrics.includes('users');
    const wantLogins = metrics.includes('logins');
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const a = Math.max(bounds[i] ?? 0, start);
      const b = Math.min(bounds[i + 1] ?? 0, end);
      if (wantUsers || wantLogins) {
        scratch.fill(0);
        const logins = a < b ? this.scan(a, b, scratch, mask, wantUsers) : 0;
        if (wantUsers) result.users.push(countBits(scratch));
        if (wantLogins) result.logins.push(logins);
      }
      if (metrics.includes('new_users')) result.new_users.push(a < b ? this.newUsers(a, b, mask) : 0);
    }
    return result;
  }

  /** Marks the users of [a, b) in `into` and returns the number of logins. */
  private scan(
    a: number,
    b: number,
    into: Uint32Array,
    mask: Uint32Array | undefined,
    wantUsers: boolean
  ): number {
    let logins = 0;
    const wholeFrom = Math.ceil(a / DAY_MS);
    const wholeTo = Math.floor(b / DAY_MS);
    for (let dayNumber = Math.floor(a / DAY_MS); dayNumber * DAY_MS < b; dayNumber += 1) {
      if (!mask && dayNumber >= wholeFrom && dayNumber < wholeTo) {
        logins += this.orWholeDays(dayNumber, wholeTo, into, wantUsers);
        dayNumber = wholeTo - 1;
        continue;
      }
      const day = this.days.get(dayNumber);
      if (!day) continue;
      const base = dayNumber * DAY_MS;
      const lo = Math.max(a - base, 0);
      const hi = Math.min(b - base, DAY_MS);
      // Whole hours inside the cut: their bitsets (unfiltered case); the ragged edges login by login.
      const firstHour = Math.ceil(lo / HOUR_MS);
      const lastHour = Math.floor(hi / HOUR_MS);
      if (!mask && day.hourBits && firstHour < lastHour) {
        if (wantUsers) orHours(day.hourBits, day.words, firstHour, lastHour, into);
        logins += (day.hourFirst[lastHour] ?? 0) - (day.hourFirst[firstHour] ?? 0);
        logins += this.mark(day, lo, firstHour * HOUR_MS, into, undefined);
        logins += this.mark(day, lastHour * HOUR_MS, hi, into, undefined);
      } else {
        logins += this.mark(day, lo, hi, into, mask);
      }
    }
    return logins;
  }

  /** ORs the users of days [from, to) into `into` through the largest aligned blocks; returns the logins. */
  private orWholeDays(from: number, to: number, into: Uint32Array, wantUsers: boolean): number {
    let logins = 0;
    for (let d = from; d < to;) {
      const level = blockLevel(d, to, MAX_BLOCK_LEVEL);
      const span = this.span(level, d >> level);
      if (wantUsers) orInto(into, span.bits);
      logins += span.logins;
      d += 1 << level;
    }
    return logins;
  }

  /** Block j of level k (see MAX_BLOCK_LEVEL), built from its two halves on first use. */
  private span(level: number, j: number): DaySpan {
    if (level === 0) {
      const day = this.days.get(j);
      return day ? { bits: day.bits, logins: day.t.length } : EMPTY_SPAN;
    }
    const cache = this.blocks[level - 1];
    const cached = cache?.get(j);
    if (cached) return cached;
    const left = this.span(level - 1, 2 * j);
    const right = this.span(level - 1, 2 * j + 1);
    let span: DaySpan;
    if (right.logins === 0) span = left;
    else if (left.logins === 0) span = right;
    else {
      const bits = new Uint32Array(Math.max(left.bits.length, right.bits.length));
      orInto(bits, left.bits);
      orInto(bits, right.bits);
      span = { bits, logins: left.logins + right.logins };
    }
    cache?.set(j, span);
    return span;
  }

  /** Marks the users of one day's logins in [lo, hi) (ms of the day) and returns how many logins. */
  private mark(
    day: IndexedDay,
    lo: number,
    hi: number,
    into: Uint32Array,
    mask: Uint32Array | undefined
  ): number {
    if (hi <= lo) return 0;
    const to = lowerBound(day.t, hi);
    let logins = 0;
    for (let k = lowerBound(day.t, lo); k < to; k += 1) {
      const id = day.u[k] ?? 0;
      if (mask && !hasBit(mask, id)) continue;
      setBit(into, id);
      logins += 1;
    }
    return logins;
  }

  private newUsers(a: number, b: number, mask: Uint32Array | undefined): number {
    this.computeFirstSeen();
    if (!mask) return lowerBound(this.firstSeenSorted, b) - lowerBound(this.firstSeenSorted, a);
    let n = 0;
    for (let id = 0; id < this.firstSeen.length; id += 1) {
      const seen = this.firstSeen[id] ?? Infinity;
      if (seen >= a && seen < b && hasBit(mask, id)) n += 1;
    }
    return n;
  }

  /** Names of the users who logged in during [start, end), sorted. */
  usersBetween(start: number, end: number): string[] {
    const seen = new Uint32Array(Math.ceil(this.names.length / 32));
    if (start < end) this.scan(start, end, seen, undefined, true);
    const names: string[] = [];
    for (let id = 0; id < this.names.length; id += 1) if (hasBit(seen, id)) names.push(this.names[id] ?? '');
    return names.sort();
  }
}
