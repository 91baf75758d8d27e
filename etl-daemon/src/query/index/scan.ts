import { setBit } from '../../core/bitset';
import { blockLevel, cutPieces, slotSplit } from '../../core/slots';
import type { Piece } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS, SLOTS_PER_DAY } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import { dayLogins, dayRepeats } from './indexed-day';
import type { SpanCache } from './spans';
import { MAX_BLOCK_LEVEL } from './spans';
import type { IndexWork, UserMask } from './user-mask';
import { countMasked, inMask, orMasked, touches } from './user-mask';

/** A filter holding more than 1 / DENSE_FILTER of everybody is dense: counted by walking the day's repeaters. */
const DENSE_FILTER = 16;

/** What a scan reads: an optional filter, the slot logins at its edges, and which totals are wanted. */
export interface ScanOptions {
  mask: UserMask | undefined;
  raw: RawSlots | undefined;
  users: boolean;
  logins: boolean;
}

/**
 * Marks the users of a range in a bitset and counts its logins: whole UTC days through cached blocks (or,
 * filtered, day by day in the filter's words), the whole slots of a cut day from its summary, and the slots a
 * range edge cuts from their logins.
 */
export class Scanner {
  constructor(
    private readonly days: DayStore,
    private readonly spans: SpanCache,
    private readonly work: IndexWork
  ) {}

  /** Marks the users of [a, b) in `into` and returns the number of logins (when wanted: a filter's cost more). */
  scan(a: number, b: number, into: Uint32Array, want: ScanOptions): number {
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
      const lo = Math.max(a - base, 0);
      const hi = Math.min(b - base, DAY_MS);
      if (lo < hi) logins += this.dayPart({ dayNumber, day, lo, hi }, into, want);
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
        if (want.users) orMasked(into, day.bits, mask, this.work);
        if (want.logins) logins += this.maskedLoginsOfDay(day, mask);
      }
      return logins;
    }
    for (let d = from; d < to;) {
      const level = blockLevel(d, to, MAX_BLOCK_LEVEL);
      const span = this.spans.span(level, d >> level);
      if (want.users) orMasked(into, span.bits, undefined, this.work);
      logins += span.logins;
      d += 1 << level;
    }
    return logins;
  }

  /** Users (into) and logins of ms [lo, hi) of one day: its whole slots from the summary, cut slots raw. */
  private dayPart(
    part: { dayNumber: number; day: IndexedDay; lo: number; hi: number },
    into: Uint32Array,
    want: ScanOptions
  ): number {
    const split = slotSplit(part.lo, part.hi);
    let logins = split.s0 < split.s1 ? this.slotsPart(part.day, split.s0, split.s1, into, want.mask) : 0;
    for (const piece of cutPieces(split)) logins += this.rawPart(part.dayNumber, part.day, piece, into, want);
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
    const { loginsBefore } = day.slots;
    if (s0 === 0 && s1 === SLOTS_PER_DAY) {
      orMasked(into, day.bits, mask, this.work);
      return mask ? this.maskedLoginsOfDay(day, mask) : dayLogins(day);
    }
    if (!mask) {
      orMasked(into, this.spans.partBits(day, s0, s1), undefined, this.work);
      return (loginsBefore[s1] as number) - (loginsBefore[s0] as number);
    }
    // Filtered: a day none of the users logged in on costs the mask's words, not its entries.
    return touches(day.bits, mask, this.work) ? this.maskedSlots(day, s0, s1, into, mask) : 0;
  }

  /** The mask's users (into) and their logins in whole slots [s0, s1) of a day, entry by entry. */
  private maskedSlots(day: IndexedDay, s0: number, s1: number, into: Uint32Array, mask: UserMask): number {
    const { offsets, ids, multiAt, multiCount } = day.slots;
    const e0 = offsets[s0] as number;
    const e1 = offsets[s1] as number;
    let logins = 0;
    for (let e = e0; e < e1; e += 1) {
      const id = ids[e] as number;
      if (!inMask(mask, id)) continue;
      setBit(into, id);
      logins += 1;
    }
    for (let m = lowerBound(multiAt, e0); m < multiAt.length && (multiAt[m] as number) < e1; m += 1) {
      if (inMask(mask, ids[multiAt[m] as number] as number)) logins += (multiCount[m] as number) - 1;
    }
    this.work.entries += e1 - e0;
    return logins;
  }

  /** Logins of the masked users on one day: one each for those who logged in, plus their repeats. */
  private maskedLoginsOfDay(day: IndexedDay, mask: UserMask): number {
    let n = countMasked(day.bits, mask, this.work);
    const repeats = dayRepeats(day);
    // A filter of a few users looks them up among the day's repeaters (its cost theirs, whoever else came); a
    // filter of a large share of everybody (a group) tests each repeater against its bitset instead.
    if (mask.ids.length * DENSE_FILTER < mask.bits.length * 32) {
      for (const id of mask.ids) {
        const k = lowerBound(repeats.ids, id);
        if (repeats.ids[k] === id) n += (repeats.counts[k] as number) - 1;
      }
      return n;
    }
    for (let k = 0; k < repeats.ids.length; k += 1) {
      if (inMask(mask, repeats.ids[k] as number)) n += (repeats.counts[k] as number) - 1;
    }
    this.work.entries += repeats.ids.length;
    return n;
  }

  /** Users (into) and logins of a piece of one slot, from the slot's logins. */
  private rawPart(
    dayNumber: number,
    day: IndexedDay,
    [s, lo, hi]: Piece,
    into: Uint32Array,
    want: ScanOptions
  ): number {
    const logins = this.days.rawOf(dayNumber, day, s, want.raw);
    if (!logins) return 0;
    let n = 0;
    for (let k = lowerBound(logins.t, lo); k < logins.t.length && (logins.t[k] as number) < hi; k += 1) {
      const id = logins.u[k] as number;
      if (!inMask(want.mask, id)) continue;
      setBit(into, id);
      n += 1;
    }
    this.work.raw += logins.t.length;
    return n;
  }
}
