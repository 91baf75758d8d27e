/**
 * Engagement metrics and the retention matrix from the index (slot summaries, edge slots read on demand)
 * against test/engagement-oracle.ts, computed from the raw logins with luxon.
 */
import { decodeSummary, encodeSummary } from '../src/db/day-summary';
import { seededRandom } from '../src/demo/random';
import { buildDaySlots } from '../src/core/day-slots';
import type { EngagementMetric } from '../src/contract/metrics';
import { ENGAGEMENT_METRICS } from '../src/contract/metrics';
import { engagementPoints, engagementSeries } from '../src/query/engagement';
import { LoginIndex } from '../src/query/login-index';
import { retentionMatrix, retentionPoints } from '../src/query/retention';
import { bucketBounds } from '../src/time/buckets';
import { DAY_MS, SLOT_MS } from '../src/core/units';
import type { Unit } from './engagement-oracle';
import { engagementOracle, retentionOracle } from './engagement-oracle';
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

const CASES: [Unit, string, string, string][] = [
  ['day', 'UTC', '2026-02-10T07:13:00.123Z', '2026-04-02T16:44:59.999Z'],
  ['day', 'Europe/Berlin', '2026-03-20T00:00:00Z', '2026-04-06T00:00:00Z'], // the DST week (29 March)
  ['week', 'Europe/Berlin', '2026-10-01T09:00:00Z', '2026-12-20T09:00:00Z'], // fall-back week (25 October)
  ['week', 'Asia/Kathmandu', '2026-05-01T05:05:05Z', '2026-08-15T18:14:59.999Z'], // across the quiet weeks
  ['month', 'America/New_York', '2026-02-15T00:00:00Z', '2026-12-31T00:00:00Z'],
  ['day', 'America/New_York', '2026-06-01T12:00:00Z', '2026-06-30T12:00:00Z'], // days without logins
];

describe('engagement series', () => {
  it.each(CASES)('should equal the raw-login definitions by %s in %s (%s to %s)', (unit, zone, from, to) => {
    const start = Date.parse(from);
    const end = Date.parse(to);
    for (const only of [undefined, new Set(['u0', 'u1', 'u9', 'u120', 'u299', 'nobody'])]) {
      const bounds = bucketBounds(start, end, unit, zone);
      const mask = only ? index.userMask([...only]) : undefined;
      const request = { bounds, start, end, unit, tz: zone, mask };
      const metrics: EngagementMetric[] = [...ENGAGEMENT_METRICS];
      const raw = read(index.missingSlotsAt([...engagementPoints(request, metrics), start, end]));
      const series = engagementSeries(index, request, metrics, raw);
      const newUsers = index.count(bounds, start, end, ['new_users'], { mask, raw }).new_users;
      const expected = engagementOracle(logins, { start, end, unit, zone, only });
      const { stickiness, ...exact } = expected;
      expect({ ...series, stickiness: undefined, new_users: newUsers }).toEqual({
        ...exact,
        stickiness: undefined,
      });
      expect(series.stickiness).toHaveLength(stickiness.length);
      series.stickiness.forEach((value, i) => expect(value).toBeCloseTo(stickiness[i] ?? NaN, 12));
      // Not all zeros: the case exercises the metric.
      expect(series.active_28d.some((n) => n > 0)).toBe(true);
      // Users of a bucket are new, returning or resurrecting (none is cut off by `start` here but the first).
      if (!only) expect(series.returning.slice(1).every((n) => n >= 0)).toBe(true);
    }
  });

  it('should read the windows before start: the first bucket of a range counts the 28 days before it', () => {
    const start = Date.parse('2026-09-01T00:00:00Z');
    const end = Date.parse('2026-09-02T00:00:00Z');
    const bounds = bucketBounds(start, end, 'day', 'UTC');
    const request = { bounds, start, end, unit: 'day' as const, tz: 'UTC' };
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
    ['week', 'UTC', '2026-01-05T00:00:00Z', '2026-04-06T00:00:00Z', 8],
    ['week', 'Asia/Kathmandu', '2026-05-01T05:05:05Z', '2026-08-15T18:14:59.999Z', 20],
    ['day', 'Europe/Berlin', '2026-03-25T00:00:00Z', '2026-04-03T09:30:00Z', 5],
    ['month', 'America/New_York', '2026-01-01T05:00:00Z', '2026-12-01T05:00:00Z', 12],
  ] as [Unit, string, string, string, number][])(
    'should equal the raw-login definition by %s in %s (%s to %s, %i periods)',
    (unit, zone, from, to, periods) => {
      const start = Date.parse(from);
      const end = Date.parse(to);
      for (const only of [undefined, new Set(['u0', 'u2', 'u3', 'u40', 'u77', 'u150', 'u290'])]) {
        const query = { start, end, cohort: unit, tz: zone, periods, users: only ? [...only] : null };
        const mask = only ? index.userMask([...only]) : undefined;
        const raw = read(index.missingSlotsAt(retentionPoints(query)));
        const matrix = retentionMatrix(index, query, mask, raw);
        expect(matrix.map((c) => ({ size: c.size, retained: c.retained }))).toEqual(
          retentionOracle(logins, { start, end, unit, zone, periods, only })
        );
        for (const cohort of matrix) expect(cohort.retained[0] ?? 0).toBe(cohort.size);
      }
      const all = retentionMatrix(
        index,
        { start, end, cohort: unit, tz: zone, periods, users: null },
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
