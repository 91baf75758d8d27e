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
      "aggregate '$agg' is not one of auto, hour, day, week, month, quarter, year"
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
