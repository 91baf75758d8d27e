import type { RequestDimension } from '../contract/metrics';
import { REQUEST_DIMENSIONS } from '../contract/metrics';
import { parseList } from '../contract/params';
import { keyValues } from '../etl/dimensions';
import type { IndexSync } from './index-loader';
import type { AllowedKeys } from './index/derive';
import { filterRaw } from './index/derive';
import type { RawSlots } from './login-index';

/**
 * Which requests a query counts: `handler=`, `project=`, `host=` (each repeatable, values OR-ed, dimensions
 * AND-ed). A dimension not given selects every value; a value never seen selects nothing.
 */
export type RequestFilter = Partial<Record<RequestDimension, string[]>>;

export type RequestParams = Partial<Record<RequestDimension, string | string[] | undefined>>;

/** The request filter of a query's parameters; undefined when it has none. */
export function parseRequests(params: RequestParams): RequestFilter | undefined {
  const filter: RequestFilter = {};
  for (const dimension of REQUEST_DIMENSIONS) {
    const values = parseList(params[dimension]);
    if (values.length > 0) filter[dimension] = [...new Set(values)];
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/** What identifies a filter in cache keys. */
export function requestsKey(filter: RequestFilter | undefined): string {
  return filter
    ? JSON.stringify(REQUEST_DIMENSIONS.map((d) => (filter[d] ? [...filter[d]].sort() : null)))
    : '';
}

/** The answer's echo of the filter, values as asked (absent without one). */
export function requestsHeader(filter: RequestFilter | undefined): { requests?: RequestFilter } {
  return filter ? { requests: filter } : {};
}

/** Whether a key's values pass the filter: every given dimension holds the key's value. */
export function keyPasses(
  filter: RequestFilter | undefined,
  values: Record<RequestDimension, string>
): boolean {
  return REQUEST_DIMENSIONS.every((d) => filter?.[d]?.includes(values[d]) ?? true);
}

/** The key ids (of `keyNames`, by id) that pass the filter. */
export function allowedKeys(keyNames: readonly string[], filter: RequestFilter | undefined): AllowedKeys {
  return Uint8Array.from(keyNames, (key) => (keyPasses(filter, keyValues(key)) ? 1 : 0));
}

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'reloadDays'>;

/**
 * The sync of the requests of the allowed keys only: its index is the base's filtered (LoginIndex.filtered),
 * and the slot logins it reads are the base's of those keys. Every question (counts, engagement, retention,
 * stickiness, user tables) asked of it is answered as if sys.log held only those requests.
 */
export function keptSync<S extends Sync>(sync: S, allowed: AllowedKeys): S {
  return keptSyncs(sync, [allowed])[0] as S;
}

/** The syncs of several disjoint filters (a breakdown's series), their days derived together. */
export function keptSyncs<S extends Sync>(sync: S, list: readonly AllowedKeys[]): S[] {
  return sync.index.filteredMany(list).map((index, s) => {
    const allowed = list[s] as AllowedKeys;
    const readSlots = async (slots: readonly number[]): Promise<RawSlots> => {
      const raw = await sync.readSlots(slots);
      return new Map([...raw].map(([slot, logins]) => [slot, filterRaw(logins, allowed)]));
    };
    return { ...sync, index, readSlots };
  });
}

/** The sync a query counts with: the source's own, or its filtered one when the query filters requests. */
export function requestScoped<S extends Sync>(sync: S, filter: RequestFilter | undefined): S {
  return filter ? keptSync(sync, allowedKeys(sync.index.keyNames, filter)) : sync;
}
