import { forEachDimEntry } from '../../core/dim-slots';
import { dayOfSlot } from '../../core/slots';
import { SLOTS_PER_DAY } from '../../core/units';
import type { DayStore } from './day-store';
import type { IndexedDay } from './indexed-day';

/** No login with the key. */
const NONE = 0x7fffffff;
/** A (key or series, user) pair as one number: key * PAIR + id (ids stay far below 2^26 users). */
export const PAIR = 2 ** 26;

/** The key every entry of a day without a split by key has (the unknown key, id 0). */
export const UNKNOWN_KEY_ID = 0;

/** Calls `visit(slot, id, key)` for each (slot, user, key) of a day; a day without a split is all unknown. */
export function forEachKeyedEntry(
  day: IndexedDay,
  visit: (slot: number, id: number, key: number) => void
): void {
  if (day.dims) {
    forEachDimEntry({ slots: day.slots, dims: day.dims }, visit);
    return;
  }
  const { offsets, ids } = day.slots;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1)
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1)
      visit(s, ids[e] as number, UNKNOWN_KEY_ID);
}

/**
 * Each user's first slot with a login of each request key (a global slot number), as FirstSeen keeps the
 * first slot of any login: a filter's or a series' new users and cohorts are counted from the earliest of
 * its keys' (`firstSlotsOfSeries`). One array of users per key seen. Not found at start-up (which it would
 * slow by one pass over every day's split): found in slices after it (`buildSome`, between requests), or at
 * once when a filter asks first; from then on kept in step as days are replaced.
 *
 * The table grows with keys × users (4 bytes each): a key is a handler on a host, and hosts named after
 * containers come and go with every deployment. Past `maxBytes` (USAGE_KEY_FIRST_MB) it is let go for good,
 * and each ask finds the first slots of all its series by one pass over the days instead (`scan`): the same
 * numbers, memory bounded, a breakdown's or filter's first ask paying a pass (SeriesFirstSeen keeps them in
 * step after it).
 */
export class KeyFirstSeen {
  private readonly first: Int32Array[] = [];
  private capacity = 0;
  /** Days are noted as they are replaced (note, forget, refind) from the moment building starts. */
  private built = false;
  /** Days held when building started and not noted yet, newest first (taken from the end: oldest first). */
  private pending: number[] = [];
  /** False once the table would pass `maxBytes`: let go, first slots found by a pass per ask. */
  private holding = true;

  constructor(
    private readonly days: DayStore,
    private readonly maxBytes = Infinity
  ) {}

  /** Whether the table is held (false: past its bytes, first slots are found by a pass over the days). */
  get held(): boolean {
    return this.holding;
  }

  /**
   * Notes days held for about `budgetMs` (every day, with Infinity); true once all are. Days replaced while
   * others wait are noted as they come (a day noted twice keeps its earliest slots, and first slots found
   * again after a replaced day are lowered by the earlier days still waiting), so the result is the same as
   * noting every day at once.
   */
  buildSome(budgetMs: number, userCount: number): boolean {
    if (!this.built) {
      this.built = true;
      this.grow(userCount);
      this.pending = [...this.days.inOrder()].reverse();
    }
    if (!this.holding) return true;
    const until = performance.now() + budgetMs;
    for (let n = 1; this.pending.length > 0; n += 1) {
      const dayNumber = this.pending.pop() as number;
      const day = this.days.get(dayNumber);
      if (day) this.note(dayNumber, day);
      if (n % 8 === 0 && performance.now() > until) break;
    }
    return this.pending.length === 0;
  }

  /** Makes room for ids below `userCount`. */
  grow(userCount: number): void {
    if (this.capacity >= userCount || !this.holding) return;
    this.capacity = Math.max(userCount, this.capacity * 2, 1024);
    if (!this.fits(this.first.length)) return;
    for (let k = 0; k < this.first.length; k += 1) this.first[k] = this.grown(this.first[k]);
  }

  /** Whether `keys` arrays of the capacity stay within the bytes; when not, the table is let go. */
  private fits(keys: number): boolean {
    if (this.holding && keys * this.capacity * 4 > this.maxBytes) {
      this.holding = false;
      this.first.length = 0;
      this.pending = [];
    }
    return this.holding;
  }

  private grown(old: Int32Array | undefined): Int32Array {
    const array = new Int32Array(this.capacity).fill(NONE);
    if (old) array.set(old);
    return array;
  }

  /** The array of a key, made (with those below it) when missing; only while the table is held. */
  private of(key: number): Int32Array {
    while (this.first.length <= key) this.first.push(this.grown(undefined));
    return this.first[key] as Int32Array;
  }

  get bytes(): number {
    return this.first.reduce((n, a) => n + a.byteLength, 0);
  }

  /** Pairs whose first slot lay in the old version of a day: forgotten, to be found again after the swap. */
  forget(dayNumber: number, old: IndexedDay): Set<number> {
    const lost = new Set<number>();
    if (!this.built || !this.holding) return lost;
    forEachKeyedEntry(old, (_s, id, key) => {
      const first = this.of(key);
      if (first[id] !== NONE && dayOfSlot(first[id] as number) === dayNumber) {
        first[id] = NONE;
        lost.add(key * PAIR + id);
      }
    });
    return lost;
  }

  note(dayNumber: number, day: IndexedDay): void {
    if (!this.built || !this.holding) return;
    // Loops written out (no callback per entry): every day of the index passes here at start-up.
    const base = dayNumber * SLOTS_PER_DAY;
    const { offsets, ids } = day.slots;
    const dims = day.dims;
    let maxKey = UNKNOWN_KEY_ID;
    if (dims)
      for (let d = 0; d < dims.keys.length; d += 1)
        if ((dims.keys[d] as number) > maxKey) maxKey = dims.keys[d] as number;
    if (!this.fits(maxKey + 1)) return;
    this.of(maxKey);
    const firsts = this.first;
    if (!dims) {
      const first = firsts[UNKNOWN_KEY_ID] as Int32Array;
      for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
        for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1)
          if ((first[ids[e] as number] as number) > base + s) first[ids[e] as number] = base + s;
      }
      return;
    }
    const { keys, runAt, runLength } = dims;
    for (let s = 0, d = 0, r = 0; s < SLOTS_PER_DAY; s += 1) {
      const slot = base + s;
      for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
        const id = ids[e] as number;
        const end = d + (runAt[r] === e ? (runLength[r++] as number) : 1);
        for (; d < end; d += 1) {
          const first = firsts[keys[d] as number] as Int32Array;
          if ((first[id] as number) > slot) first[id] = slot;
        }
      }
    }
  }

  /** Finds again the first slots of `lost` pairs after `afterDay`, one pass over the later days for all. */
  refind(lost: Set<number>, afterDay: number): void {
    if (!this.holding) return;
    const open = new Set([...lost].filter((pair) => this.of(Math.floor(pair / PAIR))[pair % PAIR] === NONE));
    for (const dayNumber of this.days.inOrder()) {
      if (open.size === 0) return;
      const day = dayNumber > afterDay ? this.days.get(dayNumber) : undefined;
      if (!day) continue;
      forEachKeyedEntry(day, (s, id, key) => {
        if (!open.delete(key * PAIR + id)) return;
        this.of(key)[id] = dayNumber * SLOTS_PER_DAY + s;
      });
    }
  }

  /**
   * Each user's first slot with a login of each series' keys (`seriesOfKey[key]`, -1 or past its end: none),
   * Infinity for none, for `userCount` users: from the table, or by one pass over the days for all series.
   */
  firstSlotsOfSeries(
    series: { seriesOfKey: Int32Array; count: number },
    userCount: number
  ): Float64Array<ArrayBuffer>[] {
    this.buildSome(Infinity, userCount);
    this.grow(userCount);
    const outs = Array.from({ length: series.count }, () => new Float64Array(userCount).fill(Infinity));
    if (!this.holding) {
      this.scan(series.seriesOfKey, outs);
      return outs;
    }
    for (let key = 0; key < this.first.length && key < series.seriesOfKey.length; key += 1) {
      const out = outs[series.seriesOfKey[key] as number];
      if (!out) continue;
      const first = this.first[key] as Int32Array;
      for (let id = 0; id < userCount; id += 1) {
        const slot = first[id] as number;
        if (slot !== NONE && slot < (out[id] as number)) out[id] = slot;
      }
    }
    return outs;
  }

  /**
   * First slots of each series' keys by one pass over the days, oldest first (a user's first is the first
   * met): what the table answers, when it is not held.
   */
  private scan(seriesOfKey: Int32Array, outs: Float64Array[]): void {
    // Loops written out (no callback per entry): one pass over every day per ask.
    for (const dayNumber of this.days.inOrder()) {
      const day = this.days.get(dayNumber);
      if (!day) continue;
      const base = dayNumber * SLOTS_PER_DAY;
      const { offsets, ids } = day.slots;
      const dims = day.dims;
      if (!dims) {
        const out = outs[seriesOfKey[UNKNOWN_KEY_ID] ?? -1];
        if (!out) continue;
        for (let s = 0; s < SLOTS_PER_DAY; s += 1)
          for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1)
            if (out[ids[e] as number] === Infinity) out[ids[e] as number] = base + s;
        continue;
      }
      const { keys, runAt, runLength } = dims;
      for (let s = 0, d = 0, r = 0; s < SLOTS_PER_DAY; s += 1) {
        for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
          const id = ids[e] as number;
          const end = d + (runAt[r] === e ? (runLength[r++] as number) : 1);
          for (; d < end; d += 1) {
            const out = outs[seriesOfKey[keys[d] as number] ?? -1];
            if (out && out[id] === Infinity) out[id] = base + s;
          }
        }
      }
    }
  }
}
