import { HOUR_MS } from '../core/units';
import type { LoginEvent } from './selector';
import { UNKNOWN_KEY } from './dimensions';

/**
 * The logins of one UTC hour (or a part of it), in the compact form stored in home.login: distinct user
 * names once, then per login an index into them and the milliseconds since the hour started.
 */
export interface HourChunk {
  hour: number;
  part: number;
  users: string[];
  u: number[];
  t: number[];
  logins: number;
  /** Distinct request keys (etl/dimensions.ts) and per login an index into them; absent: all unknown. */
  keys?: string[];
  k?: number[];
}

export interface DaySummary {
  logins: number;
  users: number;
}

/** Bounds a document: 10,000 logins with 256-character names stay under 3 MB, far from 16 MiB. */
export const MAX_EVENTS_PER_CHUNK = 10_000;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTimeThenUser(a: LoginEvent, b: LoginEvent): number {
  return (
    a.created.getTime() - b.created.getTime() ||
    compare(a.user, b.user) ||
    compare(a.key ?? UNKNOWN_KEY, b.key ?? UNKNOWN_KEY)
  );
}

type Building = HourChunk & { index: Map<string, number>; keyIndex: Map<string, number>; keyed: boolean };

/** A chunk's keys are stored only when one of its logins has a known one. */
function finished({ hour, part, users, u, t, logins, keys, k, keyed }: Building): HourChunk {
  return keyed ? { hour, part, users, u, t, logins, keys, k } : { hour, part, users, u, t, logins };
}

function addKey(chunk: Building, key: string): void {
  let keyIndex = chunk.keyIndex.get(key);
  if (keyIndex === undefined) {
    keyIndex = chunk.keys?.length ?? 0;
    chunk.keys?.push(key);
    chunk.keyIndex.set(key, keyIndex);
  }
  chunk.k?.push(keyIndex);
  if (key !== UNKNOWN_KEY) chunk.keyed = true;
}

/** Splits one UTC day's logins into hour chunks in time order; the same logins always give the same chunks. */
export function buildDayChunks(
  dayStart: Date,
  events: readonly LoginEvent[],
  maxEvents = MAX_EVENTS_PER_CHUNK
): { chunks: HourChunk[]; summary: DaySummary } {
  const sorted = [...events].sort(byTimeThenUser);
  const chunks: Building[] = [];
  const distinct = new Set<string>();
  let current: Building | undefined;
  for (const event of sorted) {
    const offset = event.created.getTime() - dayStart.getTime();
    const hour = Math.floor(offset / HOUR_MS);
    if (hour < 0 || hour > 23)
      throw new RangeError(`buildDayChunks: ${event.created.toISOString()} is outside the day`);
    if (!current || current.hour !== hour || current.logins >= maxEvents) {
      const part = current && current.hour === hour ? current.part + 1 : 0;
      current = {
        ...{ hour, part, users: [], u: [], t: [], logins: 0, keys: [], k: [] },
        ...{ index: new Map(), keyIndex: new Map(), keyed: false },
      };
      chunks.push(current);
    }
    let userIndex = current.index.get(event.user);
    if (userIndex === undefined) {
      userIndex = current.users.length;
      current.users.push(event.user);
      current.index.set(event.user, userIndex);
    }
    current.u.push(userIndex);
    current.t.push(offset - hour * HOUR_MS);
    addKey(current, event.key ?? UNKNOWN_KEY);
    current.logins += 1;
    distinct.add(event.user);
  }
  return {
    chunks: chunks.map(finished),
    summary: { logins: sorted.length, users: distinct.size },
  };
}

/** The inverse of buildDayChunks, used by readers and tests. */
export function chunkEvents(
  dayStart: Date,
  chunk: Pick<HourChunk, 'hour' | 'users' | 'u' | 't' | 'keys' | 'k'>
): LoginEvent[] {
  const base = dayStart.getTime() + chunk.hour * HOUR_MS;
  return chunk.u.map((userIndex, i) => {
    const user = chunk.users[userIndex];
    const offset = chunk.t[i];
    if (user === undefined || offset === undefined)
      throw new RangeError('chunkEvents: chunk arrays disagree');
    const key = chunk.keys?.[chunk.k?.[i] ?? -1];
    const created = new Date(base + offset);
    return key === undefined ? { user, created } : { user, created, key };
  });
}
