import type { Unit } from '../time/aggregate';
import { NOMINAL_MS } from '../time/aggregate';
import { bucketBounds, isoInZone } from '../time/buckets';
import { popcount32 } from '../core/bitset';
import type { LoginIndex, RawSlots, UserMask } from './login-index';
import { QueryError, parseList, parseOrderedRange, parseZone } from './logins-query';

export type CohortUnit = Extract<Unit, 'day' | 'week' | 'month'>;
export const COHORT_UNITS: readonly CohortUnit[] = ['day', 'week', 'month'];
export const MAX_PERIODS = 400;

export interface RetentionQuery {
  start: number;
  end: number;
  cohort: CohortUnit;
  tz: string;
  periods: number;
  users: string[] | null;
}

export interface Cohort {
  /** The cohort's period (in tz) and whether the range cuts it. */
  start: string;
  end: string;
  partial: boolean;
  size: number;
  /** retained[k]: of the cohort, those active in period c + k (only periods that start before `end`). */
  retained: number[];
}

export interface RetentionAnswer {
  start: string;
  end: string;
  cohort: CohortUnit;
  tz: string;
  periods: number;
  users: string[] | null;
  dataUntil: string | null;
  cohorts: Cohort[];
}

/** Parameters after schema validation (cohort and tz are checked there and again here). */
export interface RetentionParams {
  start?: string | undefined;
  end?: string | undefined;
  cohort?: string | undefined;
  tz?: string | undefined;
  periods?: number | undefined;
  user?: string | string[] | undefined;
}

/** Normalises a retention query: default the last 12 weeks, weekly cohorts, 12 periods. */
export function parseRetentionQuery(params: RetentionParams, now: number): RetentionQuery {
  const { start, end } = parseOrderedRange(params, now, 84);
  const cohort = COHORT_UNITS.find((u) => u === (params.cohort ?? 'week'));
  if (!cohort) throw new QueryError('cohort', params.cohort, `one of ${COHORT_UNITS.join(', ')}`);
  const tz = parseZone(params.tz ?? 'UTC');
  const periods = params.periods ?? 12;
  const users = parseList(params.user);
  // A nominal count first: a range of thousands of years is refused before its calendar is computed.
  const nominal = Math.round((end - start) / NOMINAL_MS[cohort]);
  const count = nominal > 2 * MAX_PERIODS ? nominal : bucketBounds(start, end, cohort, tz).length - 1;
  if (count > MAX_PERIODS) {
    throw new QueryError(
      'cohort',
      cohort,
      `at most ${MAX_PERIODS} cohorts: this range has ${count}; use a coarser cohort`
    );
  }
  return { start, end, cohort, tz, periods, users: users.length === 0 ? null : users };
}

/**
 * The instants a retention matrix compares first logins and activity against (the cohorts' edges cut to
 * the range): the caller reads the slots they cut.
 */
export function retentionPoints(query: RetentionQuery): number[] {
  return [query.start, query.end, ...bucketBounds(query.start, query.end, query.cohort, query.tz)];
}

/**
 * Cohort c: the users whose first login ever falls in period c (cut to the range); retained[k]: how many of
 * them logged in during period c + k (cut at `end`). retained[0] is the cohort's size.
 */
export function retentionMatrix(
  index: LoginIndex,
  query: RetentionQuery,
  mask: UserMask | undefined,
  raw: RawSlots
): Cohort[] {
  const bounds = bucketBounds(query.start, query.end, query.cohort, query.tz);
  const n = bounds.length - 1;
  if (n <= 0) return [];
  // Cohort edges: the periods cut to the range.
  const edges = bounds.map((b, i) =>
    i === 0 ? Math.max(b, query.start) : i === n ? Math.min(b, query.end) : b
  );
  const words = Math.ceil(index.userCount / 32);
  const cohorts = Array.from({ length: n }, () => new Uint32Array(words));
  const place = (id: number) => {
    if (!index.hasFirstLogin(id)) return;
    if (index.firstSeenBefore(id, edges[0] ?? 0, raw) || !index.firstSeenBefore(id, edges[n] ?? 0, raw))
      return;
    // The last edge its first login is not before: binary search, exact at cut slots.
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (index.firstSeenBefore(id, edges[mid] ?? 0, raw)) hi = mid;
      else lo = mid;
    }
    const cohort = cohorts[lo];
    if (cohort) cohort[id >>> 5] = (cohort[id >>> 5] ?? 0) | (1 << (id & 31));
  };
  if (mask) for (const id of mask.ids) place(id);
  else for (let id = 0; id < index.userCount; id += 1) place(id);
  const activity = Array.from({ length: n }, (_, k) =>
    index.activeUsers(bounds[k] ?? 0, Math.min(bounds[k + 1] ?? 0, query.end), { mask, raw })
  );
  return cohorts.map((members, c) => {
    const retained: number[] = [];
    for (let k = 0; k < query.periods && c + k < n; k += 1) {
      const active = activity[c + k] ?? new Uint32Array(0);
      let count = 0;
      for (let w = 0; w < members.length; w += 1)
        count += popcount32((members[w] as number) & (active[w] ?? 0));
      retained.push(count);
    }
    let size = 0;
    for (const word of members) size += popcount32(word);
    return {
      start: isoInZone(bounds[c] ?? 0, query.tz),
      end: isoInZone(bounds[c + 1] ?? 0, query.tz),
      partial: (bounds[c] ?? 0) < query.start || (bounds[c + 1] ?? 0) > query.end,
      size,
      retained,
    };
  });
}

/** CSV: one row per cohort, `start,end,partial,size,p0,p1,…`. */
export function retentionCsv(answer: RetentionAnswer): string {
  const width = Math.max(0, ...answer.cohorts.map((c) => c.retained.length));
  const header = ['start', 'end', 'partial', 'size', ...Array.from({ length: width }, (_, k) => `p${k}`)];
  const rows = answer.cohorts.map((c) => [
    c.start,
    c.end,
    String(c.partial),
    String(c.size),
    ...c.retained.map(String),
  ]);
  return `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}
