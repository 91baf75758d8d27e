import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../time/units';
import { countBits, orInto, popcount32, setBit } from './bitset';
import { ByteBoundedCache } from './bounded-cache';
import type { DaySlots } from './day-slots';
import type { Counts } from './day-slots';
import { buildDaySlots, countArray, idArray, multiFrom } from './day-slots';

export type Metric = 'users' | 'logins' | 'new_users';
export const METRICS: readonly Metric[] = ['users', 'logins', 'new_users'];

/** The logins of one slot (or a whole day), in time order: ms since the UTC day began, and index user ids. */
export interface RawLogins {
  t: Int32Array;
  u: Int32Array;
}

/** Raw logins of slots the index does not hold, by global slot number (ms / SLOT_MS). */
export type RawSlots = ReadonlyMap<number, RawLogins>;

/** A range edge inside a slot whose logins the index does not hold: the caller reads them (index-loader). */
export class MissingRawError extends Error {
  override name = 'MissingRawError';
  constructor(readonly slot: number) {
    super(`LoginIndex: the logins of slot ${new Date(slot * SLOT_MS).toISOString()} are needed`);
  }
}

/** A UTC day as loaded from home.login, in time order. */
export interface DayEvents {
  day: Date;
  users: readonly string[];
  /** Per login: index into `users`. */
  u: ArrayLike<number>;
  /** Per login: ms since the day began, ascending. */
  t: ArrayLike<number>;
}

/** A set of users to filter by: its bitset, the words that hold any of them, and their ids. */
export interface UserMask {
  bits: Uint32Array;
  words: Int32Array;
  ids: Int32Array;
}

/**
 * One UTC day: its slot summary with index ids, the dense bitset of its users, the users with more than
 * one login that day and their counts (everyone else logged in once), and the raw logins only when the day
 * was given as events (tests, small indexes); `serial` names this version of the day in caches.
 */
interface IndexedDay {
  serial: number;
  slots: DaySlots;
  bits: Uint32Array;
  users: number;
  multiIds: Uint32Array | Uint16Array;
  multiCount: Counts;
  raw: RawLogins | undefined;
}

/** What a scan reads: an optional filter, the slot logins at its edges, and which totals are wanted. */
interface ScanOptions {
  mask: UserMask | undefined;
  raw: RawSlots | undefined;
  users: boolean;
  logins: boolean;
}

/** The distinct users and the number of logins of a run of whole days. */
interface DaySpan {
  bits: Uint32Array;
  logins: number;
}
const EMPTY_SPAN: DaySpan = { bits: new Uint32Array(0), logins: 0 };

/**
 * Runs of whole days are read through aligned blocks of 2^k days (k ≤ 10, about 2.8 years), each with the OR
 * of its days' bitsets: a week costs about 3 ORs instead of 7, a year about 10 instead of 365.
 */
const MAX_BLOCK_LEVEL = 10;

export interface IndexLimits {
  /** Bytes of whole-day block bitsets kept (built on first use, least recently used dropped first). */
  blockCacheBytes: number;
  /** Bytes of partial-day unions kept (the users of slots [a, b) of a day, for zones' midnight cuts). */
  partCacheBytes: number;
  /**
   * Bytes of unfiltered interval counts kept until the index changes: the buckets inside a dashboard's
   * range are the same from one refresh to the next, only the edges move.
   */
  intervalCacheBytes: number;
}

export const DEFAULT_INDEX_LIMITS: IndexLimits = {
  blockCacheBytes: 64 * 1024 * 1024,
  partCacheBytes: 64 * 1024 * 1024,
  intervalCacheBytes: 8 * 1024 * 1024,
};

/** Work done by counts, for tests that check what a request costs (bitset words, slot entries, raw logins). */
export interface IndexWork {
  words: number;
  entries: number;
  raw: number;
  /** Users looked at one by one (a filter's users for new users). */
  users: number;
}

function lowerBound(values: ArrayLike<number>, target: number, from = 0, to = values.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The largest block (2^level units, aligned to its size, up to 2^maxLevel) that starts at `at` and ends by `to`. */
function blockLevel(at: number, to: number, maxLevel: number): number {
  let level = 0;
  while (level < maxLevel && (at >> (level + 1)) << (level + 1) === at && at + (2 << level) <= to) level += 1;
  return level;
}

/** A part of one slot: [slot, from, to) with from and to in the unit of the split (ms of a day, or since 1970). */
type Piece = [slot: number, from: number, to: number];

/**
 * [lo, hi) split at 15-minute slot boundaries: the whole slots [s0, s1), and the pieces of the slots it cuts,
 * `before` s0 and `after` s1 (a range inside one slot is a single `before` piece, with s0 = s1).
 */
function slotSplit(lo: number, hi: number): { s0: number; s1: number; before?: Piece; after?: Piece } {
  const s0 = Math.ceil(lo / SLOT_MS);
  const s1 = Math.floor(hi / SLOT_MS);
  if (s0 > s1) return { s0: s1, s1, before: [s1, lo, hi] };
  return {
    s0,
    s1,
    ...(lo < s0 * SLOT_MS ? { before: [s0 - 1, lo, s0 * SLOT_MS] as Piece } : {}),
    ...(s1 * SLOT_MS < hi ? { after: [s1, s1 * SLOT_MS, hi] as Piece } : {}),
  };
}

let serials = 0;

/**
 * Exact distinct-user and login counts over any range and calendar buckets of any zone, from per-day slot
 * summaries: memory and start-up grow with days × users (the (user, 15-minute slot) pairs), not with
 * logins. A bucket's whole UTC days are an OR of day-block bitsets, the whole slots of a cut day are read
 * from its summary, and only a range edge that falls inside a slot needs that slot's logins (RawSlots), so
 * counts are exact to the millisecond.
 */
export class LoginIndex {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly days = new Map<number, IndexedDay>();
  private sortedDays: number[] = [];
  private sortedStale = false;
  private readonly blocks: ByteBoundedCache<string, DaySpan>;
  private readonly parts: ByteBoundedCache<string, Uint32Array>;
  private readonly intervals: ByteBoundedCache<string, { users: number; logins: number }>;
  private changes = 0;
  /** First slot (global number) of each user id's first login; Infinity for none. */
  private firstSlot = new Float64Array(0);
  private firstSlotSorted = new Float64Array(0);
  private firstSortedStale = false;
  readonly work: IndexWork = { words: 0, entries: 0, raw: 0, users: 0 };

  constructor(limits: IndexLimits = DEFAULT_INDEX_LIMITS) {
    this.blocks = new ByteBoundedCache(limits.blockCacheBytes, (span) => span.bits.byteLength + 64);
    this.parts = new ByteBoundedCache(limits.partCacheBytes, (bits) => bits.byteLength + 64);
    this.intervals = new ByteBoundedCache(limits.intervalCacheBytes, (_, key) => key.length * 2 + 96);
  }

  /** Grows with every replaced day: an answer computed at one generation holds until the next. */
  get generation(): number {
    return this.changes;
  }

  get userCount(): number {
    return this.names.length;
  }

  get loginCount(): number {
    let n = 0;
    for (const day of this.days.values()) n += day.slots.loginsBefore[SLOTS_PER_DAY] ?? 0;
    return n;
  }

  /** Bytes held: summaries, bitsets, raw logins and caches (what start-up and memory grow with). */
  get bytes(): number {
    let n = this.firstSlot.byteLength * 2 + this.blocks.bytes + this.parts.bytes;
    for (const day of this.days.values()) {
      const s = day.slots;
      n += s.offsets.byteLength + s.ids.byteLength + s.loginsBefore.byteLength + s.multiAt.byteLength;
      n +=
        s.multiCount.byteLength + day.bits.byteLength + day.multiIds.byteLength + day.multiCount.byteLength;
      n += day.raw ? day.raw.t.byteLength + day.raw.u.byteLength : 0;
    }
    return n;
  }

  get cacheBytes(): { blocks: number; parts: number; intervals: number } {
    return { blocks: this.blocks.bytes, parts: this.parts.bytes, intervals: this.intervals.bytes };
  }

  /** [first, last) ms of the UTC days holding logins; undefined when there are none. */
  get extent(): { start: number; end: number } | undefined {
    const sorted = this.daysInOrder();
    const first = sorted[0];
    const last = sorted.at(-1);
    return first === undefined || last === undefined
      ? undefined
      : { start: first * DAY_MS, end: (last + 1) * DAY_MS };
  }

  /** The index id of a user name, assigned on first sight. */
  userId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  userName(id: number): string | undefined {
    return this.names[id];
  }

  /** Replaces the given days from their logins, keeping the logins (an empty day removes the day). */
  replaceDays(updates: Iterable<DayEvents>): void {
    for (const update of updates) {
      const local = Array.from(update.users, (name) => this.userId(name));
      const n = update.t.length;
      const t = new Int32Array(n);
      const u = new Int32Array(n);
      for (let i = 0; i < n; i += 1) {
        t[i] = update.t[i] ?? 0;
        u[i] = local[update.u[i] ?? 0] ?? 0;
        if (i > 0 && (t[i] ?? 0) < (t[i - 1] ?? 0))
          throw new RangeError('LoginIndex: logins of a day must be in time order');
      }
      this.replaceDay(update.day, n === 0 ? undefined : buildDaySlots(t, u), { t, u });
    }
  }

  /**
   * Replaces one UTC day with a slot summary whose ids are this index's (userId); undefined removes it.
   * `raw`, when given, are all the day's logins in time order, and spare readers the slot reads.
   */
  replaceDay(day: Date, slots: DaySlots | undefined, raw?: RawLogins): void {
    const dayNumber = Math.floor(day.getTime() / DAY_MS);
    this.changes += 1;
    this.intervals.clear();
    const old = this.days.get(dayNumber);
    const lost = old ? this.forgetFirstSlots(dayNumber, old) : [];
    for (let k = 1; k <= MAX_BLOCK_LEVEL; k += 1) this.blocks.delete(`${k}:${dayNumber >> k}`);
    if (old === undefined || slots === undefined) this.sortedStale = true;
    if (!slots || (slots.loginsBefore[SLOTS_PER_DAY] ?? 0) === 0) this.days.delete(dayNumber);
    else {
      const indexed = this.indexDay(slots, raw);
      this.days.set(dayNumber, indexed);
      this.noteFirstSlots(dayNumber, indexed);
    }
    for (const id of lost) if (this.firstSlot[id] === Infinity) this.findFirstSlot(id, dayNumber);
    this.firstSortedStale = true;
  }

  private indexDay(slots: DaySlots, raw: RawLogins | undefined): IndexedDay {
    this.growFirstSlots();
    const bits = new Uint32Array(Math.ceil(this.names.length / 32));
    for (const id of slots.ids) bits[id >>> 5] = (bits[id >>> 5] ?? 0) | (1 << (id & 31));
    return {
      serial: (serials += 1),
      slots,
      bits,
      users: countBits(bits),
      ...this.dayMulti(slots, bits),
      raw,
    };
  }

  /**
   * The users of a day with more than one login, and their day's login counts, in the smallest arrays that
   * hold them (at 55,000 logins a day most active users log in more than once: this is most of a day's
   * memory after the slot entries). `dayCounts` is scratch shared by all days, zero between calls.
   */
  private dayMulti(
    slots: DaySlots,
    bits: Uint32Array
  ): { multiIds: Uint32Array | Uint16Array; multiCount: Counts } {
    const counts = this.scratchCounts();
    const { ids, multiAt, multiCount } = slots;
    for (let e = 0, m = 0; e < ids.length; e += 1) {
      const id = ids[e] as number;
      const count = multiAt[m] === e ? ((multiCount[m++] as number) ?? 1) : 1;
      counts[id] = (counts[id] as number) + count;
    }
    // The day's users in ascending order are its bitset's: no sort, and the scratch is cleared on the way.
    const multi: number[] = [];
    const repeats: number[] = [];
    let max = 0;
    forEachBit(bits, (id) => {
      const count = counts[id] as number;
      counts[id] = 0;
      if (count > 1) {
        multi.push(id);
        repeats.push(count);
        if (count > max) max = count;
      }
    });
    const multiIds = idArray(multi.length, multi.at(-1) ?? 0);
    multiIds.set(multi);
    const multiCounts = countArray(multi.length, max);
    multiCounts.set(repeats);
    return { multiIds, multiCount: multiCounts };
  }

  private dayCounts = new Uint32Array(0);

  private scratchCounts(): Uint32Array {
    if (this.dayCounts.length < this.names.length) {
      this.dayCounts = new Uint32Array(Math.max(this.names.length, this.dayCounts.length * 2, 1024));
    }
    return this.dayCounts;
  }

  private growFirstSlots(): void {
    if (this.firstSlot.length >= this.names.length) return;
    const grown = new Float64Array(Math.max(this.names.length, this.firstSlot.length * 2, 1024)).fill(
      Infinity
    );
    grown.set(this.firstSlot);
    this.firstSlot = grown;
  }

  /** Users whose first slot lay in the old version of a day: forgotten, to be found again after the swap. */
  private forgetFirstSlots(dayNumber: number, old: IndexedDay): number[] {
    const lost: number[] = [];
    const { ids } = old.slots;
    for (let e = 0; e < ids.length; e += 1) {
      const id = ids[e] ?? 0;
      if (Math.floor((this.firstSlot[id] ?? Infinity) / SLOTS_PER_DAY) === dayNumber) {
        this.firstSlot[id] = Infinity;
        lost.push(id);
      }
    }
    return lost;
  }

  private noteFirstSlots(dayNumber: number, day: IndexedDay): void {
    const { offsets, ids } = day.slots;
    for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
      const slot = dayNumber * SLOTS_PER_DAY + s;
      for (let e = offsets[s] ?? 0; e < (offsets[s + 1] ?? 0); e += 1) {
        const id = ids[e] ?? 0;
        if ((this.firstSlot[id] ?? Infinity) > slot) this.firstSlot[id] = slot;
      }
    }
  }

  /** A user's first slot after `afterDay` (their earlier days are known not to hold them). */
  private findFirstSlot(id: number, afterDay: number): void {
    for (const dayNumber of this.daysInOrder()) {
      if (dayNumber <= afterDay) continue;
      const day = this.days.get(dayNumber);
      if (!day || ((day.bits[id >>> 5] ?? 0) & (1 << (id & 31))) === 0) continue;
      const { offsets, ids } = day.slots;
      for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
        for (let e = offsets[s] ?? 0; e < (offsets[s + 1] ?? 0); e += 1) {
          if (ids[e] === id) {
            this.firstSlot[id] = dayNumber * SLOTS_PER_DAY + s;
            return;
          }
        }
      }
    }
  }

  private daysInOrder(): number[] {
    if (this.sortedStale) {
      this.sortedDays = [...this.days.keys()].sort((a, b) => a - b);
      this.sortedStale = false;
    }
    return this.sortedDays;
  }

  private firstSorted(): Float64Array {
    if (this.firstSortedStale) {
      this.firstSlotSorted = Float64Array.from(this.firstSlot.subarray(0, this.names.length)).sort();
      this.firstSortedStale = false;
    }
    return this.firstSlotSorted;
  }

  /** A mask of the given users (unknown names match nobody). */
  userMask(names: readonly string[]): UserMask {
    const bits = new Uint32Array(Math.ceil(this.names.length / 32));
    const ids: number[] = [];
    for (const name of names) {
      const id = this.ids.get(name);
      if (id !== undefined && !ids.includes(id)) {
        setBit(bits, id);
        ids.push(id);
      }
    }
    const words = [...new Set(ids.map((id) => id >>> 5))].sort((a, b) => a - b);
    return { bits, words: Int32Array.from(words), ids: Int32Array.from(ids).sort() };
  }

  /**
   * The slots whose logins a count over these buckets needs and the index does not hold: those cut by a
   * boundary inside them that hold any login. Read them and pass them to count() as RawSlots.
   */
  missingSlots(bounds: readonly number[], start: number, end: number): number[] {
    return this.missingSlotsAt([start, end, ...bounds.filter((b) => b > start && b < end)]);
  }

  /** The slots holding logins that these instants fall inside (not on a slot boundary) and the index lacks. */
  missingSlotsAt(points: Iterable<number>): number[] {
    const missing = new Set<number>();
    for (const point of points) {
      if (point % SLOT_MS === 0) continue;
      const slot = Math.floor(point / SLOT_MS);
      const day = this.days.get(Math.floor(slot / SLOTS_PER_DAY));
      if (!day || day.raw) continue;
      const s = slot - Math.floor(slot / SLOTS_PER_DAY) * SLOTS_PER_DAY;
      if ((day.slots.loginsBefore[s + 1] ?? 0) > (day.slots.loginsBefore[s] ?? 0)) missing.add(slot);
    }
    return [...missing].sort((a, b) => a - b);
  }

  /** The number of logins the index holds for a slot (global number): what a read of its logins must find. */
  slotLogins(slot: number): number {
    const day = this.days.get(Math.floor(slot / SLOTS_PER_DAY));
    if (!day) return 0;
    const s = slot - Math.floor(slot / SLOTS_PER_DAY) * SLOTS_PER_DAY;
    return (day.slots.loginsBefore[s + 1] ?? 0) - (day.slots.loginsBefore[s] ?? 0);
  }

  /**
   * Counts per bucket [bounds[i], bounds[i+1]) ∩ [start, end): distinct users, logins, and users whose first
   * login ever falls in it; optionally only for the users in `mask`. Only the part of a bucket inside the
   * days holding logins is computed: the rest is zeros.
   */
  count(
    bounds: readonly number[],
    start: number,
    end: number,
    metrics: readonly Metric[],
    options: { mask?: UserMask | undefined; raw?: RawSlots | undefined } = {}
  ): Record<Metric, number[]> {
    const { mask, raw } = options;
    const result: Record<Metric, number[]> = { users: [], logins: [], new_users: [] };
    const words = Math.ceil(this.names.length / 32);
    const scratch = new Uint32Array(words);
    const wantUsers = metrics.includes('users');
    const wantLogins = metrics.includes('logins');
    const wantNew = metrics.includes('new_users');
    const extent = this.extent;
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const a = Math.max(bounds[i] ?? 0, start);
      const b = Math.min(bounds[i + 1] ?? 0, end);
      // Clipped to the days holding logins: a bucket outside them costs nothing.
      const from = extent ? Math.max(a, extent.start) : 0;
      const to = extent ? Math.min(b, extent.end) : 0;
      if (wantUsers || wantLogins) {
        let logins = 0;
        let users = 0;
        if (from < to && !mask) {
          ({ users, logins } = this.interval(from, to, scratch, raw));
        } else if (from < to) {
          logins = this.scan(from, to, scratch, { mask, raw, users: wantUsers, logins: wantLogins });
          users = wantUsers ? this.countAndClear(scratch, mask) : 0;
        }
        if (wantUsers) result.users.push(users);
        if (wantLogins) result.logins.push(logins);
      }
      if (wantNew) result.new_users.push(from < to ? this.newUsers(from, to, mask, raw) : 0);
    }
    return result;
  }

  /** Distinct users and logins of [from, to) for everybody, kept until the index changes. */
  private interval(
    from: number,
    to: number,
    scratch: Uint32Array,
    raw: RawSlots | undefined
  ): { users: number; logins: number } {
    const key = `${from}:${to}`;
    const cached = this.intervals.get(key);
    if (cached) return cached;
    const logins = this.scan(from, to, scratch, { mask: undefined, raw, users: true, logins: true });
    const counted = { users: this.countAndClear(scratch, undefined), logins };
    this.intervals.set(key, counted);
    return counted;
  }

  private countAndClear(bits: Uint32Array, mask: UserMask | undefined): number {
    let n = 0;
    if (mask) {
      for (const w of mask.words) {
        n += popcount32(bits[w] ?? 0);
        bits[w] = 0;
      }
      this.work.words += mask.words.length;
      return n;
    }
    n = countBits(bits);
    bits.fill(0);
    this.work.words += bits.length;
    return n;
  }

  /** ORs `source` into `into`, only the mask's words when there is a mask. */
  private or(into: Uint32Array, source: Uint32Array, mask: UserMask | undefined): void {
    if (!mask) {
      orInto(into, source);
      this.work.words += source.length;
      return;
    }
    for (const w of mask.words) {
      if (w < source.length) into[w] = (into[w] ?? 0) | ((source[w] ?? 0) & (mask.bits[w] ?? 0));
    }
    this.work.words += mask.words.length;
  }

  /** Marks the users of [a, b) in `into` and returns the number of logins (when wanted: a filter's cost more). */
  private scan(a: number, b: number, into: Uint32Array, want: ScanOptions): number {
    const { mask, raw } = want;
    let logins = 0;
    const wholeFrom = Math.ceil(a / DAY_MS);
    const wholeTo = Math.floor(b / DAY_MS);
    for (let dayNumber = Math.floor(a / DAY_MS); dayNumber * DAY_MS < b; dayNumber += 1) {
      if (dayNumber >= wholeFrom && dayNumber < wholeTo) {
        logins += this.wholeDays(dayNumber, wholeTo, into, want);
        dayNumber = wholeTo - 1;
        continue;
      }
      const day = this.days.get(dayNumber);
      if (!day) continue;
      const base = dayNumber * DAY_MS;
      logins += this.dayPart(
        dayNumber,
        day,
        Math.max(a - base, 0),
        Math.min(b - base, DAY_MS),
        into,
        mask,
        raw
      );
    }
    return logins;
  }

  /** Users (into) and logins of days [from, to): unfiltered through cached blocks, filtered day by day. */
  private wholeDays(from: number, to: number, into: Uint32Array, want: ScanOptions): number {
    const { mask } = want;
    let logins = 0;
    if (mask) {
      // A filter reads each day's words that hold its users: in proportion to them, not to everybody (the
      // blocks are built for everybody).
      for (let d = from; d < to; d += 1) {
        const day = this.days.get(d);
        if (!day) continue;
        if (want.users) this.or(into, day.bits, mask);
        if (want.logins) logins += this.maskedLoginsOfDay(day, mask);
      }
      return logins;
    }
    for (let d = from; d < to;) {
      const level = blockLevel(d, to, MAX_BLOCK_LEVEL);
      const span = this.span(level, d >> level);
      if (want.users) this.or(into, span.bits, undefined);
      logins += span.logins;
      d += 1 << level;
    }
    return logins;
  }

  /** Block j of level k (2^k days), built from its two halves on first use and kept in a bounded cache. */
  private span(level: number, j: number): DaySpan {
    if (level === 0) {
      const day = this.days.get(j);
      return day ? { bits: day.bits, logins: day.slots.loginsBefore[SLOTS_PER_DAY] ?? 0 } : EMPTY_SPAN;
    }
    const key = `${level}:${j}`;
    const cached = this.blocks.get(key);
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
      this.work.words += left.bits.length + right.bits.length;
      span = { bits, logins: left.logins + right.logins };
    }
    if (span.logins > 0) this.blocks.set(key, span);
    return span;
  }

  /** Users (into) and logins of ms [lo, hi) of one day: its whole slots from the summary, cut slots raw. */
  private dayPart(
    dayNumber: number,
    day: IndexedDay,
    lo: number,
    hi: number,
    into: Uint32Array,
    mask: UserMask | undefined,
    raw: RawSlots | undefined
  ): number {
    if (hi <= lo) return 0;
    const { s0, s1, before, after } = slotSplit(lo, hi);
    let logins = s0 < s1 ? this.slotsPart(day, s0, s1, into, mask) : 0;
    for (const [slot, from, to] of [before, after].filter((p) => p !== undefined)) {
      logins += this.rawPart(dayNumber, day, slot, from, to, into, mask, raw);
    }
    return logins;
  }

  /** Users (into) and logins of whole slots [s0, s1) of a day. */
  private slotsPart(
    day: IndexedDay,
    s0: number,
    s1: number,
    into: Uint32Array,
    mask: UserMask | undefined
  ): number {
    const { offsets, ids, loginsBefore, multiAt, multiCount } = day.slots;
    if (s0 === 0 && s1 === SLOTS_PER_DAY) {
      this.or(into, day.bits, mask);
      return mask ? this.maskedLoginsOfDay(day, mask) : (loginsBefore[SLOTS_PER_DAY] ?? 0);
    }
    const e0 = offsets[s0] ?? 0;
    const e1 = offsets[s1] ?? 0;
    if (!mask) {
      this.or(into, this.partBits(day, s0, s1), undefined);
      return (loginsBefore[s1] ?? 0) - (loginsBefore[s0] ?? 0);
    }
    // Filtered: a day none of the users logged in on costs the mask's words, not its entries.
    if (!this.touches(day.bits, mask)) return 0;
    let logins = 0;
    for (let e = e0; e < e1; e += 1) {
      const id = ids[e] ?? 0;
      if (((mask.bits[id >>> 5] ?? 0) & (1 << (id & 31))) === 0) continue;
      into[id >>> 5] = (into[id >>> 5] ?? 0) | (1 << (id & 31));
      logins += 1;
    }
    for (let m = multiFrom(day.slots, e0); m < multiAt.length && (multiAt[m] ?? 0) < e1; m += 1) {
      const id = ids[multiAt[m] ?? 0] ?? 0;
      if (((mask.bits[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0) logins += (multiCount[m] ?? 1) - 1;
    }
    this.work.entries += e1 - e0;
    return logins;
  }

  /** Logins of the masked users on one day: one each for those who logged in, plus their repeats. */
  private maskedLoginsOfDay(day: IndexedDay, mask: UserMask): number {
    let n = 0;
    for (const w of mask.words) n += popcount32((day.bits[w] ?? 0) & (mask.bits[w] ?? 0));
    for (const id of mask.ids) {
      const k = lowerBound(day.multiIds, id);
      if (day.multiIds[k] === id) n += (day.multiCount[k] ?? 1) - 1;
    }
    this.work.words += mask.words.length;
    return n;
  }

  private touches(bits: Uint32Array, mask: UserMask): boolean {
    this.work.words += mask.words.length;
    for (const w of mask.words) if (((bits[w] ?? 0) & (mask.bits[w] ?? 0)) !== 0) return true;
    return false;
  }

  /** The users of slots [s0, s1) of a day as a bitset, kept in a bounded cache (zones cut days the same way). */
  private partBits(day: IndexedDay, s0: number, s1: number): Uint32Array {
    const key = `${day.serial}:${s0}:${s1}`;
    const cached = this.parts.get(key);
    if (cached) return cached;
    const bits = new Uint32Array(day.bits.length);
    const { offsets, ids } = day.slots;
    const e1 = offsets[s1] ?? 0;
    for (let e = offsets[s0] ?? 0; e < e1; e += 1) {
      const id = ids[e] ?? 0;
      bits[id >>> 5] = (bits[id >>> 5] ?? 0) | (1 << (id & 31));
    }
    this.work.entries += e1 - (offsets[s0] ?? 0);
    this.parts.set(key, bits);
    return bits;
  }

  /** The raw logins of slot s of a day within ms [lo, hi). */
  private rawOf(
    dayNumber: number,
    day: IndexedDay,
    s: number,
    raw: RawSlots | undefined
  ): RawLogins | undefined {
    if ((day.slots.loginsBefore[s + 1] ?? 0) === (day.slots.loginsBefore[s] ?? 0)) return undefined;
    if (day.raw) {
      const from = lowerBound(day.raw.t, s * SLOT_MS);
      const to = lowerBound(day.raw.t, (s + 1) * SLOT_MS, from);
      return { t: day.raw.t.subarray(from, to), u: day.raw.u.subarray(from, to) };
    }
    const slot = dayNumber * SLOTS_PER_DAY + s;
    const logins = raw?.get(slot);
    if (!logins) throw new MissingRawError(slot);
    return logins;
  }

  /** The raw logins of a slot given by its global number (see rawOf). */
  private rawOfSlot(slot: number, raw: RawSlots | undefined): RawLogins | undefined {
    const dayNumber = Math.floor(slot / SLOTS_PER_DAY);
    const day = this.days.get(dayNumber);
    return day ? this.rawOf(dayNumber, day, slot - dayNumber * SLOTS_PER_DAY, raw) : undefined;
  }

  private rawPart(
    dayNumber: number,
    day: IndexedDay,
    s: number,
    lo: number,
    hi: number,
    into: Uint32Array,
    mask: UserMask | undefined,
    raw: RawSlots | undefined
  ): number {
    const logins = this.rawOf(dayNumber, day, s, raw);
    if (!logins) return 0;
    let n = 0;
    for (let k = lowerBound(logins.t, lo); k < logins.t.length && (logins.t[k] ?? 0) < hi; k += 1) {
      const id = logins.u[k] ?? 0;
      if (mask && ((mask.bits[id >>> 5] ?? 0) & (1 << (id & 31))) === 0) continue;
      setBit(into, id);
      n += 1;
    }
    this.work.raw += logins.t.length;
    return n;
  }

  /** Users whose first login ever falls in [a, b): whole slots from first slots, cut slots from their logins. */
  private newUsers(a: number, b: number, mask: UserMask | undefined, raw: RawSlots | undefined): number {
    const { s0: A, s1: B, before, after } = slotSplit(a, b);
    let n = 0;
    if (A < B) {
      if (mask) {
        this.work.users += mask.ids.length;
        for (const id of mask.ids) {
          const first = this.firstSlot[id] ?? Infinity;
          if (first >= A && first < B) n += 1;
        }
      } else {
        const sorted = this.firstSorted();
        n += lowerBound(sorted, B) - lowerBound(sorted, A);
      }
    }
    for (const [slot, from, to] of [before, after].filter((p) => p !== undefined)) {
      const logins = this.rawOfSlot(slot, raw);
      if (!logins) continue;
      const base = Math.floor(slot / SLOTS_PER_DAY) * DAY_MS;
      const seen = new Set<number>();
      for (let k = 0; k < logins.t.length; k += 1) {
        const id = logins.u[k] ?? 0;
        if (seen.has(id) || this.firstSlot[id] !== slot) continue;
        seen.add(id);
        const at = base + (logins.t[k] ?? 0);
        if (at >= from && at < to && (!mask || ((mask.bits[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0)) n += 1;
      }
    }
    return n;
  }

  /** Names of the users who logged in during [start, end), sorted. */
  usersBetween(start: number, end: number, raw?: RawSlots): string[] {
    const names: string[] = [];
    forEachBit(this.activeUsers(start, end, { raw }), (id) => names.push(this.names[id] ?? ''));
    return names.sort();
  }

  /** A bitset of the users with a login in [a, b) (only the mask's, with a mask), sized for every user. */
  activeUsers(
    a: number,
    b: number,
    options: { mask?: UserMask | undefined; raw?: RawSlots | undefined } = {}
  ): Uint32Array {
    const bits = new Uint32Array(Math.ceil(this.names.length / 32));
    const extent = this.extent;
    const from = extent ? Math.max(a, extent.start) : 0;
    const to = extent ? Math.min(b, extent.end) : 0;
    if (from < to)
      this.scan(from, to, bits, { mask: options.mask, raw: options.raw, users: true, logins: false });
    return bits;
  }

  /**
   * Whether a user's first login ever is before `t`, exactly: by first slot, and when `t` falls inside
   * that slot, by the slot's logins.
   */
  firstSeenBefore(id: number, t: number, raw?: RawSlots): boolean {
    const first = this.firstSlot[id] ?? Infinity;
    const slot = Math.floor(t / SLOT_MS);
    if (first !== slot || t % SLOT_MS === 0) return first * SLOT_MS < t;
    const logins = this.rawOfSlot(slot, raw);
    if (!logins) return false;
    const before = t - Math.floor(slot / SLOTS_PER_DAY) * DAY_MS;
    for (let k = 0; k < logins.t.length && (logins.t[k] ?? 0) < before; k += 1)
      if (logins.u[k] === id) return true;
    return false;
  }

  /**
   * Visits the logins of [a, b) in time order, grouped as the index holds them: per whole slot each user
   * once with their login count and the slot's start (`exact` false), and in slots cut by `a` or `b` each
   * login with its own instant (`exact` true, read from `raw`). For per-user tables.
   */
  visitLogins(
    a: number,
    b: number,
    raw: RawSlots | undefined,
    visit: (id: number, at: number, count: number, exact: boolean) => void
  ): void {
    const extent = this.extent;
    if (!extent) return;
    const from = Math.max(a, extent.start);
    const to = Math.min(b, extent.end);
    for (let dayNumber = Math.floor(from / DAY_MS); dayNumber * DAY_MS < to; dayNumber += 1) {
      const day = this.days.get(dayNumber);
      if (!day) continue;
      const base = dayNumber * DAY_MS;
      const { s0, s1, before, after } = slotSplit(Math.max(from - base, 0), Math.min(to - base, DAY_MS));
      const piece = (cut: Piece | undefined) => {
        const logins = cut && this.rawOf(dayNumber, day, cut[0], raw);
        if (!cut || !logins) return;
        for (
          let k = lowerBound(logins.t, cut[1]);
          k < logins.t.length && (logins.t[k] as number) < cut[2];
          k += 1
        ) {
          visit(logins.u[k] as number, base + (logins.t[k] as number), 1, true);
        }
      };
      piece(before);
      const { offsets, ids, multiAt, multiCount } = day.slots;
      let m = multiFrom(day.slots, offsets[s0] ?? 0);
      for (let s = s0; s < s1; s += 1) {
        for (let e = offsets[s] ?? 0; e < (offsets[s + 1] ?? 0); e += 1) {
          const count = multiAt[m] === e ? (multiCount[m++] as number) : 1;
          visit(ids[e] as number, base + s * SLOT_MS, count, false);
        }
      }
      piece(after);
    }
  }

  /** Whether a user has any login at all (every id has, unless its days were all removed). */
  hasFirstLogin(id: number): boolean {
    return (this.firstSlot[id] ?? Infinity) !== Infinity;
  }
}

/** Calls `visit` with every id set in `bits`, ascending. */
export function forEachBit(bits: Uint32Array, visit: (id: number) => void): void {
  for (let w = 0; w < bits.length; w += 1) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      visit(w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}
