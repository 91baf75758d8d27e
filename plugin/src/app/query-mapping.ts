import { type Aggregate, type WeekStart, AGGREGATES } from '../types';
import { calendarBuckets } from './calendar';
import { templatedChoice } from './templating';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Average lengths of the calendar units (a month is 1/12 of a Gregorian year). */
export const UNIT_MS: Record<Aggregate, number> = {
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
  month: 30.436875 * DAY,
  quarter: 91.310625 * DAY,
  year: 365.2425 * DAY,
};

/** `auto` never draws more buckets than this: a chart a person reads, whatever the panel's width. */
export const MAX_AUTO_BUCKETS = 150;

/**
 * `auto`: the finest calendar unit that gives at most MAX_AUTO_BUCKETS buckets over the range and is not
 * finer than Grafana's interval. Grafana's interval follows the panel's width in pixels (scenes sets
 * maxDataPoints to it), so on its own it asks for hourly points over 90 days; the bucket cap is what a
 * person would choose: hours up to about six days, days up to five months, weeks up to about three years,
 * then months, quarters and years. Buckets are counted as the daemon will cut them in the query's zone (a
 * 150-day range that starts mid-day cuts 151 days), not as the span divided by a unit's length.
 */
export function autoAggregate(
  range: { from: number; to: number },
  intervalMs: number,
  tz = 'UTC',
  weekStart: WeekStart = 'monday'
): Aggregate {
  const found = AGGREGATES.find(
    (unit) => UNIT_MS[unit] >= intervalMs && calendarBuckets(range, unit, tz, weekStart) <= MAX_AUTO_BUCKETS
  );
  return found ?? 'year';
}

/** The interval to use: the request's, or the range over maxDataPoints when it has none. */
export function effectiveInterval(
  intervalMs: number | undefined,
  from: number,
  to: number,
  maxDataPoints?: number
): number {
  if (intervalMs && intervalMs > 0) {
    return intervalMs;
  }
  return Math.max(1, (to - from) / Math.max(1, maxDataPoints ?? 1000));
}

/**
 * Turns an (interpolated) aggregate field into a daemon aggregate; throws on anything else, naming the
 * variable of the saved field (`raw`) when it was one.
 */
export function resolveAggregate(
  value: string,
  range: { from: number; to: number },
  intervalMs: number,
  options: { tz?: string; weekStart?: WeekStart; raw?: string } = {}
): Aggregate {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'auto') {
    return autoAggregate(range, intervalMs, options.tz ?? 'UTC', options.weekStart);
  }
  return templatedChoice('aggregate', options.raw ?? value, {
    replace: () => value,
    accepted: AGGREGATES,
    fallback: 'day',
    extra: 'auto',
  });
}

const COHORT_UNITS = ['day', 'week', 'month'] as const;

/** Cohorts of a retention query should number this many at most for `auto` (a readable triangle). */
export const MAX_AUTO_COHORTS = 26;

/**
 * A retention query's cohort period: `day`, `week` or `month`, or `auto`, the finest of them giving at most
 * MAX_AUTO_COHORTS cohorts over the range.
 */
export function resolveCohort(
  value: string,
  range: { from: number; to: number },
  raw: string = value
): 'day' | 'week' | 'month' {
  const v = value.trim().toLowerCase();
  if (v !== '' && v !== 'auto') {
    return templatedChoice('cohort', raw, {
      replace: () => value,
      accepted: COHORT_UNITS,
      fallback: 'week',
      extra: 'auto',
    });
  }
  const days = (range.to - range.from) / 86_400_000;
  return days <= MAX_AUTO_COHORTS ? 'day' : days <= MAX_AUTO_COHORTS * 7 ? 'week' : 'month';
}

/**
 * Grafana's time zone → IANA: `browser` (or empty) is the browser's zone, `utc` is UTC, anything else is
 * already an IANA name. `fallback` is the data source's default zone for an empty dashboard zone.
 */
export function resolveTimezone(timezone: string | undefined, browserZone: () => string, fallback?: string): string {
  if (timezone === undefined || timezone === '') {
    return fallback || browserZone();
  }
  if (timezone === 'browser') {
    return browserZone();
  }
  if (timezone.toLowerCase() === 'utc') {
    return 'UTC';
  }
  return timezone;
}

export function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
