import { Interner } from '../core/interner';
import { HOUR_MS } from '../core/units';
import type { HourChunk } from './day-chunks';

/** A UTC day's logins, decoded: distinct names once, per login an index into them and ms since the day began. */
export interface DayEvents {
  day: Date;
  users: readonly string[];
  /** Per login: index into `users`. */
  u: ArrayLike<number>;
  /** Per login: ms since the day began, ascending. */
  t: ArrayLike<number>;
}

/** The fields of a stored hour chunk a reader of logins needs. */
export type StoredChunk = Pick<HourChunk, 'hour' | 'part' | 'users' | 'u' | 't'> & { day: Date; run: string };

/**
 * Joins a day's chunks into one time-ordered list of logins. Each chunk is in time order and a run's chunks
 * follow each other by hour and part; an open day's segments are runs of their own that hold the same hours,
 * so when chunks of several runs interleave the logins are put in time order (stable: ties keep chunk order).
 */
export function dayEventsFromChunks(day: Date, chunks: readonly StoredChunk[]): DayEvents {
  const sorted = [...chunks].sort((a, b) => a.hour - b.hour || a.part - b.part);
  const users = new Interner();
  const u: number[] = [];
  const t: number[] = [];
  for (const chunk of sorted) {
    const local = chunk.users.map((name) => users.id(name));
    for (let i = 0; i < chunk.u.length; i += 1) {
      u.push(local[chunk.u[i] as number] as number);
      t.push(chunk.hour * HOUR_MS + (chunk.t[i] as number));
    }
  }
  if (t.every((at, k) => k === 0 || at >= (t[k - 1] as number))) return { day, users: users.names, u, t };
  const order = t.map((_, k) => k).sort((a, b) => (t[a] as number) - (t[b] as number));
  return {
    day,
    users: users.names,
    u: order.map((k) => u[k] as number),
    t: order.map((k) => t[k] as number),
  };
}

/** The logins of one slot window [lo, lo + width) of a day's events, with ids mapped through `ids`. */
export function eventsInWindow(
  events: DayEvents,
  window: { lo: number; width: number },
  ids: readonly number[]
): { t: Int32Array; u: Int32Array } {
  const t: number[] = [];
  const u: number[] = [];
  for (let k = 0; k < events.t.length; k += 1) {
    const at = events.t[k] as number;
    if (at >= window.lo && at < window.lo + window.width) {
      t.push(at);
      u.push(ids[events.u[k] as number] as number);
    }
  }
  return { t: Int32Array.from(t), u: Int32Array.from(u) };
}
