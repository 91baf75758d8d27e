/**
 * Roles from core4's sys.role: the membership a run expands and stores, `role=` on /api/v1/logins and
 * /api/v1/retention, /api/v1/roles and /api/v1/users?status=never, each against an independent reading:
 * memberships from a Python port of core4's own `casc_role()` walk (core4/api/v1/request/role/model.py), and
 * counts from the raw access lines with luxon's calendar (engagement-oracle.ts), sharing no code with the
 * product.
 */
import { execFileSync } from 'node:child_process';
import type { Request } from './access-lines';
import { accessDocs } from './access-lines';
import type { FastifyInstance } from 'fastify';
import { ObjectId } from 'mongodb';
import pino from 'pino';
import { Writable } from 'node:stream';
import { buildTestApp, getFrom } from './api-helpers';
import type { Unit, WeekStart } from './engagement-oracle';
import { engagementOracle, periods, retentionOracle } from './engagement-oracle';
import type { TestDb } from './helpers';
import { fixedClock, openTestDb, presetSelector, runDeps } from './helpers';
import type { Login } from './login-fixtures';
import { seededRandom } from '../src/demo/random';
import type { RoleRecord } from '../src/etl/role-membership';
import { expandMembership } from '../src/etl/role-membership';
import { makeJobRunner } from '../src/job/job-runner';
import { makeIndexSync } from '../src/query/index-loader';

const NOW = new Date('2026-11-27T12:00:00Z');
const FROM = Date.parse('2026-10-01T00:00:00Z');
const REQUESTS = presetSelector('core4-requests');

/* ------------------------------------------------------------------------------------------------------------
 * The fixture: core4's access lines (formatted by Python with core4's format string) and a sys.role with nested,
 * cyclic, inactive and dangling references.
 * ---------------------------------------------------------------------------------------------------------- */

const USERS = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
const HANDLERS = [
  ['mkt.api.v1.report.ReportHandler', 'GET', '/mkt/api/v1/report'],
  ['fin.api.v1.budget.BudgetHandler', 'POST', '/fin/api/v1/budget'],
  ['core4.api.v1.request.role.main.RoleHandler', 'GET', '/core4/api/v1/roles'],
] as const;
const STATUSES = [200, 200, 200, 201, 302, 304, 401, 403, 404, 500];

function requests(): Request[] {
  const random = seededRandom(1717);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const out: Request[] = [];
  for (let i = 0; i < 2_400; i += 1) {
    const r = random();
    out.push({
      // Up to 11:00 on the last day (now is 12:00): whole seconds, as core4 writes `created`.
      at: FROM + Math.floor((random() * (NOW.getTime() - 3_600_000 - FROM)) / 1000) * 1000,
      status: pick(STATUSES),
      handler: pick(HANDLERS),
      ms: random() * 400,
      // Zipf-like: a few people make most requests; some requests have no user, a few are admin's.
      user:
        r < 0.1 ? null : r < 0.13 ? 'admin' : (USERS[Math.floor(USERS.length * random() ** 1.6)] as string),
      host: pick(['core4-app-1', 'core4-app-2']),
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

const oid = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));
const GROUP_IDS: Record<string, ObjectId> = {};
const GROUPS: [string, string[], boolean][] = [
  ['staff', [], true],
  ['eng', ['staff'], true],
  ['ds', ['eng'], true],
  ['ops', ['staff'], true],
  // Retired: casc_role() neither keeps it nor walks through it to staff.
  ['retired', ['staff'], false],
  ['alumni', ['retired'], true],
  ['loopA', ['loopB'], true],
  ['loopB', ['loopA'], true],
  ['solo', [], true],
];
GROUPS.forEach(([name], i) => (GROUP_IDS[name] = oid(i + 1)));

function userGroups(i: number): string[] {
  const base = [['ds'], ['eng'], ['ops'], ['alumni'], ['loopA', 'solo']][i % 5] as string[];
  return i % 7 === 0 ? [...base, 'retired'] : base;
}

/** sys.role as core4 stores it (model.py): users with email and password, groups without. */
function sysRole(): Record<string, unknown>[] {
  const groups = GROUPS.map(([name, within, active]) => ({
    _id: GROUP_IDS[name],
    name,
    realname: `Group ${name}`,
    is_active: active,
    created: new Date('2025-01-01T00:00:00Z'),
    role: within.map((g) => GROUP_IDS[g]),
    perm: [],
  }));
  // u30 and u31 never make a request; u05 and u31 are inactive; u07 names a role that does not exist.
  const users = [...USERS, 'u30', 'u31'].map((name, i) => ({
    _id: oid(1_000 + i),
    name,
    realname: `Person ${i}`,
    is_active: name !== 'u05' && name !== 'u31',
    created: new Date(Date.UTC(2025, 5, 1 + i)),
    last_login: new Date(Date.UTC(2026, 10, 1 + (i % 20), 9)),
    email: `${name}@example.com`,
    password: `$pbkdf2-sha256$29000$x$${name}`,
    role: [...userGroups(i).map((g) => GROUP_IDS[g]), ...(name === 'u07' ? [oid(999)] : [])],
  }));
  // A role saved without is_active: core4's field default is None, so it is inactive.
  const unset = { _id: oid(50), name: 'unset', realname: null, role: [GROUP_IDS.staff], perm: [] };
  return [...groups, unset, ...users];
}

/**
 * core4's casc_role() and is_user, ported line for line to synchronous Python (model.py; find_one by _id from
 * the documents). core4 raises on an _id that names no role; the port skips it, as the product does.
 */
function pythonMembership(roles: readonly Record<string, unknown>[]): Record<string, string[]> {
  const script = `
import json, sys
docs = {d["_id"]: d for d in json.load(sys.stdin)}
def is_user(d):
    return d.get("email") is not None and d.get("password") is not None
def casc_role(doc):
    seen = []
    found = []
    def traverse(_ids, roles):
        for _id in _ids:
            if _id in seen:
                continue
            seen.append(_id)
            role = docs.get(_id)
            if role is None:
                continue
            if role.get("is_active"):
                roles += [role]
                traverse(role.get("role", []), roles)
    traverse(doc.get("role", []), found)
    return found
out = {}
for d in docs.values():
    if is_user(d):
        out[d["name"]] = sorted({r["name"] for r in casc_role(d) if not is_user(r)})
print(json.dumps(out))
`;
  const plain = roles.map((r) => ({
    ...r,
    _id: String(r._id),
    role: (r.role as ObjectId[]).map(String),
  }));
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: JSON.stringify(plain) }).toString()
  ) as Record<string, string[]>;
}

/* ------------------------------------------------------------------------------------------------------------ */

let db: TestDb;
let app: FastifyInstance;
let logins: Login[];
let groupsOf: Record<string, string[]>;
const ROLES = sysRole();

beforeAll(async () => {
  db = await openTestDb();
  const list = requests();
  await db.cols.sysLog.insertMany(accessDocs(list));
  await db.client.db(db.sysDb).collection('sys.role').insertMany(ROLES);
  // What core4-requests counts, read from the request list: below 400, a user, not admin.
  logins = list
    .filter((r) => r.status < 400 && r.user !== null && r.user !== 'admin')
    .map((r) => ({ user: r.user as string, at: r.at }));
  groupsOf = pythonMembership(ROLES);
  app = await buildTestApp(db, NOW, { runFrom: '2026-10-01', selector: REQUESTS });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string) => getFrom(app, url);

/** Members of any of `roles` by the Python port, narrowed to `users` when given. */
function members(roles: readonly string[], users?: readonly string[]): Set<string> {
  const names = Object.entries(groupsOf)
    .filter(([, groups]) => groups.some((g) => roles.includes(g)))
    .map(([name]) => name);
  return new Set(users ? names.filter((n) => users.includes(n)) : names);
}

describe('the membership core4 expands', () => {
  it("should equal core4's casc_role() on random role graphs with cycles, inactive and missing roles", () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const docs = Array.from({ length: 120 }, (_, i) => {
        const isUser = i >= 40;
        const parents = Array.from({ length: Math.floor(random() * 3) }, () =>
          oid(1 + Math.floor(random() * 41))
        );
        return {
          _id: oid(1 + i),
          name: `r${i}`,
          is_active: random() > 0.2,
          role: parents,
          ...(isUser ? { email: `r${i}@x`, password: 'h' } : {}),
        };
      });
      const records: RoleRecord[] = docs.map((d) => ({
        id: String(d._id),
        name: d.name,
        realname: null,
        isActive: d.is_active,
        isUser: 'email' in d,
        created: null,
        lastLogin: null,
        roles: d.role.map(String),
      }));
      const expected = pythonMembership(docs);
      const product = Object.fromEntries(expandMembership(records).users.map((u) => [u.name, u.groups]));
      expect(product).toEqual(expected);
      // The graphs are not trivial: some users reach groups two levels up, some reach none.
      expect(Object.values(expected).some((g) => g.length >= 3)).toBe(true);
      expect(Object.values(expected).some((g) => g.length === 0)).toBe(true);
    }
  });

  it('should list the groups with their members as the run read them (GET /api/v1/roles)', async () => {
    const { status, json } = await get('/api/v1/roles');
    expect(status).toBe(200);
    const answer = json();
    expect(answer).toMatchObject({
      available: true,
      source: `${db.sysDb}.sys.role`,
      readAt: NOW.toISOString(),
      membershipAsOf: NOW.toISOString(),
      users: 32,
    });
    const inactive = new Set(['u05', 'u31']);
    const expected = GROUPS.map(([name]) => name)
      .concat('unset')
      .sort()
      .map((name) => {
        const all = [...members([name])];
        return { name, members: all.length, activeMembers: all.filter((u) => !inactive.has(u)).length };
      });
    expect(answer.groups).toEqual(expected.map((e) => expect.objectContaining(e) as unknown));
    // The fixture's shapes are there: staff through two levels, nobody through the retired group.
    expect(answer.groups.find((g: { name: string }) => g.name === 'staff').members).toBe(20);
    expect(answer.groups.find((g: { name: string }) => g.name === 'retired').members).toBe(0);
    expect(answer.groups.find((g: { name: string }) => g.name === 'alumni').members).toBe(6);
    expect(JSON.stringify(answer)).not.toMatch(/example\.com|pbkdf2/);
  });
});

const METRICS = ['users', 'logins', 'new_users', 'returning', 'resurrecting', 'dormant', 'active_7d'];

/** Users and logins per period, from the raw lines of `only`. */
function counted(only: Set<string>, list: [number, number][], start: number, end: number) {
  return list.map(([p0, p1]) => {
    const a = Math.max(p0, start);
    const b = Math.min(p1, end);
    const inside = logins.filter((l) => l.at >= a && l.at < b && only.has(l.user));
    return { users: new Set(inside.map((l) => l.user)).size, logins: inside.length };
  });
}

describe('role= on /api/v1/logins and /api/v1/retention', () => {
  it.each([
    ['day', 'UTC', 'monday', ['staff'], undefined],
    ['week', 'Asia/Kathmandu', 'monday', ['eng', 'alumni'], undefined],
    ['day', 'Asia/Kathmandu', 'sunday', ['loopB'], undefined],
    ['week', 'UTC', 'sunday', ['staff'], ['u00', 'u01', 'u03', 'u11']],
  ] as [Unit, string, WeekStart, string[], string[] | undefined][])(
    'should count only the members by %s in %s (weeks from %s) of %j, users %j',
    async (unit, zone, weekStart, roles, users) => {
      const start = Date.parse('2026-10-09T05:17:00Z');
      const end = Date.parse('2026-11-27T11:30:00Z');
      const url =
        `/api/v1/logins?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}` +
        `&aggregate=${unit}&tz=${zone}&weekStart=${weekStart}&metric=${METRICS.join(',')}` +
        roles.map((r) => `&role=${r}`).join('') +
        (users ?? []).map((u) => `&user=${u}`).join('');
      const { status, json } = await get(url);
      expect(status).toBe(200);
      const answer = json();
      expect(answer.roles).toEqual(roles);
      expect(answer.membershipAsOf).toBe(NOW.toISOString());
      const only = members(roles, users);
      expect(only.size).toBeGreaterThan(1);
      const list = periods(start, end, unit, zone, weekStart);
      const plain = counted(only, list, start, end);
      const engagement = engagementOracle(logins, { start, end, unit, zone, only, weekStart });
      const buckets = answer.buckets as Record<string, number>[];
      expect(buckets).toHaveLength(list.length);
      expect(buckets.map((b) => b.users)).toEqual(plain.map((p) => p.users));
      expect(buckets.map((b) => b.logins)).toEqual(plain.map((p) => p.logins));
      for (const metric of ['new_users', 'returning', 'resurrecting', 'dormant', 'active_7d'] as const)
        expect([metric, buckets.map((b) => b[metric])]).toEqual([metric, engagement[metric]]);
      // Members only: the whole counts more.
      const whole = await get(url.replace(/&role=[^&]+/g, '').replace(/&user=[^&]+/g, ''));
      const total = (bs: Record<string, number>[]) => bs.reduce((s, b) => s + (b.logins ?? 0), 0);
      expect(total(whole.json().buckets)).toBeGreaterThan(total(buckets));
    }
  );

  it.each([
    ['week', 'Asia/Kathmandu', ['ops']],
    ['day', 'UTC', ['eng', 'solo']],
  ] as [Unit, string, string[]][])(
    'should keep cohorts of members only by %s in %s',
    async (cohort, zone, roles) => {
      const start = Date.parse('2026-10-01T00:00:00Z');
      const end = Date.parse('2026-11-27T12:00:00Z');
      const url =
        `/api/v1/retention?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}` +
        `&cohort=${cohort}&tz=${zone}&periods=6${roles.map((r) => `&role=${r}`).join('')}`;
      const { status, json } = await get(url);
      expect(status).toBe(200);
      const only = members(roles);
      const expected = retentionOracle(logins, { start, end, unit: cohort, zone, periods: 6, only });
      const cohorts = json().cohorts as { size: number; retained: number[] }[];
      expect(cohorts.map((c) => [c.size, c.retained])).toEqual(expected.map((c) => [c.size, c.retained]));
      expect(cohorts.reduce((s, c) => s + c.size, 0)).toBeGreaterThan(0);
      expect(json().membershipAsOf).toBe(NOW.toISOString());
    }
  );

  it('should refuse a role that is not a group, naming it and where the groups are listed', async () => {
    for (const url of [
      '/api/v1/logins?role=nope',
      '/api/v1/retention?role=u01',
      '/api/v1/stickiness?role=x',
    ]) {
      const { status, json } = await get(url);
      expect(status).toBe(400);
      expect(json()).toMatchObject({ parameter: 'role', accepted: expect.stringContaining('/api/v1/roles') });
    }
  });
});

/** Every group of the fixture with its members (Python's casc_role), narrowed to `users` when given. */
function groupMembers(users?: readonly string[]): [string, Set<string>][] {
  const names = new Set(Object.values(groupsOf).flat());
  return [...names].map((g) => [g, members([g], users)]);
}

/** Distinct users of `only` in [start, end) from the raw lines. */
const usersIn = (only: Set<string>, start: number, end: number) =>
  new Set(logins.filter((l) => l.at >= start && l.at < end && only.has(l.user)).map((l) => l.user)).size;

describe('breakdown=role', () => {
  it.each([
    ['week', 'Asia/Kathmandu', 'monday', 3, undefined],
    ['day', 'UTC', 'sunday', 2, ['u00', 'u01', 'u02', 'u03', 'u04', 'u06', 'u09']],
  ] as [Unit, string, WeekStart, number, string[] | undefined][])(
    'should answer one series per group by %s in %s (weeks from %s), the top %d by users, the rest as other (users %j)',
    async (unit, zone, weekStart, limit, users) => {
      const start = Date.parse('2026-10-20T03:00:00Z');
      const end = Date.parse('2026-11-27T11:30:00Z');
      const url =
        `/api/v1/logins?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}` +
        `&aggregate=${unit}&tz=${zone}&weekStart=${weekStart}&metric=users,logins,new_users,returning,dormant` +
        `&breakdown=role&limit=${limit}` +
        (users ?? []).map((u) => `&user=${u}`).join('');
      const { status, json } = await get(url);
      expect(status).toBe(200);
      const answer = json();
      expect(answer.breakdown).toBe('role');
      // The oracle's ranking: groups with users in the range, by distinct users, then name.
      const ranked = groupMembers(users)
        .map(([key, only]) => ({ key, only, users: usersIn(only, start, end) }))
        .filter((g) => g.users > 0)
        .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : 1));
      expect(ranked.length).toBeGreaterThan(limit);
      const rest = new Set(ranked.slice(limit).flatMap((g) => [...g.only]));
      const expected = [
        ...ranked.slice(0, limit).map((g) => ({ key: g.key, only: g.only, other: false })),
        { key: 'other', only: rest, other: true },
      ];
      const series = answer.series as {
        key: string;
        other?: boolean;
        users: number;
        buckets: Record<string, number>[];
      }[];
      expect(series.map((s) => [s.key, s.other ?? false])).toEqual(expected.map((e) => [e.key, e.other]));
      const list = periods(start, end, unit, zone, weekStart);
      for (const [i, e] of expected.entries()) {
        const got = series[i]!;
        // The rest's users are its people's, each counted once: not the sum of the groups' users.
        expect([e.key, got.users]).toEqual([e.key, usersIn(e.only, start, end)]);
        const plain = counted(e.only, list, start, end);
        const engagement = engagementOracle(logins, { start, end, unit, zone, only: e.only, weekStart });
        expect([e.key, got.buckets.map((b) => [b.users, b.logins])]).toEqual([
          e.key,
          plain.map((p) => [p.users, p.logins]),
        ]);
        for (const metric of ['new_users', 'returning', 'dormant'] as const)
          expect([e.key, metric, got.buckets.map((b) => b[metric])]).toEqual([
            e.key,
            metric,
            engagement[metric],
          ]);
      }
      // Users and logins alone are counted for all series in one pass (query/many-people.ts): the same numbers.
      const fast = await get(
        url.replace('metric=users,logins,new_users,returning,dormant', 'metric=users,logins')
      );
      const fastSeries = fast.json().series as typeof series;
      expect(fastSeries.map((f) => [f.key, f.users])).toEqual(series.map((f) => [f.key, f.users]));
      for (const [i, e] of expected.entries()) {
        const plain = counted(e.only, list, start, end);
        expect([e.key, fastSeries[i]!.buckets.map((b) => [b.users, b.logins])]).toEqual([
          e.key,
          plain.map((p) => [p.users, p.logins]),
        ]);
      }
      const sumOther = ranked.slice(limit).reduce((n, g) => n + g.users, 0);
      expect(series.at(-1)!.users).toBeLessThan(sumOther);
      // The whole is the answer without a breakdown, as it was.
      const whole = await get(url.replace(/&breakdown=role&limit=\d+/, ''));
      expect(answer.buckets).toEqual(whole.json().buckets);
    }
  );

  it('should give CSV a key column: the whole under an empty key, then each series', async () => {
    const { status, body } = await get(
      '/api/v1/logins?start=2026-11-02T00:00:00Z&end=2026-11-23T00:00:00Z&aggregate=w&metric=users,logins&breakdown=role&limit=2&format=csv'
    );
    expect(status).toBe(200);
    const rows = body.trim().split('\n');
    expect(rows[0]).toBe('key,start,end,partial,users,logins');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual([
      '',
      '',
      '',
      'staff',
      'staff',
      'staff',
      expect.any(String),
      expect.any(String),
      expect.any(String),
      'other',
      'other',
      'other',
    ]);
  });

  it('should break retention down by group: each series the cohorts of its members', async () => {
    const start = Date.parse('2026-10-05T00:00:00Z');
    const end = Date.parse('2026-11-27T12:00:00Z');
    const { status, json } = await get(
      `/api/v1/retention?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}&cohort=week&tz=Asia/Kathmandu&periods=4&breakdown=role&limit=4`
    );
    expect(status).toBe(200);
    const series = json().series as { key: string; cohorts: { size: number; retained: number[] }[] }[];
    expect(series.length).toBe(5);
    // The rest merged: the people of the groups ranked after the fourth (by users over the range).
    const ranked = groupMembers()
      .map(([key, only]) => ({ key, only, users: usersIn(only, start, end) }))
      .filter((g) => g.users > 0)
      .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : 1));
    const rest = new Set(ranked.slice(4).flatMap((g) => [...g.only]));
    expect(series.map((s) => s.key)).toEqual([...ranked.slice(0, 4).map((g) => g.key), 'other']);
    for (const s of series) {
      const only = s.key === 'other' ? rest : members([s.key]);
      const expected = retentionOracle(logins, {
        start,
        end,
        unit: 'week',
        zone: 'Asia/Kathmandu',
        periods: 4,
        only,
      });
      expect([s.key, s.cohorts.map((c) => [c.size, c.retained])]).toEqual([
        s.key,
        expected.map((c) => [c.size, c.retained]),
      ]);
    }
  });

  it('should list the groups seen in a range with their distinct users (GET /api/v1/dimensions/role)', async () => {
    const start = Date.parse('2026-11-10T00:00:00Z');
    const end = Date.parse('2026-11-27T00:00:00Z');
    const { status, json } = await get(
      `/api/v1/dimensions/role?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}`
    );
    expect(status).toBe(200);
    const expected = groupMembers()
      .map(([key, only]) => ({ key, users: usersIn(only, start, end) }))
      .filter((g) => g.users > 0)
      .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : 1));
    expect(json().values).toEqual(expected);
    expect((await get('/api/v1/dimensions/app')).status).toBe(400);
  });

  it('should refuse a breakdown whose series would hold more buckets than an answer may', async () => {
    const { status, json } = await get(
      '/api/v1/logins?start=2000-01-01&end=2026-01-01&aggregate=d&breakdown=role&limit=5'
    );
    expect(status).toBe(400);
    expect(json()).toMatchObject({ parameter: 'limit' });
    const bad = await get('/api/v1/logins?breakdown=team');
    expect([bad.status, bad.json().parameter]).toEqual([400, 'breakdown']);
  });
});

describe('/api/v1/users?status=never', () => {
  it('should list the active user roles not seen in the range, with what sys.role says of them', async () => {
    const start = '2026-11-25T06:00:00Z';
    const end = '2026-11-27T12:00:00Z';
    const { status, json, body } = await get(`/api/v1/users?status=never&start=${start}&end=${end}`);
    expect(status).toBe(200);
    const seen = new Set(
      logins.filter((l) => l.at >= Date.parse(start) && l.at < Date.parse(end)).map((l) => l.user)
    );
    const expected = [...USERS, 'u30', 'u31']
      .filter((name) => name !== 'u05' && name !== 'u31' && !seen.has(name))
      .sort();
    expect(expected.length).toBeGreaterThan(3);
    const answer = json();
    expect(answer.count).toBe(expected.length);
    expect(answer.users.map((u: { name: string }) => u.name)).toEqual(expected);
    const u30 = answer.users.find((u: { name: string }) => u.name === 'u30');
    expect(u30).toEqual({
      name: 'u30',
      lastSeen: null,
      realname: 'Person 30',
      created: new Date(Date.UTC(2025, 5, 31)).toISOString(),
      lastLogin: new Date(Date.UTC(2026, 10, 11, 9)).toISOString(),
    });
    expect(body).not.toMatch(/example\.com|pbkdf2/);
  });

  it('should add what sys.role says to the rows of a lifecycle status', async () => {
    const { status, json } = await get(
      '/api/v1/users?status=returning&bucket=2026-11-20T00:00:00Z&aggregate=w'
    );
    expect(status).toBe(200);
    const row = json().users[0];
    const index = [...USERS, 'u30', 'u31'].indexOf(row.name);
    expect(row).toMatchObject({
      realname: `Person ${index}`,
      created: new Date(Date.UTC(2025, 5, 1 + index)).toISOString(),
    });
  });
});

describe('role= on /api/v1/users', () => {
  const start = '2026-11-09T00:00:00Z';
  const end = '2026-11-23T00:00:00Z';
  const inRange = (only: Set<string>) =>
    [
      ...new Set(
        logins
          .filter((l) => l.at >= Date.parse(start) && l.at < Date.parse(end) && only.has(l.user))
          .map((l) => l.user)
      ),
    ].sort();

  it('should list only the members seen in the range, by name and with details', async () => {
    const names = await get(`/api/v1/users?start=${start}&end=${end}&role=eng&limit=1000`);
    expect(names.status).toBe(200);
    expect(names.json()).toMatchObject({
      users: inRange(members(['eng'])),
      roles: ['eng'],
      membershipAsOf: NOW.toISOString(),
    });
    expect(names.json().users.length).toBeGreaterThan(3);
    const details = await get(
      `/api/v1/users?start=${start}&end=${end}&role=eng&details=true&sort=name&order=asc&limit=1000`
    );
    const rows = details.json().users as { name: string; logins: number }[];
    expect(rows.map((r) => r.name)).toEqual(inRange(members(['eng'])));
    for (const row of rows) {
      // What sys.role says of them: the fixture's real names.
      expect((row as unknown as { realname: string }).realname).toBe(`Person ${Number(row.name.slice(1))}`);
      const own = logins.filter(
        (l) => l.user === row.name && l.at >= Date.parse(start) && l.at < Date.parse(end)
      );
      expect([row.name, row.logins]).toEqual([row.name, own.length]);
    }
  });

  it("should list a lifecycle status's members as many as the role-filtered metric counts", async () => {
    const bucket = '2026-11-16T00:00:00Z';
    const listed = await get(
      `/api/v1/users?status=returning&bucket=${bucket}&aggregate=w&role=staff&end=${end}`
    );
    const counted = await get(
      `/api/v1/logins?start=${bucket}&end=${end}&aggregate=w&metric=returning&role=staff`
    );
    const all = await get(`/api/v1/users?status=returning&bucket=${bucket}&aggregate=w&end=${end}`);
    expect(listed.json().count).toBe(counted.json().buckets[0].returning);
    expect(listed.json().count).toBeLessThan(all.json().count);
    const staff = members(['staff']);
    expect((listed.json().users as { name: string }[]).every((u) => staff.has(u.name))).toBe(true);
  });

  it('should list the never-seen members of a group only', async () => {
    const never = await get(
      `/api/v1/users?status=never&start=2026-11-25T06:00:00Z&end=2026-11-27T12:00:00Z&role=ops`
    );
    const ops = members(['ops']);
    const seen = new Set(inRangeOf('2026-11-25T06:00:00Z', '2026-11-27T12:00:00Z'));
    const expected = [...ops].filter((u) => u !== 'u05' && u !== 'u31' && !seen.has(u)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(ops.size);
    expect(never.json().users.map((u: { name: string }) => u.name)).toEqual(expected);
    expect(never.json().count).toBe(expected.length);
  });
});

function inRangeOf(start: string, end: string): string[] {
  return logins.filter((l) => l.at >= Date.parse(start) && l.at < Date.parse(end)).map((l) => l.user);
}

describe('membership over runs', () => {
  it('should store a new membership only when sys.role changed, and every index should pick it up', async () => {
    const later = new Date(NOW.getTime() + 600_000);
    const run = () =>
      makeJobRunner(runDeps(db.cols, { clock: fixedClock(later), selector: REQUESTS }), {
        attempts: 1,
        backoffMs: 0,
      }).run({});
    const before = await db.cols.role.findOne({ name: 'membership' });
    await run();
    const unchanged = await db.cols.role.findOne({ name: 'membership' });
    expect(unchanged?.set).toBe(before?.set);
    expect(unchanged?.checkedAt).toEqual(later);
    expect(unchanged?.readAt).toEqual(NOW);
    // u02 (ops) joins eng: a new set, the old one's parts deleted.
    await db.client
      .db(db.sysDb)
      .collection('sys.role')
      .updateOne({ name: 'u02' }, { $push: { role: GROUP_IDS.eng } } as never);
    await run();
    const changed = await db.cols.role.findOne({ name: 'membership' });
    expect(changed?.set).not.toBe(before?.set);
    expect(await db.cols.roleParts.distinct('set')).toEqual([changed?.set]);
    const reader = makeIndexSync(db.cols, pino({ level: 'silent' }));
    await reader.refresh();
    expect(reader.membership()?.members.get('eng')).toContain('u02');
    expect(reader.membership()?.checkedAt).toEqual(later);
  });
});

describe('without sys.role', () => {
  it('should run, warn once, and refuse role filters with the reason', async () => {
    const other = await openTestDb();
    try {
      await other.cols.sysLog.insertMany([
        {
          created: new Date('2026-11-26T10:00:00Z'),
          message: '[200] [GET /x] in [1.00ms] by [amy] from [c]',
          level: 'INFO',
        },
      ]);
      const warnings: string[] = [];
      const logger = pino(
        { level: 'warn' },
        new Writable({
          write(chunk, _enc, done) {
            warnings.push(JSON.parse(String(chunk)).msg as string);
            done();
          },
        })
      );
      const runner = makeJobRunner(
        runDeps(other.cols, { clock: fixedClock(NOW), selector: REQUESTS, logger }),
        {
          attempts: 1,
          backoffMs: 0,
        }
      );
      expect(await runner.run({ start: '2026-11-26' })).toMatchObject({ status: 'success' });
      expect(await runner.run({})).toMatchObject({ status: 'success' });
      expect(warnings.filter((w) => w.includes('sys.role'))).toEqual([
        `${other.sysDb}.sys.role holds no user roles: role filters use the membership stored before, if any (GET /api/v1/roles)`,
      ]);
      const bare = await buildTestApp(other, NOW, { selector: REQUESTS });
      try {
        const roles = (await bare.inject('/api/v1/roles')).json();
        expect(roles).toMatchObject({
          available: false,
          groups: [],
          reason: expect.stringContaining('sys.role'),
        });
        const refused = await bare.inject('/api/v1/logins?role=staff');
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({
          parameter: 'role',
          accepted: expect.stringContaining('USAGE_ROLES'),
        });
        const never = await bare.inject('/api/v1/users?status=never');
        expect(never.statusCode).toBe(400);
      } finally {
        await bare.close();
      }
      const seed = await buildTestApp(db, NOW);
      try {
        const refused = await seed.inject('/api/v1/users?status=never');
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({
          parameter: 'status',
          accepted: expect.stringContaining('not core4'),
        });
      } finally {
        await seed.close();
      }
    } finally {
      await other.close();
    }
  });
});
