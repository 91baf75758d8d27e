/** Engagement over HTTP: /api/v1/logins' engagement metrics, /api/v1/retention, /api/v1/users?details=true. */
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { buildTestApp, getFrom } from './api-helpers';
import type { Unit, WeekStart } from './engagement-oracle';
import { engagementOracle, periodStart, retentionOracle, stickinessOracle } from './engagement-oracle';
import type { TestDb } from './helpers';
import { openTestDb } from './helpers';
import type { Login } from './login-fixtures';

const NOW = new Date('2026-11-27T12:00:00Z');
let db: TestDb;
let app: FastifyInstance;
let logins: Login[];

beforeAll(async () => {
  db = await openTestDb();
  const docs = [...generateSysLog({ days: 70, users: 90, perDay: 120, end: NOW, seed: 44 })].flat();
  await db.cols.sysLog.insertMany(docs);
  // What the seed convention (the tests' selector) counts: `successful login` lines of users other than admin.
  logins = docs
    .filter(
      (d) =>
        d.message === 'successful login' && typeof d.user === 'string' && d.user !== '' && d.user !== 'admin'
    )
    .map((d) => ({ user: d.user as string, at: d.created.getTime() }))
    .sort((a, b) => a.at - b.at);
  app = await buildTestApp(db, NOW, { runFrom: '2026-09-18' });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string) => getFrom(app, url);

describe('engagement metrics on /api/v1/logins', () => {
  it.each([
    ['day', 'UTC', '2026-10-20T07:13:00.123Z', '2026-11-20T16:44:59.999Z'],
    ['day', 'Europe/Berlin', '2026-10-20T00:00:00Z', '2026-10-30T00:00:00Z'],
    ['week', 'Asia/Kathmandu', '2026-10-01T05:05:05Z', '2026-11-27T09:00:00Z'],
    ['month', 'America/New_York', '2026-10-01T00:00:00Z', '2026-11-27T00:00:00Z'],
  ] as [Unit, string, string, string][])(
    'should equal the raw-log definitions by %s in %s',
    async (unit, zone, from, to) => {
      const metrics = 'active_7d,active_28d,active_30d,dau_mau,new_users,returning,resurrecting,dormant';
      const { status, json } = await get(
        `/api/v1/logins?start=${from}&end=${to}&aggregate=${unit}&tz=${zone}&metric=${metrics}`
      );
      expect(status).toBe(200);
      const buckets = json().buckets as Record<string, number>[];
      const expected = engagementOracle(logins, { start: Date.parse(from), end: Date.parse(to), unit, zone });
      for (const name of [
        'active_7d',
        'active_28d',
        'active_30d',
        'new_users',
        'returning',
        'resurrecting',
        'dormant',
      ] as const) {
        expect([name, buckets.map((b) => b[name])]).toEqual([name, expected[name]]);
      }
      buckets.forEach((b, i) => expect(b.dau_mau).toBeCloseTo(expected.dau_mau[i] ?? NaN, 12));
      expect(buckets.some((b) => (b.active_28d ?? 0) > 0)).toBe(true);
    }
  );

  it('should filter engagement to the given users and answer CSV with one column per metric', async () => {
    const only = ['user00001', 'user00002', 'user00007'];
    const url = `/api/v1/logins?start=2026-10-05&end=2026-11-23&aggregate=w&metric=active_7d,returning,dormant&${only.map((u) => `user=${u}`).join('&')}`;
    const { json } = await get(url);
    const expected = engagementOracle(logins, {
      start: Date.parse('2026-10-05'),
      end: Date.parse('2026-11-23'),
      unit: 'week',
      zone: 'UTC',
      only: new Set(only),
    });
    const buckets = json().buckets as Record<string, number>[];
    expect(buckets.map((b) => [b.active_7d, b.returning, b.dormant])).toEqual(
      expected.active_7d.map((n, i) => [n, expected.returning[i], expected.dormant[i]])
    );
    const csv = (await get(`${url}&format=csv`)).body.split('\n');
    expect(csv[0]).toBe('start,end,partial,active_7d,returning,dormant');
    expect(csv[1]).toBe(
      `2026-10-05T00:00:00.000Z,2026-10-12T00:00:00.000Z,false,${expected.active_7d[0]},${expected.returning[0]},${expected.dormant[0]}`
    );
  });
});

describe('GET /api/v1/retention', () => {
  it.each([
    ['week', 'UTC', '2026-09-21T00:00:00Z', '2026-11-27T10:00:00Z', 12],
    ['day', 'Asia/Kathmandu', '2026-11-01T00:00:00Z', '2026-11-20T00:00:00Z', 7],
    ['month', 'Europe/Berlin', '2026-09-01T00:00:00Z', '2026-11-27T00:00:00Z', 3],
  ] as [Unit, string, string, string, number][])(
    'should equal the raw-log cohorts by %s in %s',
    async (unit, zone, from, to, periods) => {
      const { status, json } = await get(
        `/api/v1/retention?start=${from}&end=${to}&cohort=${unit}&tz=${zone}&periods=${periods}`
      );
      expect(status).toBe(200);
      const answer = json();
      expect(answer).toMatchObject({ cohort: unit, tz: zone, periods, users: null });
      expect(
        answer.cohorts.map((c: { size: number; retained: number[] }) => ({
          size: c.size,
          retained: c.retained,
        }))
      ).toEqual(
        retentionOracle(logins, { start: Date.parse(from), end: Date.parse(to), unit, zone, periods })
      );
      expect(answer.cohorts[0].start).toBe(DateTime.fromISO(from, { zone }).startOf(unit).toISO());
    }
  );

  it('should filter cohorts to users, answer CSV, and reject what it does not accept with 400', async () => {
    const url =
      '/api/v1/retention?start=2026-09-21&end=2026-11-23&cohort=week&periods=4&user=user00001,user00003';
    const filtered = (await get(url)).json();
    expect(filtered.users).toEqual(['user00001', 'user00003']);
    const sizes = filtered.cohorts.reduce((n: number, c: { size: number }) => n + c.size, 0);
    expect(sizes).toBeLessThanOrEqual(2);
    const csv = (await get(`${url}&format=csv`)).body.split('\n');
    expect(csv[0]).toBe('start,end,partial,size,p0,p1,p2,p3');
    for (const [query, parameter] of [
      ['cohort=year', 'cohort'],
      ['periods=0', 'periods'],
      ['tz=Mars/Olympus', 'tz'],
      ['start=2026-11-02&end=2026-11-01', 'end'],
      ['start=2000-01-01&end=2026-01-01&cohort=day', 'cohort'],
    ]) {
      const bad = await get(`/api/v1/retention?${query}`);
      expect([query, bad.status, bad.json().parameter]).toEqual([query, 400, parameter]);
    }
  });
});

describe('PostHog meanings: dau_mau, the deprecated stickiness metric, weekStart, retention on_or_after', () => {
  it('should answer metric=stickiness with the dau_mau ratio and a deprecation notice, never redefined', async () => {
    const range = 'start=2026-10-20T00:00:00Z&end=2026-11-20T00:00:00Z&aggregate=d&tz=Europe/Berlin';
    const old = (await get(`/api/v1/logins?${range}&metric=stickiness,users`)).json();
    const renamed = (await get(`/api/v1/logins?${range}&metric=dau_mau,users`)).json();
    expect(old.buckets.map((b: Record<string, number>) => b.stickiness)).toEqual(
      renamed.buckets.map((b: Record<string, number>) => b.dau_mau)
    );
    expect(renamed.buckets.some((b: Record<string, number>) => (b.dau_mau ?? 0) > 0)).toBe(true);
    expect(old.deprecations).toEqual([expect.stringContaining("renamed 'dau_mau'")]);
    expect(old.deprecations[0]).toContain('/api/v1/stickiness');
    expect(renamed.deprecations).toBeUndefined();
  });

  it.each([
    ['sunday', 'America/New_York'],
    ['saturday', 'Asia/Tehran'],
    ['monday', 'UTC'],
  ])(
    'should start weeks on %s in %s for counts and retention, each answer its own',
    async (weekStart, zone) => {
      const from = '2026-09-18T00:00:00Z';
      const to = '2026-11-27T00:00:00Z';
      const start = Date.parse(from);
      const end = Date.parse(to);
      const ws = weekStart as WeekStart;
      const counts = (
        await get(
          `/api/v1/logins?start=${from}&end=${to}&aggregate=w&tz=${zone}&weekStart=${weekStart}&metric=new_users,active_7d,returning`
        )
      ).json();
      expect(counts.weekStart).toBe(weekStart);
      const expected = engagementOracle(logins, { start, end, unit: 'week', zone, weekStart: ws });
      expect(
        counts.buckets.map((b: Record<string, number>) => [b.new_users, b.active_7d, b.returning])
      ).toEqual(expected.new_users.map((n, i) => [n, expected.active_7d[i], expected.returning[i]]));
      expect(counts.buckets[1].start).toBe(
        DateTime.fromISO(counts.buckets[1].start, { zone }).startOf('day').toISO()
      );
      const weekday = DateTime.fromISO(counts.buckets[1].start, { setZone: true }).weekday;
      expect(weekday).toBe({ monday: 1, sunday: 7, saturday: 6 }[ws]);
      const retention = (
        await get(
          `/api/v1/retention?start=${from}&end=${to}&cohort=week&tz=${zone}&weekStart=${weekStart}&periods=6&mode=on_or_after`
        )
      ).json();
      expect(retention).toMatchObject({ weekStart, mode: 'on_or_after' });
      expect(
        retention.cohorts.map((c: { size: number; retained: number[] }) => ({
          size: c.size,
          retained: c.retained,
        }))
      ).toEqual(
        retentionOracle(logins, {
          start,
          end,
          unit: 'week',
          zone,
          periods: 6,
          weekStart: ws,
          mode: 'on_or_after',
        })
      );
    }
  );

  it('should refuse a week start it does not know, naming it', async () => {
    for (const path of ['/api/v1/logins', '/api/v1/retention', '/api/v1/stickiness']) {
      const bad = await get(`${path}?weekStart=friday`);
      expect([path, bad.status, bad.json().parameter]).toEqual([path, 400, 'weekStart']);
      expect(bad.json().accepted).toContain('sunday');
    }
    const mode = await get('/api/v1/retention?mode=after');
    expect([mode.status, mode.json().parameter]).toEqual([400, 'mode']);
  });
});

describe('GET /api/v1/stickiness', () => {
  it.each([
    ['day', 'UTC', '2026-10-28T07:13:00Z', '2026-11-27T07:13:00Z', 'monday'],
    ['day', 'Asia/Kathmandu', '2026-10-20T00:00:00Z', '2026-11-20T00:00:00Z', 'monday'],
    ['week', 'America/New_York', '2026-09-18T00:00:00Z', '2026-11-27T00:00:00Z', 'sunday'],
  ] as [Unit, string, string, string, WeekStart][])(
    'should equal the raw-log histogram by %s in %s, exact and cumulative',
    async (unit, zone, from, to, weekStart) => {
      const start = Date.parse(from);
      const end = Date.parse(to);
      for (const cumulative of [false, true]) {
        const { status, json } = await get(
          `/api/v1/stickiness?start=${from}&end=${to}&interval=${unit}&tz=${zone}&weekStart=${weekStart}&cumulative=${cumulative}`
        );
        expect(status).toBe(200);
        const expected = stickinessOracle(logins, { start, end, unit, zone, weekStart, cumulative });
        expect(json()).toMatchObject({ interval: unit, tz: zone, weekStart, cumulative, counts: expected });
        expect(json().intervals).toBe(expected.length - 1);
        expect(expected.slice(2).some((n) => n > 0)).toBe(true);
      }
    }
  );

  it('should filter to users, answer CSV, and refuse what it does not accept', async () => {
    const only = ['user00001', 'user00002', 'user00007', 'nobody'];
    const url = `/api/v1/stickiness?start=2026-11-01&end=2026-11-21&${only.map((u) => `user=${u}`).join('&')}`;
    const expected = stickinessOracle(logins, {
      start: Date.parse('2026-11-01'),
      end: Date.parse('2026-11-21'),
      unit: 'day',
      zone: 'UTC',
      only: new Set(only),
    });
    const answer = (await get(url)).json();
    expect(answer.counts).toEqual(expected);
    expect(answer.counts.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(3);
    const csv = (await get(`${url}&format=csv`)).body.trim().split('\n');
    expect(csv).toEqual(['n,users', ...expected.map((n, i) => `${i},${n}`)]);
    for (const [query, parameter] of [
      ['interval=quarter', 'interval'],
      ['start=2000-01-01&end=2026-01-01&interval=hour', 'interval'],
      ['tz=Mars/Olympus', 'tz'],
      ['start=2026-11-02&end=2026-11-01', 'end'],
    ]) {
      const bad = await get(`/api/v1/stickiness?${query}`);
      expect([query, bad.status, bad.json().parameter]).toEqual([query, 400, parameter]);
    }
  });
});

describe('GET /api/v1/users?details=true', () => {
  it('should list who used it: first and last login in the range to the millisecond, logins, active days', async () => {
    const start = Date.parse('2026-11-02T09:07:30.500Z');
    const end = Date.parse('2026-11-20T15:00:00.001Z');
    const zone = 'Asia/Kathmandu';
    const inRange = logins.filter((l) => l.at >= start && l.at < end);
    const byUser = new Map<string, Login[]>();
    for (const l of inRange) byUser.set(l.user, [...(byUser.get(l.user) ?? []), l]);
    const expected = [...byUser].map(([name, list]) => ({
      name,
      firstSeen: new Date(Math.min(...list.map((l) => l.at))).toISOString(),
      lastSeen: new Date(Math.max(...list.map((l) => l.at))).toISOString(),
      logins: list.length,
      activeDays: new Set(list.map((l) => DateTime.fromMillis(l.at, { zone }).toISODate())).size,
    }));
    const byLast = [...expected].sort((a, b) =>
      a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : a.name < b.name ? -1 : 1
    );
    const answer = (
      await get(`/api/v1/users?details=true&start=${start}&end=${end}&tz=${zone}&limit=10`)
    ).json();
    expect(answer).toEqual({ users: byLast.slice(0, 10), truncated: expected.length > 10 });
    const byLogins = [...expected].sort((a, b) => b.logins - a.logins || (a.name < b.name ? -1 : 1));
    const top = (
      await get(`/api/v1/users?details=true&start=${start}&end=${end}&tz=${zone}&sort=logins&limit=5`)
    ).json();
    expect(top.users).toEqual(byLogins.slice(0, 5));
    const firstIn = [...expected].sort((a, b) =>
      a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : a.name < b.name ? -1 : 1
    );
    const earliest = (
      await get(
        `/api/v1/users?details=true&start=${start}&end=${end}&tz=${zone}&sort=firstSeen&order=asc&limit=7`
      )
    ).json();
    expect(earliest.users).toEqual(firstIn.slice(0, 7));
    // Without details, the names as before (Grafana variables).
    const names = (await get(`/api/v1/users?start=${start}&end=${end}&limit=1000`)).json();
    expect(names.users).toEqual([...byUser.keys()].sort());
  });
});

describe('GET /api/v1/users?status', () => {
  const statuses = ['new', 'returning', 'resurrecting', 'dormant'] as const;
  const listed = new Set<string>();
  it.each([
    ['week', 'Asia/Kathmandu', 'sunday', '2026-11-10T12:00:00Z', '2026-11-27T12:00:00Z'],
    ['month', 'America/New_York', 'monday', '2026-10-15T00:00:00Z', '2026-11-27T12:00:00Z'],
    ['day', 'Europe/Berlin', 'monday', '2026-10-25T12:00:00Z', '2026-11-27T12:00:00Z'],
    ['week', 'UTC', 'monday', '2026-11-25T00:00:00Z', '2026-11-27T09:07:30.500Z'],
  ] as [Unit, string, WeekStart, string, string][])(
    'should list the people of each lifecycle status of a %s in %s (weeks from %s), as many as the metric counts',
    async (unit, zone, weekStart, at, endIso) => {
      // The oracle: luxon's calendar over the raw logins (test/engagement-oracle.ts periodStart), the README's
      // definitions: new = active in the bucket and never before it; returning = active in it and in the whole
      // bucket before; resurrecting = active in it, not in the one before, but seen before that; dormant =
      // active in the one before and not in it. The bucket is cut at `end` (one in progress: as of then).
      const end = Date.parse(endIso);
      const bucketStart = periodStart(Date.parse(at), unit, zone, weekStart).toMillis();
      const bucketEnd = periodStart(bucketStart, unit, zone, weekStart)
        .plus(unit === 'week' ? { weeks: 1 } : { [`${unit}s`]: 1 })
        .toMillis();
      const cutEnd = Math.min(bucketEnd, end);
      const beforeStart = periodStart(bucketStart - 1, unit, zone, weekStart).toMillis();
      const users = (a: number, b: number) =>
        new Set(logins.filter((l) => l.at >= a && l.at < b).map((l) => l.user));
      const now = users(bucketStart, cutEnd);
      const before = users(beforeStart, bucketStart);
      const seenBefore = (t: number) => users(-Infinity, t);
      const expected: Record<(typeof statuses)[number], string[]> = {
        new: [...now].filter((u) => !seenBefore(bucketStart).has(u)),
        returning: [...now].filter((u) => before.has(u)),
        resurrecting: [...now].filter((u) => !before.has(u) && seenBefore(beforeStart).has(u)),
        dormant: [...before].filter((u) => !now.has(u)),
      };
      const last = (u: string) =>
        new Date(
          Math.max(
            ...logins.filter((l) => l.user === u && l.at >= beforeStart && l.at < cutEnd).map((l) => l.at)
          )
        ).toISOString();
      const query = `aggregate=${unit}&tz=${zone}&weekStart=${weekStart}`;
      const metrics = (
        await get(
          `/api/v1/logins?start=${bucketStart}&end=${cutEnd}&${query}&metric=new_users,returning,resurrecting,dormant`
        )
      ).json().buckets[0] as Record<string, number>;
      for (const status of statuses) {
        const { status: code, json } = await get(
          `/api/v1/users?status=${status}&bucket=${at}&end=${endIso}&${query}&limit=10000`
        );
        expect(code).toBe(200);
        const names = expected[status].sort();
        expect(json()).toEqual({
          status,
          bucket: { start: new Date(bucketStart).toISOString(), end: new Date(cutEnd).toISOString() },
          count: names.length,
          users: names.map((name) => ({ name, lastSeen: last(name) })),
          truncated: false,
        });
        const metric = metrics[status === 'new' ? 'new_users' : status] ?? NaN;
        expect(json().count).toBe(Math.abs(metric));
      }
      for (const status of statuses) if (expected[status].length > 0) listed.add(status);
    }
  );

  it('should have listed someone of every status in the cases above', () => {
    expect([...listed].sort()).toEqual([...statuses].sort());
  });

  it('should page by name, filter by search, and refuse a status without a bucket or a bucket after end', async () => {
    const all = (await get('/api/v1/users?status=returning&bucket=2026-11-16&limit=10000')).json();
    const page = (await get('/api/v1/users?status=returning&bucket=2026-11-16&limit=3')).json();
    expect(page).toEqual({ ...all, users: all.users.slice(0, 3), truncated: true });
    const some = (await get('/api/v1/users?status=returning&bucket=2026-11-16&search=R0001')).json();
    expect(some.users).toEqual(all.users.filter((u: { name: string }) => u.name.includes('r0001')));
    expect(some.count).toBe(all.count);
    const missing = await get('/api/v1/users?status=new');
    expect([missing.status, missing.json().parameter]).toEqual([400, 'bucket']);
    const late = await get('/api/v1/users?status=new&bucket=2026-12-24&end=2026-11-27');
    expect([late.status, late.json().parameter]).toEqual([400, 'bucket']);
    const bad = await get('/api/v1/users?status=lapsed&bucket=2026-11-16');
    expect([bad.status, bad.body]).toEqual([400, expect.stringContaining('status')]);
  });
});
