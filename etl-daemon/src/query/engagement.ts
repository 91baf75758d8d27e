import { DateTime } from 'luxon';
import type { Unit } from '../time/aggregate';
import type { WeekStart } from '../time/buckets';
import { bucketBounds } from '../time/buckets';
import { DAY_MS } from '../core/units';
import { countBits, forEachBit, setBit } from '../core/bitset';
import type { LoginIndex, RawSlots, UserMask } from './login-index';

import type { EngagementMetric, LifecycleStatus } from '../contract/metrics';
import { ENGAGEMENT_METRICS } from '../contract/metrics';

export interface SeriesRequest {
  bounds: readonly number[];
  start: number;
  end: number;
  unit: Unit;
  tz: string;
  weekStart: WeekStart;
  mask?: UserMask | undefined;
}

/** The instant `days` calendar days of the zone before `t`, at the same local time (DST-aware). */
function daysBefore(t: number, days: number, tz: string): number {
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
function previousBound(first: number, request: Pick<SeriesRequest, 'unit' | 'tz' | 'weekStart'>): number {
  return bucketBounds(first - 1, first, request.unit, request.tz, request.weekStart)[0] ?? first;
}

/** [a, b) of bucket i: the bucket cut to the range. */
function cut(request: SeriesRequest, i: number): [number, number] {
  return [Math.max(request.bounds[i] ?? 0, request.start), Math.min(request.bounds[i + 1] ?? 0, request.end)];
}

/** The local days of [a, b) cut to it: dau_mau averages DAU / 30-day actives over them. */
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
 * What a metric's definition reads: the users active in an interval, and whether a user was seen before an
 * instant. The same definitions run over the index (counting) and over a recorder that only notes the
 * instants they read (engagementPoints): a metric is defined once.
 */
interface Reader {
  active(a: number, b: number): Uint32Array;
  seenBefore(t: number): (id: number) => boolean;
}

/** One bucket as a definition sees it: i, its range cut [a, b), and the request's reader and windows. */
interface Bucket {
  i: number;
  a: number;
  b: number;
  request: SeriesRequest;
  read: Reader;
  /** Users active in the `days` calendar days of the zone ending at `end`. */
  windowUsers(end: number, days: number): number;
  lifecycle(): Lifecycle;
}

interface Lifecycle {
  returning: number;
  resurrecting: number;
  dormant: number;
}

/** DAU / 30-day actives of each local day of the bucket, averaged. */
function dauOverMau(bucket: Bucket): number {
  const ratios = daysOf(bucket.a, bucket.b, bucket.request.tz).map(([da, db]) => {
    const monthly = bucket.windowUsers(db, 30);
    return monthly === 0 ? 0 : countBits(bucket.read.active(da, db)) / monthly;
  });
  return ratios.length === 0 ? 0 : ratios.reduce((x, y) => x + y, 0) / ratios.length;
}

/** Each engagement metric, defined once: its value for a bucket. */
const DEFINITIONS: Record<EngagementMetric, (bucket: Bucket) => number> = {
  active_7d: (bucket) => bucket.windowUsers(bucket.b, 7),
  active_28d: (bucket) => bucket.windowUsers(bucket.b, 28),
  active_30d: (bucket) => bucket.windowUsers(bucket.b, 30),
  dau_mau: dauOverMau,
  // The ratio's old name answers the ratio (contract/metrics.ts DEPRECATED_METRICS).
  stickiness: dauOverMau,
  returning: (bucket) => bucket.lifecycle().returning,
  resurrecting: (bucket) => bucket.lifecycle().resurrecting,
  dormant: (bucket) => bucket.lifecycle().dormant,
};

/**
 * The lifecycle of bucket i's users against the whole calendar bucket before it (computed from the data, even
 * before `start`), as sets of user ids: returning were active in both, resurrecting only now but seen before
 * that bucket, dormant only then. The counts (lifecycleOf) and the lists of /api/v1/users?status are these.
 */
function lifecycleSets(
  request: SeriesRequest,
  i: number,
  [a, b]: [number, number],
  read: Reader
): Record<'returning' | 'resurrecting' | 'dormant', Uint32Array> {
  const beforeStart = i === 0 ? previousBound(request.bounds[0] ?? 0, request) : (request.bounds[i - 1] ?? 0);
  const before = read.active(beforeStart, request.bounds[i] ?? 0);
  const now = read.active(a, b);
  const seen = read.seenBefore(beforeStart);
  return {
    returning: now.map((word, w) => word & (before[w] ?? 0)),
    resurrecting: bitsWhere(
      now.map((word, w) => word & ~(before[w] ?? 0)),
      seen
    ),
    dormant: before.map((word, w) => word & ~(now[w] ?? 0)),
  };
}

function lifecycleOf(request: SeriesRequest, i: number, cutRange: [number, number], read: Reader): Lifecycle {
  const sets = lifecycleSets(request, i, cutRange, read);
  const dormant = countBits(sets.dormant);
  return {
    returning: countBits(sets.returning),
    resurrecting: countBits(sets.resurrecting),
    dormant: dormant === 0 ? 0 : -dormant,
  };
}

/**
 * The users of one status in the request's first bucket (cut to its range), as a bitset of ids: new are
 * active in it and seen nowhere before it (new_users), the others as lifecycleSets defines them.
 */
export function lifecycleMembers(
  index: LoginIndex,
  request: SeriesRequest,
  status: LifecycleStatus,
  raw: RawSlots
): Uint32Array {
  const read = indexReader(index, request, raw);
  const [a, b] = cut(request, 0);
  if (status !== 'new') return lifecycleSets(request, 0, [a, b], read)[status];
  const seen = read.seenBefore(a);
  return bitsWhere(read.active(a, b), (id) => !seen(id));
}

/** The ids of `bits` that `keep` keeps, as a bitset of the same length. */
function bitsWhere(bits: Uint32Array, keep: (id: number) => boolean): Uint32Array {
  const kept = new Uint32Array(bits.length);
  forEachBit(bits, (id) => {
    if (keep(id)) setBit(kept, id);
  });
  return kept;
}

/** Start of the calendar bucket before the request's first one: where its lifecycle's "before" starts. */
export function lifecycleFrom(request: SeriesRequest): number {
  return previousBound(request.bounds[0] ?? 0, request);
}

/** Runs the definitions of `metrics` over every bucket of a request with one reader. */
function runDefinitions(
  request: SeriesRequest,
  metrics: readonly EngagementMetric[],
  read: Reader
): Record<EngagementMetric, number[]> {
  const out = emptySeries();
  const windowStart = windowStarts(request.start, request.end, request.tz);
  const windowUsers = (end: number, days: number) => countBits(read.active(windowStart(end, days), end));
  for (let i = 0; i + 1 < request.bounds.length; i += 1) {
    const [a, b] = cut(request, i);
    let lifecycle: Lifecycle | undefined;
    const bucket: Bucket = {
      i,
      a,
      b,
      request,
      read,
      windowUsers,
      lifecycle: () => (lifecycle ??= lifecycleOf(request, i, [a, b], read)),
    };
    for (const metric of metrics) out[metric].push(DEFINITIONS[metric](bucket));
  }
  return out;
}

/**
 * Every instant the requested metrics use as an interval edge, so that the slots those cut can be read
 * before counting (LoginIndex.missingSlotsAt): the definitions run over a reader that notes what they read.
 */
export function engagementPoints(request: SeriesRequest, metrics: readonly EngagementMetric[]): number[] {
  const points: number[] = [request.start, request.end];
  const empty = new Uint32Array(0);
  runDefinitions(request, metrics, {
    active: (a, b) => {
      points.push(a, b);
      return empty;
    },
    seenBefore: (t) => {
      points.push(t);
      return () => false;
    },
  });
  return points;
}

/** A series per engagement metric, each empty (engagementSeries fills the requested ones per bucket). */
export function emptySeries(): Record<EngagementMetric, number[]> {
  return Object.fromEntries(ENGAGEMENT_METRICS.map((m) => [m, []])) as unknown as Record<
    EngagementMetric,
    number[]
  >;
}

/**
 * The requested engagement metrics per bucket. `raw` holds the slots engagementPoints' instants cut (read
 * by the caller); counts are exact like every other metric. The users of the last four intervals read are
 * kept: a bucket's "now" is the next one's "before".
 */
export function engagementSeries(
  index: LoginIndex,
  request: SeriesRequest,
  metrics: readonly EngagementMetric[],
  raw: RawSlots
): Record<EngagementMetric, number[]> {
  return runDefinitions(request, metrics, indexReader(index, request, raw));
}

/** The index as a definition reads it; the users of the last four intervals read are kept. */
function indexReader(index: LoginIndex, request: SeriesRequest, raw: RawSlots): Reader {
  const recent = new Map<string, Uint32Array>();
  return {
    active: (a, b) => {
      const key = `${a}:${b}`;
      const hit = recent.get(key);
      if (hit) return hit;
      const bits = index.activeUsers(a, b, { mask: request.mask, raw });
      recent.set(key, bits);
      if (recent.size > 4) recent.delete(recent.keys().next().value as string);
      return bits;
    },
    seenBefore: (t) => (id) => index.firstSeenBefore(id, t, raw),
  };
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
