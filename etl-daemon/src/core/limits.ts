/**
 * Every limit and default a request or a cache is held to, defined once: the HTTP schemas, the query code
 * and the answers' `limits` (which the plugin reads) all take them from here.
 */

/** Bytes each query cache may hold; together they are USAGE_INDEX_CACHE_MB (cacheLimits). */
export interface IndexLimits {
  /** Whole-day block bitsets (built on first use, least recently used dropped first). */
  blockCacheBytes: number;
  /** Partial-day unions (the users of slots [a, b) of a day, for zones' midnight cuts). */
  partCacheBytes: number;
  /**
   * Unfiltered interval counts, kept until the index changes: the buckets inside a dashboard's range are the
   * same from one refresh to the next, only the edges move.
   */
  intervalCacheBytes: number;
  /** The logins of slots cut by range edges, read from home.login. */
  slotCacheBytes: number;
  /** Whole answers, until the index changes. */
  answerCacheBytes: number;
  /** Calendar buckets and zone offsets (time/buckets.ts). */
  calendarCacheBytes: number;
  /**
   * Derived indexes of request filters and breakdown series (their days as if sys.log held only those
   * requests) and the day blocks of breakdowns' rankings, following the days that change: a dashboard's
   * refreshes count from them again.
   */
  derivedCacheBytes: number;
}

/** Splits USAGE_INDEX_CACHE_MB between the caches: every cache of the daemon is one of these. */
export function cacheLimits(megabytes: number): IndexLimits {
  const bytes = megabytes * 1024 * 1024;
  return {
    blockCacheBytes: Math.floor(bytes * 0.3),
    partCacheBytes: Math.floor(bytes * 0.15),
    derivedCacheBytes: Math.floor(bytes * 0.25),
    slotCacheBytes: Math.floor(bytes * 0.1),
    intervalCacheBytes: Math.floor(bytes * 0.05),
    answerCacheBytes: Math.floor(bytes * 0.1),
    calendarCacheBytes: Math.floor(bytes * 0.05),
  };
}

/**
 * USAGE_KEY_FIRST_MB's default: first requests by key, 4 bytes per request key (a handler on a host) and
 * user, are held as a table up to it (a five-year 100 M bench's 250 keys of 50,000 users take 50 MB).
 */
export const DEFAULT_KEY_FIRST_MB = 256;

/** What an index is held to: the caches' shares, and the bytes of its first requests by key. */
export type IndexBounds = IndexLimits & { keyFirstBytes: number };

/** USAGE_INDEX_CACHE_MB's default. */
export const DEFAULT_CACHE_MB = 192;
export const DEFAULT_INDEX_LIMITS: IndexLimits = cacheLimits(DEFAULT_CACHE_MB);

/** What one request may ask for (the schemas' minimum, maximum and default). */
export const REQUEST_LIMITS = {
  /** Retention periods per cohort. */
  periods: { min: 1, max: 400, default: 12 },
  /** Rows of /api/v1/users. */
  userRows: { min: 1, max: 10_000, default: 100 },
  /** Series of a breakdown (`limit`); past them, the values are merged into one `other` series. */
  series: { min: 1, max: 50, default: 10 },
  /** Runs of /api/v1/job/runs. */
  runs: { min: 1, max: 10_000, default: 1000 },
  /** Values of one repeated parameter (user=, metric=). */
  listItems: 1000,
  /** Characters of a user name, a search or a metric list. */
  name: 256,
  /** Characters of an instant. */
  instant: 40,
  /** Characters of a zone name. */
  zone: 64,
  /** Days before `end` that a route's range starts at when it names no `start`. */
  rangeDays: { logins: 90, retention: 84, stickiness: 30, users: 90, dimensions: 90, runs: 30 },
} as const;

/** USAGE_MAX_BUCKETS's default: queries with more buckets are rejected with 400. */
export const DEFAULT_MAX_BUCKETS = 10_000;
