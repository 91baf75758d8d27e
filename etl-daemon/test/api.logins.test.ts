import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Document } from 'mongodb';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { loginDoc, openTestDb } from './helpers';

const NOW = new Date('2026-11-27T12:00:00Z');
let db: TestDb;
let app: FastifyInstance;
let docs: Document[];

/** The original's definition straight off the fixture: distinct `user` per local calendar bucket. */
function expected(start: string, end: string, unit: 'day' | 'week' | 'month' | 'hour', tz: string) {
  const a = Date.parse(start);
  const b = Date.parse(end);
  const buckets = new Map<string, { users: Set<string>; logins: number }>();
  for (const d of docs) {
    if (d.message !== 'successful login' || typeof d.user !== 'string' || d.user === '' || d.user === 'admin')
      continue;
    const t = (d.created as Date).getTime();
    if (t < a || t >= b) continue;
    const key = DateTime.fromMillis(t, { zone: tz }).startOf(unit).toISO() ?? '';
    const entry = buckets.get(key) ?? { users: new Set<string>(), logins: 0 };
    entry.users.add(d.user);
    entry.logins += 1;
    buckets.set(key, entry);
  }
  return buckets;
}

beforeAll(async () => {
  db = await openTestDb();
  docs = [
    ...[...generateSysLog({ days: 75, users: 120, perDay: 150, end: NOW, seed: 21 })].flat(),
    // Hand-placed logins on DST and offset edges.
    loginDoc('dst-a', '2026-10-25T00:30:00Z'), // 02:30 CEST, first pass
    loginDoc('dst-b', '2026-10-25T01:30:00Z'), // 02:30 CET, second pass
    loginDoc('ktm', '2026-10-04T18:14:59.999Z'), // Sunday 23:59:59.999 in Kathmandu
    loginDoc('ktm', '2026-10-04T18:15:00Z'), // Monday 00:00 in Kathmandu
    loginDoc('lhi', '2026-10-03T15:29:59Z'), // Lord Howe 01:59:59 +10:30
    loginDoc('lhi', '2026-10-03T15:30:00Z'), // Lord Howe 02:30 +11:00
  ];
  await db.cols.sysLog.insertMany(docs);
  app = await buildTestApp(db, NOW, { runFrom: '2026-09-01' });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'GET', url, headers });
  return {
    status: response.statusCode,
    body: String(response.headers['content-type'] ?? '').includes('json') ? response.json() : response.body,
    headers: response.headers,
  };
}

describe('GET /api/v1/logins', () => {
  it.each([
    ['week', 'UTC'],
    ['week', 'Asia/Kathmandu'],
    ['day', 'Europe/Berlin'],
    ['day', 'America/New_York'],
    ['day', 'Australia/Lord_Howe'],
    ['month', 'Asia/Kathmandu'],
  ] as const)('should count exactly what the raw sys.log holds, by %s in %s', async (unit, tz) => {
    const start = '2026-09-14T00:00:00Z';
    const end = '2026-11-20T00:00:00Z';
    const { status, body } = await get(
      `/api/v1/logins?start=${start}&end=${end}&aggregate=${unit}&tz=${tz}&metric=users,logins`
    );
    expect(status).toBe(200);
    const oracle = expected(start, end, unit, tz);
    const buckets = body.buckets as { start: string; users: number; logins: number; partial: boolean }[];
    for (const bucket of buckets) {
      const key = DateTime.fromISO(bucket.start, { zone: tz }).toISO() ?? '';
      expect([bucket.start, bucket.users, bucket.logins]).toEqual([
        bucket.start,
        oracle.get(key)?.users.size ?? 0,
        oracle.get(key)?.logins ?? 0,
      ]);
    }
    expect(buckets.reduce((n, b) => n + b.logins, 0)).toBe(
      [...oracle.values()].reduce((n, e) => n + e.logins, 0)
    );
    expect(buckets.filter((b) => b.partial).length).toBeLessThanOrEqual(2);
  });

  it.each([
    ['week', 'UTC', '2026-09-14T09:07:13.123Z', '2026-11-19T15:52:47.999Z'],
    ['day', 'Asia/Kathmandu', '2026-10-01T10:01:00.001Z', '2026-10-20T11:44:59.999Z'],
    ['hour', 'Europe/Berlin', '2026-10-24T22:14:59.999Z', '2026-10-25T14:15:00.001Z'],
  ] as const)(
    'should count exactly with edges inside 15-minute slots (read from home.login), by %s in %s',
    async (unit, tz, start, end) => {
      // The index holds per-slot summaries; the logins of a slot cut by `start` or `end` come from the chunks.
      const { status, body } = await get(
        `/api/v1/logins?start=${start}&end=${end}&aggregate=${unit}&tz=${tz}&metric=users,logins`
      );
      expect(status).toBe(200);
      const oracle = expected(start, end, unit, tz);
      const buckets = body.buckets as { start: string; users: number; logins: number }[];
      expect(buckets.map((b) => [b.start, b.users, b.logins])).toEqual(
        buckets.map((b) => {
          const key = DateTime.fromISO(b.start, { zone: tz }).toISO() ?? '';
          return [b.start, oracle.get(key)?.users.size ?? 0, oracle.get(key)?.logins ?? 0];
        })
      );
      const cut = (at: string) =>
        docs.some(
          (d) => Math.floor((d.created as Date).getTime() / 900_000) === Math.floor(Date.parse(at) / 900_000)
        );
      expect(cut(start) || cut(end)).toBe(true); // the edges do cut slots with logins
    }
  );

  it('should echo normalised parameters, label buckets by their start, and mark cut buckets partial', async () => {
    const { body } = await get(
      '/api/v1/logins?start=2026-10-07T12:00:00Z&end=2026-10-21T00:00:00Z&aggregate=W&tz=Europe/Berlin'
    );
    expect(body).toMatchObject({
      start: '2026-10-07T12:00:00.000Z',
      end: '2026-10-21T00:00:00.000Z',
      aggregate: 'week',
      tz: 'Europe/Berlin',
      metrics: ['users'],
      users: null,
    });
    expect(body.dataUntil).toBe(NOW.toISOString());
    expect(
      body.buckets.map((b: { start: string; end: string; partial: boolean }) => [b.start, b.end, b.partial])
    ).toEqual([
      ['2026-10-05T00:00:00.000+02:00', '2026-10-12T00:00:00.000+02:00', true],
      ['2026-10-12T00:00:00.000+02:00', '2026-10-19T00:00:00.000+02:00', false],
      ['2026-10-19T00:00:00.000+02:00', '2026-10-26T00:00:00.000+01:00', true],
    ]);
  });

  it('should count the repeated Berlin hour as two hour buckets and keep Kathmandu and Lord Howe edges exact', async () => {
    const berlin = await get(
      '/api/v1/logins?start=2026-10-25T00:00:00Z&end=2026-10-25T02:00:00Z&aggregate=1h&tz=Europe/Berlin&user=dst-a&user=dst-b'
    );
    expect(berlin.body.buckets.map((b: { start: string; users: number }) => [b.start, b.users])).toEqual([
      ['2026-10-25T02:00:00.000+02:00', 1],
      ['2026-10-25T02:00:00.000+01:00', 1],
    ]);
    const ktm = await get(
      '/api/v1/logins?start=2026-09-28T00:00:00Z&end=2026-10-11T18:15:00Z&aggregate=w&tz=Asia/Kathmandu&user=ktm&metric=logins'
    );
    expect(ktm.body.buckets.map((b: { start: string; logins: number }) => [b.start, b.logins])).toEqual([
      ['2026-09-28T00:00:00.000+05:45', 1],
      ['2026-10-05T00:00:00.000+05:45', 1],
    ]);
    const lhi = await get(
      '/api/v1/logins?start=2026-10-03T15:00:00Z&end=2026-10-03T16:00:00Z&aggregate=hour&tz=Australia/Lord_Howe&user=lhi'
    );
    expect(lhi.body.buckets.map((b: { start: string; users: number }) => [b.start, b.users])).toEqual([
      ['2026-10-04T01:00:00.000+10:30', 1],
      ['2026-10-04T02:30:00.000+11:00', 1],
    ]);
  });

  it('should zero-fill buckets without logins and answer an empty range with no buckets', async () => {
    const quiet = await get('/api/v1/logins?start=2025-01-01&end=2025-03-01&aggregate=m');
    expect(quiet.body.buckets).toEqual([
      { start: '2025-01-01T00:00:00.000Z', end: '2025-02-01T00:00:00.000Z', partial: false, users: 0 },
      { start: '2025-02-01T00:00:00.000Z', end: '2025-03-01T00:00:00.000Z', partial: false, users: 0 },
    ]);
    const empty = await get('/api/v1/logins?start=2026-10-01&end=2026-10-01');
    expect([empty.status, empty.body.buckets]).toEqual([200, []]);
  });

  it('should count new users once, in the bucket of their first login', async () => {
    const { body } = await get(
      '/api/v1/logins?start=2026-09-01&end=2026-11-28&aggregate=m&metric=new_users&metric=users'
    );
    const firsts = new Map<string, number>();
    for (const d of docs) {
      if (
        d.message !== 'successful login' ||
        typeof d.user !== 'string' ||
        d.user === '' ||
        d.user === 'admin'
      )
        continue;
      const t = (d.created as Date).getTime();
      if (t >= Date.parse('2026-09-01') && (!firsts.has(d.user) || (firsts.get(d.user) ?? 0) > t))
        firsts.set(d.user, t);
    }
    const perMonth = [9, 10, 11].map(
      (m) => [...firsts.values()].filter((t) => new Date(t).getUTCMonth() + 1 === m).length
    );
    expect(body.buckets.map((b: { new_users: number }) => b.new_users)).toEqual(perMonth);
  });

  it('should take epoch milliseconds and answer POST like GET', async () => {
    const start = Date.parse('2026-10-01T00:00:00Z');
    const end = Date.parse('2026-10-15T00:00:00Z');
    const viaGet = await get(`/api/v1/logins?start=${start}&end=${end}&aggregate=d&metric=logins`);
    const viaPost = await app.inject({
      method: 'POST',
      url: '/api/v1/logins',
      payload: { start, end, aggregate: 'd', metric: ['logins'] },
    });
    expect(viaPost.statusCode).toBe(200);
    expect(viaPost.json()).toEqual(viaGet.body);
    expect(viaGet.body.buckets).toHaveLength(14);
  });

  it('should answer CSV with a header row for Accept: text/csv and for format=csv', async () => {
    const csv = await get('/api/v1/logins?start=2026-10-01&end=2026-10-03&aggregate=d&metric=users,logins', {
      accept: 'text/csv',
    });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const json = await get('/api/v1/logins?start=2026-10-01&end=2026-10-03&aggregate=d&metric=users,logins');
    const rows = json.body.buckets.map(
      (b: { start: string; end: string; users: number; logins: number }) =>
        `${b.start},${b.end},false,${b.users},${b.logins}`
    );
    expect(csv.body).toBe(['start,end,partial,users,logins', ...rows, ''].join('\n'));
    const viaFormat = await get(
      '/api/v1/logins?start=2026-10-01&end=2026-10-03&aggregate=d&metric=users,logins&format=csv'
    );
    expect(viaFormat.body).toBe(csv.body);
  });

  it.each([
    [
      'aggregate=fortnight',
      'aggregate',
      'aggregate: "fortnight" is not accepted; expected one of 1h, h, H, hour',
    ],
    ['tz=Mars/Olympus', 'tz', 'tz: "Mars/Olympus" is not accepted; expected an IANA time zone'],
    [
      'metric=users,sessions',
      'metric',
      'metric: "sessions" is not accepted; expected one or more of users, logins, new_users',
    ],
    ['start=yesterday', 'start', 'start: "yesterday" is not accepted; expected an ISO 8601 date'],
    // luxon reads any two-digit offset; no zone is 25 hours from UTC.
    [
      'start=2026-10-01T00:00:00%2B25:00',
      'start',
      'start: "2026-10-01T00:00:00+25:00" is not accepted; expected an ISO 8601',
    ],
    [
      'end=2026-10-01T00:00:00-18:30',
      'end',
      'end: "2026-10-01T00:00:00-18:30" is not accepted; expected an ISO 8601',
    ],
    [
      'start=2026-10-02&end=2026-10-01',
      'end',
      'end: "2026-10-01" is not accepted; expected an instant not before start',
    ],
    [
      'user[$ne]=x',
      'user[$ne]',
      "unknown parameter 'user[$ne]'; accepted: source, start, end, aggregate, tz, metric, user, role, handler, project, host, breakdown, limit, weekStart, format",
    ],
    [
      'limit=5',
      'limit',
      'limit: "5" is not accepted; expected the number of series of a breakdown: with breakdown= only',
    ],
    ['source=nope', 'source', 'source: "nope" is not accepted; expected one of default (USAGE_SOURCE)'],
    ['format=xml', 'format', 'format: "xml" is not accepted; expected one of json, csv'],
    [
      'start=2000-01-01&end=2026-01-01&aggregate=1h',
      'aggregate',
      'at most 10000 buckets: this range has about 227928',
    ],
    [`user=${'x'.repeat(300)}`, 'user', 'user: '],
  ])(
    'should reject %s with 400 naming the parameter and what is accepted',
    async (qs, parameter, message) => {
      const { status, body } = await get(`/api/v1/logins?${qs}`);
      expect(status).toBe(400);
      expect(body.parameter).toBe(parameter);
      expect(body.message).toContain(message);
    }
  );

  it('should reject a POST body with an operator object instead of a user name', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/logins',
      payload: { user: { $ne: 'x' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ parameter: 'user' });
  });
});

describe('GET /api/v1/users', () => {
  it('should list the users of a range, sorted, filtered and limited', async () => {
    const { body } = await get('/api/v1/users?start=2026-10-04T18:00:00Z&end=2026-10-04T18:30:00Z&search=KT');
    expect(body).toEqual({ users: ['ktm'], truncated: false });
    const limited = await get('/api/v1/users?start=2026-10-01&end=2026-11-01&limit=2');
    expect(limited.body.users).toHaveLength(2);
    expect(limited.body.truncated).toBe(true);
    expect([...limited.body.users].sort()).toEqual(limited.body.users);
  });
});
