import type { RequestDimension } from '../contract/metrics';
import type { LoginsAnswer } from '../contract/types';
import { bitsFor, countBits, orInto } from '../core/bitset';
import { Interner } from '../core/interner';
import { keyValues } from '../etl/dimensions';
import { countedTogether } from './breakdown';
import { withSlots } from './exact-count';
import type { IndexSync } from './index-loader';
import type { AllowedKeys } from './index/derive';
import type { KeyGroupUsers } from './index/key-group-tallies';
import { unionCount } from './index/key-group-tallies';
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
  /** The numbers of its values in the grouping it was ranked in (one; the merged rest's several). */
  values: number[];
  users: number;
  /** Its requests in the range (those of its people, with a people filter). */
  logins: number;
}

/**
 * The values of a request dimension among the keys the query's filter keeps (the empty value, lines without a
 * handler or host, is no value), as a grouping of keys: per key id its value's number (-1: none, or outside
 * the query's request filter), `count` values.
 */
interface ValueGrouping {
  values: string[];
  groupOfKey: Int32Array;
  count: number;
}

function dimensionValues(
  keyNames: readonly string[],
  dimension: RequestDimension,
  people: People
): ValueGrouping {
  const values = new Interner();
  const groupOfKey = new Int32Array(keyNames.length).fill(-1);
  keyNames.forEach((name, key) => {
    const of = keyValues(name);
    const value = of[dimension];
    if (value !== '' && keyPasses(people.requests, of)) groupOfKey[key] = values.id(value);
  });
  return { values: values.names, groupOfKey, count: values.names.length };
}

/** The keys of a set of values. */
function keysOf(groupOfKey: Int32Array, values: ReadonlySet<number>): AllowedKeys {
  return Uint8Array.from(groupOfKey, (v) => (v >= 0 && values.has(v) ? 1 : 0));
}

/**
 * The values ranked by their distinct users (descending, then key), the first `limit` kept and the rest merged
 * into `other` (its users the union's), from each value's users and logins over the range. Pure.
 */
function rankValues(grouping: ValueGrouping, users: KeyGroupUsers, limit: number): RequestSeries[] {
  const { values, groupOfKey } = grouping;
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
    allowed: keysOf(groupOfKey, new Set([v.value])),
    values: [v.value],
    users: v.users,
    logins: v.logins,
  }));
  const rest = ranked.slice(limit);
  if (rest.length === 0) return shown;
  const union = new Uint32Array(bits[0]?.length ?? 0);
  for (const v of rest) orInto(union, bits[v.value] as Uint32Array);
  const restValues = rest.map((v) => v.value);
  const other: RequestSeries = {
    key: 'other',
    other: true,
    allowed: keysOf(groupOfKey, new Set(restValues)),
    values: restValues,
    users: countBits(union),
    logins: rest.reduce((n, v) => n + v.logins, 0),
  };
  return [...shown, other];
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
): Promise<RequestSeries[]> {
  const { index } = sync;
  const { start, end } = query;
  const grouping = dimensionValues(index.keyNames, breakdown.dimension, query);
  const mask = peopleMask(index, query);
  const users = await withSlots(
    sync,
    () => index.missingSlots([start, end], start, end),
    (raw) => index.usersByKeyGroup(start, end, { ...grouping, mask }, raw)
  );
  return rankValues(grouping, users, breakdown.limit);
}

/** A request breakdown's ranked series, and the buckets of each. */
interface RequestBreakdown {
  ranked: RequestSeries[];
  buckets: LoginsAnswer['buckets'][];
}

/**
 * A breakdown asking users and logins only, from the tallies of the dimension's values per bucket (one pass
 * over each bucket not counted before, kept): the ranking from their union over the buckets (which split the
 * range), a series of one value its tally's count, the merged rest the union of its values'. Exactly what
 * ranking over the range and each series' derived index count, without deriving a day.
 */
async function talliedBreakdown(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<RequestBreakdown> {
  const { index } = sync;
  const { start, end } = query;
  const grouping = dimensionValues(index.keyNames, breakdown.dimension, query);
  const mask = peopleMask(index, query);
  const { buckets: tallies, range } = await withSlots(
    sync,
    () => index.missingSlots(bounds, start, end),
    (raw) => index.keyGroupTallies({ bounds, start, end }, { ...grouping, mask }, raw)
  );
  const ranked = rankValues(grouping, range, breakdown.limit);
  const scratch = bitsFor(index.userCount);
  const buckets = ranked.map((series) => {
    const users = tallies.map((t) => unionCount(t, series.values, scratch));
    const logins = tallies.map((t) => series.values.reduce((n, v) => n + (t.logins[v] as number), 0));
    return bucketsOf(query, bounds, { users, logins });
  });
  return { ranked, buckets };
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
): Promise<RequestBreakdown> {
  if (countedTogether(query.metrics)) return talliedBreakdown(sync, query, bounds, breakdown);
  const ranked = await rankedRequestSeries(sync, query, breakdown);
  return { ranked, buckets: await derivedSeriesBuckets(sync, query, bounds, ranked) };
}

/** Each series' buckets counted from its derived index (every metric). */
async function derivedSeriesBuckets(
  sync: Sync,
  query: LoginsQuery,
  bounds: number[],
  ranked: readonly RequestSeries[]
): Promise<LoginsAnswer['buckets'][]> {
  const out = [];
  const syncs = keptSyncs(
    sync,
    ranked.map((series) => series.allowed)
  );
  for (const seriesSync of syncs)
    out.push(bucketsOf(query, bounds, await countSeries(seriesSync, query, bounds)));
  return out;
}
