import type { RequestDimension } from '../contract/metrics';
import type { LoginsAnswer } from '../contract/types';
import { bitsFor, countBits, orInto } from '../core/bitset';
import { Interner } from '../core/interner';
import { keyValues } from '../etl/dimensions';
import { withSlots } from './exact-count';
import type { IndexSync } from './index-loader';
import type { AllowedKeys } from './index/derive';
import type { KeyGroupUsers } from './index/key-group-tallies';
import { rangeUsers, unionCount } from './index/key-group-tallies';
import type { LoginsQuery } from './logins-query';
import { bucketsOf, countSeries } from './logins-query';
import type { People } from './people';
import { peopleMask } from './people';
import { keptSyncs, keyPasses } from './requests';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/** A series of a request breakdown: its value (or the merged rest), the keys it keeps, its users over the range. */
export interface RequestSeries {
  key: string;
  other: boolean;
  allowed: AllowedKeys;
  /** The numbers of its values in the ranking's grouping (one; the merged rest's several). */
  values: number[];
  users: number;
  /** Its requests in the range (those of its people, with a people filter). */
  logins: number;
}

/** A request breakdown's series, and the grouping of keys by value they were ranked in. */
export interface RequestRanking {
  series: RequestSeries[];
  /** Per key id its value's number (-1: none, or outside the query's request filter). */
  groupOfKey: Int32Array;
  count: number;
}

/**
 * The values of a request dimension among the keys the query's filter keeps (the empty value, lines without a
 * handler or host, is no value), each key's value number, and per value the keys it keeps.
 */
function dimensionValues(
  keyNames: readonly string[],
  dimension: RequestDimension,
  people: People
): { values: string[]; valueOfKey: Int32Array } {
  const values = new Interner();
  const valueOfKey = new Int32Array(keyNames.length).fill(-1);
  keyNames.forEach((name, key) => {
    const of = keyValues(name);
    const value = of[dimension];
    if (value !== '' && keyPasses(people.requests, of)) valueOfKey[key] = values.id(value);
  });
  return { values: values.names, valueOfKey };
}

/** The keys of a set of values. */
function keysOf(valueOfKey: Int32Array, values: ReadonlySet<number>): AllowedKeys {
  return Uint8Array.from(valueOfKey, (v) => (v >= 0 && values.has(v) ? 1 : 0));
}

/**
 * The values ranked by their distinct users (descending, then key), the first `limit` kept and the rest merged
 * into `other` (its users the union's), from each value's users and logins over the range. Pure.
 */
function rankValues(
  grouping: { values: string[]; valueOfKey: Int32Array },
  users: KeyGroupUsers,
  limit: number
): RequestRanking {
  const { values, valueOfKey } = grouping;
  const { bits, logins } = users;
  const ranked = values
    .map((key, value) => ({
      key,
      value,
      users: countBits(bits[value] as Uint32Array),
      logins: logins[value] as number,
    }))
    .filter((v) => v.users > 0)
    .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown: RequestSeries[] = ranked.slice(0, limit).map((v) => ({
    key: v.key,
    other: false,
    allowed: keysOf(valueOfKey, new Set([v.value])),
    values: [v.value],
    users: v.users,
    logins: v.logins,
  }));
  const counted = { groupOfKey: valueOfKey, count: values.length };
  const rest = ranked.slice(limit);
  if (rest.length === 0) return { series: shown, ...counted };
  const union = new Uint32Array(bits[0]?.length ?? 0);
  for (const v of rest) orInto(union, bits[v.value] as Uint32Array);
  const restValues = rest.map((v) => v.value);
  const other: RequestSeries = {
    key: 'other',
    other: true,
    allowed: keysOf(valueOfKey, new Set(restValues)),
    values: restValues,
    users: countBits(union),
    logins: rest.reduce((n, v) => n + v.logins, 0),
  };
  return { series: [...shown, other], ...counted };
}

/**
 * The values of a request dimension ranked by their distinct users over the range (within the query's people
 * and request filters; rankValues): every value's users found in one pass over the range
 * (LoginIndex.usersByKeyGroup, through whole-day blocks). `sync` is the source's own (not request-scoped): a
 * series' keys already hold the query's request filter.
 */
export async function rankedRequestSeries(
  sync: Sync,
  query: Pick<LoginsQuery, 'start' | 'end'> & People,
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<RequestRanking> {
  const { index } = sync;
  const { start, end } = query;
  const grouping = dimensionValues(index.keyNames, breakdown.dimension, query);
  const mask = peopleMask(index, query);
  const users = await withSlots(
    sync,
    () => index.missingSlots([start, end], start, end),
    (raw) =>
      index.usersByKeyGroup(
        start,
        end,
        { groupOfKey: grouping.valueOfKey, count: grouping.values.length, mask },
        raw
      )
  );
  return rankValues(grouping, users, breakdown.limit);
}

/**
 * A breakdown asking users and logins only, from the tallies of the dimension's values per bucket (one pass
 * over each bucket not counted before, kept): the ranking from their union over the buckets (which split the
 * range), a series of one value its list's length, the merged rest its lists' union. Exactly what ranking over
 * the range and each series' derived index count, without deriving a day.
 */
async function talliedBreakdown(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<{ ranking: RequestRanking; buckets: LoginsAnswer['buckets'][] }> {
  const { index } = sync;
  const { start, end } = query;
  const grouping = dimensionValues(index.keyNames, breakdown.dimension, query);
  const groups = { groupOfKey: grouping.valueOfKey, count: grouping.values.length };
  const mask = peopleMask(index, query);
  const tallies = await withSlots(
    sync,
    () => index.missingSlots(bounds, start, end),
    (raw) => index.keyGroupTallies({ bounds, start, end }, { ...groups, mask }, raw)
  );
  const ranking = rankValues(grouping, rangeUsers(tallies, groups.count, index.userCount), breakdown.limit);
  const scratch = bitsFor(index.userCount);
  const buckets = ranking.series.map((series) => {
    const users = tallies.map((t) => unionCount(t, series.values, scratch));
    const logins = tallies.map((t) => series.values.reduce((n, v) => n + (t.logins[v] as number), 0));
    return bucketsOf(query, bounds, { users, logins });
  });
  return { ranking, buckets };
}

/**
 * /api/v1/logins' ranked series of a request breakdown and their buckets, each the whole answer counted from
 * its requests only: users and logins of all series together from the values' tallies, other metrics from
 * each series' derived index.
 */
export async function requestBreakdown(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<{ ranking: RequestRanking; buckets: LoginsAnswer['buckets'][] }> {
  if (query.metrics.every((m) => m === 'users' || m === 'logins'))
    return talliedBreakdown(sync, query, bounds, breakdown);
  const ranking = await rankedRequestSeries(sync, query, breakdown);
  return { ranking, buckets: await derivedSeriesBuckets(sync, query, bounds, ranking) };
}

/** Each series' buckets counted from its derived index (every metric). */
async function derivedSeriesBuckets(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  ranking: RequestRanking
): Promise<LoginsAnswer['buckets'][]> {
  const out = [];
  const syncs = keptSyncs(
    sync,
    ranking.series.map((series) => series.allowed)
  );
  for (const seriesSync of syncs)
    out.push(bucketsOf(query, bounds, await countSeries(seriesSync, query, bounds)));
  return out;
}
