import { REQUEST_LIMITS } from '../core/limits';
import type { People } from './people';
import { parsePeople } from './people';
import type { LoadedMembership } from './sync/membership';
import type { WeekStart } from '../time/buckets';
import { bucketBounds } from '../time/buckets';
import { forEachBit } from '../core/bitset';
import type { StickinessInterval } from '../contract/metrics';
import { parseOrderedRange, parseZone, refuseTooMany } from '../contract/params';
import type { StickinessAnswer, StickinessParams } from '../contract/types';
import type { LoginIndex, RawSlots, UserMask } from './login-index';

/*
 * Stickiness as PostHog and Amplitude mean it: per user, the number of calendar intervals (days, weeks, …) of
 * the range they were active in, as a histogram. PostHog counts `countDistinct(toStartOfInterval(timestamp))`
 * per person and groups by it (ee/clickhouse/sql/stickiness/stickiness_actions.py, STICKINESS_ACTIONS_SQL);
 * its cumulative form reads "n or more".
 */

export interface StickinessQuery extends People {
  start: number;
  end: number;
  interval: StickinessInterval;
  tz: string;
  weekStart: WeekStart;
  cumulative: boolean;
}

/** Normalises a stickiness query: default the last 30 days, by day; at most `maxIntervals` intervals. */
export function parseStickinessQuery(
  params: StickinessParams,
  now: number,
  maxIntervals: number,
  membership?: LoadedMembership
): StickinessQuery {
  const { start, end } = parseOrderedRange(params, now, REQUEST_LIMITS.rangeDays.stickiness);
  const interval = params.interval ?? 'day';
  const tz = parseZone(params.tz ?? 'UTC');
  const people = parsePeople(params, membership);
  refuseTooMany({ start, end }, interval, {
    parameter: 'interval',
    value: interval,
    max: maxIntervals,
    noun: 'intervals',
    advice: 'use a longer interval or a shorter range',
  });
  return {
    start,
    end,
    interval,
    tz,
    weekStart: params.weekStart ?? 'monday',
    cumulative: params.cumulative ?? false,
    ...people,
  };
}

/** The intervals' bounds, the instants whose slots a count must read. */
export function stickinessBounds(query: StickinessQuery): number[] {
  return bucketBounds(query.start, query.end, query.interval, query.tz, query.weekStart);
}

/**
 * counts[n], n = 0 … N: the users active in exactly n of the N intervals of the range (each cut to the
 * range), or in n or more (cumulative); counts[0] counts the users seen before `end` and not active in the
 * range. Exact at cut slots (`raw`).
 */
export function stickinessCounts(
  index: LoginIndex,
  query: StickinessQuery,
  options: { mask: UserMask | undefined; raw: RawSlots }
): number[] {
  const bounds = stickinessBounds(query);
  const n = Math.max(0, bounds.length - 1);
  const active = new Uint32Array(index.userCount);
  for (let i = 0; i < n; i += 1) {
    const a = Math.max(bounds[i] as number, query.start);
    const b = Math.min(bounds[i + 1] as number, query.end);
    forEachBit(index.activeUsers(a, b, options), (id) => {
      active[id] = (active[id] as number) + 1;
    });
  }
  const counts = new Array<number>(n + 1).fill(0);
  const tally = (id: number) => {
    const days = active[id] as number;
    if (days > 0 || (index.hasFirstLogin(id) && index.firstSeenBefore(id, query.end, options.raw)))
      counts[days] = (counts[days] as number) + 1;
  };
  if (options.mask) for (const id of options.mask.ids) tally(id);
  else for (let id = 0; id < index.userCount; id += 1) tally(id);
  if (query.cumulative)
    for (let k = n - 1; k >= 0; k -= 1) counts[k] = (counts[k] as number) + (counts[k + 1] as number);
  return counts;
}

/** CSV: one row per n, `n,users`. */
export function stickinessCsv(answer: StickinessAnswer): string {
  const rows = answer.counts.map((users, n) => `${n},${users}`);
  return `${['n,users', ...rows].join('\n')}\n`;
}
