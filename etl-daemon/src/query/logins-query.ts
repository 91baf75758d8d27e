import { DateTime, IANAZone } from 'luxon';
import type { Unit } from '../time/aggregate';
import { AGGREGATE_NAMES, NOMINAL_MS, toUnit } from '../time/aggregate';
import { bucketBounds, isoInZone } from '../time/buckets';
import { DAY_MS, MAX_OFFSET_MINUTES } from '../core/units';
import type { Metric } from './login-index';
import { METRICS } from './login-index';
import type { IndexSync } from './index-loader';
import { withSlots } from './exact-count';
import type { EngagementMetric } from './engagement';
import {
  ENGAGEMENT_METRICS,
  emptySeries,
  engagementPoints,
  engagementSeries,
  engagementSpan,
  padSeries,
  subRequest,
} from './engagement';

/** What /api/v1/logins can count per bucket: the index's counts, then engagement (query/engagement.ts). */
export type SeriesMetric = Metric | EngagementMetric;
export const SERIES_METRICS: readonly SeriesMetric[] = [...METRICS, ...ENGAGEMENT_METRICS];

/** The query as a client may send it (after JSON-schema validation: strings and string arrays). */
export interface LoginsParams {
  start?: string | undefined;
  end?: string | undefined;
  aggregate?: string | undefined;
  tz?: string | undefined;
  metric?: string | string[] | undefined;
  user?: string | string[] | undefined;
  format?: string | undefined;
}

export interface LoginsQuery {
  start: number;
  end: number;
  aggregate: Unit;
  tz: string;
  metrics: SeriesMetric[];
  users: string[] | null;
}

/** A client error: the parameter, the value and what is accepted. Answered with HTTP 400. */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly accepted: string,
    message = `${parameter}: ${JSON.stringify(value)} is not accepted; expected ${accepted}`
  ) {
    super(message);
  }
}

/** ISO 8601 (with or without offset; UTC when none) or epoch milliseconds. */
export function parseInstant(parameter: string, value: string): number {
  if (/^-?\d{1,15}$/.test(value)) return Number(value);
  const parsed = DateTime.fromISO(value, { zone: 'UTC', setZone: true });
  if (!parsed.isValid || Math.abs(parsed.offset) > MAX_OFFSET_MINUTES) {
    throw new QueryError(
      parameter,
      value,
      'an ISO 8601 date or date-time (2026-03-01T00:00:00Z, offsets up to ±18:00) or epoch milliseconds'
    );
  }
  return parsed.toMillis();
}

/** A repeated or comma-separated parameter as its non-empty, trimmed values. */
export function parseList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** `start`/`end` of a request: end defaults to now, start to `defaultDays` before end. */
export function parseRange(
  params: { start?: string | undefined; end?: string | undefined },
  now: number,
  defaultDays: number
): { start: number; end: number } {
  const end = params.end === undefined ? now : parseInstant('end', params.end);
  const start = params.start === undefined ? end - defaultDays * DAY_MS : parseInstant('start', params.start);
  return { start, end };
}

/** luxon builds an Intl formatter for every check; zones are few, so remember the answers. */
const zoneValidity = new Map<string, boolean>();
function isZone(name: string): boolean {
  let valid = zoneValidity.get(name);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(name);
    if (zoneValidity.size > 1000) zoneValidity.clear();
    zoneValidity.set(name, valid);
  }
  return valid;
}

/** A range whose end is not before its start (parseRange's defaults), else a 400 naming `end`. */
export function parseOrderedRange(
  params: { start?: string | undefined; end?: string | undefined },
  now: number,
  defaultDays: number
): { start: number; end: number } {
  const { start, end } = parseRange(params, now, defaultDays);
  if (end < start)
    throw new QueryError(
      'end',
      params.end ?? new Date(end).toISOString(),
      `an instant not before start (${new Date(start).toISOString()})`
    );
  return { start, end };
}

/** An IANA zone name, else a 400 naming `tz`. */
export function parseZone(tz: string): string {
  if (!isZone(tz))
    throw new QueryError('tz', tz, 'an IANA time zone such as UTC, Europe/Berlin or Asia/Kathmandu');
  return tz;
}

/** Normalises and checks a query; defaults as the original: end now, start 90 days earlier, weekly. */
export function parseLoginsQuery(params: LoginsParams, now: number, maxBuckets: number): LoginsQuery {
  const { start, end } = parseOrderedRange(params, now, 90);
  const aggregateName = params.aggregate ?? 'w';
  const aggregate = toUnit(aggregateName);
  if (!aggregate) throw new QueryError('aggregate', aggregateName, `one of ${AGGREGATE_NAMES.join(', ')}`);
  const tz = parseZone(params.tz ?? 'UTC');
  const metricNames = parseList(params.metric);
  const metrics: SeriesMetric[] = [];
  for (const name of metricNames.length === 0 ? ['users'] : metricNames) {
    const metric = SERIES_METRICS.find((m) => m === name);
    if (!metric) throw new QueryError('metric', name, `one or more of ${SERIES_METRICS.join(', ')}`);
    if (!metrics.includes(metric)) metrics.push(metric);
  }
  const users = parseList(params.user);
  const buckets = Math.round((end - start) / NOMINAL_MS[aggregate]);
  if (buckets > maxBuckets) {
    throw new QueryError(
      'aggregate',
      aggregateName,
      `at most ${maxBuckets} buckets: this range has about ${buckets}; use a coarser aggregate or a shorter range`
    );
  }
  return { start, end, aggregate, tz, metrics, users: users.length === 0 ? null : users };
}

export type Bucket = { start: string; end: string; partial: boolean } & Partial<Record<SeriesMetric, number>>;

export interface LoginsAnswer {
  start: string;
  end: string;
  aggregate: Unit;
  tz: string;
  metrics: SeriesMetric[];
  users: string[] | null;
  dataUntil: string | null;
  buckets: Bucket[];
}

/** What identifies an answer: the normalised query, the index generation it was counted at, dataUntil. */
export function answerKey(query: LoginsQuery, generation: number, dataUntil: Date | undefined): string {
  return [
    generation,
    dataUntil?.getTime() ?? '',
    query.start,
    query.end,
    query.aggregate,
    query.tz,
    query.metrics.join(','),
    query.users ? JSON.stringify(query.users) : '',
  ].join('|');
}

/** Counts per calendar bucket; every bucket overlapping [start, end) is present, zeros included. */
export async function answerLogins(
  sync: Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>,
  query: LoginsQuery
): Promise<LoginsAnswer> {
  const dataUntil = sync.dataUntil();
  const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz);
  const mask = query.users ? sync.index.userMask(query.users) : undefined;
  const counted = query.metrics.filter((m): m is Metric => METRICS.includes(m as Metric));
  const engagement = query.metrics.filter((m): m is EngagementMetric =>
    ENGAGEMENT_METRICS.includes(m as EngagementMetric)
  );
  const request = { bounds, start: query.start, end: query.end, unit: query.aggregate, tz: query.tz, mask };
  // Engagement is computed for the buckets the data can reach; the others are zeros without work.
  const span = engagementSpan(request, sync.index.extent);
  const near = subRequest(request, span);
  const computes = engagement.length > 0 && span.last > span.first;
  const points = computes ? engagementPoints(near, engagement) : [];
  const counts: Partial<Record<SeriesMetric, number[]>> = await withSlots(
    sync,
    () => [
      ...new Set([
        ...sync.index.missingSlots(bounds, query.start, query.end),
        ...sync.index.missingSlotsAt(points),
      ]),
    ],
    (raw) => ({
      ...(counted.length > 0 ? sync.index.count(bounds, query.start, query.end, counted, { mask, raw }) : {}),
      ...(engagement.length > 0
        ? padSeries(
            computes ? engagementSeries(sync.index, near, engagement, raw) : emptySeries(),
            span,
            bounds.length - 1
          )
        : {}),
    })
  );
  const labels = bounds.map((b) => isoInZone(b, query.tz));
  const buckets: Bucket[] = [];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const bucket: Bucket = {
      start: labels[i] ?? '',
      end: labels[i + 1] ?? '',
      partial: (bounds[i] ?? 0) < query.start || (bounds[i + 1] ?? 0) > query.end,
    };
    for (const metric of query.metrics) bucket[metric] = counts[metric]?.[i] ?? 0;
    buckets.push(bucket);
  }
  return {
    start: new Date(query.start).toISOString(),
    end: new Date(query.end).toISOString(),
    aggregate: query.aggregate,
    tz: query.tz,
    metrics: query.metrics,
    users: query.users,
    dataUntil: dataUntil ? dataUntil.toISOString() : null,
    buckets,
  };
}

/** CSV with a header row: start,end,partial,<metrics…>. */
export function loginsCsv(answer: LoginsAnswer): string {
  const header = ['start', 'end', 'partial', ...answer.metrics];
  const rows = answer.buckets.map((b) => [
    b.start,
    b.end,
    String(b.partial),
    ...answer.metrics.map((m) => String(b[m] ?? 0)),
  ]);
  return `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}
