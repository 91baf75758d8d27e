import { HOUR_MS } from '../core/units';
import type { LoginEvent } from './selector';

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
}

export interface DaySummary {
  logins: number;
  users: number;
}

/** Bounds a document: 10,000 logins with 256-character names stay under 3 MB, far from 16 MiB. */
export const MAX_EVENTS_PER_CHUNK = 10_000;

function byTimeThenUser(a: LoginEvent, b: LoginEvent): number {
  return a.created.getTime() - b.created.getTime() || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0);
}

/** Splits one UTC day's logins into hour chunks in time order; the same logins always give the same chunks. */
export function buildDayChunks(
  dayStart: Date,
  events: readonly LoginEvent[],
  maxEvents = MAX_EVENTS_PER_CHUNK
): { chunks: HourChunk[]; summary: DaySummary } {
  const sorted = [...events].sort(byTimeThenUser);
  const chunks: HourChunk[] = [];
  const distinct = new Set<string>();
  let current: (HourChunk & { index: Map<string, number> }) | undefined;
  for (const event of sorted) {
    const offset = event.created.getTime() - dayStart.getTime();
    const hour = Math.floor(offset / HOUR_MS);
    if (hour < 0 || hour > 23)
      throw new RangeError(`buildDayChunks: ${event.created.toISOString()} is outside the day`);
    if (!current || current.hour !== hour || current.logins >= maxEvents) {
      const part = current && current.hour === hour ? current.part + 1 : 0;
      current = { hour, part, users: [], u: [], t: [], logins: 0, index: new Map() };
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
    current.logins += 1;
    distinct.add(event.user);
  }
  return {
    chunks: chunks.map(({ hour, part, users, u, t, logins }) => ({ hour, part, users, u, t, logins })),
    summary: { logins: sorted.length, users: distinct.size },
  };
}

/** The inverse of buildDayChunks, used by readers and tests. */
export function chunkEvents(
  dayStart: Date,
  chunk: Pick<HourChunk, 'hour' | 'users' | 'u' | 't'>
): LoginEvent[] {
  const base = dayStart.getTime() + chunk.hour * HOUR_MS;
  return chunk.u.map((userIndex, i) => {
    const user = chunk.users[userIndex];
    const offset = chunk.t[i];
    if (user === undefined || offset === undefined)
      throw new RangeError('chunkEvents: chunk arrays disagree');
    return { user, created: new Date(base + offset) };
  });
}
