/**
 * The real DataSource class against the real daemon over HTTP (embedded MongoDB with demo data). Grafana's
 * data-source proxy is stood in for by grafana-proxy.ts (a real HTTP server, reached through backend-srv.ts); what only a Grafana server does is listed in the
 * README.
 */
import { dateTime, type DataFrame, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import type { TemplateSrv } from '@grafana/runtime';
import { DataSource } from '../datasource';
import type { UsageVariableSupport } from '../variables';
import type { UsageOptions, UsageQuery, UsageVariableQuery } from '../types';
import { harnessBackendSrv } from './backend-srv';
import { READ_TOKEN, query, request, startDaemon, type Daemon } from './daemon';
import { type GrafanaProxy, startGrafanaProxy } from './grafana-proxy';
import { startSilentServer, startTlsFront } from './tls-front';

let daemon: Daemon;
const DAY = 86_400_000;
const now = Date.now();

const templateSrv = {
  replace: (text: string | undefined, _scoped?: unknown, format?: string) => {
    const values: Record<string, string[]> = {
      $user: ['user00001', 'user00002'],
      $role: ['engineering', 'marketing'],
      $host: ['core4-app-1'],
      $src: ['core4-requests'],
      $agg: ['month'],
      $metric: ['users', 'dau_mau'],
      $old: ['stickiness'],
      $bad: ['fortnightly'],
      $weeks: ['5'],
      $ws: ['sunday'],
      $status: ['dormant'],
      $bucket: [String(now - 7 * DAY)],
    };
    const value = values[text ?? ''];
    if (!value) {
      return text ?? '';
    }
    return format === 'csv' ? value.join(',') : (value[0] ?? '');
  },
} as unknown as TemplateSrv;

const proxies: GrafanaProxy[] = [];

/** The data source behind the stand-in of Grafana's proxy (grafana-proxy.ts), with the token it stores. */
async function makeDataSource(
  token: string | undefined = READ_TOKEN,
  daemonUrl?: string,
  jsonData: UsageOptions = {},
  connection: { jsonData?: Record<string, string>; secureJsonData?: Record<string, string> } = {}
) {
  const proxy = await startGrafanaProxy({
    uid: 'core4',
    jsonData: { url: daemonUrl ?? daemon.url, ...connection.jsonData },
    secureJsonData: { token, ...connection.secureJsonData },
  });
  proxies.push(proxy);
  const settings = {
    id: 1,
    uid: 'core4',
    type: 'core4-usage-datasource',
    name: 'core4 usage',
    url: proxy.path,
    jsonData,
    meta: {},
  } as unknown as DataSourceInstanceSettings<UsageOptions>;
  const backend = harnessBackendSrv(proxy.origin);
  return new DataSource(
    settings,
    templateSrv,
    () => backend,
    () => 'America/New_York'
  );
}

/** The DataSource's answer: its query() is an Observable (so that a re-querying panel cancels it). */
function queryOf(ds: DataSource, request: DataQueryRequest<UsageQuery>) {
  return lastValueFrom(ds.query(request));
}

function makeRequest(
  targets: Array<Partial<UsageQuery>>,
  extra: Partial<DataQueryRequest<UsageQuery>> = {}
): DataQueryRequest<UsageQuery> {
  const from = dateTime(now - 90 * DAY);
  const to = dateTime(now);
  return {
    requestId: 'r1',
    interval: '1w',
    intervalMs: 7 * DAY,
    maxDataPoints: 100,
    range: { from, to, raw: { from: 'now-90d', to: 'now' } },
    scopedVars: {},
    targets: targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      metric: 'users',
      aggregate: 'auto',
      ...t,
    })) as UsageQuery[],
    timezone: 'Asia/Kathmandu',
    app: 'dashboard',
    startTime: now,
    ...extra,
  } as DataQueryRequest<UsageQuery>;
}

async function direct(params: Record<string, unknown>) {
  const { data } = await request(`${daemon.url}/api/v1/logins${query(params)}`, {
    Authorization: `Bearer ${READ_TOKEN}`,
  });
  return data as { buckets: Array<Record<string, number | string | boolean>> };
}

beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  for (const proxy of proxies) {
    await proxy.close();
  }
  await daemon?.stop();
});

describe('DataSource.query against the daemon', () => {
  it("should map the panel's range, interval and zone and return the daemon's numbers", async () => {
    const response = await queryOf(await makeDataSource(), makeRequest([{ metric: 'users' }]));
    expect(response.errors).toBeUndefined();
    const frame = response.data[0];
    const expected = await direct({
      start: now - 90 * DAY,
      end: now,
      aggregate: 'week',
      tz: 'Asia/Kathmandu',
      metric: 'users',
    });
    expect(frame.meta.custom).toMatchObject({ aggregate: 'week', tz: 'Asia/Kathmandu' });
    expect(frame.fields[0].values).toEqual(expected.buckets.map((b) => Date.parse(String(b.start))));
    expect(frame.fields[1].values).toEqual(expected.buckets.map((b) => b.users));
    expect(frame.fields[1].values.length).toBeGreaterThanOrEqual(13);
    expect(Math.max(...frame.fields[1].values)).toBeGreaterThan(100);
  });

  it('should resolve the browser zone, derive the aggregate, filter users by variable and keep query order', async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest(
        [
          { metric: 'logins', aggregate: '$agg', users: ['$user'], alias: 'two users' },
          { metric: 'new_users', hide: true },
          { metric: 'users', aggregate: 'auto' },
        ],
        { timezone: 'browser', intervalMs: DAY }
      )
    );
    expect(response.data.map((f) => f.refId)).toEqual(['A', 'C']);
    const [filtered, daily] = response.data;
    expect(filtered.meta.custom).toMatchObject({ aggregate: 'month', tz: 'America/New_York' });
    expect(filtered.fields[1].config.displayNameFromDS).toBe('two users');
    const expected = await direct({
      start: now - 90 * DAY,
      end: now,
      aggregate: 'month',
      tz: 'America/New_York',
      metric: 'logins',
      user: ['user00001', 'user00002'],
    });
    expect(filtered.fields[1].values).toEqual(expected.buckets.map((b) => b.logins));
    expect(daily.meta.custom).toMatchObject({ aggregate: 'day' });
    expect(daily.fields[1].values.length).toBeGreaterThanOrEqual(90);
  });

  it("should filter by core4's groups from a variable, as the daemon counts their members", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([
        { metric: 'users', aggregate: 'week', roles: ['$role'] },
        { metric: 'users', aggregate: 'week' },
      ])
    );
    const [members, everybody] = response.data;
    const params = { start: now - 90 * DAY, end: now, aggregate: 'week', tz: 'Asia/Kathmandu', metric: 'users' };
    const expected = await direct({ ...params, role: ['engineering', 'marketing'] });
    expect(members.fields[1].values).toEqual(expected.buckets.map((b) => b.users));
    expect((expected as unknown as { roles: string[] }).roles).toEqual(['engineering', 'marketing']);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    // The demo's groups hold part of the people: fewer than everybody, but some in every full week.
    expect(sum(members.fields[1].values)).toBeGreaterThan(0);
    expect(sum(members.fields[1].values)).toBeLessThan(sum(everybody.fields[1].values));
  });

  it('should ask the source a query names: the embedded default materialises logins and requests', async () => {
    const ds = await makeDataSource();
    expect(await ds.sources()).toEqual(['core4-logins', 'core4-requests']);
    const response = await queryOf(
      ds,
      makeRequest([
        { metric: 'users', aggregate: 'week' },
        { metric: 'users', aggregate: 'week', source: 'core4-requests' },
      ])
    );
    const [logins, requests] = response.data as DataFrame[];
    const params = { start: now - 90 * DAY, end: now, aggregate: 'week', tz: 'Asia/Kathmandu', metric: 'users' };
    const byRequests = await direct({ ...params, source: 'core4-requests' });
    expect(requests.fields[1].values).toEqual(byRequests.buckets.map((b) => b.users));
    expect(logins.fields[1].values).toEqual((await direct(params)).buckets.map((b) => b.users));
    // More people make requests in a week than log in with a password.
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(requests.fields[1].values)).toBeGreaterThan(sum(logins.fields[1].values));
  });

  it("should draw a breakdown as one frame per series, named by the group, with the daemon's numbers", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ metric: 'users', aggregate: 'week', breakdown: 'role', breakdownLimit: 3 }])
    );
    const params = { start: now - 90 * DAY, end: now, aggregate: 'week', tz: 'Asia/Kathmandu', metric: 'users' };
    const expected = (await direct({ ...params, breakdown: 'role', limit: 3 })) as unknown as {
      series: Array<{ key: string; other?: boolean; buckets: Array<{ users: number }> }>;
    };
    expect(expected.series.map((s) => s.other ?? false)).toEqual([false, false, false, true]);
    expect(response.data.map((f: DataFrame) => f.name)).toEqual(expected.series.map((s) => s.key));
    for (const [i, frame] of (response.data as DataFrame[]).entries()) {
      expect(frame.fields[1].values).toEqual(expected.series[i]?.buckets.map((b) => b.users));
    }
    // The demo's largest group is everybody's: staff.
    expect(expected.series[0]?.key).toBe('staff');
  });

  it('should break requests down by project, filtered by host from a variable, as the daemon counts them', async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([
        {
          metric: 'users',
          aggregate: 'week',
          source: '$src',
          breakdown: 'project',
          breakdownLimit: 2,
          hosts: ['$host'],
        },
      ])
    );
    const params = { start: now - 90 * DAY, end: now, aggregate: 'week', tz: 'Asia/Kathmandu', metric: 'users' };
    const expected = (await direct({
      ...params,
      source: 'core4-requests',
      breakdown: 'project',
      limit: 2,
      host: ['core4-app-1'],
    })) as unknown as {
      requests: { host: string[] };
      series: Array<{ key: string; other?: boolean; buckets: Array<{ users: number }> }>;
    };
    expect(expected.requests).toEqual({ host: ['core4-app-1'] });
    // The demo's apps: core4's own handlers and three other projects; the first two, then the rest merged.
    expect(expected.series.map((s) => s.other ?? false)).toEqual([false, false, true]);
    expect(response.data.map((f: DataFrame) => f.name)).toEqual(expected.series.map((s) => s.key));
    for (const [i, frame] of (response.data as DataFrame[]).entries()) {
      expect(frame.fields[1].values).toEqual(expected.series[i]?.buckets.map((b) => b.users));
    }
    expect(expected.series[0]?.key).toBe('core4');
  });

  it('should list the apps of the range as a table: handlers by their core4 title, users and requests', async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ queryType: 'apps', dimension: 'handler', source: '$src', hosts: ['$host'] }])
    );
    const [frame] = response.data as DataFrame[];
    const params = { start: now - 90 * DAY, end: now, source: 'core4-requests', host: ['core4-app-1'] };
    const { data } = await request(`${daemon.url}/api/v1/dimensions/handler${query(params)}`, {
      Authorization: `Bearer ${READ_TOKEN}`,
    });
    const values = (data as { values: Array<{ key: string; users: number; logins: number; title?: string }> }).values;
    expect(frame.fields.map((f) => f.name)).toEqual(['handler', 'title', 'users', 'requests']);
    expect(frame.fields[0].values).toEqual(values.map((v) => v.key));
    expect(frame.fields[1].values).toEqual(values.map((v) => v.title ?? null));
    expect(frame.fields[2].values).toEqual(values.map((v) => v.users));
    expect(frame.fields[3].values).toEqual(values.map((v) => v.logins));
    // The demo registers its apps in sys.handler (one never registered: no title); requests outnumber people.
    expect(frame.fields[1].values).toContain('Marketing reports');
    expect(frame.fields[1].values).toContain(null);
    expect(values.every((v) => v.logins >= v.users)).toBe(true);
    expect(frame.meta?.executedQueryString).toContain('/api/v1/dimensions/handler');
  });

  it("should answer a user-list query with who used it: the daemon's rows, last seen first", async () => {
    const response = await queryOf(await makeDataSource(), makeRequest([{ queryType: 'users', alias: 'who' }]));
    const { data } = await request(
      `${daemon.url}/api/v1/users${query({ start: now - 90 * DAY, end: now, limit: 10000, details: 'true', sort: 'lastSeen', tz: 'Asia/Kathmandu' })}`,
      {
        Authorization: `Bearer ${READ_TOKEN}`,
      }
    );
    const rows = (data as { users: Array<{ name: string; lastSeen: string; logins: number; activeDays: number }> })
      .users;
    expect(rows.length).toBeGreaterThan(100);
    const frame = response.data[0];
    expect(frame.name).toBe('who');
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual([
      'user',
      'real name',
      'last seen',
      'first seen',
      'logins',
      'active days',
    ]);
    expect(frame.fields[0].values).toEqual(rows.map((r) => r.name));
    expect(frame.fields[2].values).toEqual(rows.map((r) => Date.parse(r.lastSeen)));
    expect(frame.fields[4].values).toEqual(rows.map((r) => r.logins));
    expect(frame.fields[5].values).toEqual(rows.map((r) => r.activeDays));
  });

  it('should list the people behind a lifecycle number: the bucket at the range end, or the one a variable names', async () => {
    const lifecycle = async (bucketStart: number) => {
      const { data } = await request(
        `${daemon.url}/api/v1/logins${query({ start: bucketStart, end: now, aggregate: 'week', tz: 'Asia/Kathmandu', metric: 'returning,dormant' })}`,
        { Authorization: `Bearer ${READ_TOKEN}` }
      );
      return (data as { buckets: Array<{ returning: number; dormant: number }> }).buckets[0];
    };
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([
        { queryType: 'people', status: 'returning', aggregate: 'auto' },
        { queryType: 'people', status: '$status', bucket: '$bucket', aggregate: 'week', weekStart: '$ws' },
      ])
    );
    const [current, clicked] = response.data as DataFrame[];
    // The range's last bucket (a week of Kathmandu's, from Monday): as many people as the lifecycle counts.
    const week = current.meta?.custom?.bucket as { start: string; end: string };
    expect(week.end).toBe(new Date(now).toISOString());
    // The embedded demo writes core4's sys.role: the rows carry what it says of each person.
    expect(current.fields.map((f) => f.name)).toEqual([
      'user',
      'real name',
      'last seen',
      'last password login',
      'created',
    ]);
    expect(current.fields[1].values.every((v) => typeof v === 'string' && v.includes(' '))).toBe(true);
    expect(current.fields[0].values.length).toBe((await lifecycle(Date.parse(week.start)))?.returning);
    expect(current.fields[0].values.length).toBeGreaterThan(10);
    expect([...current.fields[0].values]).toEqual([...current.fields[0].values].sort());
    // $status = dormant, $bucket = a week ago (a data link's clicked bar), $ws = sunday.
    const before = clicked.meta?.custom?.bucket as { start: string; end: string };
    expect(new Date(before.start).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'Asia/Kathmandu' })).toBe(
      'Sunday'
    );
    const { data } = await request(
      `${daemon.url}/api/v1/logins${query({ start: Date.parse(before.start), end: Date.parse(before.end), aggregate: 'week', tz: 'Asia/Kathmandu', weekStart: 'sunday', metric: 'dormant' })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const dormant = (data as { buckets: Array<{ dormant: number }> }).buckets[0]?.dormant ?? NaN;
    expect(clicked.name).toBe('dormant people');
    expect(clicked.fields[0].values.length).toBe(-dormant);
    expect(clicked.meta?.custom?.count).toBe(-dormant);
  });

  it("should narrow the user list and the people tables to core4's groups from a variable", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([
        { queryType: 'users', roles: ['$role'] },
        { queryType: 'people', status: 'returning', roles: ['$role'] },
      ])
    );
    const [who, returning] = response.data as DataFrame[];
    const { data } = await request(
      `${daemon.url}/api/v1/users${query({ start: now - 90 * DAY, end: now, limit: 10000, details: 'true', sort: 'lastSeen', tz: 'Asia/Kathmandu', role: ['engineering', 'marketing'] })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const rows = (data as { users: Array<{ name: string }>; roles: string[] }).users;
    expect(who.fields[0].values).toEqual(rows.map((r) => r.name));
    expect(rows.length).toBeGreaterThan(20);
    const { data: everybody } = await request(
      `${daemon.url}/api/v1/users${query({ start: now - 90 * DAY, end: now, limit: 10000 })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    expect(rows.length).toBeLessThan((everybody as { users: string[] }).users.length);
    // The returning people of the range's last week who are in those groups: as many as the daemon counts them.
    const week = returning.meta?.custom?.bucket as { start: string };
    const counted = await direct({
      start: Date.parse(week.start),
      end: now,
      aggregate: 'week',
      tz: 'Asia/Kathmandu',
      metric: 'returning',
      role: ['engineering', 'marketing'],
    });
    expect(returning.fields[0].values.length).toBe(counted.buckets[0]?.returning);
  });

  it("should list core4's active users never seen in the range, as the daemon counts them", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ queryType: 'people', status: 'never' }], {
        range: { from: dateTime(now - 3 * DAY), to: dateTime(now), raw: { from: 'now-3d', to: 'now' } },
      })
    );
    const frame = response.data[0] as DataFrame;
    const { data } = await request(
      `${daemon.url}/api/v1/users${query({ status: 'never', start: now - 3 * DAY, end: now, limit: 10000 })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const answer = data as { count: number; users: Array<{ name: string; realname: string }> };
    expect(frame.name).toBe('never seen');
    expect(frame.fields.map((f) => f.name)).toEqual(['user', 'real name', 'last password login', 'created']);
    expect(frame.fields[0].values).toEqual(answer.users.map((u) => u.name));
    expect(frame.fields[1].values).toEqual(answer.users.map((u) => u.realname));
    expect(frame.meta?.custom?.count).toBe(answer.count);
    // The demo's people who never log in (3 % more roles than users of the log) are among them.
    expect(answer.count).toBeGreaterThan(24);
    // Nobody of them was seen in those three days.
    const seen = new Set(
      (
        (
          await request(`${daemon.url}/api/v1/users${query({ start: now - 3 * DAY, end: now, limit: 10000 })}`, {
            Authorization: `Bearer ${READ_TOKEN}`,
          })
        ).data as { users: string[] }
      ).users
    );
    expect(answer.users.filter((u) => seen.has(u.name))).toEqual([]);
  });

  it("should answer a retention query with the daemon's matrix as a table/heatmap frame", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ queryType: 'retention', cohort: 'week', periods: 6, users: [] }])
    );
    const { data } = await request(
      `${daemon.url}/api/v1/retention${query({ start: now - 90 * DAY, end: now, cohort: 'week', tz: 'Asia/Kathmandu', periods: 6 })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const cohorts = (data as { cohorts: Array<{ start: string; size: number; retained: number[] }> }).cohorts;
    const frame = response.data[0];
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual([
      'cohort',
      'size',
      'week 0',
      'week 1',
      'week 2',
      'week 3',
      'week 4',
      'week 5',
    ]);
    expect(frame.fields[0].values).toEqual(cohorts.map((c) => Date.parse(c.start)));
    expect(frame.fields[1].values).toEqual(cohorts.map((c) => c.size));
    expect(frame.fields[3].values).toEqual(cohorts.map((c) => c.retained[1] ?? null));
    expect(cohorts.some((c) => (c.retained[1] ?? 0) > 0)).toBe(true);
    expect(frame.meta.executedQueryString).toContain('GET /api/v1/retention?');
  });

  it("should surface the daemon's 400 message as the query's error, per query", async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ metric: 'users' }, { metric: 'users', aggregate: '$nope' }], { timezone: 'Mars/Olympus' })
    );
    expect(response.data).toHaveLength(0);
    expect(response.errors?.map((e) => [e.refId, e.message])).toEqual(
      expect.arrayContaining([
        ['A', expect.stringContaining('tz: "Mars/Olympus" is not accepted; expected an IANA time zone')],
        [
          'B',
          'aggregate: $nope is not a dashboard variable with a value, expected one of auto, hour, day, week, month, quarter, year',
        ],
      ])
    );
  });
});

describe('PostHog meanings and templated fields against the daemon', () => {
  it('should ask for each metric of a multi-value $metric: one frame per metric, the numbers the daemon counts', async () => {
    const response = await queryOf(
      await makeDataSource(),
      makeRequest([{ metric: '$metric', aggregate: 'day', alias: '{{metric}} (EU)', weekStart: '$ws' }])
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.map((f: DataFrame) => f.fields[1]?.config.displayNameFromDS)).toEqual([
      'unique users (EU)',
      'DAU/MAU (EU)',
    ]);
    const expected = await direct({
      start: now - 90 * DAY,
      end: now,
      aggregate: 'day',
      tz: 'Asia/Kathmandu',
      metric: 'users,dau_mau',
      weekStart: 'sunday',
    });
    expect(response.data[0].fields[1].values).toEqual(expected.buckets.map((b) => b.users));
    expect(response.data[1].fields[1].values).toEqual(expected.buckets.map((b) => b.dau_mau));
    expect(response.data[0].meta.executedQueryString).toContain('metric=users%2Cdau_mau');
    expect(response.data[0].meta.executedQueryString).toContain('weekStart=sunday');
  });

  it('should send a query saved as stickiness (or a variable holding it) as dau_mau, and name a bad value', async () => {
    const ds = await makeDataSource();
    const response = await queryOf(
      ds,
      makeRequest([
        { metric: 'stickiness', aggregate: 'week' },
        { metric: '$old', aggregate: 'week' },
        { metric: '$bad', aggregate: 'week' },
      ])
    );
    expect(response.data.map((f: DataFrame) => f.meta?.executedQueryString)).toEqual([
      expect.stringContaining('metric=dau_mau'),
      expect.stringContaining('metric=dau_mau'),
    ]);
    expect(response.errors?.map((e) => [e.refId, e.message])).toEqual([
      ['C', expect.stringContaining('metric: $bad is "fortnightly", expected one of users, logins, new_users')],
    ]);
    expect(
      ds.interpolateVariablesInQueries(
        [{ refId: 'A', metric: 'stickiness', aggregate: '$agg', periods: '$weeks', cohort: '$agg', weekStart: '$ws' }],
        {}
      )[0]
    ).toMatchObject({ metric: 'dau_mau', aggregate: 'month', periods: '5', cohort: 'month', weekStart: 'sunday' });
  });

  it("should draw stickiness as bars of the daemon's histogram, and retention at period N over cohorts", async () => {
    const ds = await makeDataSource();
    const response = await queryOf(
      ds,
      makeRequest([
        { queryType: 'stickiness', interval: 'day' },
        { queryType: 'retention', cohort: 'week', retentionFormat: 'period', period: 2, retentionMode: 'on_or_after' },
      ])
    );
    expect(response.errors).toBeUndefined();
    const auth = { Authorization: `Bearer ${READ_TOKEN}` };
    const sticky = (
      await request(
        `${daemon.url}/api/v1/stickiness${query({ start: now - 90 * DAY, end: now, tz: 'Asia/Kathmandu' })}`,
        auth
      )
    ).data as { counts: number[] };
    const bars = response.data[0] as DataFrame;
    expect(bars.fields[0].values.slice(0, 3)).toEqual(['1 day', '2 days', '3 days']);
    expect(bars.fields[1].values).toEqual(sticky.counts.slice(1));
    expect(sticky.counts.slice(2).some((n) => n > 0)).toBe(true);
    const retention = (
      await request(
        `${daemon.url}/api/v1/retention${query({ start: now - 90 * DAY, end: now, tz: 'Asia/Kathmandu', cohort: 'week', periods: 3, mode: 'on_or_after' })}`,
        auth
      )
    ).data as { cohorts: Array<{ start: string; size: number; retained: number[] }> };
    const trend = response.data[1] as DataFrame;
    expect(trend.fields[0].values).toEqual(retention.cohorts.map((c) => Date.parse(c.start)));
    expect(trend.fields[1].values).toEqual(
      retention.cohorts.map((c) => (c.retained[2] === undefined || c.size === 0 ? null : c.retained[2] / c.size))
    );
    expect(trend.fields[1].values.some((v: number | null) => v !== null && v > 0)).toBe(true);
    expect(trend.meta?.executedQueryString).toContain('mode=on_or_after');
  });
});

describe("connection settings and failures as Grafana's proxy reports them", () => {
  it('should connect over TLS only as the settings allow, and say a failed connection is the URL, port or TLS', async () => {
    const front = await startTlsFront(daemon.url);
    try {
      // Self-signed and no CA configured: the proxy's TLS handshake fails, an empty 502.
      expect(await (await makeDataSource(READ_TOKEN, front.url)).testDatasource()).toEqual({
        status: 'error',
        message: expect.stringContaining(
          "Could not connect to the daemon (HTTP 502 from Grafana's proxy): check the URL, port and TLS/CA settings"
        ),
      });
      const withCa = await makeDataSource(
        READ_TOKEN,
        front.url,
        {},
        {
          jsonData: { tlsAuthWithCACert: 'true' },
          secureJsonData: { tlsCACert: front.cert },
        }
      );
      expect(await withCa.testDatasource()).toEqual({ status: 'success', message: expect.stringMatching(/^OK: /) });
      const response = await queryOf(withCa, makeRequest([{ metric: 'users' }]));
      expect(response.errors).toBeUndefined();
      expect(response.data[0].fields[1].values.some((n: number) => n > 0)).toBe(true);
      const skip = await makeDataSource(READ_TOKEN, front.url, {}, { jsonData: { tlsSkipVerify: 'true' } });
      expect((await skip.testDatasource()).status).toBe('success');
    } finally {
      await front.close();
    }
  });

  it("should end a query that the panel's next one supersedes without an error (BackendSrv's cancelled error)", async () => {
    const ds = await makeDataSource();
    const proxy = proxies.at(-1)!;
    proxy.delayMs = 300;
    try {
      const first = queryOf(ds, makeRequest([{ metric: 'users' }]));
      await new Promise((r) => setTimeout(r, 100));
      const second = queryOf(ds, makeRequest([{ metric: 'users' }]));
      expect(await first).toEqual({ data: [] });
      const answer = await second;
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toHaveLength(1);
    } finally {
      proxy.delayMs = 0;
    }
  });

  it('should name the timeout setting when the daemon does not answer in time (504)', async () => {
    const silent = await startSilentServer();
    try {
      const ds = await makeDataSource(READ_TOKEN, silent.url, { timeout: 1 }, { jsonData: { timeout: '1' } });
      const response = await queryOf(ds, makeRequest([{ metric: 'users' }]));
      expect(response.errors?.map((e) => e.message)).toEqual([
        "The daemon did not answer within 1 s (HTTP 504 from Grafana's proxy): raise Timeout in the data source settings, or ask for a shorter range or a coarser aggregate",
      ]);
    } finally {
      await silent.close();
    }
  });
});

describe('DataSource features against the daemon', () => {
  it('should pass Save & test with the data horizon, and say precisely what fails', async () => {
    expect(await (await makeDataSource()).testDatasource()).toEqual({
      status: 'success',
      message: expect.stringMatching(/^OK: data complete up to \d{4}-/),
    });
    expect(await (await makeDataSource('wrong-token-0123456789')).testDatasource()).toEqual({
      status: 'error',
      message: "Token rejected: the daemon does not accept the data source's API token (HTTP 403); check the token",
    });
    expect(await (await makeDataSource(READ_TOKEN, 'http://127.0.0.1:9')).testDatasource()).toEqual({
      status: 'error',
      message:
        "Could not connect to the daemon (HTTP 502 from Grafana's proxy): check the URL, port and TLS/CA settings (Grafana's server log names which failed), and that core4-usage serve is running",
    });
  });

  it("should list a users variable from the dashboard's range, and the aggregates", async () => {
    const ds = await makeDataSource();
    const values = async (target: Partial<UsageVariableQuery> | string, days: number) => {
      const range = { from: dateTime(now - days * DAY), to: dateTime(now), raw: { from: `now-${days}d`, to: 'now' } };
      const variableRequest = { ...makeRequest([]), range, targets: [target] } as DataQueryRequest<UsageVariableQuery>;
      const response = await lastValueFrom((ds.variables as UsageVariableSupport).query(variableRequest));
      const frame = response.data[0] as DataFrame;
      expect(frame.fields.map((f) => f.name)).toEqual(['text']);
      return frame.fields[0].values as string[];
    };
    const seen = async (days: number, search: string) => {
      const params = { start: now - days * DAY, end: now, search, limit: 10000 };
      const { data } = await request(`${daemon.url}/api/v1/users${query(params)}`, {
        Authorization: `Bearer ${READ_TOKEN}`,
      });
      return (data as { users: string[] }).users;
    };

    const lastDay = await values({ refId: 'variable-query', kind: 'users' }, 1);
    const lastYear = await values({ refId: 'variable-query', kind: 'users' }, 365);
    expect(lastDay).toEqual(await seen(1, ''));
    expect(lastYear).toEqual(await seen(365, ''));
    expect(lastDay.length).toBeGreaterThan(0);
    expect(lastDay.length).toBeLessThan(lastYear.length);

    const matching = await values({ refId: 'variable-query', kind: 'users', search: 'user0000' }, 365);
    expect(matching).toEqual([
      'user00000',
      'user00001',
      'user00002',
      'user00003',
      'user00004',
      'user00005',
      'user00006',
      'user00007',
      'user00008',
      'user00009',
    ]);
    // core4's active groups, as the daemon read them from sys.role (the retired demo group is not offered).
    const { data: roles } = await request(`${daemon.url}/api/v1/roles`, { Authorization: `Bearer ${READ_TOKEN}` });
    const groups = (roles as { groups: Array<{ name: string; active: boolean }> }).groups;
    const active = await values({ refId: 'variable-query', kind: 'roles' }, 1);
    expect(active).toEqual(groups.filter((g) => g.active).map((g) => g.name));
    expect(active).toContain('engineering');
    expect(groups.map((g) => g.name)).toContain('legacy-reports');
    expect(active).not.toContain('legacy-reports');
    // The apps of the requests source, as /api/v1/dimensions lists them for the range (the source a variable).
    for (const kind of ['handler', 'project', 'host'] as const) {
      const { data } = await request(
        `${daemon.url}/api/v1/dimensions/${kind}${query({ start: now - 30 * DAY, end: now, source: 'core4-requests' })}`,
        { Authorization: `Bearer ${READ_TOKEN}` }
      );
      const listed = (data as { values: Array<{ key: string }> }).values.map((v) => v.key);
      expect(await values({ refId: 'variable-query', kind, source: '$src' }, 30)).toEqual(listed);
      expect(listed.length).toBeGreaterThan(1);
    }
    expect(await values({ refId: 'variable-query', kind: 'project', source: '$src' }, 30)).toEqual(
      expect.arrayContaining(['core4', 'mkt', 'fin', 'hr'])
    );
    // Older dashboards store the query as a plain string: a user search.
    expect(await values('user0000', 365)).toEqual(matching);
    expect(await values({ refId: 'variable-query', kind: 'aggregates' }, 1)).toEqual([
      'auto',
      'hour',
      'day',
      'week',
      'month',
      'quarter',
      'year',
    ]);
  });
});
