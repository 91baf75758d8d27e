import { DateTime } from 'luxon';
import type { Unit } from '../src/time/aggregate';
import { AGGREGATE_NAMES, toUnit } from '../src/time/aggregate';
import { bucketBounds, isoInZone } from '../src/time/buckets';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/Santiago',
];
const UNITS: Unit[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];
const ms = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const labels = (bounds: number[], zone: string) => bounds.map((b) => isoInZone(b, zone));

/** The oracle: the calendar label luxon gives an instant, independent of how bucketBounds walks. */
function key(t: number, unit: Unit, zone: string): string {
  const local = DateTime.fromMillis(t, { zone });
  switch (unit) {
    case 'hour':
      return `${local.toFormat('yyyy-MM-dd HH')} ${local.offset}`;
    case 'day':
      return local.toFormat('yyyy-MM-dd');
    case 'week':
      return `${local.weekYear}-W${local.weekNumber}`;
    case 'month':
      return local.toFormat('yyyy-MM');
    case 'quarter':
      return `${local.year}-Q${local.quarter}`;
    case 'year':
      return String(local.year);
  }
}

describe('bucketBounds against the calendar oracle', () => {
  const start = ms('2025-12-20T00:00:00Z') + 7 * 60_000;
  const end = ms('2027-01-10T00:00:00Z');
  it.each(ZONES.flatMap((zone) => UNITS.map((unit) => [zone, unit] as const)))(
    'should give maximal constant-label buckets in %s by %s',
    (zone, unit) => {
      const bounds = bucketBounds(start, end, unit, zone);
      expect(bounds[0]).toBeLessThanOrEqual(start);
      expect(bounds[bounds.length - 1]).toBeGreaterThanOrEqual(end);
      for (let i = 1; i < bounds.length; i += 1) {
        const [a, b] = [bounds[i - 1] ?? 0, bounds[i] ?? 0];
        expect(b).toBeGreaterThan(a);
        // Each bucket's first and last instant carry its label; the next instant carries another.
        expect(key(b - 1, unit, zone)).toBe(key(Math.max(a, start), unit, zone));
        expect(key(b, unit, zone)).not.toBe(key(b - 1, unit, zone));
      }
      // Every sampled instant falls into the bucket with its label.
      const step = unit === 'hour' ? 7 * 60_000 + 13 : 37 * 60_000 + 11;
      let i = 0;
      for (let t = start; t < end; t += step) {
        while ((bounds[i + 1] ?? Infinity) <= t) i += 1;
        expect(key(t, unit, zone)).toBe(key(Math.max(bounds[i] ?? 0, start), unit, zone));
      }
    }
  );
});

describe('bucketBounds on known days', () => {
  it('should make the Berlin spring-forward day 23 hours and the fall-back day 25 hours long', () => {
    const spring = bucketBounds(
      ms('2026-03-28T12:00:00+01:00'),
      ms('2026-03-30T12:00:00+02:00'),
      'day',
      'Europe/Berlin'
    );
    expect(labels(spring, 'Europe/Berlin')).toEqual([
      '2026-03-28T00:00:00.000+01:00',
      '2026-03-29T00:00:00.000+01:00',
      '2026-03-30T00:00:00.000+02:00',
      '2026-03-31T00:00:00.000+02:00',
    ]);
    expect((spring[2] ?? 0) - (spring[1] ?? 0)).toBe(23 * 3_600_000);
    const autumn = bucketBounds(
      ms('2026-10-25T00:00:00+02:00'),
      ms('2026-10-25T23:00:00+01:00'),
      'day',
      'Europe/Berlin'
    );
    expect((autumn[1] ?? 0) - (autumn[0] ?? 0)).toBe(25 * 3_600_000);
  });

  it('should give the repeated Berlin hour its own bucket on the fall-back night', () => {
    const hours = bucketBounds(
      ms('2026-10-25T01:00:00+02:00'),
      ms('2026-10-25T04:00:00+01:00'),
      'hour',
      'Europe/Berlin'
    );
    expect(labels(hours, 'Europe/Berlin')).toEqual([
      '2026-10-25T01:00:00.000+02:00',
      '2026-10-25T02:00:00.000+02:00',
      '2026-10-25T02:00:00.000+01:00',
      '2026-10-25T03:00:00.000+01:00',
      '2026-10-25T04:00:00.000+01:00',
    ]);
  });

  it('should skip the missing New York hour on the spring-forward night', () => {
    const hours = bucketBounds(
      ms('2026-03-08T01:00:00-05:00'),
      ms('2026-03-08T04:00:00-04:00'),
      'hour',
      'America/New_York'
    );
    expect(labels(hours, 'America/New_York')).toEqual([
      '2026-03-08T01:00:00.000-05:00',
      '2026-03-08T03:00:00.000-04:00',
      '2026-03-08T04:00:00.000-04:00',
    ]);
  });

  it('should start Kathmandu weeks on Monday 00:00 +05:45, i.e. Sunday 18:15 UTC', () => {
    const weeks = bucketBounds(
      ms('2026-01-07T00:00:00Z'),
      ms('2026-01-20T00:00:00Z'),
      'week',
      'Asia/Kathmandu'
    );
    expect(weeks.map((b) => new Date(b).toISOString())).toEqual([
      '2026-01-04T18:15:00.000Z',
      '2026-01-11T18:15:00.000Z',
      '2026-01-18T18:15:00.000Z',
      '2026-01-25T18:15:00.000Z',
    ]);
    const hours = bucketBounds(
      ms('2026-01-07T00:00:00Z'),
      ms('2026-01-07T02:00:00Z'),
      'hour',
      'Asia/Kathmandu'
    );
    expect(hours.map((b) => new Date(b).toISOString())).toEqual([
      '2026-01-06T23:15:00.000Z',
      '2026-01-07T00:15:00.000Z',
      '2026-01-07T01:15:00.000Z',
      '2026-01-07T02:15:00.000Z',
    ]);
  });

  it("should make Lord Howe's half-hour DST changes a 30-minute hour bucket", () => {
    // 2026-04-05 02:00 +11:00 → 01:30 +10:30; 2026-10-04 02:00 +10:30 → 02:30 +11:00.
    const autumn = bucketBounds(
      ms('2026-04-05T01:00:00+11:00'),
      ms('2026-04-05T03:00:00+10:30'),
      'hour',
      'Australia/Lord_Howe'
    );
    expect(labels(autumn, 'Australia/Lord_Howe')).toEqual([
      '2026-04-05T01:00:00.000+11:00',
      '2026-04-05T01:30:00.000+10:30',
      '2026-04-05T02:00:00.000+10:30',
      '2026-04-05T03:00:00.000+10:30',
    ]);
    const spring = bucketBounds(
      ms('2026-10-04T01:00:00+10:30'),
      ms('2026-10-04T04:00:00+11:00'),
      'hour',
      'Australia/Lord_Howe'
    );
    expect(labels(spring, 'Australia/Lord_Howe')).toEqual([
      '2026-10-04T01:00:00.000+10:30',
      '2026-10-04T02:30:00.000+11:00',
      '2026-10-04T03:00:00.000+11:00',
      '2026-10-04T04:00:00.000+11:00',
    ]);
  });

  it('should start a day at the first instant after a skipped midnight (Santiago)', () => {
    // Chile springs forward at 24:00 → 01:00 on 2026-09-06.
    const days = bucketBounds(
      ms('2026-09-05T12:00:00-04:00'),
      ms('2026-09-06T12:00:00-03:00'),
      'day',
      'America/Santiago'
    );
    expect(labels(days, 'America/Santiago')).toEqual([
      '2026-09-05T00:00:00.000-04:00',
      '2026-09-06T01:00:00.000-03:00',
      '2026-09-07T00:00:00.000-03:00',
    ]);
  });

  it('should start months, quarters and years on their first local day', () => {
    const range = [ms('2026-02-15T00:00:00Z'), ms('2026-08-15T00:00:00Z')] as const;
    expect(labels(bucketBounds(...range, 'quarter', 'Europe/Berlin'), 'Europe/Berlin')).toEqual([
      '2026-01-01T00:00:00.000+01:00',
      '2026-04-01T00:00:00.000+02:00',
      '2026-07-01T00:00:00.000+02:00',
      '2026-10-01T00:00:00.000+02:00',
    ]);
    expect(labels(bucketBounds(...range, 'year', 'UTC'), 'UTC')).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(bucketBounds(...range, 'month', 'UTC')).toHaveLength(8);
  });

  it('should return no buckets for an empty range', () => {
    expect(bucketBounds(1000, 1000, 'day', 'UTC')).toEqual([]);
  });
});

describe('aggregates', () => {
  it.each([
    ['1h', 'hour'],
    ['D', 'day'],
    ['W', 'week'],
    ['w', 'week'],
    ['M', 'month'],
    ['ME', 'month'],
    ['Q', 'quarter'],
    ['A', 'year'],
    ['Y', 'year'],
    ['year', 'year'],
  ])('should read %s as %s', (code, unit) => {
    expect(toUnit(code)).toBe(unit);
  });

  it('should know no other codes', () => {
    expect(toUnit('fortnight')).toBeUndefined();
    expect(toUnit('constructor')).toBeUndefined();
    expect(AGGREGATE_NAMES).toHaveLength(23);
  });
});
