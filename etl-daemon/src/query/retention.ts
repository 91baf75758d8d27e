import type { People } from './people';
import { parsePeople } from './people';
import type { LoadedMembership } from './sync/membership';
import { NOMINAL_MS } from '../time/aggregate';
import type { WeekStart } from '../time/buckets';
import { bucketBounds, isoInZone } from '../time/buckets';
import { bitsFor, countAnd, countBits, orInto, setBit } from '../core/bitset';
import type { LoginIndex, RawSlots, UserMask } from './login-index';
import { REQUEST_LIMITS } from '../core/limits';
import type { CohortUnit, RetentionMode } from '../contract/metrics';
import { COHORT_UNITS } from '../contract/metrics';
import { parseOrderedRange, parseZone } from '../contract/params';
import type { Cohort, RetentionAnswer, RetentionParams } from '../contract/types';
import { QueryError } from '../errors';

const MAX_PERIODS = REQUEST_LIMITS.periods.max;

export interface RetentionQuery extends People {
  start: number;
  end: number;
  cohort: CohortUnit;
  tz: string;
  weekStart: WeekStart;
  mode: RetentionMode;
  periods: number;
}

/**
 * Normalises a retention query: default the last 12 weeks, weekly cohorts, REQUEST_LIMITS' periods, returns
 * "on" the period.
 */
export function parseRetentionQuery(
  params: Omit<RetentionParams, 'cohort'> & { cohort?: string | undefined },
  now: number,
  membership?: LoadedMembership
): RetentionQuery {
  const { start, end } = parseOrderedRange(params, now, REQUEST_LIMITS.rangeDays.retention);
  const cohort = COHORT_UNITS.find((u) => u === (params.cohort ?? 'week'));
  if (!cohort) throw new QueryError('cohort', params.cohort, `one of ${COHORT_UNITS.join(', ')}`);
  const tz = parseZone(params.tz ?? 'UTC');
  const periods = params.periods ?? REQUEST_LIMITS.periods.default;
  const people = parsePeople(params, membership);
  // A nominal count first: a range of thousands of years is refused before its calendar is computed.
  const nominal = Math.round((end - start) / NOMINAL_MS[cohort]);
  const weekStart = params.weekStart ?? 'monday';
  const count =
    nominal > 2 * MAX_PERIODS ? nominal : bucketBounds(start, end, cohort, tz, weekStart).length - 1;
  if (count > MAX_PERIODS) {
    throw new QueryError(
      'cohort',
      cohort,
      `at most ${MAX_PERIODS} cohorts: this range has ${count}; use a coarser cohort`
    );
  }
  const mode = params.mode ?? 'on';
  return { start, end, cohort, tz, weekStart, mode, periods, ...people };
}

/**
 * The instants a retention matrix compares first logins and activity against (the cohorts' edges cut to
 * the range): the caller reads the slots they cut.
 */
export function retentionPoints(query: RetentionQuery): number[] {
  return [query.start, query.end, ...cohortBounds(query)];
}

function cohortBounds(query: RetentionQuery): number[] {
  return bucketBounds(query.start, query.end, query.cohort, query.tz, query.weekStart);
}

/**
 * What "retained in period j" reads per period: its users (mode on), or the users of it and of every later
 * period up to end (on_or_after: PostHog's cumulative retention, which takes each user's latest returning
 * period, `arrayMax` in posthog/hogql_queries/insights/retention_query_runner.py).
 */
function returnsOf(activity: Uint32Array[], mode: RetentionMode): Uint32Array[] {
  if (mode === 'on') return activity;
  const out = activity.map((bits) => bits.slice());
  for (let j = out.length - 2; j >= 0; j -= 1) orInto(out[j] as Uint32Array, out[j + 1] as Uint32Array);
  return out;
}

/**
 * Cohort c: the users whose first login ever falls in period c (cut to the range); retained[k]: how many of
 * them logged in during period c + k (cut at `end`), or from its start on (on_or_after). retained[0] is the
 * cohort's size.
 */
export function retentionMatrix(
  index: LoginIndex,
  query: RetentionQuery,
  mask: UserMask | undefined,
  raw: RawSlots
): Cohort[] {
  const bounds = cohortBounds(query);
  const n = bounds.length - 1;
  if (n <= 0) return [];
  // Cohort edges: the periods cut to the range.
  const edges = bounds.map((b, i) =>
    i === 0 ? Math.max(b, query.start) : i === n ? Math.min(b, query.end) : b
  );
  const cohorts = cohortMembers(index, { edges, mask, raw });
  const activity = returnsOf(
    Array.from({ length: n }, (_, k) =>
      index.activeUsers(bounds[k] ?? 0, Math.min(bounds[k + 1] ?? 0, query.end), { mask, raw })
    ),
    query.mode
  );
  return cohorts.map((members, c) => {
    const retained: number[] = [];
    for (let k = 0; k < query.periods && c + k < n; k += 1)
      retained.push(countAnd(members, activity[c + k] ?? new Uint32Array(0)));
    return {
      start: isoInZone(bounds[c] ?? 0, query.tz),
      end: isoInZone(bounds[c + 1] ?? 0, query.tz),
      partial: (bounds[c] ?? 0) < query.start || (bounds[c + 1] ?? 0) > query.end,
      size: countBits(members),
      retained,
    };
  });
}

/** Per cohort (period between two edges) the users whose first login ever falls in it, exact at cut slots. */
function cohortMembers(
  index: LoginIndex,
  options: { edges: readonly number[]; mask: UserMask | undefined; raw: RawSlots }
): Uint32Array[] {
  const { edges, mask, raw } = options;
  const n = edges.length - 1;
  const cohorts = Array.from({ length: n }, () => bitsFor(index.userCount));
  const before = (id: number, k: number) => index.firstSeenBefore(id, edges[k] ?? 0, raw);
  const place = (id: number) => {
    if (!index.hasFirstLogin(id) || before(id, 0) || !before(id, n)) return;
    // The last edge its first login is not before: binary search.
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (before(id, mid)) hi = mid;
      else lo = mid;
    }
    setBit(cohorts[lo] as Uint32Array, id);
  };
  if (mask) for (const id of mask.ids) place(id);
  else for (let id = 0; id < index.userCount; id += 1) place(id);
  return cohorts;
}

/**
 * CSV: one row per cohort, `start,end,partial,size,p0,p1,…`; with a breakdown, a first column `key`: the
 * whole's cohorts with an empty key, then each series' under its key.
 */
export function retentionCsv(answer: RetentionAnswer): string {
  const all = [answer.cohorts, ...(answer.series ?? []).map((s) => s.cohorts)].flat();
  const width = Math.max(0, ...all.map((c) => c.retained.length));
  const header = ['start', 'end', 'partial', 'size', ...Array.from({ length: width }, (_, k) => `p${k}`)];
  const row = (c: Cohort) => [c.start, c.end, String(c.partial), String(c.size), ...c.retained.map(String)];
  const rows = answer.series
    ? [
        ['key', ...header],
        ...answer.cohorts.map((c) => ['', ...row(c)]),
        ...answer.series.flatMap((s) => s.cohorts.map((c) => [s.key, ...row(c)])),
      ]
    : [header, ...answer.cohorts.map(row)];
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}
