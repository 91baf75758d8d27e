import { DateTime, IANAZone } from 'luxon';
import { ByteBoundedCache } from '../core/bounded-cache';
import { DEFAULT_INDEX_LIMITS } from '../core/limits';
import { lowerBound } from '../core/sorted';
import type { Unit } from './aggregate';
import { DAY_MS, HOUR_MS } from '../core/units';

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

/** A civil (calendar) date, held as the UTC midnight of that date so Date's UTC arithmetic can step it. */
type Civil = Date;

function civil(year: number, month: number, day: number): Civil {
  return new Date(new Date(0).setUTCFullYear(year, month - 1, day));
}

function fields(date: Civil): { year: number; month: number; day: number } {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/**
 * The day a week starts on: ISO's Monday (the default), PostHog's default Sunday (a team's `week_start_day`),
 * or Saturday (as in much of the Middle East).
 */
export const WEEK_STARTS = ['monday', 'sunday', 'saturday'] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

/** Date.getUTCDay() of each week start. */
const WEEKDAY: Record<WeekStart, number> = { sunday: 0, monday: 1, saturday: 6 };

/** Local calendar date at which the unit containing the local date `local` starts. */
function unitStart(local: Civil, unit: Exclude<Unit, 'hour'>, weekStart: WeekStart): Civil {
  const { year, month, day } = fields(local);
  switch (unit) {
    case 'day':
      return local;
    case 'week':
      return civil(year, month, day - ((local.getUTCDay() - WEEKDAY[weekStart] + 7) % 7));
    case 'month':
      return civil(year, month, 1);
    case 'quarter':
      return civil(year, Math.floor((month - 1) / 3) * 3 + 1, 1);
    case 'year':
      return civil(year, 1, 1);
  }
}

/** The civil date one unit later. */
function nextUnit(date: Civil, unit: Exclude<Unit, 'hour'>): Civil {
  const { year, month, day } = fields(date);
  if (unit === 'day' || unit === 'week') return civil(year, month, day + (unit === 'day' ? 1 : 7));
  return civil(year, month + (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12), day);
}

/** First instant of a local date: midnight, or the first instant after a gap when midnight is skipped. */
function dateStart(date: { year: number; month: number; day: number }, zone: IANAZone): number {
  // UTC has no gaps: skip luxon's zone arithmetic (a 6,000-year yearly range is 6,000 of these).
  if (zone.name === 'UTC') return new Date(0).setUTCFullYear(date.year, date.month - 1, date.day);
  return DateTime.fromObject({ ...date, hour: 0 }, { zone }).toMillis();
}

/** Calendar bounds walked by bucketBounds since start-up: tests count what a request costs with it. */
export const calendarWork = { bounds: 0 };

/**
 * Boundaries b0 < b1 < … < bn of the calendar buckets of `unit` in `zoneName` that overlap [start, end):
 * bucket i is [b_i, b_i+1), b0 ≤ start and bn ≥ end. Days and longer follow local dates (a DST day is 23
 * or 25 hours long); weeks start on `weekStart` (ISO's Monday unless given).
 */
export function bucketBounds(
  start: number,
  end: number,
  unit: Unit,
  zoneName: string,
  weekStart: WeekStart = 'monday'
): number[] {
  if (end <= start) return [];
  const calendar = { unit, zoneName, weekStart };
  const within = boundsWithinYear(start, end, calendar);
  if (within) return within;
  const first = new Date(start).getUTCFullYear() - 1;
  const last = new Date(end).getUTCFullYear() + 1;
  const all: number[] = [];
  for (let year = first; year <= last; year += 1) all.push(...boundsOfYear(year, calendar));
  calendarWork.bounds += all.length;
  // The years around always hold a bound before start and one after end.
  const from = Math.max(0, lowerBound(all, Math.floor(start) + 1) - 1);
  return all.slice(from, lowerBound(all, end, from, all.length - 1) + 1);
}

/** The bounds from the last one not after start to the first one not before end (bounds are whole ms), if any. */
function cut(all: readonly number[], start: number, end: number): number[] | undefined {
  const from = lowerBound(all, Math.floor(start) + 1) - 1;
  const to = lowerBound(all, end, Math.max(from, 0));
  return from < 0 || to >= all.length ? undefined : all.slice(from, to + 1);
}

/**
 * The common case (a bucket, a day of a window, a range inside one UTC year whose buckets begin and end in
 * it) from that year's bounds alone, without joining the years around it; undefined otherwise.
 */
function boundsWithinYear(start: number, end: number, calendar: Calendar): number[] | undefined {
  const year = new Date(start).getUTCFullYear();
  if (new Date(end).getUTCFullYear() !== year) return undefined;
  const bounds = boundsOfYear(year, calendar);
  const found = cut(bounds, start, end);
  if (found) calendarWork.bounds += found.length;
  return found;
}

/**
 * Boundaries depend only on unit and zone, so they are computed once per UTC year and kept: a dashboard
 * asks for the same buckets again and again, and luxon's calendar arithmetic is the slow part of an answer.
 * Bounded in bytes (an hourly year is 8,784 numbers), least recently used first out.
 */
const yearCache = new ByteBoundedCache<string, number[]>(
  DEFAULT_INDEX_LIMITS.calendarCacheBytes / 2,
  (b, key) => b.length * 8 + key.length * 2 + 64
);

/** Bounds the calendar caches (bucket bounds per year, labels) to their share of USAGE_INDEX_CACHE_MB. */
export function limitCalendarCaches(bytes: number): void {
  yearCache.resize(bytes / 2);
  labelCache.resize(bytes / 2);
}

/** Bytes the calendar caches hold. */
export function calendarCacheBytes(): number {
  return yearCache.bytes + labelCache.bytes;
}

/** Start of a UTC year; Date.UTC would read years 0-99 as 1900-1999. */
function utcYearStart(year: number): number {
  return new Date(0).setUTCFullYear(year, 0, 1);
}

/** What a calendar's bounds depend on. */
interface Calendar {
  unit: Unit;
  zoneName: string;
  weekStart: WeekStart;
}

function boundsOfYear(year: number, calendar: Calendar): number[] {
  const { unit, zoneName, weekStart } = calendar;
  // Only weeks depend on the week start: the other units share their bounds whatever it is.
  const key = `${unit}|${zoneName}|${year}${unit === 'week' ? `|${weekStart}` : ''}`;
  let bounds = yearCache.get(key);
  if (!bounds) {
    const from = utcYearStart(year);
    const to = utcYearStart(year + 1);
    bounds = computeBounds(from, to, calendar).filter((b) => b >= from && b < to);
    yearCache.set(key, bounds);
  }
  return bounds;
}

function computeBounds(start: number, end: number, calendar: Calendar): number[] {
  const { unit, zoneName, weekStart } = calendar;
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`bucketBounds: unknown zone ${zoneName}`);
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
  // The local date at `start`: the instant shifted by the zone's offset there, read as UTC.
  const local = new Date(Math.floor((start + zone.offset(start) * 60_000) / DAY_MS) * DAY_MS);
  let date = unitStart(local, unit, weekStart);
  let b = dateStart(fields(date), zone);
  bounds.push(b);
  while (b < end) {
    date = nextUnit(date, unit);
    b = dateStart(fields(date), zone);
    bounds.push(b);
  }
  return bounds;
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-29T00:00:00.000+01:00. */
export function isoInZone(ms: number, zoneName: string): string {
  const key = `${zoneName}|${ms}`;
  let label = labelCache.get(key);
  if (label === undefined) {
    label = formatInZone(ms, zoneName);
    // Labels are bucket boundaries, the same few thousand again and again: keep them, within a bound.
    labelCache.set(key, label);
  }
  return label;
}

const labelCache = new ByteBoundedCache<string, string>(
  DEFAULT_INDEX_LIMITS.calendarCacheBytes / 2,
  (label, key) => (label.length + key.length) * 2 + 64
);

function formatInZone(ms: number, zoneName: string): string {
  // Formatting by hand is ~20x faster than a luxon DateTime per bucket, and a daily year has 366 of them.
  if (zoneName === 'UTC') return new Date(ms).toISOString();
  const offset = IANAZone.create(zoneName).offset(ms);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
