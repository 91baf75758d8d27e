import { DateTime } from 'luxon';
import type { Unit } from '../time/aggregate';
import { bucketBounds } from '../time/buckets';
import { DAY_MS } from '../core/units';
import { countBits, popcount32 } from '../core/bitset';
import type { LoginIndex, RawSlots, UserMask } from './login-index';
import { forEachBit } from '../core/bitset';

/**
 * Engagement per bucket, beyond distinct users (definitions in the README, following PostHog where a choice
 * was open): users active in the trailing 7, 28 or 30 calendar days of the zone that end where the bucket
 * ends (or at `end`), DAU / 30-day actives, and the lifecycle of each bucket's users against the whole
 * calendar bucket before it.
 */
export type EngagementMetric =
  'active_7d' | 'active_28d' | 'active_30d' | 'stickiness' | 'returning' | 'resurrecting' | 'dormant';

export const ENGAGEMENT_METRICS: readonly EngagementMetric[] = [
  'active_7d',
  'active_28d',
  'active_30d',
  'stickiness',
  'returning',
  'resurrecting',
  'dormant',
];

const WINDOW_DAYS: Record<'active_7d' | 'active_28d' | 'active_30d', number> = {
  active_7d: 7,
  active_28d: 28,
  active_30d: 30,
};

export interface SeriesRequest {
  bounds: readonly number[];
  start: number;
  end: number;
  unit: Unit;
  tz: string;
  mask?: UserMask | undefined;
}

/** The instant `days` calendar days of the zone before `t`, at the same local time (DST-aware). */
export function daysBefore(t: number, days: number, tz: string): number {
  return DateTime.fromMillis(t, { zone: tz }).minus({ days }).toMillis();
}

/**
 * daysBefore for many instants of one request: those on a local midnight (every bucket end but a cut last
 * one) are looked up among the zone's day bounds, which are cached per year; luxon's calendar arithmetic,
 * about 20 µs a call, is left for the others. A year of daily windows is 366 lookups.
 */
function windowStarts(from: number, to: number, tz: string): (t: number, days: number) => number {
  const bounds = bucketBounds(daysBefore(from, 32, tz), to + 2 * DAY_MS, 'day', tz);
  const at = new Map(bounds.map((b, i) => [b, i]));
  return (t, days) => {
    const i = at.get(t);
    return i !== undefined && i >= days
      ? (bounds[i - days] ?? daysBefore(t, days, tz))
      : daysBefore(t, days, tz);
  };
}

/** Start of the calendar bucket before the one starting at `first`. */
export function previousBound(first: number, unit: Unit, tz: string): number {
  return bucketBounds(first - 1, first, unit, tz)[0] ?? first;
}

/** [a, b) of bucket i: the bucket cut to the range. */
function cut(request: SeriesRequest, i: number): [number, number] {
  return [Math.max(request.bounds[i] ?? 0, request.start), Math.min(request.bounds[i + 1] ?? 0, request.end)];
}

/** The local days of [a, b) cut to it: stickiness averages DAU / 30-day actives over them. */
function daysOf(a: number, b: number, tz: string): [number, number][] {
  const days = bucketBounds(a, b, 'day', tz);
  const out: [number, number][] = [];
  for (let j = 0; j + 1 < days.length; j += 1) {
    const da = Math.max(days[j] ?? 0, a);
    const db = Math.min(days[j + 1] ?? 0, b);
    if (da < db) out.push([da, db]);
  }
  return out;
}

/**
 * Every instant the requested metrics use as an interval edge, so that the slots those cut can be read
 * before counting (LoginIndex.missingSlotsAt).
 */
export function engagementPoints(request: SeriesRequest, metrics: readonly EngagementMetric[]): number[] {
  const points: number[] = [request.start, request.end];
  const n = request.bounds.length - 1;
  const windowStart = windowStarts(request.start, request.end, request.tz);
  for (let i = 0; i < n; i += 1) {
    const [a, b] = cut(request, i);
    points.push(a, b, request.bounds[i] ?? 0);
    for (const metric of metrics) {
      if (metric in WINDOW_DAYS) points.push(windowStart(b, WINDOW_DAYS[metric as keyof typeof WINDOW_DAYS]));
      if (metric === 'stickiness') {
        for (const [, db] of daysOf(a, b, request.tz)) points.push(db, windowStart(db, 30));
      }
    }
  }
  if (n > 0) points.push(previousBound(request.bounds[0] ?? 0, request.unit, request.tz));
  return points;
}

function countAnd(a: Uint32Array, b: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < a.length; w += 1) n += popcount32((a[w] as number) & (b[w] ?? 0));
  return n;
}

/**
 * The requested engagement metrics per bucket. `raw` holds the slots engagementPoints' instants cut (read
 * by the caller); counts are exact like every other metric.
 */
/** A series per engagement metric, each empty (engagementSeries fills the requested ones per bucket). */
export function emptySeries(): Record<EngagementMetric, number[]> {
  return Object.fromEntries(ENGAGEMENT_METRICS.map((m) => [m, []])) as unknown as Record<
    EngagementMetric,
    number[]
  >;
}

export function engagementSeries(
  index: LoginIndex,
  request: SeriesRequest,
  metrics: readonly EngagementMetric[],
  raw: RawSlots
): Record<EngagementMetric, number[]> {
  const out = emptySeries();
  const { mask, tz } = request;
  const active = (a: number, b: number) => index.activeUsers(a, b, { mask, raw });
  const windowStart = windowStarts(request.start, request.end, tz);
  const windowUsers = (end: number, days: number) => countBits(active(windowStart(end, days), end));
  const n = request.bounds.length - 1;
  const lifecycle = metrics.some((m) => m === 'returning' || m === 'resurrecting' || m === 'dormant');
  // The whole calendar bucket before bucket i: computed from the data, even before `start`.
  let before: Uint32Array | undefined;
  let beforeStart = 0;
  if (lifecycle && n > 0) {
    beforeStart = previousBound(request.bounds[0] ?? 0, request.unit, tz);
    before = active(beforeStart, request.bounds[0] ?? 0);
  }
  for (let i = 0; i < n; i += 1) {
    const [a, b] = cut(request, i);
    for (const metric of metrics) {
      if (metric === 'active_7d' || metric === 'active_28d' || metric === 'active_30d') {
        out[metric].push(windowUsers(b, WINDOW_DAYS[metric]));
      } else if (metric === 'stickiness') {
        const ratios = daysOf(a, b, tz).map(([da, db]) => {
          const monthly = windowUsers(db, 30);
          return monthly === 0 ? 0 : countBits(active(da, db)) / monthly;
        });
        out.stickiness.push(ratios.length === 0 ? 0 : ratios.reduce((x, y) => x + y, 0) / ratios.length);
      }
    }
    if (!lifecycle || !before) continue;
    const now = active(a, b);
    let resurrecting = 0;
    let dormant = 0;
    for (let w = 0; w < now.length; w += 1) {
      dormant += popcount32((before[w] ?? 0) & ~(now[w] as number));
    }
    const comeBack = now.map((word, w) => word & ~(before?.[w] ?? 0));
    forEachBit(comeBack, (id) => {
      if (index.firstSeenBefore(id, beforeStart, raw)) resurrecting += 1;
    });
    if (metrics.includes('returning')) out.returning.push(countAnd(now, before));
    if (metrics.includes('resurrecting')) out.resurrecting.push(resurrecting);
    if (metrics.includes('dormant')) out.dormant.push(dormant === 0 ? 0 : -dormant);
    // The next bucket's "before" is this whole bucket (the range cuts only the first and the last).
    beforeStart = request.bounds[i] ?? 0;
    before =
      a === beforeStart && b === request.bounds[i + 1]
        ? now
        : active(beforeStart, request.bounds[i + 1] ?? 0);
  }
  return out;
}

/** The longest trailing window (30 days) and a day of zone offset: activity reaches this far after its day. */
const REACH_MS = 32 * DAY_MS;

/**
 * The buckets [first, last) of a request that can hold a non-zero engagement value, given the days that hold
 * logins: a bucket that ends before the data starts sees nobody, and one whose previous bucket starts more
 * than the longest window after the data ends has no window, no "before" and no "now" with anyone in it. So
 * a range of 6,000 years costs what its data years cost (calendar bounds included).
 */
export function engagementSpan(
  request: Pick<SeriesRequest, 'bounds'>,
  extent: { start: number; end: number } | undefined
): { first: number; last: number } {
  const n = request.bounds.length - 1;
  if (!extent || n <= 0) return { first: 0, last: 0 };
  let first = 0;
  while (first < n && (request.bounds[first + 1] ?? 0) <= extent.start) first += 1;
  let last = Math.max(first, 1);
  while (last < n && (request.bounds[last - 1] ?? 0) <= extent.end + REACH_MS) last += 1;
  return { first, last: Math.max(first, Math.min(last, n)) };
}

/** The request cut to buckets [first, last) (unchanged where those are whole, cut where it cut them). */
export function subRequest(request: SeriesRequest, span: { first: number; last: number }): SeriesRequest {
  const bounds = request.bounds.slice(span.first, span.last + 1);
  return {
    ...request,
    bounds,
    start: Math.max(request.start, bounds[0] ?? request.start),
    end: Math.min(request.end, bounds.at(-1) ?? request.end),
  };
}

/** Series of the buckets [first, last) of `n`, with zeros for the others. */
export function padSeries<K extends string>(
  series: Record<K, number[]>,
  span: { first: number; last: number },
  n: number
): Record<K, number[]> {
  const out = {} as Record<K, number[]>;
  for (const key of Object.keys(series) as K[]) {
    out[key] = [
      ...new Array<number>(span.first).fill(0),
      ...series[key],
      ...new Array<number>(n - span.last).fill(0),
    ];
  }
  return out;
}
