import type { BreakdownDimension, RequestDimension } from '../contract/metrics';
import { REQUEST_DIMENSIONS } from '../contract/metrics';
import { REQUEST_LIMITS } from '../core/limits';
import { QueryError } from '../errors';
import type { People } from './people';
import { selectedOf } from './people';
import type { LoadedMembership } from './sync/membership';

/**
 * Breakdowns: one series per value of a dimension. For `handler`, `project` and `host` a value selects
 * requests (query/request-breakdown.ts). For `role` a value is a core4 group, and its series is the
 * whole answer counted for the group's members (AND-ed with the query's own people filters): what the whole
 * would be if sys.log held only their lines, so a member's first login is their first login. A person in
 * several groups counts once in each of them, and once in the whole.
 */
export interface Breakdown {
  dimension: BreakdownDimension;
  limit: number;
  /** Every value with the people it selects (within the query's filters), before ranking. */
  values: BreakdownValue[];
}

export interface BreakdownValue {
  key: string;
  /** Who the series counts. */
  selected: readonly string[];
}

/** A series as ranked: the value (or the merged rest) and its people; `users` over the range once counted. */
export interface RankedSeries {
  key: string;
  other: boolean;
  selected: readonly string[];
  users: number | undefined;
}

/**
 * Whether a breakdown's series are all counted together (users and logins: one count per bucket for every
 * series); other metrics are counted series by series.
 */
export function countedTogether(metrics: readonly string[]): boolean {
  return metrics.every((m) => m === 'users' || m === 'logins');
}

export function isRequestDimension(dimension: BreakdownDimension): dimension is RequestDimension {
  return (REQUEST_DIMENSIONS as readonly string[]).includes(dimension);
}

/** The breakdown a query asks for, or undefined; a 400 naming `breakdown` when its values are unknown. */
export function parseBreakdown(
  params: { breakdown?: BreakdownDimension | undefined; limit?: number | undefined },
  people: People,
  membership: LoadedMembership | undefined
): Breakdown | undefined {
  if (params.breakdown === undefined) {
    if (params.limit !== undefined)
      throw new QueryError(
        'limit',
        String(params.limit),
        'the number of series of a breakdown: with breakdown= only'
      );
    return undefined;
  }
  const limit = params.limit ?? REQUEST_LIMITS.series.default;
  // A request dimension's values are the request keys the index holds: ranked when answering.
  if (isRequestDimension(params.breakdown)) return { dimension: params.breakdown, limit, values: [] };
  if (!membership) {
    throw new QueryError(
      'breakdown',
      params.breakdown,
      'a dimension with values: no roles have been read from sys.role yet (GET /api/v1/roles says why)'
    );
  }
  const selected = selectedOf(people);
  const only = selected ? new Set(selected) : undefined;
  const values = [...membership.members]
    // Without a filter, a value's people are the membership's own list (its mask is kept with it).
    .map(([key, members]) => ({ key, selected: only ? members.filter((m) => only.has(m)) : members }))
    .filter((v) => v.selected.length > 0);
  return { dimension: params.breakdown, limit, values };
}

/**
 * The series to answer: values with users in the range, by users (descending, then key), the first `limit`
 * of them, and the rest merged into one `other` series whose people are all of theirs (each counted once).
 */
export function rankSeries(
  values: readonly (BreakdownValue & { users: number })[],
  limit: number
): RankedSeries[] {
  const ranked = values
    .filter((v) => v.users > 0)
    .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown = ranked.slice(0, limit).map((v) => ({ ...v, other: false }));
  const rest = ranked.slice(limit);
  if (rest.length === 0) return shown;
  const selected = [...new Set(rest.flatMap((v) => v.selected))].sort();
  // The rest's distinct users are not the sum of theirs (people in several groups): counted by the caller.
  return [...shown, { key: 'other', other: true, selected, users: undefined }];
}

/** The people filter of one series: the query's, narrowed to the series' people. */
export function seriesPeople<Q extends People>(query: Q, series: { selected: readonly string[] }): Q {
  return { ...query, selected: series.selected };
}

/**
 * Refuses a breakdown whose answer would hold more buckets than one answer may (USAGE_MAX_BUCKETS): the
 * whole and every series count as many buckets as the whole has.
 */
export function refuseTooManySeries(buckets: number, breakdown: Breakdown, maxBuckets: number): void {
  const values = isRequestDimension(breakdown.dimension) ? Infinity : breakdown.values.length;
  const series = Math.min(breakdown.limit + 1, values) + 1;
  if (buckets * series > maxBuckets) {
    throw new QueryError(
      'limit',
      String(breakdown.limit),
      `a breakdown of at most ${maxBuckets} buckets in all: ${buckets} buckets × ${series} series (the whole ` +
        'included) exceed it; use fewer series, a coarser aggregate or a shorter range'
    );
  }
}
