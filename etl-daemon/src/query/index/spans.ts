import { orInto, setBits } from '../../core/bitset';
import { ByteBoundedCache } from '../../core/bounded-cache';
import type { DayStore } from './day-store';
import type { IndexedDay } from './indexed-day';
import { addDayLogins, dayLogins } from './indexed-day';
import type { IndexWork } from './user-mask';

/** The distinct users and the number of logins of a run of whole days. */
export interface DaySpan {
  bits: Uint32Array;
  logins: number;
}
const EMPTY_SPAN: DaySpan = { bits: new Uint32Array(0), logins: 0 };

/**
 * Runs of whole days are read through aligned blocks of 2^k days (k ≤ 10, about 2.8 years), each with the OR
 * of its days' bitsets: a week costs about 3 ORs instead of 7, a year about 10 instead of 365.
 */
export const MAX_BLOCK_LEVEL = 10;

/**
 * Per-user login totals are kept for aligned blocks of 2^5 = 32 days: "who uses it" over a year adds about 11
 * of them instead of walking 365 days' users and repeats (half its tally, profiled at 2 M logins).
 */
export const TOTALS_BLOCK_LEVEL = 5;

/** Share of the block cache's bytes that the login totals may take. */
const TOTALS_SHARE = 0.2;

/**
 * The unions the index keeps for everybody (unfiltered counts): day blocks and parts of days, and per-user
 * login totals of day blocks, each bounded.
 */
export class SpanCache {
  private readonly blocks: ByteBoundedCache<string, DaySpan>;
  private readonly parts: ByteBoundedCache<string, Uint32Array>;
  private readonly totals: ByteBoundedCache<number, Uint32Array>;

  constructor(
    private readonly days: DayStore,
    private readonly work: IndexWork,
    limits: { blockCacheBytes: number; partCacheBytes: number }
  ) {
    const spanBytes = limits.blockCacheBytes * (1 - TOTALS_SHARE);
    this.blocks = new ByteBoundedCache(spanBytes, (span) => span.bits.byteLength + 64);
    this.totals = new ByteBoundedCache(limits.blockCacheBytes - spanBytes, (t) => t.byteLength + 64);
    this.parts = new ByteBoundedCache(limits.partCacheBytes, (bits) => bits.byteLength + 64);
  }

  get bytes(): { blocks: number; parts: number } {
    return { blocks: this.blocks.bytes + this.totals.bytes, parts: this.parts.bytes };
  }

  /** Drops the blocks holding a day (its parts are keyed by the day's version and age out). */
  dayChanged(dayNumber: number): void {
    for (let k = 1; k <= MAX_BLOCK_LEVEL; k += 1) this.blocks.delete(`${k}:${dayNumber >> k}`);
    this.totals.delete(dayNumber >> TOTALS_BLOCK_LEVEL);
  }

  /**
   * Logins per user id in the days of totals block j (days j·32 … j·32 + 31), for ids below `userCount`;
   * built from its days on first use and kept until one of them changes.
   */
  loginTotals(j: number, userCount: number): Uint32Array {
    // A user added since it was built has no login in its days (a changed day drops it): shorter is right.
    const cached = this.totals.get(j);
    if (cached) return cached;
    const totals = new Uint32Array(userCount);
    const first = j << TOTALS_BLOCK_LEVEL;
    for (let d = first; d < first + (1 << TOTALS_BLOCK_LEVEL); d += 1) {
      const day = this.days.get(d);
      if (day) addDayLogins(totals, day);
    }
    this.work.entries += totals.length;
    this.totals.set(j, totals);
    return totals;
  }

  /** Block j of level k (2^k days), built from its two halves on first use and kept in a bounded cache. */
  span(level: number, j: number): DaySpan {
    if (level === 0) {
      const day = this.days.get(j);
      return day ? { bits: day.bits, logins: dayLogins(day) } : EMPTY_SPAN;
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

  /** The users of slots [s0, s1) of a day as a bitset, kept in a bounded cache (zones cut days the same way). */
  partBits(day: IndexedDay, s0: number, s1: number): Uint32Array {
    const key = `${day.serial}:${s0}:${s1}`;
    const cached = this.parts.get(key);
    if (cached) return cached;
    const bits = new Uint32Array(day.bits.length);
    const { offsets, ids } = day.slots;
    setBits(bits, ids, offsets[s0], offsets[s1]);
    this.work.entries += (offsets[s1] as number) - (offsets[s0] as number);
    this.parts.set(key, bits);
    return bits;
  }
}
