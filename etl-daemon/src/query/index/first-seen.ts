import { hasBit } from '../../core/bitset';
import type { Piece } from '../../core/slots';
import { cutPieces, dayOfSlot, slotSplit } from '../../core/slots';
import { lowerBound } from '../../core/sorted';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../../core/units';
import type { DayStore, RawSlots } from './day-store';
import type { IndexedDay } from './indexed-day';
import { slotsOfUsers } from './indexed-day';
import type { IndexWork, UserMask } from './user-mask';
import { inMask } from './user-mask';

/**
 * Each user's first slot with a login (a global slot number; Infinity for none), kept in step as days are
 * replaced: what new users and retention cohorts are counted from.
 */
export class FirstSeen {
  private first = new Float64Array(0);
  private sorted = new Float64Array(0);
  private sortedStale = false;

  constructor(private readonly days: DayStore) {}

  /**
   * First slots given and not kept in step here (a derived index's: SeriesFirstSeen keeps them, and the index
   * makes its FirstSeen again after a change).
   */
  static fixed(days: DayStore, first: Float64Array<ArrayBuffer>): FirstSeen {
    const seen = new FirstSeen(days);
    seen.first = first;
    seen.sortedStale = true;
    return seen;
  }

  /** Makes room for ids below `userCount`. */
  grow(userCount: number): void {
    if (this.first.length >= userCount) return;
    const grown = new Float64Array(Math.max(userCount, this.first.length * 2, 1024)).fill(Infinity);
    grown.set(this.first);
    this.first = grown;
  }

  get bytes(): number {
    return this.first.byteLength + this.sorted.byteLength;
  }

  slot(id: number): number {
    return this.first[id] ?? Infinity;
  }

  /** Whether a user has any login at all (every id has, unless its days were all removed). */
  has(id: number): boolean {
    return this.slot(id) !== Infinity;
  }

  /** Users whose first slot lay in the old version of a day: forgotten, to be found again after the swap. */
  forget(dayNumber: number, old: IndexedDay): number[] {
    const lost: number[] = [];
    for (const id of old.slots.ids) {
      if (dayOfSlot(this.slot(id)) === dayNumber) {
        this.first[id] = Infinity;
        lost.push(id);
      }
    }
    this.sortedStale = true;
    return lost;
  }

  note(dayNumber: number, day: IndexedDay): void {
    const { offsets, ids } = day.slots;
    for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
      const slot = dayNumber * SLOTS_PER_DAY + s;
      for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
        const id = ids[e] as number;
        if (this.slot(id) > slot) this.first[id] = slot;
      }
    }
    this.sortedStale = true;
  }

  /** Finds again the first slots of `lost` users, after `afterDay` (their earlier days do not hold them). */
  refind(lost: readonly number[], afterDay: number): void {
    for (const id of lost) if (this.slot(id) === Infinity) this.find(id, afterDay);
  }

  private find(id: number, afterDay: number): void {
    for (const dayNumber of this.days.inOrder()) {
      if (dayNumber <= afterDay) continue;
      const day = this.days.get(dayNumber);
      if (!day || !hasBit(day.bits, id)) continue;
      this.first[id] = dayNumber * SLOTS_PER_DAY + (slotsOfUsers(day, [id], 'first')[0] as number);
      return;
    }
  }

  private sortedSlots(userCount: number): Float64Array {
    if (this.sortedStale) {
      this.sorted = Float64Array.from(this.first.subarray(0, userCount)).sort();
      this.sortedStale = false;
    }
    return this.sorted;
  }

  /** Users whose first login ever falls in [a, b) (of `userCount`, or the mask's): whole slots, then cut slots raw. */
  count(
    a: number,
    b: number,
    options: { userCount: number; mask: UserMask | undefined; raw: RawSlots | undefined; work: IndexWork }
  ): number {
    const { mask } = options;
    const split = slotSplit(a, b);
    const { s0: A, s1: B } = split;
    let n = 0;
    if (A < B && mask) {
      options.work.users += mask.ids.length;
      for (const id of mask.ids) if (this.slot(id) >= A && this.slot(id) < B) n += 1;
    } else if (A < B) {
      const sorted = this.sortedSlots(options.userCount);
      n += lowerBound(sorted, B) - lowerBound(sorted, A);
    }
    for (const piece of cutPieces(split)) n += this.countInPiece(piece, mask, options.raw);
    return n;
  }

  /** Users whose first login falls in a piece of their first slot. */
  private countInPiece(
    [slot, from, to]: Piece,
    mask: UserMask | undefined,
    raw: RawSlots | undefined
  ): number {
    const logins = this.days.rawOfSlot(slot, raw);
    if (!logins) return 0;
    const base = dayOfSlot(slot) * DAY_MS;
    const seen = new Set<number>();
    let n = 0;
    for (let k = 0; k < logins.t.length; k += 1) {
      const id = logins.u[k] as number;
      if (seen.has(id) || this.first[id] !== slot) continue;
      seen.add(id);
      const at = base + (logins.t[k] as number);
      if (at >= from && at < to && inMask(mask, id)) n += 1;
    }
    return n;
  }

  /**
   * Whether a user's first login ever is before `t`, exactly: by first slot, and when `t` falls inside
   * that slot, by the slot's logins.
   */
  before(id: number, t: number, raw: RawSlots | undefined): boolean {
    const first = this.slot(id);
    const slot = Math.floor(t / SLOT_MS);
    if (first !== slot || t % SLOT_MS === 0) return first * SLOT_MS < t;
    const logins = this.days.rawOfSlot(slot, raw);
    if (!logins) return false;
    const before = t - dayOfSlot(slot) * DAY_MS;
    for (let k = 0; k < logins.t.length && (logins.t[k] as number) < before; k += 1)
      if (logins.u[k] === id) return true;
    return false;
  }
}
