/**
 * Every cache of the daemon takes its bound from USAGE_INDEX_CACHE_MB (core/limits.ts): the shares add up to
 * at most the setting, and the calendar caches (time/buckets.ts), module-level, stay within theirs.
 */
import { DEFAULT_CACHE_MB, DEFAULT_INDEX_LIMITS, cacheLimits } from '../src/core/limits';
import { DAY_MS } from '../src/core/units';
import { bucketBounds, calendarCacheBytes, isoInZone, limitCalendarCaches } from '../src/time/buckets';

it.each([1, 48, DEFAULT_CACHE_MB, 4096])(
  'should split %i MB between the caches without exceeding it',
  (mb) => {
    const limits = cacheLimits(mb);
    const total = Object.values(limits).reduce((a: number, b: number) => a + b, 0);
    expect(total).toBeLessThanOrEqual(mb * 1024 * 1024);
    expect(total).toBeGreaterThan(mb * 1024 * 1024 * 0.99);
    for (const share of Object.values(limits)) expect(share).toBeGreaterThan(0);
  }
);

it('should keep the calendar caches within their share', () => {
  const bound = 16 * 1024;
  limitCalendarCaches(bound);
  try {
    for (const tz of ['UTC', 'Asia/Kathmandu']) {
      for (let year = 1990; year < 2030; year += 1) {
        const start = Date.UTC(year, 0, 1);
        for (const b of bucketBounds(start, start + 60 * DAY_MS, 'day', tz)) isoInZone(b, tz);
      }
    }
    expect(calendarCacheBytes()).toBeGreaterThan(bound / 4);
    expect(calendarCacheBytes()).toBeLessThanOrEqual(bound);
  } finally {
    limitCalendarCaches(DEFAULT_INDEX_LIMITS.calendarCacheBytes);
  }
});
