import { dayOfSlot } from '../../core/slots';
import { SLOTS_PER_DAY } from '../../core/units';
import type { DayStore } from './day-store';
import type { IndexedDay } from './indexed-day';
import type { KeyFirstSeen } from './key-first-seen';
import { PAIR, forEachKeyedEntry } from './key-first-seen';

/**
 * Each user's first slot with a login of each of a group's disjoint series (a breakdown's values, or one
 * filter: `seriesOfKey[key]`, -1 or past its end for none): found on first ask (from the table of first
 * requests by key, or by one pass over the days when it is not held), then kept in step as the base's days
 * are replaced, as FirstSeen keeps the index's, while the base keeps an index of the group
 * (LoginIndex.replaceDay; an index no longer kept hears of no change either). A refresh of today so costs the
 * users of today's two versions, not a pass or the table's keys × users.
 */
export class SeriesFirstSeen {
  private slots: Float64Array<ArrayBuffer>[] | undefined;

  constructor(
    private readonly keyFirst: KeyFirstSeen,
    private readonly days: DayStore,
    private readonly series: { seriesOfKey: Int32Array; count: number }
  ) {}

  /** Series `s`'s first slots (Infinity: none) for ids below `userCount`. */
  of(s: number, userCount: number): Float64Array<ArrayBuffer> {
    if (!this.slots) this.slots = this.keyFirst.firstSlotsOfSeries(this.series, userCount);
    else this.grow(userCount);
    return this.slots[s] as Float64Array<ArrayBuffer>;
  }

  private grow(userCount: number): void {
    const slots = this.slots;
    if (!slots || (slots[0]?.length ?? userCount) >= userCount) return;
    for (const [s, old] of slots.entries()) {
      const grown = new Float64Array(Math.max(userCount, old.length * 2)).fill(Infinity);
      grown.set(old);
      slots[s] = grown;
    }
  }

  private seriesOf(key: number): number {
    return this.series.seriesOfKey[key] ?? -1;
  }

  /** Pairs whose first slot lay in the old version of a day: forgotten, to be found again after the swap. */
  forget(dayNumber: number, old: IndexedDay): number[] {
    const slots = this.slots;
    const lost: number[] = [];
    if (!slots) return lost;
    forEachKeyedEntry(old, (_slot, id, key) => {
      const s = this.seriesOf(key);
      const first = slots[s];
      if (!first || first[id] === Infinity || dayOfSlot(first[id] as number) !== dayNumber) return;
      first[id] = Infinity;
      lost.push(s * PAIR + id);
    });
    return lost;
  }

  /** Lowers first slots to a new day's logins (ids below `userCount`). */
  note(dayNumber: number, day: IndexedDay, userCount: number): void {
    if (!this.slots) return;
    this.grow(userCount);
    const slots = this.slots;
    const base = dayNumber * SLOTS_PER_DAY;
    forEachKeyedEntry(day, (slot, id, key) => {
      const first = slots[this.seriesOf(key)];
      if (first && (first[id] as number) > base + slot) first[id] = base + slot;
    });
  }

  /** Finds again the first slots of `lost` pairs after `afterDay`, one pass over the later days for all. */
  refind(lost: readonly number[], afterDay: number): void {
    const slots = this.slots;
    if (!slots) return;
    const open = new Set(lost.filter((pair) => slots[Math.floor(pair / PAIR)]?.[pair % PAIR] === Infinity));
    for (const dayNumber of this.days.inOrder()) {
      if (open.size === 0) return;
      const day = dayNumber > afterDay ? this.days.get(dayNumber) : undefined;
      if (!day) continue;
      forEachKeyedEntry(day, (slot, id, key) => {
        const s = this.seriesOf(key);
        if (s < 0 || !open.delete(s * PAIR + id)) return;
        (slots[s] as Float64Array)[id] = dayNumber * SLOTS_PER_DAY + slot;
      });
    }
  }
}
