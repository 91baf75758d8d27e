import { seededRandom } from '../src/demo/random';
import type { Unit } from '../src/time/aggregate';
import { bucketBounds } from '../src/time/buckets';
import type { DayEvents, LoginIndex, Metric, RawLogins } from '../src/query/login-index';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../src/core/units';

/** Random logins and the slow, obviously right definition of every count, shared by the index tests. */
export interface Login {
  user: string;
  at: number;
}

export const BASE = Date.UTC(2026, 0, 1);

export function randomLogins(n: number, seed: number): Login[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({
    user: `u${Math.floor(random() ** 2 * 300)}`,
    at: BASE + Math.floor(random() * 400 * DAY_MS),
  })).sort((a, b) => a.at - b.at);
}

/** Days of logins as the index takes them; logins with a request `key` give their days keys (as chunks do). */
export function toDays(logins: readonly (Login & { key?: string })[]): DayEvents[] {
  const byDay = new Map<number, (Login & { key?: string })[]>();
  for (const login of logins) {
    const day = Math.floor(login.at / DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), login]);
  }
  return [...byDay].map(([day, list]) => {
    const users = [...new Set(list.map((l) => l.user))];
    const keys = [...new Set(list.flatMap((l) => (l.key === undefined ? [] : [l.key])))];
    const events = {
      day: new Date(day * DAY_MS),
      users,
      u: list.map((l) => users.indexOf(l.user)),
      t: list.map((l) => l.at - day * DAY_MS),
    };
    return keys.length === 0 ? events : { ...events, keys, k: list.map((l) => keys.indexOf(l.key ?? '')) };
  });
}

/** The original's definition, computed the slow way: distinct names per bucket of the raw logins. */
export function oracle(
  logins: readonly Login[],
  bounds: number[],
  start: number,
  end: number,
  only?: Set<string>
) {
  const first = new Map<string, number>();
  for (const l of logins) if (!first.has(l.user)) first.set(l.user, l.at);
  const out: Record<Metric, number[]> = { users: [], logins: [], new_users: [] };
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const a = Math.max(bounds[i] ?? 0, start);
    const b = Math.min(bounds[i + 1] ?? 0, end);
    const inside = logins.filter((l) => l.at >= a && l.at < b && (!only || only.has(l.user)));
    out.users.push(new Set(inside.map((l) => l.user)).size);
    out.logins.push(inside.length);
    out.new_users.push([...first].filter(([u, at]) => at >= a && at < b && (!only || only.has(u))).length);
  }
  return out;
}

/** The logins of the given slots (global numbers) with an index's own ids, straight from the fixture: what
 * the daemon reads from the hour chunks when a range edge cuts a slot (request keys too, when logins have). */
export function readFor(
  index: LoginIndex,
  logins: readonly (Login & { key?: string })[],
  slots: number[]
): Map<number, RawLogins> {
  return new Map(
    slots.map((slot) => {
      const inSlot = logins.filter((l) => Math.floor(l.at / SLOT_MS) === slot);
      const day = Math.floor(slot / SLOTS_PER_DAY) * DAY_MS;
      return [
        slot,
        {
          t: Int32Array.from(inSlot, (l) => l.at - day),
          u: Int32Array.from(inSlot, (l) => index.userId(l.user)),
          ...(inSlot.some((l) => l.key !== undefined)
            ? { k: Int32Array.from(inSlot, (l) => index.keyId(l.key ?? '\u001f')) }
            : {}),
        },
      ];
    })
  );
}

const UNITS: Unit[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];
const ZONES = ['UTC', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];

/**
 * `count` ranges over randomLogins' 400 days (and a few days around), cutting days and hours anywhere, one unit
 * after the other in a random zone each: every path of a count is taken (day blocks of every size, cut days,
 * the logins at the ragged edges).
 */
export function* randomQueries(
  seed: number,
  count: number
): Generator<{ i: number; unit: Unit; zone: string; start: number; end: number; bounds: number[] }> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i += 1) {
    const unit = UNITS[i % UNITS.length] ?? 'day';
    const zone = ZONES[Math.floor(random() * ZONES.length)] ?? 'UTC';
    const span = (unit === 'hour' ? 3 : 400) * DAY_MS;
    const start = BASE - 5 * DAY_MS + Math.floor(random() * span);
    const end = start + Math.floor(random() * Math.min(span, BASE + 405 * DAY_MS - start));
    yield { i, unit, zone, start, end, bounds: bucketBounds(start, end, unit, zone) };
  }
}
