import type { LoginsAnswer } from '../contract/types';
import { bucketBounds } from '../time/buckets';
import type { Breakdown, RankedSeries } from './breakdown';
import {
  countedTogether,
  isRequestDimension,
  rankSeries,
  refuseTooManySeries,
  seriesPeople,
} from './breakdown';
import { requestBreakdown } from './request-breakdown';
import { withSlots } from './exact-count';
import { countMasked } from './index/user-mask';
import type { IndexSync } from './index-loader';
import type { LoginsQuery } from './logins-query';
import { answerLogins, bucketsOf, countSeries } from './logins-query';
import { countManyPeople } from './many-people';
import { maskOfNames, peopleMask } from './people';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/**
 * The values of a breakdown ranked by their distinct users over the range, the first `limit` kept and the
 * rest merged into `other`, each with its users counted (the merged rest's once per person): the range's
 * users are found once, and each value's are its people among them.
 */
export async function rankedSeries(
  sync: Sync,
  query: Pick<LoginsQuery, 'start' | 'end'>,
  breakdown: Breakdown
): Promise<(RankedSeries & { users: number })[]> {
  const { index } = sync;
  const { start, end } = query;
  const active = await withSlots(
    sync,
    () => index.missingSlots([start, end], start, end),
    (raw) => index.activeUsers(start, end, { raw })
  );
  const usersOf = (selected: readonly string[]) =>
    countMasked(active, maskOfNames(index, selected), index.work);
  const counted = breakdown.values.map((value) => ({ ...value, users: usersOf(value.selected) }));
  return rankSeries(counted, breakdown.limit).map((series) => ({
    ...series,
    users: series.users ?? usersOf(series.selected),
  }));
}

/** Each series' buckets: users and logins of all series in one pass; other metrics series by series. */
async function seriesBuckets(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  ranked: readonly RankedSeries[]
): Promise<LoginsAnswer['buckets'][]> {
  const { index } = sync;
  if (countedTogether(query.metrics)) {
    const masks = ranked.map(
      (series) => peopleMask(index, seriesPeople(query, series)) ?? index.userMask([])
    );
    const counted = await withSlots(
      sync,
      () => index.missingSlots(bounds, query.start, query.end),
      (raw) =>
        countManyPeople(index, { bounds, start: query.start, end: query.end, raw }, masks, {
          logins: query.metrics.includes('logins'),
        })
    );
    return ranked.map((_, k) =>
      bucketsOf(query, bounds, { users: counted.users[k] ?? [], logins: counted.logins[k] ?? [] })
    );
  }
  const out = [];
  for (const series of ranked) {
    out.push(bucketsOf(query, bounds, await countSeries(sync, seriesPeople(query, series), bounds)));
  }
  return out;
}

/** The ranked series of a breakdown and their buckets: by request keys from `base`, by people from `sync`. */
async function breakdownSeries(
  syncs: { sync: Sync; base: Sync },
  query: LoginsQuery,
  bounds: number[],
  breakdown: Breakdown
): Promise<{ ranked: { key: string; other: boolean; users: number }[]; buckets: LoginsAnswer['buckets'][] }> {
  const { dimension, limit } = breakdown;
  if (isRequestDimension(dimension)) {
    return requestBreakdown(syncs.base, query, bounds, { dimension, limit });
  }
  const ranked = await rankedSeries(syncs.sync, query, breakdown);
  return { ranked, buckets: await seriesBuckets(syncs.sync, query, bounds, ranked) };
}

/**
 * /api/v1/logins with `breakdown`: the whole answer, and one series per ranked value in the same shape.
 * `sync` counts the query's requests (request-scoped), `base` is the source's own.
 */
export async function answerLoginsBreakdown(
  sync: Sync,
  query: LoginsQuery,
  options: { breakdown: Breakdown; maxBuckets: number; base: Sync }
): Promise<LoginsAnswer> {
  const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz, query.weekStart);
  refuseTooManySeries(bounds.length - 1, options.breakdown, options.maxBuckets);
  const whole = await answerLogins(sync, query);
  const { ranked, buckets } = await breakdownSeries(
    { sync, base: options.base },
    query,
    bounds,
    options.breakdown
  );
  const series = ranked.map((r, k) => ({
    key: r.key,
    ...(r.other ? { other: true } : {}),
    users: r.users,
    buckets: buckets[k] ?? [],
  }));
  return { ...whole, breakdown: options.breakdown.dimension, series };
}
