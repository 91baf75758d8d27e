import { dayOfSlot, slotOfDay } from '../../core/slots';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../../core/units';
import type { IndexedDay, RawLogins } from './indexed-day';
import { dayBytes, dayLogins, rawSlice, slotLoginCount } from './indexed-day';

/** Raw logins of slots the index does not hold, by global slot number (ms / SLOT_MS). */
export type RawSlots = ReadonlyMap<number, RawLogins>;

/** A range edge inside a slot whose logins the index does not hold: the caller reads them (index-loader). */
export class MissingRawError extends Error {
  override name = 'MissingRawError';
  constructor(readonly slot: number) {
    super(`LoginIndex: the logins of slot ${new Date(slot * SLOT_MS).toISOString()} are needed`);
  }
}

/** A store whose days are another's, each derived on first use (query/index/derive.ts). */
export interface DerivedFrom {
  base: DayStore;
  derive: (day: IndexedDay, dayNumber: number) => IndexedDay | undefined;
}

/**
 * The indexed UTC days by day number (days since 1970), in order on demand, and the raw logins of their slots.
 * A derived store (a request filter's, a series') holds another store's days as derived from them, each
 * derived when first asked for and again when the other's version of it changes.
 */
export class DayStore {
  private readonly days = new Map<number, IndexedDay>();
  private readonly derivedFrom = new Map<number, number>();
  private sorted: number[] = [];
  private sortedStale = false;

  constructor(private readonly from?: DerivedFrom) {}

  get(dayNumber: number): IndexedDay | undefined {
    if (!this.from) return this.days.get(dayNumber);
    const base = this.from.base.get(dayNumber);
    if (!base) return undefined;
    if (this.derivedFrom.get(dayNumber) !== base.serial) {
      const derived = this.from.derive(base, dayNumber);
      if (derived) this.days.set(dayNumber, derived);
      else this.days.delete(dayNumber);
      this.derivedFrom.set(dayNumber, base.serial);
    }
    return this.days.get(dayNumber);
  }

  set(dayNumber: number, day: IndexedDay): void {
    if (!this.days.has(dayNumber)) this.sortedStale = true;
    this.days.set(dayNumber, day);
  }

  delete(dayNumber: number): void {
    if (this.days.delete(dayNumber)) this.sortedStale = true;
  }

  values(): IterableIterator<IndexedDay> {
    return this.days.values();
  }

  inOrder(): readonly number[] {
    if (this.from) return this.from.base.inOrder();
    if (this.sortedStale) {
      this.sorted = [...this.days.keys()].sort((a, b) => a - b);
      this.sortedStale = false;
    }
    return this.sorted;
  }

  /** [first, last) ms of the UTC days holding logins; undefined when there are none. */
  get extent(): { start: number; end: number } | undefined {
    const sorted = this.inOrder();
    const first = sorted[0];
    const last = sorted.at(-1);
    return first === undefined || last === undefined
      ? undefined
      : { start: first * DAY_MS, end: (last + 1) * DAY_MS };
  }

  get logins(): number {
    let n = 0;
    for (const day of this.days.values()) n += dayLogins(day);
    return n;
  }

  get bytes(): number {
    let n = 0;
    for (const day of this.days.values()) n += dayBytes(day);
    return n;
  }

  /** The number of logins held for a slot (global number): what a read of its logins must find. */
  slotLogins(slot: number): number {
    const day = this.get(dayOfSlot(slot));
    return day ? slotLoginCount(day, slotOfDay(slot)) : 0;
  }

  /** The slots holding logins that these instants fall inside (not on a slot boundary) and no day keeps raw. */
  missingSlotsAt(points: Iterable<number>): number[] {
    const missing = new Set<number>();
    for (const point of points) {
      if (point % SLOT_MS === 0) continue;
      const slot = Math.floor(point / SLOT_MS);
      const day = this.get(dayOfSlot(slot));
      if (day && !day.raw && slotLoginCount(day, slotOfDay(slot)) > 0) missing.add(slot);
    }
    return [...missing].sort((a, b) => a - b);
  }

  /** The logins of slot s of a day: kept with the day, or given in `raw`; undefined when it has none. */
  rawOf(dayNumber: number, day: IndexedDay, s: number, raw: RawSlots | undefined): RawLogins | undefined {
    if (slotLoginCount(day, s) === 0) return undefined;
    if (day.raw) return rawSlice(day.raw, s);
    const slot = dayNumber * SLOTS_PER_DAY + s;
    const logins = raw?.get(slot);
    if (!logins) throw new MissingRawError(slot);
    return logins;
  }

  /** The raw logins of a slot given by its global number (see rawOf). */
  rawOfSlot(slot: number, raw: RawSlots | undefined): RawLogins | undefined {
    const dayNumber = dayOfSlot(slot);
    const day = this.get(dayNumber);
    return day ? this.rawOf(dayNumber, day, slotOfDay(slot), raw) : undefined;
  }
}
