/**
 * Engagement metrics and the retention matrix from the index (slot summaries, edge slots read on demand)
 * against test/engagement-oracle.ts, computed from the raw logins with luxon.
 */
import { decodeSummary, encodeSummary } from '../src/db/day-summary';
import { seededRandom } from '../src/demo/random';
import { buildDaySlots } from '../src/core/day-slots';
import type { CohortUnit, EngagementMetric, RetentionMode } from '../src/contract/metrics';
import { ENGAGEMENT_METRICS } from '../src/contract/metrics';
import { engagementPoints, engagementSeries } from '../src/query/engagement';
import { LoginIndex } from '../src/query/login-index';
import { retentionMatrix, retentionPoints } from '../src/query/retention';
import { stickinessBounds, stickinessCounts } from '../src/query/stickiness';
import { bucketBounds } from '../src/time/buckets';
import { DAY_MS, SLOT_MS } from '../src/core/units';
import type { Unit, WeekStart } from './engagement-oracle';
import { engagementOracle, retentionOracle, stickinessOracle } from './engagement-oracle';
import type { Login } from './login-fixtures';
import { BASE, randomLogins, readFor } from './login-fixtures';

// Two quiet weeks in June: empty periods, and users coming back after them. User uN joins on day N, so
// cohorts fill all year.
const GAP = [BASE + 160 * DAY_MS, BASE + 174 * DAY_MS];
const logins = randomLogins(40_000, 17).filter(
  (l) => (l.at < (GAP[0] ?? 0) || l.at >= (GAP[1] ?? 0)) && l.at >= BASE + Number(l.user.slice(1)) * DAY_MS
);

function summaryIndex(list: readonly Login[]): LoginIndex {
  const index = new LoginIndex();
  const byDay = new Map<number, Login[]>();
  for (const l of list)
    byDay.set(Math.floor(l.at / DAY_MS), [...(byDay.get(Math.floor(l.at / DAY_MS)) ?? []), l]);
  for (const [day, rows] of byDay) {
    const slots = buildDaySlots(
      rows.map((l) => l.at - day * DAY_MS),
      rows.map((l) => index.userId(l.user))
    );
    index.replaceDay(new Date(day * DAY_MS), decodeSummary(encodeSummary(slots))?.slots);
  }
  return index;
}

const index = summaryIndex(logins);

const read = (slots: number[]) => readFor(index, logins, slots);

const CASES: [Unit, string, string, string, WeekStart][] = [
  ['day', 'UTC', '2026-02-10T07:13:00.123Z', '2026-04-02T16:44:59.999Z', 'monday'],
  ['day', 'Europe/Berlin', '2026-03-20T00:00:00Z', '2026-04-06T00:00:00Z', 'monday'], // the DST week (29 March)
  ['week', 'Europe/Berlin', '2026-10-01T09:00:00Z', '2026-12-20T09:00:00Z', 'monday'], // fall-back (25 October)
  ['week', 'Asia/Kathmandu', '2026-05-01T05:05:05Z', '2026-08-15T18:14:59.999Z', 'monday'], // quiet weeks
  ['week', 'America/New_York', '2026-02-20T10:00:00Z', '2026-04-20T10:00:00Z', 'sunday'], // DST on a Sunday
  ['week', 'Asia/Tehran', '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z', 'saturday'], // +03:30
  ['month', 'America/New_York', '2026-02-15T00:00:00Z', '2026-12-31T00:00:00Z', 'monday'],
  ['day', 'America/New_York', '2026-06-01T12:00:00Z', '2026-06-30T12:00:00Z', 'monday'], // days without logins
];

describe('engagement series', () => {
  it.each(CASES)(
    'should equal the raw-login definitions by %s in %s (%s to %s, weeks from %s)',
    (unit, zone, from, to, weekStart) => {
      const start = Date.parse(from);
      const end = Date.parse(to);
      for (const only of [undefined, new Set(['u0', 'u1', 'u9', 'u120', 'u299', 'nobody'])]) {
        const bounds = bucketBounds(start, end, unit, zone, weekStart);
        const mask = only ? index.userMask([...only]) : undefined;
        const request = { bounds, start, end, unit, tz: zone, weekStart, mask };
        const metrics: EngagementMetric[] = [...ENGAGEMENT_METRICS];
        const raw = read(index.missingSlotsAt([...engagementPoints(request, metrics), start, end]));
        const series = engagementSeries(index, request, metrics, raw);
        const newUsers = index.count(bounds, start, end, ['new_users'], { mask, raw }).new_users;
        const expected = engagementOracle(logins, { start, end, unit, zone, only, weekStart });
        const { dau_mau: ratio, ...exact } = expected;
        expect({ ...series, dau_mau: undefined, stickiness: undefined, new_users: newUsers }).toEqual({
          ...exact,
          dau_mau: undefined,
          stickiness: undefined,
        });
        expect(series.dau_mau).toHaveLength(ratio.length);
        series.dau_mau.forEach((value, i) => expect(value).toBeCloseTo(ratio[i] ?? NaN, 12));
        // The deprecated name answers the same ratio.
        expect(series.stickiness).toEqual(series.dau_mau);
        // Not all zeros: the case exercises the metric.
        expect(series.active_28d.some((n) => n > 0)).toBe(true);
        // Users of a bucket are new, returning or resurrecting (none is cut off by `start` here but the first).
        if (!only) expect(series.returning.slice(1).every((n) => n >= 0)).toBe(true);
      }
    }
  );

  it('should read the windows before start: the first bucket of a range counts the 28 days before it', () => {
    const start = Date.parse('2026-09-01T00:00:00Z');
    const end = Date.parse('2026-09-02T00:00:00Z');
    const bounds = bucketBounds(start, end, 'day', 'UTC');
    const request = { bounds, start, end, unit: 'day' as const, tz: 'UTC', weekStart: 'monday' as const };
    const [active] = engagementSeries(index, request, ['active_28d'], read([])).active_28d;
    const expected = new Set(logins.filter((l) => l.at >= end - 28 * DAY_MS && l.at < end).map((l) => l.user))
      .size;
    expect(active).toBe(expected);
    expect(active).toBeGreaterThan(
      new Set(logins.filter((l) => l.at >= start && l.at < end).map((l) => l.user)).size
    );
  });
});

describe('retention matrix', () => {
  it.each([
    ['week', 'UTC', '2026-01-05T00:00:00Z', '2026-04-06T00:00:00Z', 8, 'monday', 'on'],
    ['week', 'Asia/Kathmandu', '2026-05-01T05:05:05Z', '2026-08-15T18:14:59.999Z', 20, 'monday', 'on'],
    [
      'week',
      'Asia/Kathmandu',
      '2026-05-01T05:05:05Z',
      '2026-08-15T18:14:59.999Z',
      20,
      'sunday',
      'on_or_after',
    ],
    ['week', 'America/New_York', '2026-02-01T05:00:00Z', '2026-05-01T00:00:00Z', 6, 'saturday', 'on'],
    ['day', 'Europe/Berlin', '2026-03-25T00:00:00Z', '2026-04-03T09:30:00Z', 5, 'monday', 'on'],
    ['day', 'Europe/Berlin', '2026-03-25T00:00:00Z', '2026-04-03T09:30:00Z', 5, 'monday', 'on_or_after'],
    ['month', 'America/New_York', '2026-01-01T05:00:00Z', '2026-12-01T05:00:00Z', 12, 'monday', 'on'],
    [
      'month',
      'America/New_York',
      '2026-01-01T05:00:00Z',
      '2026-12-01T05:00:00Z',
      12,
      'monday',
      'on_or_after',
    ],
  ] as [Unit & CohortUnit, string, string, string, number, WeekStart, RetentionMode][])(
    'should equal the raw-login definition by %s in %s (%s to %s, %i periods, weeks from %s, returns %s)',
    (unit, zone, from, to, periods, weekStart, mode) => {
      const start = Date.parse(from);
      const end = Date.parse(to);
      const base = { start, end, cohort: unit, tz: zone, periods, weekStart, mode };
      for (const only of [undefined, new Set(['u0', 'u2', 'u3', 'u40', 'u77', 'u150', 'u290'])]) {
        const query = { ...base, users: only ? [...only] : null };
        const mask = only ? index.userMask([...only]) : undefined;
        const raw = read(index.missingSlotsAt(retentionPoints(query)));
        const matrix = retentionMatrix(index, query, mask, raw);
        expect(matrix.map((c) => ({ size: c.size, retained: c.retained }))).toEqual(
          retentionOracle(logins, { start, end, unit, zone, periods, only, weekStart, mode })
        );
        for (const cohort of matrix) expect(cohort.retained[0] ?? 0).toBe(cohort.size);
        // Returning at or after a period includes returning in it; and it only falls as k grows.
        if (mode === 'on_or_after')
          for (const cohort of matrix)
            cohort.retained.forEach((r, k) => expect(r).toBeGreaterThanOrEqual(cohort.retained[k + 1] ?? 0));
      }
      const all = retentionMatrix(
        index,
        { ...base, users: null },
        undefined,
        read(index.missingSlotsAt([start, end]))
      );
      expect(all.some((c) => c.size > 0 && (c.retained[1] ?? 0) > 0)).toBe(true);
    }
  );
});

it('should be exact where a cohort edge falls inside a slot: first logins at 00:07 and 00:08', () => {
  const small = new LoginIndex();
  const at = (iso: string) => Date.parse(iso);
  const list: Login[] = [
    { user: 'early', at: at('2026-03-02T00:07:00Z') },
    { user: 'late', at: at('2026-03-02T00:08:00Z') },
    { user: 'early', at: at('2026-03-10T10:00:00Z') },
  ];
  const day = Date.parse('2026-03-02T00:00:00Z');
  small.replaceDay(
    new Date(day),
    buildDaySlots([7 * 60_000, 8 * 60_000], [small.userId('early'), small.userId('late')])
  );
  small.replaceDay(
    new Date(at('2026-03-10T00:00:00Z')),
    buildDaySlots([10 * 3_600_000], [small.userId('early')])
  );
  const raw = new Map([
    [Math.floor(day / SLOT_MS), { t: Int32Array.from([7 * 60_000, 8 * 60_000]), u: Int32Array.from([0, 1]) }],
  ]);
  const query = {
    start: at('2026-03-02T00:07:30Z'),
    end: at('2026-03-16T00:00:00Z'),
    cohort: 'week' as const,
    tz: 'UTC',
    weekStart: 'monday' as const,
    mode: 'on' as const,
    periods: 3,
    users: null,
  };
  expect(retentionMatrix(small, query, undefined, raw).map((c) => [c.size, c.retained])).toEqual([
    [1, [1, 0]], // only 'late' (00:08) is first seen inside the range; 'early' came back in week 2 but is not in it
    [0, [0]],
  ]);
  void list;
  void seededRandom;
});

describe('stickiness histogram', () => {
  it.each([
    ['day', 'UTC', '2026-02-10T07:13:00.123Z', '2026-03-12T16:44:59.999Z', 'monday'],
    ['day', 'Europe/Berlin', '2026-03-20T00:00:00Z', '2026-04-06T00:00:00Z', 'monday'], // a 23-hour day
    ['day', 'America/New_York', '2026-06-01T12:00:00Z', '2026-06-30T12:00:00Z', 'monday'], // quiet weeks
    ['week', 'America/New_York', '2026-02-20T10:00:00Z', '2026-05-20T10:00:00Z', 'sunday'],
    ['week', 'Asia/Kathmandu', '2026-05-01T05:05:05Z', '2026-08-15T18:14:59.999Z', 'saturday'],
    ['month', 'Asia/Tehran', '2026-01-15T00:00:00Z', '2026-12-01T00:00:00Z', 'monday'],
    ['hour', 'Australia/Lord_Howe', '2026-04-04T10:00:00Z', '2026-04-06T10:00:00Z', 'monday'], // 30-min DST
  ] as [Unit, string, string, string, WeekStart][])(
    'should equal the raw-login histogram by %s in %s (%s to %s, weeks from %s)',
    (unit, zone, from, to, weekStart) => {
      const start = Date.parse(from);
      const end = Date.parse(to);
      for (const cumulative of [false, true])
        for (const only of [undefined, new Set(['u0', 'u1', 'u9', 'u120', 'u299', 'nobody'])]) {
          const query = { start, end, interval: unit, tz: zone, weekStart, cumulative, users: null };
          const mask = only ? index.userMask([...only]) : undefined;
          const raw = read(index.missingSlotsAt([start, end, ...stickinessBounds(query)]));
          const counts = stickinessCounts(index, query, { mask, raw });
          const expected = stickinessOracle(logins, { start, end, unit, zone, weekStart, cumulative, only });
          expect(counts).toEqual(expected);
          // Someone was active on more than one interval: the case exercises the histogram.
          if (!only && !cumulative) expect(counts.slice(2).some((n) => n > 0)).toBe(true);
        }
    }
  );
});
