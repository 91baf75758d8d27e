import { autoAggregate, effectiveInterval, resolveAggregate, resolveTimezone } from './query-mapping';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('autoAggregate', () => {
  it.each([
    [60_000, 'hour'],
    [HOUR, 'hour'],
    [12 * HOUR, 'hour'],
    [DAY, 'day'],
    [3 * DAY, 'day'],
    [7 * DAY, 'week'],
    [27 * DAY, 'week'],
    [30 * DAY, 'month'],
    [89 * DAY, 'month'],
    [90 * DAY, 'quarter'],
    [364 * DAY, 'quarter'],
    [365 * DAY, 'year'],
  ])('should map an interval of %i ms to %s', (interval, aggregate) => {
    expect(autoAggregate(interval)).toBe(aggregate);
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
    expect(resolveAggregate('auto', 30 * DAY)).toBe('month');
    expect(resolveAggregate('', HOUR)).toBe('hour');
    expect(resolveAggregate(' Week ', HOUR)).toBe('week');
  });
  it('should refuse what is not an aggregate, e.g. an unresolved variable', () => {
    expect(() => resolveAggregate('$agg', DAY)).toThrow(
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
