import type { LoginsAnswer } from '../contract/types';
import { bucketBounds } from '../time/buckets';
import type { Breakdown, RankedSeries } from './breakdown';
import { rankSeries, refuseTooManySeries, seriesPeople } from './breakdown';
import type { IndexSync } from './index-loader';
import type { LoginsQuery } from './logins-query';
import { answerLogins, bucketsOf, countSeries } from './logins-query';
import type { People } from './people';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/** Distinct users of `people` in the query's range, exactly (the range's edge slots read as for any count). */
async function usersOver(sync: Sync, query: LoginsQuery, people: People): Promise<number> {
  const single = { ...query, ...people, metrics: ['users' as const] };
  const counted = await countSeries(sync, single, [query.start, query.end]);
  return counted.users?.[0] ?? 0;
}

/**
 * The values of a breakdown ranked by their distinct users over the range, the first `limit` kept and the
 * rest merged into `other`, each with its users counted (the merged rest's once per person).
 */
export async function rankedSeries(
  sync: Sync,
  query: LoginsQuery,
  breakdown: Breakdown
): Promise<(RankedSeries & { users: number })[]> {
  const counted = [];
  for (const value of breakdown.values) {
    counted.push({ ...value, users: await usersOver(sync, query, seriesPeople(query, value)) });
  }
  const ranked = rankSeries(counted, breakdown.limit);
  const out = [];
  for (const series of ranked) {
    out.push({
      ...series,
      users: series.users ?? (await usersOver(sync, query, seriesPeople(query, series))),
    });
  }
  return out;
}

/** /api/v1/logins with `breakdown`: the whole answer, and one series per ranked value in the same shape. */
export async function answerLoginsBreakdown(
  sync: Sync,
  query: LoginsQuery,
  options: { breakdown: Breakdown; maxBuckets: number }
): Promise<LoginsAnswer> {
  const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz, query.weekStart);
  refuseTooManySeries(bounds.length - 1, options.breakdown, options.maxBuckets);
  const whole = await answerLogins(sync, query);
  const series = [];
  for (const ranked of await rankedSeries(sync, query, options.breakdown)) {
    const people = seriesPeople(query, ranked);
    const buckets = bucketsOf(query, bounds, await countSeries(sync, people, bounds));
    series.push({ key: ranked.key, ...(ranked.other ? { other: true } : {}), users: ranked.users, buckets });
  }
  return { ...whole, breakdown: options.breakdown.dimension, series };
}
