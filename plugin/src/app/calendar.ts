import type { Aggregate, WeekStart } from '../types';

/** Local date and time of an instant in an IANA zone, through the browser's own time-zone data (Intl). */
interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = {
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  };
  try {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: tz });
  } catch {
    // A zone the browser does not know: count in UTC. The query still goes out, and the daemon's 400 names
    // the zone and what it accepts, which says more than the browser's RangeError would.
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
  }
}

function localTime(ms: number, tz: string): LocalTime {
  let format = formatters.get(tz);
  if (!format) {
    format = formatterFor(tz);
    formatters.set(tz, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') {
      parts[part.type] = Number(part.value);
    }
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a local date (1970-01-01 was a Thursday). */
function dayNumber(t: LocalTime): number {
  return Math.floor(Date.UTC(t.year, t.month - 1, t.day) / DAY_MS);
}

/** The zone's offset at an instant, in minutes (local wall clock minus UTC). */
function offsetMinutes(ms: number, t: LocalTime): number {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return Math.round((wall - (ms - (ms % 60_000))) / 60_000);
}

/** Days from a week's first day to a Thursday (1970-01-01, day 0). */
const WEEK_SHIFT: Record<WeekStart, number> = { monday: 3, sunday: 4, saturday: 5 };

/**
 * How many calendar buckets of `unit` in `tz` the range [from, to) cuts: what the daemon answers with (its
 * buckets follow local dates; weeks start on `weekStart`). Exact for days and longer; for hours an upper bound
 * that is exact but across a DST change (a skipped hour is counted; a repeated one is added).
 */
export function calendarBuckets(
  range: { from: number; to: number },
  unit: Aggregate,
  tz: string,
  weekStart: WeekStart = 'monday'
): number {
  if (range.to <= range.from) {
    return 0;
  }
  const first = localTime(range.from, tz);
  const last = localTime(range.to - 1, tz);
  switch (unit) {
    case 'hour': {
      const hours = (dayNumber(last) - dayNumber(first)) * 24 + last.hour - first.hour + 1;
      const back = offsetMinutes(range.from, first) - offsetMinutes(range.to - 1, last);
      return hours + Math.max(0, Math.ceil(back / 60));
    }
    case 'day':
      return dayNumber(last) - dayNumber(first) + 1;
    case 'week': {
      // Day 0 (1970-01-01) is a Thursday: shifted so that each week's first day is a multiple of 7.
      const shift = WEEK_SHIFT[weekStart];
      return Math.floor((dayNumber(last) + shift) / 7) - Math.floor((dayNumber(first) + shift) / 7) + 1;
    }
    case 'month':
      return last.year * 12 + last.month - (first.year * 12 + first.month) + 1;
    case 'quarter':
      return (
        last.year * 4 + Math.floor((last.month - 1) / 3) - (first.year * 4 + Math.floor((first.month - 1) / 3)) + 1
      );
    case 'year':
      return last.year - first.year + 1;
  }
}
