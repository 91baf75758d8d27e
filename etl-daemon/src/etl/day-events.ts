import { Interner } from '../core/interner';
import { HOUR_MS } from '../core/units';
import type { HourChunk } from './day-chunks';
import { UNKNOWN_KEY } from './dimensions';

/** A UTC day's logins, decoded: distinct names once, per login an index into them and ms since the day began. */
export interface DayEvents {
  day: Date;
  users: readonly string[];
  /** Per login: index into `users`. */
  u: ArrayLike<number>;
  /** Per login: ms since the day began, ascending. */
  t: ArrayLike<number>;
  /** Distinct request keys (etl/dimensions.ts) and per login an index into them; absent: all unknown. */
  keys?: readonly string[];
  k?: ArrayLike<number>;
}

/** The fields of a stored hour chunk a reader of logins needs. */
export type StoredChunk = Pick<HourChunk, 'hour' | 'part' | 'users' | 'u' | 't' | 'keys' | 'k'> & {
  day: Date;
  run: string;
};

/**
 * Joins a day's chunks into one time-ordered list of logins. Each chunk is in time order and a run's chunks
 * follow each other by hour and part; an open day's segments are runs of their own that hold the same hours,
 * so when chunks of several runs interleave the logins are put in time order (stable: ties keep chunk order).
 */
export function dayEventsFromChunks(day: Date, chunks: readonly StoredChunk[]): DayEvents {
  const sorted = [...chunks].sort((a, b) => a.hour - b.hour || a.part - b.part);
  const users = new Interner();
  const keys = new Interner();
  keys.id(UNKNOWN_KEY);
  const u: number[] = [];
  const t: number[] = [];
  const k: number[] = [];
  for (const chunk of sorted) {
    const local = chunk.users.map((name) => users.id(name));
    const localKeys = (chunk.keys ?? []).map((key) => keys.id(key));
    for (let i = 0; i < chunk.u.length; i += 1) {
      u.push(local[chunk.u[i] as number] as number);
      t.push(chunk.hour * HOUR_MS + (chunk.t[i] as number));
      k.push(localKeys[chunk.k?.[i] ?? -1] ?? 0);
    }
  }
  const events = { day, users: users.names, u, t, keys: keys.names, k };
  if (t.every((at, j) => j === 0 || at >= (t[j - 1] as number))) return events;
  const order = t.map((_, j) => j).sort((a, b) => (t[a] as number) - (t[b] as number));
  return {
    ...events,
    u: order.map((j) => u[j] as number),
    t: order.map((j) => t[j] as number),
    k: order.map((j) => k[j] as number),
  };
}

/**
 * The logins of one slot window [lo, lo + width) of a day's events, with user ids mapped through `ids` and
 * request keys through `keyIds` (an event without keys has key id `keyIds[0]`, the unknown key's).
 */
export function eventsInWindow(
  events: DayEvents,
  window: { lo: number; width: number },
  mapping: { ids: readonly number[]; keyIds: readonly number[] }
): { t: Int32Array; u: Int32Array; k: Int32Array } {
  const t: number[] = [];
  const u: number[] = [];
  const k: number[] = [];
  for (let j = 0; j < events.t.length; j += 1) {
    const at = events.t[j] as number;
    if (at >= window.lo && at < window.lo + window.width) {
      t.push(at);
      u.push(mapping.ids[events.u[j] as number] as number);
      k.push(mapping.keyIds[events.k?.[j] ?? 0] ?? 0);
    }
  }
  return { t: Int32Array.from(t), u: Int32Array.from(u), k: Int32Array.from(k) };
}
