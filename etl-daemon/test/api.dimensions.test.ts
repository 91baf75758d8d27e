/**
 * Handlers, projects and hosts: `handler=`, `project=`, `host=` and `breakdown=handler|project|host` on
 * /api/v1/logins, /api/v1/retention, /api/v1/stickiness and /api/v1/users, and /api/v1/dimensions, each against
 * an independent reading of the raw access lines: the lines a filter or a series keeps are chosen from the
 * request list by their own text (qual_name, its first dotted segment, hostname), and counted with luxon's
 * calendar (engagement-oracle.ts), sharing no code with the product. A series is what the whole would answer
 * if sys.log held only its lines: new users are new to that app.
 */
import type { FastifyInstance } from 'fastify';
import { ObjectId } from 'mongodb';
import type { Handler, Request } from './access-lines';
import { accessDocs } from './access-lines';
import { buildTestApp, getFrom } from './api-helpers';
import type { Unit, WeekStart } from './engagement-oracle';
import { engagementOracle, periods, retentionOracle, stickinessOracle } from './engagement-oracle';
import type { TestDb } from './helpers';
import { fixedClock, openTestDb, presetSelector, runDeps, silentLogger } from './helpers';
import type { Login } from './login-fixtures';
import { seededRandom } from '../src/demo/random';
import { makeJobRunner } from '../src/job/job-runner';
import { DEFAULT_INDEX_LIMITS } from '../src/core/limits';
import { makeIndexSync } from '../src/query/index-loader';

const NOW = new Date('2026-11-27T12:00:00Z');
const FROM = Date.parse('2026-10-01T00:00:00Z');
const REQUESTS = presetSelector('core4-requests');

const USERS = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, '0')}`);
/** Apps of three core4 projects; a handler's qual_name is `<module>.<Class>`, the module's first segment the project. */
const HANDLERS: Handler[] = [
  ['mkt.api.v1.report.ReportHandler', 'GET', '/mkt/api/v1/report'],
  ['mkt.api.v1.campaign.CampaignHandler', 'POST', '/mkt/api/v1/campaign'],
  ['fin.api.v1.budget.BudgetHandler', 'POST', '/fin/api/v1/budget'],
  ['fin.api.v1.ledger.LedgerHandler', 'GET', '/fin/api/v1/ledger'],
  ['core4.api.v1.request.role.main.RoleHandler', 'GET', '/core4/api/v1/roles'],
  ['core4.api.v1.request.standard.file.FileHandler', 'GET', '/core4/api/v1/file/x.js'],
];
const HOSTS = ['core4-app-1', 'core4-app-2', 'core4-app-3'];
const STATUSES = [200, 200, 200, 201, 302, 304, 401, 403, 404, 500];

/** Requests of people with their own habits: each uses a few apps, mostly on one host. */
function requests(count: number, from: number, to: number, seed: number): Request[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const out: Request[] = [];
  for (let i = 0; i < count; i += 1) {
    const r = random();
    const user =
      r < 0.08 ? null : r < 0.1 ? 'admin' : (USERS[Math.floor(USERS.length * random() ** 1.5)] as string);
    const habit = user === null || user === 'admin' ? 0 : Number(user.slice(1));
    out.push({
      at: from + Math.floor((random() * (to - from)) / 1000) * 1000,
      status: pick(STATUSES),
      handler: random() < 0.6 ? (HANDLERS[habit % HANDLERS.length] as Handler) : pick(HANDLERS),
      ms: random() * 400,
      user,
      host: random() < 0.7 ? (HOSTS[habit % HOSTS.length] as string) : pick(HOSTS),
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** A counted request with what it was: its handler, project and host read from its own fields. */
interface Line extends Login {
  handler: string;
  project: string;
  host: string;
}

type Filter = Partial<Record<'handler' | 'project' | 'host', string[]>>;

/** What core4-requests counts, read from the request list: below 400, a user, not admin. */
function counted(list: readonly Request[]): Line[] {
  return list
    .filter((r) => r.status < 400 && r.user !== null && r.user !== 'admin')
    .map((r) => ({
      user: r.user as string,
      at: r.at,
      handler: r.handler[0],
      project: r.handler[0].split('.')[0] as string,
      host: r.host,
    }));
}

/** The lines a filter keeps: every dimension given holds the line's value. */
function kept(lines: readonly Line[], filter: Filter): Line[] {
  return lines.filter((l) =>
    (['handler', 'project', 'host'] as const).every((d) => !filter[d] || filter[d].includes(l[d]))
  );
}

const query = (filter: Filter) =>
  Object.entries(filter)
    .flatMap(([d, values]) => values.map((v) => `&${d}=${encodeURIComponent(v)}`))
    .join('');

const iso = (t: number) => new Date(t).toISOString();
const METRICS = ['users', 'logins', 'new_users', 'returning', 'resurrecting', 'dormant', 'active_7d'];

/** Users and logins per period of `lines`, cut to [start, end). */
function plain(lines: readonly Login[], list: [number, number][], start: number, end: number) {
  return list.map(([p0, p1]) => {
    const inside = lines.filter((l) => l.at >= Math.max(p0, start) && l.at < Math.min(p1, end));
    return [new Set(inside.map((l) => l.user)).size, inside.length];
  });
}

/** Every metric of an answer's buckets against the oracle over `lines` (what sys.log would hold). */
function expectBuckets(
  buckets: Record<string, number>[],
  lines: readonly Login[],
  q: { start: number; end: number; unit: Unit; zone: string; weekStart: WeekStart },
  metrics: readonly string[],
  label: string
): void {
  const list = periods(q.start, q.end, q.unit, q.zone, q.weekStart);
  expect(buckets).toHaveLength(list.length);
  // users and logins, or only those of them asked for.
  const shown = (pair: number[]) => [
    metrics.includes('users') ? pair[0] : undefined,
    metrics.includes('logins') ? pair[1] : undefined,
  ];
  expect([label, buckets.map((b) => [b.users, b.logins])]).toEqual([
    label,
    plain(lines, list, q.start, q.end).map(shown),
  ]);
  const engagement = engagementOracle(lines, q) as unknown as Record<string, number[]>;
  for (const metric of metrics.filter((m) => m !== 'users' && m !== 'logins'))
    expect([label, metric, buckets.map((b) => b[metric])]).toEqual([label, metric, engagement[metric]]);
}

let db: TestDb;
let app: FastifyInstance;
/** The same daemon with first requests by key not held (USAGE_KEY_FIRST_MB=0): found by a pass per ask. */
let appNotHeld: FastifyInstance;
let lines: Line[];

const oid = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));
/** sys.role: two flat groups (nesting is api.roles.test.ts's), users with email and password as core4 stores them. */
const TEAM = USERS.filter((_, i) => i % 3 === 0);
function sysRole(): Record<string, unknown>[] {
  return [
    { _id: oid(1), name: 'team', is_active: true, role: [], perm: [] },
    ...USERS.map((name, i) => ({
      _id: oid(100 + i),
      name,
      is_active: true,
      email: `${name}@example.com`,
      password: 'hash',
      role: TEAM.includes(name) ? [oid(1)] : [],
    })),
  ];
}

/**
 * sys.handler as core4/api/v1/tool/serve.py `register` writes it: a document per host, port and resource id;
 * the ledger was retitled by a later start of one host, and the file handler never registered.
 */
function sysHandler(): Record<string, unknown>[] {
  const doc = (qual_name: string, hostname: string, title: string, started: string) => ({
    hostname,
    port: 5001,
    rsc_id: `${qual_name}@${hostname}`,
    qual_name,
    project: qual_name.split('.')[0],
    title,
    subtitle: null,
    started_at: new Date(started),
    container: [['core4.api.v1.server.CoreApiServer', '/x$', '/core4', null]],
  });
  return [
    doc('fin.api.v1.ledger.LedgerHandler', 'core4-app-2', 'Ledger (new)', '2026-11-20T00:00:00Z'),
    doc('fin.api.v1.ledger.LedgerHandler', 'core4-app-1', 'Ledger', '2026-11-01T00:00:00Z'),
    doc('mkt.api.v1.report.ReportHandler', 'core4-app-1', 'Marketing reports', '2026-11-01T00:00:00Z'),
    { ...doc('fin.api.v1.budget.BudgetHandler', 'core4-app-1', 'x', '2026-11-01T00:00:00Z'), title: null },
  ];
}

beforeAll(async () => {
  db = await openTestDb();
  const list = requests(4_000, FROM, NOW.getTime() - 3_600_000, 2027);
  await db.cols.sysLog.insertMany(accessDocs(list));
  await db.client.db(db.sysDb).collection('sys.role').insertMany(sysRole());
  await db.client.db(db.sysDb).collection('sys.handler').insertMany(sysHandler());
  lines = counted(list);
  app = await buildTestApp(db, NOW, { runFrom: '2026-10-01', selector: REQUESTS });
  const sync = makeIndexSync(db.cols, silentLogger, {
    limits: { ...DEFAULT_INDEX_LIMITS, keyFirstBytes: 0 },
  });
  await sync.refresh();
  appNotHeld = await buildTestApp(db, NOW, { selector: REQUESTS, sync });
});
afterAll(async () => {
  await app.close();
  await appNotHeld.close();
  await db.close();
});

const get = (url: string) => getFrom(app, url);

describe('handler=, project=, host= on /api/v1/logins', () => {
  it.each([
    ['day', 'UTC', 'monday', { handler: ['mkt.api.v1.report.ReportHandler'] }, undefined],
    ['week', 'Asia/Kathmandu', 'monday', { project: ['mkt', 'fin'] }, undefined],
    ['day', 'Asia/Kathmandu', 'sunday', { project: ['core4'], host: ['core4-app-2'] }, undefined],
    [
      'week',
      'UTC',
      'sunday',
      {
        handler: ['fin.api.v1.ledger.LedgerHandler', 'mkt.api.v1.report.ReportHandler'],
        host: HOSTS.slice(1),
      },
      ['u00', 'u01', 'u02', 'u04', 'u07', 'u10'],
    ],
  ] as [Unit, string, WeekStart, Filter, string[] | undefined][])(
    'should count only the requests kept, by %s in %s (weeks from %s), of %j, users %j',
    async (unit, zone, weekStart, filter, users) => {
      const start = Date.parse('2026-10-09T05:17:00Z');
      const end = Date.parse('2026-11-27T11:30:00Z');
      const url =
        `/api/v1/logins?start=${iso(start)}&end=${iso(end)}&aggregate=${unit}&tz=${zone}` +
        `&weekStart=${weekStart}&metric=${METRICS.join(',')}${query(filter)}` +
        (users ?? []).map((u) => `&user=${u}`).join('');
      const { status, json } = await get(url);
      expect(status).toBe(200);
      const answer = json();
      expect(answer.requests).toEqual(filter);
      const only = kept(lines, filter).filter((l) => !users || users.includes(l.user));
      expect(new Set(only.map((l) => l.user)).size).toBeGreaterThan(2);
      expectBuckets(answer.buckets, only, { start, end, unit, zone, weekStart }, METRICS, 'filtered');
      // The filter changes new users: a person's first request to these apps, not to core4.
      const everything = engagementOracle(
        lines.filter((l) => !users || users.includes(l.user)),
        {
          start,
          end,
          unit,
          zone,
          weekStart,
        }
      );
      if (everything.new_users.some((n) => n > 0))
        expect(answer.buckets.map((b: { new_users: number }) => b.new_users)).not.toEqual(
          everything.new_users
        );
    }
  );

  it('should AND role= with a request filter: members, and only their kept requests', async () => {
    const start = Date.parse('2026-10-05T00:00:00Z');
    const end = Date.parse('2026-11-27T11:45:00Z');
    const filter = { project: ['fin'] };
    const url =
      `/api/v1/logins?start=${iso(start)}&end=${iso(end)}&aggregate=week&tz=Asia/Kathmandu` +
      `&metric=users,logins,new_users,returning,dormant&role=team${query(filter)}`;
    const { status, json } = await get(url);
    expect(status).toBe(200);
    expect(json()).toMatchObject({ roles: ['team'], requests: filter });
    const only = kept(lines, filter).filter((l) => TEAM.includes(l.user));
    const q = { start, end, unit: 'week' as Unit, zone: 'Asia/Kathmandu', weekStart: 'monday' as WeekStart };
    expectBuckets(json().buckets, only, q, ['users', 'logins', 'new_users', 'returning', 'dormant'], 'team');
  });

  it('should answer zeros for a value never seen, and 400 for a value too long', async () => {
    const { status, json } = await get(
      '/api/v1/logins?start=2026-11-01&end=2026-11-08&aggregate=d&handler=nope.X'
    );
    expect(status).toBe(200);
    expect(json().buckets.map((b: { users: number }) => b.users)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const long = await get(`/api/v1/logins?host=${'h'.repeat(300)}`);
    expect(long.status).toBe(400);
    expect(long.json().parameter).toMatch(/host/);
  });
});

/** A series as the oracle has it: its value's lines, ranked by distinct users in the range. */
function rankedValues(
  source: readonly Line[],
  dimension: 'handler' | 'project' | 'host',
  range: { start: number; end: number }
) {
  const values = [...new Set(source.map((l) => l[dimension]))];
  const usersOf = (list: readonly Line[]) =>
    new Set(list.filter((l) => l.at >= range.start && l.at < range.end).map((l) => l.user)).size;
  return values
    .map((key) => {
      const own = source.filter((l) => l[dimension] === key);
      return { key, lines: own, users: usersOf(own) };
    })
    .filter((v) => v.users > 0)
    .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : 1));
}

interface Series {
  key: string;
  other?: boolean;
  users: number;
  buckets: Record<string, number>[];
}

describe.each(['held', 'not held'])(
  'breakdown=handler|project|host on /api/v1/logins, first requests by key %s',
  (held) => {
    const get = (url: string) => getFrom(held === 'held' ? app : appNotHeld, url);
    const LIFECYCLE = ['users', 'logins', 'new_users', 'returning', 'dormant'];
    // Users and logins alone are counted from the values' tallies (query/index/key-group-tallies.ts), other
    // metrics from each series' derived index: both ways against the same reading.
    const TALLIED = ['users', 'logins'];
    it.each([
      ['handler', 'week', 'Asia/Kathmandu', 'monday', 3, {}, LIFECYCLE, ''],
      ['project', 'day', 'UTC', 'sunday', 2, {}, LIFECYCLE, ''],
      ['host', 'day', 'Asia/Kathmandu', 'monday', 1, { project: ['mkt', 'core4'] }, LIFECYCLE, ''],
      ['handler', 'day', 'UTC', 'monday', 10, { host: ['core4-app-1'] }, LIFECYCLE, ''],
      ['handler', 'week', 'Asia/Kathmandu', 'monday', 3, {}, TALLIED, ''],
      ['project', 'day', 'UTC', 'sunday', 2, { host: ['core4-app-1', 'core4-app-2'] }, TALLIED, ''],
      ['handler', 'week', 'UTC', 'sunday', 2, { project: ['mkt', 'fin'] }, ['users'], 'team'],
      ['host', 'day', 'Asia/Kathmandu', 'monday', 2, {}, TALLIED, 'team'],
    ] as ['handler' | 'project' | 'host', Unit, string, WeekStart, number, Filter, string[], string][])(
      'should answer one series per %s by %s in %s (weeks from %s), the top %d, the rest as other (filter %j, %j, role %j)',
      async (dimension, unit, zone, weekStart, limit, filter, metrics, role) => {
        const start = Date.parse('2026-10-20T03:00:00Z');
        const end = Date.parse('2026-11-27T11:30:00Z');
        const url =
          `/api/v1/logins?start=${iso(start)}&end=${iso(end)}&aggregate=${unit}&tz=${zone}` +
          `&weekStart=${weekStart}&metric=${metrics.join(',')}&breakdown=${dimension}&limit=${limit}${query(filter)}` +
          (role ? `&role=${role}` : '');
        const { status, json } = await get(url);
        expect(status).toBe(200);
        const answer = json();
        expect(answer.breakdown).toBe(dimension);
        const source = kept(lines, filter).filter((l) => !role || TEAM.includes(l.user));
        const ranked = rankedValues(source, dimension, { start, end });
        const rest = ranked.slice(limit);
        const expected = [
          ...ranked.slice(0, limit).map((v) => ({ key: v.key, lines: v.lines, other: false })),
          ...(rest.length > 0 ? [{ key: 'other', lines: rest.flatMap((v) => v.lines), other: true }] : []),
        ];
        const series = answer.series as Series[];
        expect(series.map((s) => [s.key, s.other ?? false])).toEqual(expected.map((e) => [e.key, e.other]));
        const q = { start, end, unit, zone, weekStart };
        for (const [i, e] of expected.entries()) {
          const only = [...e.lines].sort((a, b) => a.at - b.at);
          // The rest's users are its people's, each counted once.
          const users = new Set(only.filter((l) => l.at >= start && l.at < end).map((l) => l.user)).size;
          expect([e.key, series[i]!.users]).toEqual([e.key, users]);
          expectBuckets(series[i]!.buckets, only, q, metrics, e.key);
        }
        if (rest.length > 1) expect(series.at(-1)!.users).toBeLessThan(rest.reduce((n, v) => n + v.users, 0));
        // The whole is the answer without a breakdown: the filtered requests of everybody.
        const whole = await get(url.replace(/&breakdown=\w+&limit=\d+/, ''));
        expect(answer.buckets).toEqual(whole.json().buckets);
        expectBuckets(answer.buckets, source, q, metrics, 'whole');
      }
    );

    it('should give CSV a key column: the whole under an empty key, then each series', async () => {
      const { status, body } = await get(
        '/api/v1/logins?start=2026-11-02T00:00:00Z&end=2026-11-16T00:00:00Z&aggregate=w&metric=users,logins&breakdown=project&format=csv'
      );
      expect(status).toBe(200);
      const rows = body.trim().split('\n');
      expect(rows[0]).toBe('key,start,end,partial,users,logins');
      const keys = [...new Set(rows.slice(1).map((r) => r.split(',')[0]))];
      expect(keys.sort()).toEqual(['', 'core4', 'fin', 'mkt']);
    });
  }
);

describe('request filters and breakdowns elsewhere', () => {
  it.each([
    ['week', 'Asia/Kathmandu', { handler: ['fin.api.v1.budget.BudgetHandler'] }],
    ['day', 'UTC', { project: ['mkt'], host: ['core4-app-1', 'core4-app-3'] }],
  ] as [Unit, string, Filter][])(
    'should keep cohorts of the kept requests by %s in %s (%j): new to those apps',
    async (cohort, zone, filter) => {
      const start = Date.parse('2026-10-01T00:00:00Z');
      const end = Date.parse('2026-11-27T12:00:00Z');
      const url = `/api/v1/retention?start=${iso(start)}&end=${iso(end)}&cohort=${cohort}&tz=${zone}&periods=5${query(filter)}`;
      const { status, json } = await get(url);
      expect(status).toBe(200);
      const expected = retentionOracle(kept(lines, filter), { start, end, unit: cohort, zone, periods: 5 });
      const cohorts = json().cohorts as { size: number; retained: number[] }[];
      expect(cohorts.map((c) => [c.size, c.retained])).toEqual(expected.map((c) => [c.size, c.retained]));
      expect(cohorts.reduce((s, c) => s + c.size, 0)).toBeGreaterThan(0);
    }
  );

  it('should break retention down by project: each series the cohorts of its own requests', async () => {
    const start = Date.parse('2026-10-01T00:00:00Z');
    const end = Date.parse('2026-11-27T12:00:00Z');
    const { status, json } = await get(
      `/api/v1/retention?start=${iso(start)}&end=${iso(end)}&cohort=week&tz=Asia/Kathmandu&periods=4&breakdown=project&limit=2`
    );
    expect(status).toBe(200);
    const ranked = rankedValues(lines, 'project', { start, end });
    const expected = [
      ...ranked.slice(0, 2).map((v) => ({ key: v.key, lines: v.lines })),
      {
        key: 'other',
        lines: ranked
          .slice(2)
          .flatMap((v) => v.lines)
          .sort((a, b) => a.at - b.at),
      },
    ];
    const series = json().series as { key: string; cohorts: { size: number; retained: number[] }[] }[];
    expect(series.map((s) => s.key)).toEqual(expected.map((e) => e.key));
    for (const [i, e] of expected.entries()) {
      const oracle = retentionOracle(e.lines, {
        start,
        end,
        unit: 'week',
        zone: 'Asia/Kathmandu',
        periods: 4,
      });
      expect([e.key, series[i]!.cohorts.map((c) => [c.size, c.retained])]).toEqual([
        e.key,
        oracle.map((c) => [c.size, c.retained]),
      ]);
    }
  });

  it('should count stickiness of the kept requests only', async () => {
    const start = Date.parse('2026-11-02T00:00:00Z');
    const end = Date.parse('2026-11-23T00:00:00Z');
    const filter = { project: ['fin'] };
    const { status, json } = await get(
      `/api/v1/stickiness?start=${iso(start)}&end=${iso(end)}&interval=day&tz=Asia/Kathmandu${query(filter)}`
    );
    expect(status).toBe(200);
    expect(json().counts).toEqual(
      stickinessOracle(kept(lines, filter), { start, end, unit: 'day', zone: 'Asia/Kathmandu' })
    );
  });

  it('should list who used an app, and its new users of a bucket (GET /api/v1/users)', async () => {
    const start = Date.parse('2026-11-10T06:30:00Z');
    const end = Date.parse('2026-11-20T00:00:00Z');
    const filter = { handler: ['fin.api.v1.ledger.LedgerHandler'] };
    const { status, json } = await get(`/api/v1/users?start=${iso(start)}&end=${iso(end)}${query(filter)}`);
    expect(status).toBe(200);
    const only = kept(lines, filter);
    const names = [...new Set(only.filter((l) => l.at >= start && l.at < end).map((l) => l.user))].sort();
    expect(json()).toMatchObject({ users: names, requests: filter });
    // New to the ledger in the week of 2026-11-09 (Monday, UTC): their first ledger request in it.
    const week = [Date.parse('2026-11-09T00:00:00Z'), Date.parse('2026-11-16T00:00:00Z')];
    const first = new Map<string, number>();
    for (const l of only) if (!first.has(l.user)) first.set(l.user, l.at);
    const fresh = [...first]
      .filter(([, t]) => t >= week[0]! && t < week[1]!)
      .map(([u]) => u)
      .sort();
    const status2 = await get(
      `/api/v1/users?status=new&bucket=2026-11-09T00:00:00Z&aggregate=w&end=2026-11-27T00:00:00Z${query(filter)}`
    );
    expect(status2.status).toBe(200);
    expect(status2.json().count).toBe(fresh.length);
    expect(status2.json().users.map((r: { name: string }) => r.name)).toEqual(fresh);
  });

  it.each(['handler', 'project', 'host'] as const)(
    'should list the %s values seen in a range with their distinct users (GET /api/v1/dimensions)',
    async (dimension) => {
      const start = Date.parse('2026-11-01T00:00:00Z');
      const end = Date.parse('2026-11-15T07:45:00Z');
      const { status, json } = await get(
        `/api/v1/dimensions/${dimension}?start=${iso(start)}&end=${iso(end)}`
      );
      expect(status).toBe(200);
      const titled: Record<string, string> = {
        'mkt.api.v1.report.ReportHandler': 'Marketing reports',
        'fin.api.v1.ledger.LedgerHandler': 'Ledger (new)',
      };
      const expected = rankedValues(lines, dimension, { start, end }).map((v) => ({
        key: v.key,
        users: v.users,
        logins: v.lines.filter((l) => l.at >= start && l.at < end).length,
        ...(dimension === 'handler' && titled[v.key] ? { title: titled[v.key] } : {}),
      }));
      expect(json().values).toEqual(expected);
      expect(expected.length).toBeGreaterThan(2);
    }
  );

  it("should name handlers by their title in core4's sys.handler, the latest registration's", async () => {
    const { json } = await get('/api/v1/dimensions/handler?start=2026-11-01&end=2026-11-15');
    const titles = Object.fromEntries(
      (json().values as { key: string; title?: string }[]).map((v) => [v.key, v.title ?? null])
    );
    expect(titles).toEqual({
      'fin.api.v1.ledger.LedgerHandler': 'Ledger (new)',
      'mkt.api.v1.report.ReportHandler': 'Marketing reports',
      'fin.api.v1.budget.BudgetHandler': null,
      'mkt.api.v1.campaign.CampaignHandler': null,
      'core4.api.v1.request.role.main.RoleHandler': null,
      'core4.api.v1.request.standard.file.FileHandler': null,
    });
  });

  it('should narrow the values listed by the other dimensions', async () => {
    const { json } = await get('/api/v1/dimensions/handler?start=2026-11-01&end=2026-11-15&project=fin');
    expect(
      json()
        .values.map((v: { key: string }) => v.key)
        .sort()
    ).toEqual(['fin.api.v1.budget.BudgetHandler', 'fin.api.v1.ledger.LedgerHandler']);
  });
});

describe('an open day appended to, by handler', () => {
  it('should count the segments of an open day by their own handlers and hosts', async () => {
    const local = await openTestDb();
    try {
      const day = Date.parse('2026-11-27T00:00:00Z');
      const first = requests(600, day, day + 5 * 3_600_000, 11);
      // After the first run's horizon (5:30): lines older than it would be late lines, read when the day closes.
      const later = requests(400, day + 5.5 * 3_600_000, day + 9 * 3_600_000, 12);
      await local.cols.sysLog.insertMany(accessDocs(first));
      const at = (hours: number) => new Date(day + hours * 3_600_000);
      const run = (clock: Date, start?: string) =>
        makeJobRunner(runDeps(local.cols, { clock: fixedClock(clock), selector: REQUESTS }), {
          attempts: 1,
          backoffMs: 0,
        }).run(start ? { start } : {});
      await run(at(5.5), '2026-11-27');
      await local.cols.sysLog.insertMany(accessDocs(later));
      await run(at(9.5));
      const doc = await local.cols.days.findOne({ day: new Date(day) });
      expect(doc?.segments?.length).toBeGreaterThan(0);
      const local9 = await buildTestApp(local, at(9.5), { selector: REQUESTS });
      try {
        const all = counted([...first, ...later].sort((a, b) => a.at - b.at));
        const { json } = await getFrom(
          local9,
          `/api/v1/logins?start=2026-11-27T00:00:00Z&end=2026-11-27T09:20:00Z&aggregate=h&metric=users,logins,new_users&breakdown=host`
        );
        const q = {
          start: day,
          end: Date.parse('2026-11-27T09:20:00Z'),
          unit: 'hour' as Unit,
          zone: 'UTC',
          weekStart: 'monday' as WeekStart,
        };
        for (const s of json().series as Series[]) {
          const own = all.filter((l) => l.host === s.key);
          expectBuckets(s.buckets, own, q, ['users', 'logins', 'new_users'], s.key);
        }
        expect((json().series as Series[]).map((s) => s.key).sort()).toEqual([...HOSTS].sort());
      } finally {
        await local9.close();
      }
    } finally {
      await local.close();
    }
  });
});
