import { type Aggregate, AGGREGATES } from '../types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * `auto` maps the panel's interval to a calendar aggregate. Grafana rounds intervalMs to fixed steps
 * (… 1h, 12h, 1d, 1w, 30d, 1y) and has no month or quarter, so thresholds pick the calendar unit whose
 * length the interval reaches: < 1 day → hour, < 1 week → day, < 28 days → week, < 90 days → month,
 * < 365 days → quarter, else year.
 */
export function autoAggregate(intervalMs: number): Aggregate {
  if (intervalMs < DAY) {
    return 'hour';
  }
  if (intervalMs < 7 * DAY) {
    return 'day';
  }
  if (intervalMs < 28 * DAY) {
    return 'week';
  }
  if (intervalMs < 90 * DAY) {
    return 'month';
  }
  if (intervalMs < 365 * DAY) {
    return 'quarter';
  }
  return 'year';
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

/** Turns an (interpolated) aggregate field into a daemon aggregate; throws on anything else. */
export function resolveAggregate(value: string, intervalMs: number): Aggregate {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'auto') {
    return autoAggregate(intervalMs);
  }
  const found = AGGREGATES.find((a) => a === v);
  if (!found) {
    throw new Error(`aggregate '${value}' is not one of auto, ${AGGREGATES.join(', ')}`);
  }
  return found;
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
