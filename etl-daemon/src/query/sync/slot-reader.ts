import { ByteBoundedCache } from '../../core/bounded-cache';
import { dayOfSlot, slotOfDay } from '../../core/slots';
import { DAY_MS, HOUR_MS, SLOT_MS, SLOTS_PER_DAY } from '../../core/units';
import type { UsageCollections } from '../../db/collections';
import type { DayParts } from '../../db/day-doc';
import { readChunksOfDays } from '../../db/read-days';
import type { StoredChunk } from '../../etl/day-events';
import { dayEventsFromChunks, eventsInWindow } from '../../etl/day-events';
import type { LoginIndex, RawLogins, RawSlots } from '../login-index';

const SLOTS_PER_HOUR = HOUR_MS / SLOT_MS;

/** What the reader needs of the loaded days: the version and documents of a UTC day (ms) as the index holds it. */
export type LoadedDay = (dayMs: number) => { version: string; parts: DayParts } | undefined;

/** Items by key, in their order (a list per key, appended to, not copied per item). */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Days read together in one query. */
const DAYS_PER_READ = 64;

/** A day's slots not in the cache, their hours, and the version and documents of the day the index holds. */
interface DayMisses {
  dayNumber: number;
  version: string;
  parts: DayParts;
  wanted: number[];
  hours: number[];
}

/**
 * The logins of slots cut by range edges, read from the hour chunks of the version of their day the index
 * holds, and kept in a bounded cache while that version is current.
 */
export class SlotReader {
  private readonly cache: ByteBoundedCache<string, RawLogins>;

  constructor(
    private readonly deps: { cols: UsageCollections; index: LoginIndex; loaded: LoadedDay },
    cacheBytes: number
  ) {
    this.cache = new ByteBoundedCache(cacheBytes, (raw) => raw.t.byteLength * 3 + 64);
  }

  async read(slots: readonly number[]): Promise<RawSlots> {
    const out = new Map<number, RawLogins>();
    const byDay = groupBy(slots, dayOfSlot);
    const misses: DayMisses[] = [];
    for (const [day, list] of byDay) {
      const miss = this.fromCache(day, list, out);
      if (miss) misses.push(miss);
    }
    // The days' chunks in batches of one query each, not one query per day.
    for (let i = 0; i < misses.length; i += DAYS_PER_READ)
      await this.readDays(misses.slice(i, i + DAYS_PER_READ), out);
    return out;
  }

  /** The slots of a day found in the cache go to `out`; the others, with the day's version, are returned. */
  private fromCache(dayNumber: number, slots: number[], out: Map<number, RawLogins>): DayMisses | undefined {
    const day = this.deps.loaded(dayNumber * DAY_MS);
    if (day === undefined) return undefined;
    const wanted = slots.filter((slot) => {
      const hit = this.cache.get(`${slot}:${day.version}`);
      if (hit) out.set(slot, hit);
      return !hit;
    });
    if (wanted.length === 0) return undefined;
    const hours = [...new Set(wanted.map((slot) => Math.floor(slotOfDay(slot) / SLOTS_PER_HOUR)))];
    return { dayNumber, version: day.version, parts: day.parts, wanted, hours };
  }

  private async readDays(misses: readonly DayMisses[], out: Map<number, RawLogins>): Promise<void> {
    const chunks = await readChunksOfDays(
      this.deps.cols,
      misses.map((m) => ({ ...m.parts, day: new Date(m.dayNumber * DAY_MS), hours: m.hours }))
    );
    const byDay = groupBy(chunks, (chunk) => chunk.day.getTime());
    for (const miss of misses) this.slotsOfDay(miss, byDay.get(miss.dayNumber * DAY_MS) ?? [], out);
  }

  /**
   * The wanted slots' logins from their day's chunks, and those of the other slots of the hours read (a
   * chunk holds four: the next request's slots are often beside these, and they cost no further read); kept
   * while the day is the version the index holds.
   */
  private slotsOfDay(miss: DayMisses, chunks: readonly StoredChunk[], out: Map<number, RawLogins>): void {
    const { index, loaded } = this.deps;
    const events = dayEventsFromChunks(new Date(miss.dayNumber * DAY_MS), chunks);
    const ids = events.users.map((name) => index.userId(name));
    const keyIds = (events.keys ?? []).map((key) => index.keyId(key));
    const wanted = new Set(miss.wanted);
    for (const hour of miss.hours) {
      for (let k = 0; k < SLOTS_PER_HOUR; k += 1) {
        const slot = miss.dayNumber * SLOTS_PER_DAY + hour * SLOTS_PER_HOUR + k;
        const raw = eventsInWindow(
          events,
          { lo: slotOfDay(slot) * SLOT_MS, width: SLOT_MS },
          { ids, keyIds }
        );
        // Kept only if it is the slot the index summarises; otherwise the day changed under the request.
        if (
          loaded(miss.dayNumber * DAY_MS)?.version === miss.version &&
          raw.t.length === index.slotLogins(slot)
        )
          this.cache.set(`${slot}:${miss.version}`, raw);
        if (wanted.has(slot)) out.set(slot, raw);
      }
    }
  }
}
