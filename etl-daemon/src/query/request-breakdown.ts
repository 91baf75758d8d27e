import type { RequestDimension } from '../contract/metrics';
import type { LoginsAnswer } from '../contract/types';
import { countBits, orInto } from '../core/bitset';
import { Interner } from '../core/interner';
import { keyValues } from '../etl/dimensions';
import { withSlots } from './exact-count';
import type { IndexSync } from './index-loader';
import type { AllowedKeys } from './index/derive';
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
  users: number;
  /** Its requests in the range (those of its people, with a people filter). */
  logins: number;
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
 * The values of a request dimension ranked by their distinct users over the range (descending, then key;
 * within the query's people and request filters), the first `limit` kept and the rest merged into `other`
 * (its users the union's): every value's users found in one pass over the range (LoginIndex.usersByKeyGroup).
 * `sync` is the source's own (not request-scoped): a series' keys already hold the query's request filter.
 */
export async function rankedRequestSeries(
  sync: Sync,
  query: Pick<LoginsQuery, 'start' | 'end'> & People,
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<RequestSeries[]> {
  const { index } = sync;
  const { start, end } = query;
  const { values, valueOfKey } = dimensionValues(index.keyNames, breakdown.dimension, query);
  const mask = peopleMask(index, query);
  const { bits, logins } = await withSlots(
    sync,
    () => index.missingSlots([start, end], start, end),
    (raw) => index.usersByKeyGroup(start, end, { groupOfKey: valueOfKey, count: values.length, mask }, raw)
  );
  const ranked = values
    .map((key, value) => ({
      key,
      value,
      users: countBits(bits[value] as Uint32Array),
      logins: logins[value] as number,
    }))
    .filter((v) => v.users > 0)
    .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown: RequestSeries[] = ranked.slice(0, breakdown.limit).map((v) => ({
    key: v.key,
    other: false,
    allowed: keysOf(valueOfKey, new Set([v.value])),
    users: v.users,
    logins: v.logins,
  }));
  const rest = ranked.slice(breakdown.limit);
  if (rest.length === 0) return shown;
  const union = new Uint32Array(bits[0]?.length ?? 0);
  for (const v of rest) orInto(union, bits[v.value] as Uint32Array);
  const allowed = keysOf(valueOfKey, new Set(rest.map((v) => v.value)));
  const restLogins = rest.reduce((n, v) => n + v.logins, 0);
  return [...shown, { key: 'other', other: true, allowed, users: countBits(union), logins: restLogins }];
}

/** /api/v1/logins' series of a request breakdown: each the whole answer counted from its requests only. */
export async function requestSeriesBuckets(
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
