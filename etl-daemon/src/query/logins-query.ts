import { REQUEST_LIMITS } from '../core/limits';
import type { Unit } from '../time/aggregate';
import type { WeekStart } from '../time/buckets';
import { bucketBounds, isoInZone } from '../time/buckets';
import type { EngagementMetric, Metric, SeriesMetric } from '../contract/metrics';
import { DEPRECATED_METRICS, SERIES_METRICS, isCountMetric, isEngagementMetric } from '../contract/metrics';
import { parseAggregate, parseList, parseOrderedRange, parseZone, refuseTooMany } from '../contract/params';
import type { People } from './people';
import { parsePeople, peopleHeader, peopleKey, peopleMask } from './people';
import type { LoadedMembership } from './sync/membership';
import type { Bucket, LoginsAnswer, LoginsParams } from '../contract/types';
import { QueryError } from '../errors';
import type { IndexSync } from './index-loader';
import { withSlots } from './exact-count';
import {
  emptySeries,
  engagementPoints,
  engagementSeries,
  engagementSpan,
  padSeries,
  subRequest,
} from './engagement';

export type { LoginsParams } from '../contract/types';

export interface LoginsQuery extends People {
  start: number;
  end: number;
  aggregate: Unit;
  tz: string;
  weekStart: WeekStart;
  metrics: SeriesMetric[];
}

/** Normalises and checks a query; defaults as the original: end now, start 90 days earlier, weekly. */
export function parseLoginsQuery(
  params: LoginsParams,
  now: number,
  maxBuckets: number,
  membership?: LoadedMembership
): LoginsQuery {
  const { start, end } = parseOrderedRange(params, now, REQUEST_LIMITS.rangeDays.logins);
  const aggregateName = params.aggregate ?? 'w';
  const aggregate = parseAggregate(aggregateName);
  const tz = parseZone(params.tz ?? 'UTC');
  const metricNames = parseList(params.metric);
  const metrics: SeriesMetric[] = [];
  for (const name of metricNames.length === 0 ? ['users'] : metricNames) {
    const metric = SERIES_METRICS.find((m) => m === name);
    if (!metric) throw new QueryError('metric', name, `one or more of ${SERIES_METRICS.join(', ')}`);
    if (!metrics.includes(metric)) metrics.push(metric);
  }
  const people = parsePeople(params, membership);
  refuseTooMany({ start, end }, aggregate, {
    parameter: 'aggregate',
    value: aggregateName,
    max: maxBuckets,
    noun: 'buckets',
    advice: 'use a coarser aggregate or a shorter range',
  });
  const weekStart = params.weekStart ?? 'monday';
  return { start, end, aggregate, tz, weekStart, metrics, ...people };
}

/**
 * What identifies an answer but its end: the normalised query, the index generation it was counted at,
 * dataUntil. A relative range's refreshes share it.
 */
export function rangeKey(query: LoginsQuery, generation: number, dataUntil: Date | undefined): string {
  return [
    generation,
    dataUntil?.getTime() ?? '',
    query.start,
    query.aggregate,
    query.tz,
    query.weekStart,
    query.metrics.join(','),
    peopleKey(query),
  ].join('|');
}

type Header = {
  start: string;
  end: string;
  tz: string;
  weekStart: WeekStart;
  dataUntil: string | null;
} & ReturnType<typeof peopleHeader>;

/**
 * What every answer starts with: its range, zone, week start and users as the query had them, and the data
 * horizon.
 */
export function answerHeader(
  query: { start: number; end: number; tz: string; weekStart: WeekStart } & People,
  dataUntil: Date | undefined
): Header {
  return {
    start: new Date(query.start).toISOString(),
    end: new Date(query.end).toISOString(),
    tz: query.tz,
    weekStart: query.weekStart,
    ...peopleHeader(query),
    dataUntil: dataUntil ? dataUntil.toISOString() : null,
  };
}

/** A logins answer without its buckets: the header, the aggregate, the metrics and any deprecation notices. */
export function loginsHead(query: LoginsQuery, dataUntil: Date | undefined): Omit<LoginsAnswer, 'buckets'> {
  const deprecations = query.metrics.flatMap((m) => DEPRECATED_METRICS[m] ?? []);
  return {
    ...answerHeader(query, dataUntil),
    aggregate: query.aggregate,
    metrics: query.metrics,
    ...(deprecations.length > 0 ? { deprecations } : {}),
  };
}

type Series = Partial<Record<SeriesMetric, number[]>>;

/** Counts per calendar bucket; every bucket overlapping [start, end) is present, zeros included. */
export async function answerLogins(
  sync: Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>,
  query: LoginsQuery
): Promise<LoginsAnswer> {
  const dataUntil = sync.dataUntil();
  const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz, query.weekStart);
  const buckets = bucketsOf(query, bounds, await countSeries(sync, query, bounds));
  return { ...loginsHead(query, dataUntil), buckets };
}

/** The buckets between consecutive `bounds` (all of the query's, or a part), with their series' values. */
export function bucketsOf(query: LoginsQuery, bounds: readonly number[], series: Series): Bucket[] {
  const buckets: Bucket[] = [];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const a = bounds[i] as number;
    const b = bounds[i + 1] as number;
    const bucket: Bucket = {
      start: isoInZone(a, query.tz),
      end: isoInZone(b, query.tz),
      partial: a < query.start || b > query.end,
    };
    for (const metric of query.metrics) bucket[metric] = series[metric]?.[i] ?? 0;
    buckets.push(bucket);
  }
  return buckets;
}

/** Each requested metric's series over the buckets: the index's counts, then engagement. */
export async function countSeries(
  sync: Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'reloadDays'>,
  query: LoginsQuery,
  bounds: number[]
): Promise<Series> {
  const { index } = sync;
  const mask = peopleMask(index, query);
  const counted = query.metrics.filter((m): m is Metric => isCountMetric(m));
  const engagement = query.metrics.filter((m): m is EngagementMetric => isEngagementMetric(m));
  const { start, end, tz, weekStart } = query;
  const request = { bounds, start, end, unit: query.aggregate, tz, weekStart, mask };
  // Engagement is computed for the buckets the data can reach; the others are zeros without work.
  const span = engagementSpan(request, index.extent);
  const near = subRequest(request, span);
  const computes = engagement.length > 0 && span.last > span.first;
  const points = computes ? engagementPoints(near, engagement) : [];
  const missing = () => [
    ...new Set([...index.missingSlots(bounds, query.start, query.end), ...index.missingSlotsAt(points)]),
  ];
  return withSlots(sync, missing, (raw) => ({
    ...(counted.length > 0 ? index.count(bounds, query.start, query.end, counted, { mask, raw }) : {}),
    ...(engagement.length > 0
      ? padSeries(
          computes ? engagementSeries(index, near, engagement, raw) : emptySeries(),
          span,
          bounds.length - 1
        )
      : {}),
  }));
}

/**
 * CSV with a header row: start,end,partial,<metrics…>; with a breakdown, a first column `key`: the whole's
 * rows with an empty key, then each series' rows under its key.
 */
export function loginsCsv(answer: LoginsAnswer): string {
  const row = (b: Bucket) => [
    b.start,
    b.end,
    String(b.partial),
    ...answer.metrics.map((m) => String(b[m] ?? 0)),
  ];
  const header = ['start', 'end', 'partial', ...answer.metrics];
  const rows = answer.series
    ? [
        ['key', ...header],
        ...answer.buckets.map((b) => ['', ...row(b)]),
        ...answer.series.flatMap((s) => s.buckets.map((b) => [s.key, ...row(b)])),
      ]
    : [header, ...answer.buckets.map(row)];
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}
