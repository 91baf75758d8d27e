import type { Metric } from '../src/query/login-index';
import { LoginIndex } from '../src/query/login-index';
import type { Unit } from '../src/time/aggregate';
import { bucketBounds } from '../src/time/buckets';
import { DAY_MS } from '../src/time/utc-day';
import { BASE, oracle, randomLogins, randomQueries, toDays } from './login-fixtures';

describe('LoginIndex.count', () => {
  const logins = randomLogins(20_000, 5);
  const index = new LoginIndex();
  index.replaceDays(toDays(logins));

  it.each([
    ['week', 'UTC'],
    ['week', 'Asia/Kathmandu'],
    ['day', 'Europe/Berlin'],
    ['day', 'Australia/Lord_Howe'],
    ['hour', 'America/New_York'],
    ['month', 'America/New_York'],
    ['quarter', 'Asia/Kathmandu'],
    ['year', 'Australia/Lord_Howe'],
  ] as [Unit, string][])(
    'should equal the raw-login definition by %s in %s, with cut edges',
    (unit, zone) => {
      const start = BASE + 33 * DAY_MS + 12_345_678;
      const end = unit === 'hour' ? start + 9 * DAY_MS + 777 : BASE + 380 * DAY_MS + 5_432_109;
      const bounds = bucketBounds(start, end, unit, zone);
      const metrics: Metric[] = ['users', 'logins', 'new_users'];
      const counted = index.count(bounds, start, end, metrics);
      expect(counted).toEqual(oracle(logins, bounds, start, end));
      expect(counted.users.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  );

  it('should equal the raw-login definition for random ranges, units and zones', () => {
    // Ranges cut days and hours anywhere, so every path is taken: day blocks of every size, hour blocks,
    // and the logins at the ragged edges.
    for (const { unit, zone, start, end, bounds } of randomQueries(11, 60)) {
      expect([unit, zone, start, end, index.count(bounds, start, end, ['users', 'logins'])]).toEqual([
        unit,
        zone,
        start,
        end,
        { ...oracle(logins, bounds, start, end), new_users: [] },
      ]);
    }
  });

  it('should count the replaced days in long ranges read before the replacement', () => {
    const changing = new LoginIndex();
    let current = randomLogins(6_000, 8);
    changing.replaceDays(toDays(current));
    const start = BASE;
    const end = BASE + 400 * DAY_MS;
    const bounds = bucketBounds(start, end, 'year', 'UTC');
    expect(changing.count(bounds, start, end, ['users', 'logins'])).toEqual({
      ...oracle(current, bounds, start, end),
      new_users: [],
    });
    // Day 200 gets a newcomer and loses its other logins; day 201 is emptied.
    const day200 = BASE + 200 * DAY_MS;
    const day201 = day200 + DAY_MS;
    current = [
      ...current.filter((l) => l.at < day200 || l.at >= day201 + DAY_MS),
      { user: 'newcomer', at: day200 + 5_000 },
    ].sort((a, b) => a.at - b.at);
    changing.replaceDays([
      { day: new Date(day200), users: ['newcomer'], u: [0], t: [5_000] },
      { day: new Date(day201), users: [], u: [], t: [] },
    ]);
    const counted = changing.count(bounds, start, end, ['users', 'logins']);
    expect(counted).toEqual({ ...oracle(current, bounds, start, end), new_users: [] });
    expect(changing.usersBetween(start, end)).toContain('newcomer');
  });

  it('should restrict every metric to the given users', () => {
    const only = ['u0', 'u7', 'u150', 'nobody'];
    const start = BASE;
    const end = BASE + 400 * DAY_MS;
    const bounds = bucketBounds(start, end, 'month', 'Europe/Berlin');
    const counted = index.count(bounds, start, end, ['users', 'logins', 'new_users'], {
      mask: index.userMask(only),
    });
    expect(counted).toEqual(oracle(logins, bounds, start, end, new Set(only)));
    expect(Math.max(...counted.users)).toBeLessThanOrEqual(3);
  });

  it('should compute only the metrics asked for', () => {
    const bounds = bucketBounds(BASE, BASE + 14 * DAY_MS, 'week', 'UTC');
    expect(index.count(bounds, BASE, BASE + 14 * DAY_MS, ['logins'])).toEqual({
      users: [],
      logins: oracle(logins, bounds, BASE, BASE + 14 * DAY_MS).logins,
      new_users: [],
    });
  });

  it('should replace a day whole, and forget users who only had it when first-seen is recomputed', () => {
    const small = new LoginIndex();
    const day = new Date(BASE);
    small.replaceDays([{ day, users: ['a', 'b'], u: [0, 1, 0], t: [1000, 2000, 3000] }]);
    const bounds = [BASE, BASE + DAY_MS];
    expect(small.count(bounds, BASE, BASE + DAY_MS, ['users', 'logins', 'new_users'])).toEqual({
      users: [2],
      logins: [3],
      new_users: [2],
    });
    small.replaceDays([{ day, users: ['b'], u: [0], t: [5000] }]);
    expect(small.count(bounds, BASE, BASE + DAY_MS, ['users', 'logins', 'new_users'])).toEqual({
      users: [1],
      logins: [1],
      new_users: [1],
    });
    expect(small.usersBetween(BASE, BASE + DAY_MS)).toEqual(['b']);
    small.replaceDays([{ day, users: [], u: [], t: [] }]);
    expect(small.loginCount).toBe(0);
  });

  it('should list the users of a range, sorted', () => {
    const start = BASE + 10 * DAY_MS + 3_600_000;
    const end = BASE + 12 * DAY_MS;
    const expected = [
      ...new Set(logins.filter((l) => l.at >= start && l.at < end).map((l) => l.user)),
    ].sort();
    expect(index.usersBetween(start, end)).toEqual(expected);
  });

  it('should refuse a day whose logins are out of order', () => {
    expect(() =>
      new LoginIndex().replaceDays([{ day: new Date(BASE), users: ['a'], u: [0, 0], t: [5, 1] }])
    ).toThrow('LoginIndex: logins of a day must be in time order');
  });
});
