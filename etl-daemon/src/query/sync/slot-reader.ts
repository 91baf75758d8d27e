import { ByteBoundedCache } from '../../core/bounded-cache';
import { dayOfSlot, slotOfDay } from '../../core/slots';
import { DAY_MS, HOUR_MS, SLOT_MS } from '../../core/units';
import type { UsageCollections } from '../../db/collections';
import type { DayParts } from '../../db/day-doc';
import { readChunks } from '../../db/read-days';
import { dayEventsFromChunks, eventsInWindow } from '../../etl/day-events';
import type { LoginIndex, RawLogins, RawSlots } from '../login-index';

const SLOTS_PER_HOUR = HOUR_MS / SLOT_MS;

/** What the reader needs of the loaded days: the version and documents of a UTC day (ms) as the index holds it. */
export type LoadedDay = (dayMs: number) => { version: string; parts: DayParts } | undefined;

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
    this.cache = new ByteBoundedCache(cacheBytes, (raw) => raw.t.byteLength + raw.u.byteLength + 64);
  }

  async read(slots: readonly number[]): Promise<RawSlots> {
    const out = new Map<number, RawLogins>();
    const byDay = new Map<number, number[]>();
    for (const slot of slots) byDay.set(dayOfSlot(slot), [...(byDay.get(dayOfSlot(slot)) ?? []), slot]);
    for (const [day, list] of byDay) await this.readDay(day, list, out);
    return out;
  }

  private async readDay(dayNumber: number, slots: number[], out: Map<number, RawLogins>): Promise<void> {
    const { cols, index, loaded } = this.deps;
    const day = loaded(dayNumber * DAY_MS);
    if (day === undefined) return;
    const { version } = day;
    const wanted = slots.filter((slot) => {
      const hit = this.cache.get(`${slot}:${version}`);
      if (hit) out.set(slot, hit);
      return !hit;
    });
    if (wanted.length === 0) return;
    const hours = [...new Set(wanted.map((slot) => Math.floor(slotOfDay(slot) / SLOTS_PER_HOUR)))];
    const date = new Date(dayNumber * DAY_MS);
    const events = dayEventsFromChunks(date, await readChunks(cols, [{ ...day.parts, day: date }], hours));
    const ids = events.users.map((name) => index.userId(name));
    for (const slot of wanted) {
      const raw = eventsInWindow(events, { lo: slotOfDay(slot) * SLOT_MS, width: SLOT_MS }, ids);
      // Kept only if it is the slot the index summarises; otherwise the day changed under the request.
      if (loaded(dayNumber * DAY_MS)?.version === version && raw.t.length === index.slotLogins(slot))
        this.cache.set(`${slot}:${version}`, raw);
      out.set(slot, raw);
    }
  }
}
