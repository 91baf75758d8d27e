import { bitsFor, forEachBit } from '../core/bitset';
import { ByteBoundedCache } from '../core/bounded-cache';
import type { DaySlots } from '../core/day-slots';
import { buildDaySlots } from '../core/day-slots';
import { Interner } from '../core/interner';
import type { DimSlots } from '../core/dim-slots';
import { buildDimSlots } from '../core/dim-slots';
import { UNKNOWN_KEY } from '../etl/dimensions';
import type { AllowedKeys, KeySeries } from './index/derive';
import { GroupDerivation, keySeries } from './index/derive';
import { KeyFirstSeen } from './index/key-first-seen';
import { SeriesFirstSeen } from './index/series-first-seen';
import { KeyGroupBlocks, usersByKeyGroup } from './index/key-groups';
import type { KeyGroupTally, KeyGroupUsers } from './index/key-group-tallies';
import { emptyKeyGroupUsers, KeyGroupTallies, rangeUsers, tallyOf } from './index/key-group-tallies';
import type { IndexLimits } from '../core/limits';
import { DEFAULT_INDEX_LIMITS } from '../core/limits';
import { DAY_MS, SLOTS_PER_DAY } from '../core/units';
import type { Metric } from '../contract/metrics';
import type { DayEvents } from '../etl/day-events';
import type { RawSlots } from './index/day-store';
import type { Activity } from './index/activity';
import { tallyActivity } from './index/activity';
import { DayStore } from './index/day-store';
import { FirstSeen } from './index/first-seen';
import type { RawLogins } from './index/indexed-day';
import { indexDay } from './index/indexed-day';
import { Scanner } from './index/scan';
import { SpanCache } from './index/spans';
import type { IndexWork, UserMask } from './index/user-mask';
import { countAndClear, maskOf } from './index/user-mask';
import type { LoginVisitor } from './index/visit';
import { addLoginsPerUser, visitLogins } from './index/visit';

export type { DayEvents } from '../etl/day-events';
export type { RawSlots } from './index/day-store';
export { MissingRawError } from './index/day-store';
export type { RawLogins } from './index/indexed-day';
export type { IndexWork, UserMask } from './index/user-mask';

export type { Metric } from '../contract/metrics';

/** What a derived index (LoginIndex.filtered) shares with its base, or is given. */
interface IndexParts {
  users: Interner;
  keys: Interner;
  days: DayStore;
  keyFirst: KeyFirstSeen;
  changes: number;
  /** A derived index's series in the group derived with it, whose first logins are kept in step. */
  series: { group: SeriesFirstSeen; s: number };
}

/**
 * A derived index's own unions: few, for the ranges its filter or series is asked about (what a year of weekly
 * buckets of 50,000 users reads through); the index itself is bounded by its base's derived share.
 */
const DERIVED_LIMITS: LoginIndexLimits = {
  blockCacheBytes: 2 * 1024 * 1024,
  partCacheBytes: 1024 * 1024,
  intervalCacheBytes: 64 * 1024,
  derivedCacheBytes: 0,
};

/** Groupings of keys (a dimension's values within a filter) whose rankings' day blocks are kept at once. */
const GROUPINGS_KEPT = 4;
/** The part of the derived share (derivedCacheBytes) those blocks take. */
const BLOCKS_SHARE = 0.2;
/** The part breakdowns' bucket tallies take (KeyGroupTallies); derived indexes the rest. */
const TALLIES_SHARE = 0.4;

/**
 * The caches the index itself keeps (USAGE_INDEX_CACHE_MB's shares), and the bytes its first requests by key
 * may take (USAGE_KEY_FIRST_MB; unbounded when not given).
 */
export type LoginIndexLimits = Pick<
  IndexLimits,
  'blockCacheBytes' | 'partCacheBytes' | 'intervalCacheBytes' | 'derivedCacheBytes'
> & { keyFirstBytes?: number | undefined };

/** The users filter and the slot logins at a range's edges, as a count or a scan takes them. */
export interface CountOptions {
  mask?: UserMask | undefined;
  raw?: RawSlots | undefined;
}

/**
 * Exact distinct-user and login counts over any range and calendar buckets of any zone, from per-day slot
 * summaries: memory and start-up grow with days × users (the (user, 15-minute slot) pairs), not with
 * logins. A bucket's whole UTC days are an OR of day-block bitsets, the whole slots of a cut day are read
 * from its summary, and only a range edge that falls inside a slot needs that slot's logins (RawSlots), so
 * counts are exact to the millisecond. The rooms: users (dictionary), days (storage), first (first seen),
 * spans (cached unions), scanner (counting).
 */
export class LoginIndex {
  readonly work: IndexWork = { words: 0, entries: 0, raw: 0, users: 0 };
  private readonly users: Interner;
  private readonly keys: Interner;
  private readonly days: DayStore;
  private first: FirstSeen;
  /** A derived index's first logins, before their first use and after a base day changed: found on next use. */
  private firstStale: boolean;
  /** A derived index's series and its group's first logins (LoginIndex.deriveGroup); undefined for the base. */
  private readonly series: { group: SeriesFirstSeen; s: number } | undefined;
  private readonly keyFirst: KeyFirstSeen;
  private readonly spans: SpanCache;
  private readonly scanner: Scanner;
  private readonly intervals: ByteBoundedCache<string, { users: number; logins: number }>;
  /** Derived indexes by their allowed keys, least recently used first (LoginIndex.filteredMany). */
  private readonly derived = new Map<string, LoginIndex[]>();
  /** Whole-day blocks of the groupings of keys rankings asked for, by grouping, most recent last. */
  private readonly groupBlocks = new Map<string, KeyGroupBlocks>();
  /** Breakdowns' bucket tallies, for every grouping (its share of derivedCacheBytes). */
  private readonly tallies: KeyGroupTallies;
  private readonly derivedCacheBytes: number;
  private changes = 0;

  constructor(limits: LoginIndexLimits = DEFAULT_INDEX_LIMITS, parts?: IndexParts) {
    this.users = parts?.users ?? new Interner();
    this.keys = parts?.keys ?? new Interner();
    if (this.keys.size === 0) this.keys.id(UNKNOWN_KEY);
    this.days = parts?.days ?? new DayStore();
    this.first = new FirstSeen(this.days);
    this.keyFirst = parts?.keyFirst ?? new KeyFirstSeen(this.days, limits.keyFirstBytes);
    this.changes = parts?.changes ?? 0;
    this.series = parts?.series;
    this.firstStale = this.series !== undefined;
    this.derivedCacheBytes = limits.derivedCacheBytes;
    this.tallies = new KeyGroupTallies(limits.derivedCacheBytes * TALLIES_SHARE);
    this.spans = new SpanCache(this.days, this.work, limits);
    this.scanner = new Scanner(this.days, this.spans, this.work);
    this.intervals = new ByteBoundedCache(limits.intervalCacheBytes, (_, key) => key.length * 2 + 96);
  }

  /** Grows with every replaced day: an answer computed at one generation holds until the next. */
  get generation(): number {
    return this.changes;
  }

  get userCount(): number {
    return this.users.size;
  }

  get loginCount(): number {
    return this.days.logins;
  }

  /** Bytes held: summaries, bitsets, raw logins and caches (what start-up and memory grow with). */
  get bytes(): number {
    const spans = this.spans.bytes;
    // A derived index shares its base's first logins per key: counted there.
    const keyFirst = this.series ? 0 : this.keyFirst.bytes;
    return this.first.bytes + keyFirst + spans.blocks + spans.parts + this.days.bytes;
  }

  get cacheBytes(): { blocks: number; parts: number; intervals: number } {
    return { ...this.spans.bytes, intervals: this.intervals.bytes };
  }

  /** [first, last) ms of the UTC days holding logins; undefined when there are none. */
  get extent(): { start: number; end: number } | undefined {
    return this.days.extent;
  }

  /** The index id of a user name, assigned on first sight. */
  userId(name: string): number {
    return this.users.id(name);
  }

  userName(id: number): string | undefined {
    return this.users.name(id);
  }

  /**
   * Finds first requests by key for about `budgetMs` (KeyFirstSeen.buildSome); true once done, or when there
   * is nothing to find (no request key but the unknown one).
   */
  prepareKeyFirst(budgetMs: number): boolean {
    return this.keys.names.length <= 1 || this.keyFirst.buildSome(budgetMs, this.users.size);
  }

  /**
   * Whether first requests by key are held as a table (false: it passed keyFirstBytes, and each filter finds
   * its first logins by a pass over the days).
   */
  get keyFirstHeld(): boolean {
    return this.keyFirst.held;
  }

  /** The id of a request key (etl/dimensions.ts), assigned on first sight; 0 is the unknown key. */
  keyId(key: string): number {
    return this.keys.id(key);
  }

  /** Every request key seen, by id. */
  get keyNames(): readonly string[] {
    return this.keys.names;
  }

  /**
   * The index as if sys.log held only the logins of the allowed request keys: every count, first login and
   * table of it is the filter's (query/index/derive.ts). Its days are derived from this index's on first use,
   * and again when this index replaces them; it is kept within the derived share (derivedCacheBytes).
   */
  filtered(allowed: AllowedKeys): LoginIndex {
    return this.filteredMany([allowed])[0] as LoginIndex;
  }

  /**
   * The derived indexes of several filters (a breakdown's series). Disjoint filters are derived together:
   * the first to need a day derives it for all of them in one pass over its split (GroupDerivation).
   */
  filteredMany(list: readonly AllowedKeys[]): LoginIndex[] {
    const key = list.map((allowed) => allowed.join('')).join('|');
    const kept = this.derived.get(key);
    if (kept) {
      this.derived.delete(key);
      this.derived.set(key, kept);
      return kept;
    }
    const together = keySeries(list);
    const made = together
      ? this.deriveGroup(list, together)
      : list.map((allowed) => this.filteredMany([allowed])[0] as LoginIndex);
    this.derived.set(key, made);
    this.trimDerived();
    return made;
  }

  /**
   * Keeps the derived indexes within USAGE_INDEX_CACHE_MB's share, dropping the least recently used (their
   * days grow as they answer: counted when the next one is made).
   */
  private trimDerived(): void {
    const bytesOf = (group: LoginIndex[]) => group.reduce((n, index) => n + index.bytes, 0);
    let bytes = 0;
    for (const group of this.derived.values()) bytes += bytesOf(group);
    for (const [key, group] of this.derived) {
      if (bytes <= this.derivedCacheBytes * (1 - BLOCKS_SHARE - TALLIES_SHARE) || this.derived.size <= 1)
        return;
      bytes -= bytesOf(group);
      this.derived.delete(key);
    }
  }

  /** Derived indexes of disjoint filters, their days derived together, their first logins found together. */
  private deriveGroup(list: readonly AllowedKeys[], series: KeySeries): LoginIndex[] {
    const group = new GroupDerivation(series, () => this.users.size);
    const first = new SeriesFirstSeen(this.keyFirst, this.days, series);
    return list.map((_, s) => {
      const days = new DayStore({
        base: this.days,
        derive: (day, dayNumber) => group.day(dayNumber, day, s),
      });
      return new LoginIndex(DERIVED_LIMITS, {
        users: this.users,
        keys: this.keys,
        days,
        keyFirst: this.keyFirst,
        changes: this.changes,
        series: { group: first, s },
      });
    });
  }

  /** A mask of the given users (unknown names match nobody). */
  userMask(names: readonly string[]): UserMask {
    const ids = names.map((name) => this.users.lookup(name)).filter((id) => id !== undefined);
    return maskOf(ids, this.users.size);
  }

  /** Replaces the given days from their logins, keeping the logins (an empty day removes the day). */
  replaceDays(updates: Iterable<DayEvents>): void {
    for (const update of updates) {
      const local = Array.from(update.users, (name) => this.userId(name));
      const localKeys = Array.from(update.keys ?? [], (key) => this.keyId(key));
      const n = update.t.length;
      const t = new Int32Array(n);
      const u = new Int32Array(n);
      const k = new Int32Array(n);
      for (let i = 0; i < n; i += 1) {
        t[i] = update.t[i] ?? 0;
        u[i] = local[update.u[i] ?? 0] ?? 0;
        k[i] = localKeys[update.k?.[i] ?? -1] ?? 0;
        if (i > 0 && (t[i] as number) < (t[i - 1] as number))
          throw new RangeError('LoginIndex: logins of a day must be in time order');
      }
      const keyed = k.some((key) => key !== 0);
      const dims = n > 0 && keyed ? buildDimSlots(t, u, k) : undefined;
      this.replaceDay(update.day, n === 0 ? undefined : buildDaySlots(t, u), { t, u, k }, dims);
    }
  }

  /**
   * Replaces one UTC day with a slot summary whose ids are this index's (userId); undefined removes it.
   * `raw`, when given, are all the day's logins in time order, and spare readers the slot reads; `dims` is
   * the day split by request key built with `slots` (core/dim-slots.ts), absent when every key is unknown.
   */
  replaceDay(day: Date, slots: DaySlots | undefined, raw?: RawLogins, dims?: DimSlots): void {
    const dayNumber = Math.floor(day.getTime() / DAY_MS);
    this.changes += 1;
    this.intervals.clear();
    this.spans.dayChanged(dayNumber);
    const old = this.days.get(dayNumber);
    this.keyFirst.grow(this.users.size);
    const lost = old ? this.first.forget(dayNumber, old) : [];
    const lostKeys = old ? this.keyFirst.forget(dayNumber, old) : new Set<number>();
    // The groups of the derived indexes kept (whose indexes hear of the change): in step with the days.
    const seen = new Set<SeriesFirstSeen>();
    for (const kept of this.derived.values())
      for (const index of kept) if (index.series) seen.add(index.series.group);
    const groups = [...seen];
    const lostPairs = groups.map((group) => (old ? group.forget(dayNumber, old) : []));
    if (!slots || (slots.loginsBefore[SLOTS_PER_DAY] ?? 0) === 0) this.days.delete(dayNumber);
    else {
      this.first.grow(this.users.size);
      const indexed = indexDay(slots, raw, this.users.size, dims);
      this.days.set(dayNumber, indexed);
      this.first.note(dayNumber, indexed);
      this.keyFirst.note(dayNumber, indexed);
      for (const group of groups) group.note(dayNumber, indexed, this.users.size);
    }
    this.first.refind(lost, dayNumber);
    this.keyFirst.refind(lostKeys, dayNumber);
    for (const [g, group] of groups.entries()) group.refind(lostPairs[g] ?? [], dayNumber);
    // What is kept for request filters follows the day: its derived days and unions are made again.
    for (const group of this.derived.values())
      for (const index of group) index.baseDayChanged(dayNumber, this.changes);
    for (const blocks of this.groupBlocks.values()) blocks.dayChanged(dayNumber);
    this.tallies.dayChanged(dayNumber);
  }

  /** A derived index's base day changed: its unions of that day are dropped, its first logins found again. */
  private baseDayChanged(dayNumber: number, changes: number): void {
    this.changes = changes;
    this.intervals.clear();
    this.spans.dayChanged(dayNumber);
    this.firstStale = true;
  }

  /** The first logins, found again first when a derived index's base has changed since. */
  private firstSeen(): FirstSeen {
    if (this.firstStale && this.series) {
      this.first = FirstSeen.fixed(this.days, this.series.group.of(this.series.s, this.users.size));
      this.firstStale = false;
    }
    return this.first;
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
    return this.days.missingSlotsAt(points);
  }

  /** The number of logins the index holds for a slot (global number): what a read of its logins must find. */
  slotLogins(slot: number): number {
    return this.days.slotLogins(slot);
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
    options: CountOptions = {}
  ): Record<Metric, number[]> {
    const result: Record<Metric, number[]> = { users: [], logins: [], new_users: [] };
    const scratch = bitsFor(this.users.size);
    const want = { users: metrics.includes('users'), logins: metrics.includes('logins') };
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const [from, to] = this.clip(
        Math.max(bounds[i] as number, start),
        Math.min(bounds[i + 1] as number, end)
      );
      if (want.users || want.logins) {
        const counted =
          from < to ? this.usersAndLogins(from, to, scratch, { ...options, ...want }) : undefined;
        if (want.users) result.users.push(counted?.users ?? 0);
        if (want.logins) result.logins.push(counted?.logins ?? 0);
      }
      if (metrics.includes('new_users'))
        result.new_users.push(from < to ? this.newUsers(from, to, options) : 0);
    }
    return result;
  }

  /** [a, b) clipped to the days holding logins: a bucket outside them costs nothing. */
  private clip(a: number, b: number): [number, number] {
    const extent = this.days.extent;
    return extent ? [Math.max(a, extent.start), Math.min(b, extent.end)] : [0, 0];
  }

  /** Distinct users and logins of [from, to) (of the mask's users); unfiltered, kept until the index changes. */
  private usersAndLogins(
    from: number,
    to: number,
    scratch: Uint32Array,
    want: CountOptions & { users: boolean; logins: boolean }
  ): { users: number; logins: number } {
    const { mask, raw } = want;
    if (mask) {
      const logins = this.scanner.scan(from, to, scratch, {
        mask,
        raw,
        users: want.users,
        logins: want.logins,
      });
      return { users: want.users ? countAndClear(scratch, mask, this.work) : 0, logins };
    }
    const key = `${from}:${to}`;
    const cached = this.intervals.get(key);
    if (cached) return cached;
    const logins = this.scanner.scan(from, to, scratch, { mask: undefined, raw, users: true, logins: true });
    const counted = { users: countAndClear(scratch, undefined, this.work), logins };
    this.intervals.set(key, counted);
    return counted;
  }

  private newUsers(from: number, to: number, options: CountOptions): number {
    return this.firstSeen().count(from, to, {
      userCount: this.users.size,
      mask: options.mask,
      raw: options.raw,
      work: this.work,
    });
  }

  /** Names of the users who logged in during [start, end), sorted. */
  usersBetween(start: number, end: number, raw?: RawSlots): string[] {
    const names: string[] = [];
    forEachBit(this.activeUsers(start, end, { raw }), (id) => names.push(this.users.name(id) ?? ''));
    return names.sort();
  }

  /** A bitset of the users with a login in [a, b) (only the mask's, with a mask), sized for every user. */
  activeUsers(a: number, b: number, options: CountOptions = {}): Uint32Array {
    const bits = bitsFor(this.users.size);
    const [from, to] = this.clip(a, b);
    if (from < to)
      this.scanner.scan(from, to, bits, { mask: options.mask, raw: options.raw, users: true, logins: false });
    return bits;
  }

  /**
   * Whether a user's first login ever is before `t`, exactly: by first slot, and when `t` falls inside
   * that slot, by the slot's logins.
   */
  firstSeenBefore(id: number, t: number, raw?: RawSlots): boolean {
    return this.firstSeen().before(id, t, raw);
  }

  /** See visitLogins: the logins of [a, b) per whole slot and user, and one by one in cut slots. */
  visitLogins(a: number, b: number, raw: RawSlots | undefined, visit: LoginVisitor): void {
    const [from, to] = this.clip(a, b);
    if (from < to) visitLogins(this.days, { from, to, raw }, visit);
  }

  /** Adds each user's logins in [a, b) to `into`, listing in `touched` the ids it raises from zero. */
  addLoginsPerUser(
    a: number,
    b: number,
    raw: RawSlots | undefined,
    into: Uint32Array,
    touched: number[]
  ): void {
    const [from, to] = this.clip(a, b);
    if (from < to) addLoginsPerUser(this.days, { from, to, raw }, into, touched);
  }

  /**
   * Everybody's first and last login, logins and active days (by the local days of `dayBounds`) in [a, b),
   * from the days' bitsets (query/index/activity.ts); `raw` holds the slots `a` and `b` cut.
   */
  activity(
    a: number,
    b: number,
    dayBounds: readonly number[],
    raw: RawSlots | undefined
  ): Activity | undefined {
    const [from, to] = this.clip(a, b);
    if (from >= to) return undefined;
    const source = {
      days: this.days,
      userCount: this.users.size,
      active: (x: number, y: number) => this.activeUsers(x, y, { raw }),
      loginTotals: (block: number) => this.spans.loginTotals(block, this.users.size),
      raw,
    };
    return tallyActivity(source, { from, to, dayBounds });
  }

  /**
   * The users of [a, b) of each group of request keys (`groupOfKey[key]`: a group number, -1 none), as
   * bitsets sized for every user, and their logins: a breakdown's values ranked in one pass
   * (query/index/key-groups.ts).
   */
  usersByKeyGroup(
    a: number,
    b: number,
    groups: { groupOfKey: Int32Array; count: number; mask?: UserMask | undefined },
    raw: RawSlots | undefined
  ): KeyGroupUsers {
    const [from, to] = this.clip(a, b);
    const userCount = this.users.size;
    if (from >= to) return emptyKeyGroupUsers(groups.count, userCount);
    const blocks = this.groupBlocksOf({ ...groups, userCount });
    return usersByKeyGroup(this.days, { from, to, raw }, { ...groups, userCount, blocks });
  }

  /**
   * Per bucket between consecutive `bounds` (each clipped to [start, end)), each group's users and logins: a
   * breakdown's series counted together; and over the whole range (`range`, its ranking), the union of the
   * buckets' (they split it). Without a people mask they are kept until a day they overlap changes
   * (KeyGroupTallies, one store for every grouping), so a moved range counts only its new buckets, each in one
   * pass over its entries; the union of every bucket but the last is kept as the tally of its range, so a
   * range whose end moves joins two tallies, not a year of weeks.
   */
  keyGroupTallies(
    request: { bounds: readonly number[]; start: number; end: number },
    groups: { groupOfKey: Int32Array; count: number; mask?: UserMask | undefined },
    raw: RawSlots | undefined
  ): { buckets: KeyGroupTally[]; range: KeyGroupUsers } {
    const userCount = this.users.size;
    const grouping = groups.groupOfKey.join(',');
    const { bounds, start, end } = request;
    const buckets: KeyGroupTally[] = [];
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const a = Math.max(bounds[i] as number, start);
      const b = Math.min(bounds[i + 1] as number, end);
      const count = () => {
        const [from, to] = this.clip(a, b);
        return from < to
          ? usersByKeyGroup(this.days, { from, to, raw }, { ...groups, userCount, blocks: undefined })
          : emptyKeyGroupUsers(groups.count, userCount);
      };
      buckets.push(groups.mask ? tallyOf(count()) : this.tallies.tally(grouping, a, b, count));
    }
    const union = (list: readonly KeyGroupTally[]) => rangeUsers(list, groups.count, userCount);
    if (groups.mask || buckets.length < 3) return { buckets, range: union(buckets) };
    // Every bucket but the last: from the first bucket's start (clipped) to the last bucket's.
    const [from, to] = [Math.max(bounds[0] as number, start), Math.min(bounds.at(-2) as number, end)];
    const kept = this.tallies.tally(grouping, from, to, () => union(buckets.slice(0, -1)));
    return { buckets, range: union([kept, buckets.at(-1) as KeyGroupTally]) };
  }

  /** The whole-day blocks of a grouping of keys (the last few groupings kept). */
  private groupBlocksOf(groups: {
    groupOfKey: Int32Array;
    count: number;
    userCount: number;
  }): KeyGroupBlocks {
    const key = groups.groupOfKey.join(',');
    let kept = this.groupBlocks.get(key);
    if (!kept) {
      const cacheBytes = (this.derivedCacheBytes * BLOCKS_SHARE) / GROUPINGS_KEPT;
      kept = new KeyGroupBlocks(this.days, groups, cacheBytes);
      this.groupBlocks.set(key, kept);
      for (const old of this.groupBlocks.keys())
        if (this.groupBlocks.size > GROUPINGS_KEPT) this.groupBlocks.delete(old);
    } else {
      this.groupBlocks.delete(key);
      this.groupBlocks.set(key, kept);
    }
    return kept;
  }

  /** Whether a user has any login at all (every id has, unless its days were all removed). */
  hasFirstLogin(id: number): boolean {
    return this.firstSeen().has(id);
  }
}
