import { DateTime } from 'luxon';
import { type Aggregate, AGGREGATES } from '../types';
import { calendarBuckets } from './calendar';
import {
  MAX_AUTO_BUCKETS,
  UNIT_MS,
  autoAggregate,
  effectiveInterval,
  resolveAggregate,
  resolveTimezone,
} from './query-mapping';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('autoAggregate', () => {
  const range = (days: number) => ({ from: 0, to: days * DAY });
  it.each([
    // What scenes asks for: a 90-day panel 1,000 px wide gets an interval of about 2 hours.
    [90, 2 * HOUR, 'day'],
    [1, 60_000, 'hour'],
    [6, 5 * 60_000, 'hour'],
    [7, 10 * 60_000, 'day'],
    [150, HOUR, 'day'],
    [151, HOUR, 'week'],
    [365, 6 * HOUR, 'week'],
    [3 * 365, DAY, 'month'],
    [5 * 365, DAY, 'month'],
    [20 * 365, 7 * DAY, 'quarter'],
    [100 * 365, 30 * DAY, 'year'],
    // Never finer than Grafana's interval (a panel min interval of 1 week on a 30-day range).
    [30, 7 * DAY, 'week'],
    [30, 365 * DAY, 'year'],
  ])('should choose for %i days at an interval of %i ms: %s', (days, interval, aggregate) => {
    expect(autoAggregate(range(days), interval)).toBe(aggregate);
  });

  it('should never give more than MAX_AUTO_BUCKETS buckets for a range up to a century', () => {
    for (let days = 1; days < 36_500; days = Math.ceil(days * 1.3)) {
      const unit = autoAggregate(range(days), 1000);
      expect(Math.ceil((days * DAY) / UNIT_MS[unit])).toBeLessThanOrEqual(MAX_AUTO_BUCKETS);
    }
  });

  it('should count in UTC for a zone the browser does not know, leaving the daemon to name it', () => {
    expect(calendarBuckets({ from: 0, to: 3 * DAY }, 'day', 'Mars/Olympus')).toBe(3);
    expect(autoAggregate({ from: 0, to: 3 * DAY }, HOUR, 'Mars/Olympus')).toBe('hour');
  });

  it('should count the calendar buckets a range cuts: 150 days from mid-day are 151 days, so weeks', () => {
    const midDay = { from: 12 * HOUR, to: 12 * HOUR + 150 * DAY };
    expect(calendarBuckets(midDay, 'day', 'UTC')).toBe(151);
    expect(autoAggregate(midDay, HOUR)).toBe('week');
    expect(autoAggregate({ from: 0, to: 150 * DAY }, HOUR)).toBe('day');
  });

  /**
   * The daemon's buckets, counted independently with luxon (the daemon's own calendar library): local
   * midnights, ISO weeks from Monday, months, quarters, years, and clock hours in the zone.
   */
  function luxonBuckets(range: { from: number; to: number }, unit: Aggregate, zone: string): number {
    let at = DateTime.fromMillis(range.from, { zone }).startOf(unit === 'week' ? 'week' : unit);
    let n = 0;
    while (at.toMillis() < range.to) {
      n += 1;
      at =
        unit === 'hour' ? at.plus({ hours: 1 }) : at.plus({ [`${unit}s`]: 1 }).startOf(unit === 'week' ? 'week' : unit);
    }
    return n;
  }

  it('should never exceed MAX_AUTO_BUCKETS and choose the finest unit within it: random starts, zones, spans to a century', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    // luxon steps bucket by bucket: only where that is at most a few thousand steps.
    const counted = (r: { from: number; to: number }, unit: Aggregate, zone: string) =>
      (r.to - r.from) / UNIT_MS[unit] < 3000 ? luxonBuckets(r, unit, zone) : undefined;
    for (let k = 0; k < 300; k += 1) {
      const zone = zones[k % zones.length] ?? 'UTC';
      const from = Date.UTC(1990, 0, 1) + Math.floor(random() * 40 * 365 * DAY);
      // Spans from an hour to a century, more of them short.
      const span = Math.floor(HOUR * Math.exp(random() * Math.log(100 * 365 * 24)));
      const r = { from, to: from + span };
      const unit = autoAggregate(r, 1000, zone);
      const label = [zone, new Date(from).toISOString(), span, unit];
      expect([...label, luxonBuckets(r, unit, zone) <= MAX_AUTO_BUCKETS]).toEqual([...label, true]);
      for (const other of AGGREGATES) {
        const exact = counted(r, other, zone);
        if (exact === undefined) {
          continue;
        }
        const ours = calendarBuckets(r, other, zone);
        // Exact for days and longer; for hours at most one more (a DST change inside the range).
        expect([...label, other, ours >= exact && ours <= exact + (other === 'hour' ? 1 : 0)]).toEqual([
          ...label,
          other,
          true,
        ]);
      }
      // The finest: the unit before the chosen one would have given too many.
      const finer = AGGREGATES[AGGREGATES.indexOf(unit) - 1];
      if (finer) {
        expect(calendarBuckets(r, finer, zone)).toBeGreaterThan(MAX_AUTO_BUCKETS);
      }
    }
  });
});

describe('effectiveInterval', () => {
  it('should use the request interval (which already honours the panel min interval)', () => {
    expect(effectiveInterval(7 * DAY, 0, 365 * DAY, 100)).toBe(7 * DAY);
  });
  it('should fall back to range / maxDataPoints', () => {
    expect(effectiveInterval(undefined, 0, 100 * DAY, 100)).toBe(DAY);
    expect(effectiveInterval(0, 0, 1000, undefined)).toBe(1);
  });
});

describe('resolveAggregate', () => {
  it('should derive auto and empty from the interval and accept fixed aggregates in any case', () => {
    const year = { from: 0, to: 365 * DAY };
    expect(resolveAggregate('auto', year, 30 * DAY)).toBe('month');
    expect(resolveAggregate('', { from: 0, to: DAY }, HOUR)).toBe('hour');
    expect(resolveAggregate(' Week ', year, HOUR)).toBe('week');
  });
  it('should refuse what is not an aggregate, e.g. an unresolved variable', () => {
    expect(() => resolveAggregate('$agg', { from: 0, to: DAY }, DAY)).toThrow(
      'aggregate: $agg is not a dashboard variable with a value, expected one of auto, hour, day, week, month, quarter, year'
    );
    expect(() => resolveAggregate('fortnight', { from: 0, to: DAY }, DAY, { raw: '$agg' })).toThrow(
      'aggregate: $agg is "fortnight", expected one of auto, hour, day, week, month, quarter, year'
    );
    expect(() => resolveAggregate('fortnight', { from: 0, to: DAY }, DAY)).toThrow(
      'aggregate: "fortnight", expected one of auto'
    );
  });
});

describe('resolveTimezone', () => {
  const browser = () => 'Asia/Kathmandu';
  it.each([
    ['browser', undefined, 'Asia/Kathmandu'],
    ['utc', undefined, 'UTC'],
    ['UTC', undefined, 'UTC'],
    ['Europe/Berlin', undefined, 'Europe/Berlin'],
    ['', undefined, 'Asia/Kathmandu'],
    ['', 'America/New_York', 'America/New_York'],
    [undefined, 'Australia/Lord_Howe', 'Australia/Lord_Howe'],
  ])('should turn %j (default %j) into %s', (tz, fallback, expected) => {
    expect(resolveTimezone(tz, browser, fallback)).toBe(expected);
  });
});
