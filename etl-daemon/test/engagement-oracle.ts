import { DateTime } from 'luxon';
import type { Login } from './login-fixtures';

/**
 * Engagement computed the slow, obvious way from raw logins with luxon's calendar (not the index, not the
 * daemon's bucket code): the definitions of the README, one by one.
 */
export type Unit = 'day' | 'week' | 'month';

/** Calendar periods of `unit` in `zone` overlapping [start, end): [periodStart, periodEnd) pairs. */
export function periods(start: number, end: number, unit: Unit, zone: string): [number, number][] {
  const out: [number, number][] = [];
  let at = DateTime.fromMillis(start, { zone }).startOf(unit);
  while (at.toMillis() < end) {
    const next = at.plus({ [`${unit}s`]: 1 });
    out.push([at.toMillis(), next.toMillis()]);
    at = next;
  }
  return out;
}

function usersIn(logins: readonly Login[], a: number, b: number, only?: Set<string>): Set<string> {
  return new Set(
    logins.filter((l) => l.at >= a && l.at < b && (!only || only.has(l.user))).map((l) => l.user)
  );
}

function firstSeen(logins: readonly Login[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const l of logins)
    if (!first.has(l.user) || (first.get(l.user) ?? Infinity) > l.at) first.set(l.user, l.at);
  return first;
}

const minusDays = (t: number, days: number, zone: string) =>
  DateTime.fromMillis(t, { zone }).minus({ days }).toMillis();

export interface OracleSeries {
  active_7d: number[];
  active_28d: number[];
  active_30d: number[];
  stickiness: number[];
  new_users: number[];
  returning: number[];
  resurrecting: number[];
  dormant: number[];
}

export function engagementOracle(
  logins: readonly Login[],
  query: { start: number; end: number; unit: Unit; zone: string; only?: Set<string> }
): OracleSeries {
  const { start, end, unit, zone, only } = query;
  const first = firstSeen(logins);
  const out: OracleSeries = {
    active_7d: [],
    active_28d: [],
    active_30d: [],
    stickiness: [],
    new_users: [],
    returning: [],
    resurrecting: [],
    dormant: [],
  };
  for (const [p0, p1] of periods(start, end, unit, zone)) {
    const a = Math.max(p0, start);
    const b = Math.min(p1, end);
    for (const days of [7, 28, 30] as const)
      out[`active_${days}d`].push(usersIn(logins, minusDays(b, days, zone), b, only).size);
    const ratios = periods(a, b, 'day', zone).map(([d0, d1]) => {
      const da = Math.max(d0, a);
      const db = Math.min(d1, b);
      const monthly = usersIn(logins, minusDays(db, 30, zone), db, only).size;
      return monthly === 0 ? 0 : usersIn(logins, da, db, only).size / monthly;
    });
    out.stickiness.push(ratios.length === 0 ? 0 : ratios.reduce((x, y) => x + y, 0) / ratios.length);
    const now = usersIn(logins, a, b, only);
    const beforeStart = DateTime.fromMillis(p0, { zone })
      .minus({ [`${unit}s`]: 1 })
      .toMillis();
    const before = usersIn(logins, beforeStart, p0, only);
    out.new_users.push([...first].filter(([u, t]) => t >= a && t < b && (!only || only.has(u))).length);
    out.returning.push([...now].filter((u) => before.has(u)).length);
    out.resurrecting.push(
      [...now].filter((u) => !before.has(u) && (first.get(u) ?? Infinity) < beforeStart).length
    );
    const gone = [...before].filter((u) => !now.has(u)).length;
    out.dormant.push(gone === 0 ? 0 : -gone);
  }
  return out;
}

export interface OracleCohort {
  size: number;
  retained: number[];
}

export function retentionOracle(
  logins: readonly Login[],
  query: { start: number; end: number; unit: Unit; zone: string; periods: number; only?: Set<string> }
): OracleCohort[] {
  const { start, end, unit, zone, only } = query;
  const first = firstSeen(logins);
  const list = periods(start, end, unit, zone);
  return list.map(([p0, p1], c) => {
    const members = [...first]
      .filter(([u, t]) => t >= Math.max(p0, start) && t < Math.min(p1, end) && (!only || only.has(u)))
      .map(([u]) => u);
    const retained: number[] = [];
    for (let k = 0; k < query.periods && c + k < list.length; k += 1) {
      const [q0, q1] = list[c + k] ?? [0, 0];
      const active = usersIn(logins, q0, Math.min(q1, end), only);
      retained.push(members.filter((u) => active.has(u)).length);
    }
    return { size: members.length, retained };
  });
}
