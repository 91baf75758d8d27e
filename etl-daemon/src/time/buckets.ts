import { DateTime, IANAZone } from 'luxon';
import type { Unit } from './aggregate';

const HOUR_MS = 3_600_000;

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** First instant in (lo, hi] whose UTC offset differs from the offset at lo (one change assumed). */
function offsetChange(zone: IANAZone, lo: number, hi: number): number {
  const before = zone.offset(lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Start of the local hour containing `ms`. An hour bucket is a stretch of constant local hour *and*
 * offset: a repeated hour at a DST fall-back is two buckets, and Lord Howe's half-hour change makes a
 * 30-minute bucket.
 */
function hourStart(zone: IANAZone, ms: number): number {
  const offset = zone.offset(ms) * 60_000;
  const naive = ms - mod(ms + offset, HOUR_MS);
  return zone.offset(naive) * 60_000 === offset ? naive : offsetChange(zone, naive, ms);
}

function nextHour(zone: IANAZone, bucketStart: number): number {
  const offset = zone.offset(bucketStart) * 60_000;
  const naive = bucketStart - mod(bucketStart + offset, HOUR_MS) + HOUR_MS;
  return zone.offset(naive - 1) * 60_000 === offset ? naive : offsetChange(zone, bucketStart, naive - 1);
}

/** Local calendar date at which the unit containing `local` starts. */
function unitStartDate(
  local: DateTime,
  unit: Exclude<Unit, 'hour'>
): { year: number; month: number; day: number } {
  switch (unit) {
    case 'day':
      return { year: local.year, month: local.month, day: local.day };
    case 'week': {
      const monday = local.minus({ days: local.weekday - 1 });
      return { year: monday.year, month: monday.month, day: monday.day };
    }
    case 'month':
      return { year: local.year, month: local.month, day: 1 };
    case 'quarter':
      return { year: local.year, month: Math.floor((local.month - 1) / 3) * 3 + 1, day: 1 };
    case 'year':
      return { year: local.year, month: 1, day: 1 };
  }
}

/** First instant of a local date: midnight, or the first instant after a gap when midnight is skipped. */
function dateStart(date: { year: number; month: number; day: number }, zone: IANAZone): number {
  return DateTime.fromObject({ ...date, hour: 0 }, { zone }).toMillis();
}

/**
 * Boundaries b0 < b1 < … < bn of the calendar buckets of `unit` in `zoneName` that overlap [start, end):
 * bucket i is [b_i, b_i+1), b0 ≤ start and bn ≥ end. Days and longer follow local dates (a DST day is 23
 * or 25 hours long); weeks start on Monday (ISO).
 */
export function bucketBounds(start: number, end: number, unit: Unit, zoneName: string): number[] {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`bucketBounds: unknown zone ${zoneName}`);
  if (end <= start) return [];
  const bounds: number[] = [];
  if (unit === 'hour') {
    let b = hourStart(zone, start);
    bounds.push(b);
    while (b < end) {
      b = nextHour(zone, b);
      bounds.push(b);
    }
    return bounds;
  }
  const first = unitStartDate(DateTime.fromMillis(start, { zone }), unit);
  let date = DateTime.fromObject(first, { zone: 'UTC' });
  let b = dateStart(first, zone);
  bounds.push(b);
  while (b < end) {
    date = date.plus({ [unit === 'quarter' ? 'months' : `${unit}s`]: unit === 'quarter' ? 3 : 1 });
    b = dateStart({ year: date.year, month: date.month, day: date.day }, zone);
    bounds.push(b);
  }
  return bounds;
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-29T00:00:00.000+01:00. */
export function isoInZone(ms: number, zoneName: string): string {
  return DateTime.fromMillis(ms, { zone: zoneName }).toISO() ?? new Date(ms).toISOString();
}
