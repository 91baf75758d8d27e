import { DateTime } from 'luxon';
import type { Login } from './login-fixtures';

/**
 * Engagement computed the slow, obvious way from raw logins with luxon's calendar (not the index, not the
 * daemon's bucket code): the definitions of the README, one by one.
 */
export type Unit = 'hour' | 'day' | 'week' | 'month';
export type WeekStart = 'monday' | 'sunday' | 'saturday';

/** luxon's weekday (1 = Monday … 7 = Sunday) of each week start. */
const WEEKDAY: Record<WeekStart, number> = { monday: 1, saturday: 6, sunday: 7 };

/** The start of the period of `unit` holding `t`: luxon's startOf, weeks moved back to their start day. */
export function periodStart(t: number, unit: Unit, zone: string, weekStart: WeekStart): DateTime {
  const local = DateTime.fromMillis(t, { zone });
  if (unit !== 'week') return local.startOf(unit);
  const day = local.startOf('day');
  return day.minus({ days: (day.weekday - WEEKDAY[weekStart] + 7) % 7 });
}

/**
 * Hours as the README defines them, found minute by minute: a stretch of constant local hour and UTC
 * offset (a repeated hour at a fall-back is two; Lord Howe's half-hour change makes a 30-minute one).
 */
function hours(start: number, end: number, zone: string): [number, number][] {
  const key = (t: number) => {
    const local = DateTime.fromMillis(t, { zone });
    return `${local.hour}|${local.offset}`;
  };
  const out: [number, number][] = [];
  let from = DateTime.fromMillis(start, { zone }).startOf('hour').toMillis();
  while (key(from - 60_000) === key(from)) from -= 60_000;
  let t = from;
  while (from < end) {
    t += 60_000;
    if (key(t) !== key(from)) {
      out.push([from, t]);
      from = t;
    }
  }
  return out;
}

/** Calendar periods of `unit` in `zone` overlapping [start, end): [periodStart, periodEnd) pairs. */
export function periods(
  start: number,
  end: number,
  unit: Unit,
  zone: string,
  weekStart: WeekStart = 'monday'
): [number, number][] {
  if (unit === 'hour') return hours(start, end, zone);
  const out: [number, number][] = [];
  let at = periodStart(start, unit, zone, weekStart);
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
  dau_mau: number[];
  new_users: number[];
  returning: number[];
  resurrecting: number[];
  dormant: number[];
}

export function engagementOracle(
  logins: readonly Login[],
  query: { start: number; end: number; unit: Unit; zone: string; only?: Set<string>; weekStart?: WeekStart }
): OracleSeries {
  const { start, end, unit, zone, only } = query;
  const first = firstSeen(logins);
  const out: OracleSeries = {
    active_7d: [],
    active_28d: [],
    active_30d: [],
    dau_mau: [],
    new_users: [],
    returning: [],
    resurrecting: [],
    dormant: [],
  };
  for (const [p0, p1] of periods(start, end, unit, zone, query.weekStart)) {
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
    out.dau_mau.push(ratios.length === 0 ? 0 : ratios.reduce((x, y) => x + y, 0) / ratios.length);
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

/** mode on: active in period c + k; on_or_after: active anywhere from the start of period c + k to end. */
export function retentionOracle(
  logins: readonly Login[],
  query: {
    start: number;
    end: number;
    unit: Unit;
    zone: string;
    periods: number;
    only?: Set<string>;
    weekStart?: WeekStart;
    mode?: 'on' | 'on_or_after';
  }
): OracleCohort[] {
  const { start, end, unit, zone, only } = query;
  const first = firstSeen(logins);
  const list = periods(start, end, unit, zone, query.weekStart);
  return list.map(([p0, p1], c) => {
    const members = [...first]
      .filter(([u, t]) => t >= Math.max(p0, start) && t < Math.min(p1, end) && (!only || only.has(u)))
      .map(([u]) => u);
    const retained: number[] = [];
    for (let k = 0; k < query.periods && c + k < list.length; k += 1) {
      const [q0, q1] = list[c + k] ?? [0, 0];
      const active = usersIn(logins, q0, query.mode === 'on_or_after' ? end : Math.min(q1, end), only);
      retained.push(members.filter((u) => active.has(u)).length);
    }
    return { size: members.length, retained };
  });
}

/**
 * Stickiness the obvious way: per user, the distinct periods (cut to [start, end)) holding one of their
 * logins; counts[n] users with n of them, counts[0] users first seen before end without any; cumulative: n or
 * more.
 */
export function stickinessOracle(
  logins: readonly Login[],
  query: {
    start: number;
    end: number;
    unit: Unit;
    zone: string;
    weekStart?: WeekStart;
    cumulative?: boolean;
    only?: Set<string>;
  }
): number[] {
  const { start, end, only } = query;
  const list = periods(start, end, query.unit, query.zone, query.weekStart);
  const seen = new Map<string, Set<number>>();
  for (const l of logins) {
    if (only && !only.has(l.user)) continue;
    if (!seen.has(l.user)) seen.set(l.user, new Set());
    if (l.at < start || l.at >= end) continue;
    const p = list.findIndex(([a, b]) => l.at >= a && l.at < b);
    seen.get(l.user)?.add(p);
  }
  const counts = new Array<number>(list.length + 1).fill(0);
  const first = firstSeen(logins);
  for (const [user, ps] of seen)
    if (ps.size > 0 || (first.get(user) ?? Infinity) < end) counts[ps.size] = (counts[ps.size] ?? 0) + 1;
  if (query.cumulative)
    for (let k = list.length - 1; k >= 0; k -= 1) counts[k] = (counts[k] ?? 0) + (counts[k + 1] ?? 0);
  return counts;
}
