/** The answer path's edges: the loading state, far ranges, the rate limit (issue 10, items 1, 3 and 4). */
import { loadConfig } from '../src/config/config';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { makeIndexSync } from '../src/query/index-loader';
import { calendarWork } from '../src/time/buckets';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { fixedClock, loginDoc, openTestDb, runDeps, silentLogger } from './helpers';
import { runOnce } from '../src/job/run-once';

const NOW = new Date('2026-11-27T12:00:00Z');
const READ = 'read-token-for-tests-0123456789';
let db: TestDb;

beforeAll(async () => {
  db = await openTestDb();
  await db.cols.sysLog.insertMany(
    [...generateSysLog({ days: 40, users: 60, perDay: 80, end: NOW, seed: 8 })].flat()
  );
});
afterAll(() => db.close());

describe('while the index loads', () => {
  it('should answer queries 503 with Retry-After and /health "loading", then serve once loaded', async () => {
    const sync = makeIndexSync(db.cols, silentLogger);
    const app = await buildTestApp(db, NOW, {
      runFrom: '2026-10-18',
      sync,
      api: loadConfig({ USAGE_READ_TOKEN: READ }).api,
    });
    const auth = { authorization: `Bearer ${READ}` };
    const query = await app.inject({ method: 'GET', url: '/api/v1/logins?aggregate=d', headers: auth });
    expect([query.statusCode, query.headers['retry-after']]).toEqual([503, '5']);
    expect(query.json()).toMatchObject({
      statusCode: 503,
      message: expect.stringContaining('the index is loading'),
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: auth })).statusCode).toBe(503);
    const anonymous = await app.inject({ method: 'GET', url: '/health' });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([
      503,
      { status: 'loading', failing: expect.arrayContaining(['index']) },
    ]);
    const detailed = await app.inject({ method: 'GET', url: '/health', headers: auth });
    expect(detailed.json().checks.index).toEqual({ ok: false, message: 'loading: 0 of ? days' });

    await sync.refresh();
    const served = await app.inject({
      method: 'GET',
      url: '/api/v1/logins?aggregate=d&start=2026-10-20&end=2026-10-27',
      headers: auth,
    });
    expect(served.statusCode).toBe(200);
    expect(
      served
        .json()
        .buckets.map((b: { users: number }) => b.users)
        .every((n: number) => n > 0)
    ).toBe(true);
    const health = await app.inject({ method: 'GET', url: '/health', headers: auth });
    expect(health.json().status).not.toBe('loading');
    expect(health.json().checks.index).toMatchObject({ ok: true });
    await app.close();
  });
});

describe('ranges far outside the data', () => {
  it('should compute only the buckets that hold data: no work and no memory for the rest', async () => {
    const sync = makeIndexSync(db.cols, silentLogger);
    const app = await buildTestApp(db, NOW, { runFrom: '2026-10-18', sync });
    await sync.refresh();
    const near = '/api/v1/logins?start=2025-01-01&end=2028-01-01&aggregate=y&metric=users,logins,new_users';
    const far = (k: number) =>
      `/api/v1/logins?start=${Date.UTC(-1000 - k, 0, 1)}&end=${Date.UTC(5000 + k, 0, 1)}&aggregate=y&metric=users,logins,new_users`;
    const nearAnswer = (await app.inject({ method: 'GET', url: near })).json();
    await app.inject({ method: 'GET', url: far(0) });
    const work = () => ({ ...sync.index.work });
    const cache = () => ({ ...sync.index.cacheBytes });
    const before = work();
    const cachedBefore = cache();
    const answers = [];
    for (let k = 1; k <= 20; k += 1) answers.push((await app.inject({ method: 'GET', url: far(k) })).json());
    const perFar = (sync.index.work.words - before.words) / 20;
    // Each far query does what the near one does (the same data years), nothing for 6,000 empty years.
    const nearBefore = work();
    await app.inject({ method: 'GET', url: near });
    expect(perFar).toBe(sync.index.work.words - nearBefore.words);
    expect(sync.index.work.entries - before.entries).toBe(0);
    expect(cache()).toEqual(cachedBefore);
    const withData = (answer: { buckets: { users: number; start: string }[] }) =>
      answer.buckets.filter((b) => b.users > 0);
    expect(answers[19].buckets.length).toBeGreaterThan(6000);
    expect(withData(answers[19])).toEqual(withData(nearAnswer));
    await app.close();
  });
});

describe('every endpoint over ±3,000 years', () => {
  // The data spans 40 days of 2026; each far request names 6,000 years around it.
  const farStart = new Date(Date.UTC(-1000, 0, 1)).toISOString();
  const farEnd = new Date(Date.UTC(5000, 0, 1)).toISOString();
  const cases: { name: string; near: string; far: string; status: number }[] = [
    {
      name: 'logins with engagement metrics, yearly',
      near: '/api/v1/logins?start=2025-01-01&end=2028-01-01&aggregate=y&metric=active_30d,stickiness,returning,dormant&tz=Europe/Berlin',
      far: `/api/v1/logins?start=${farStart}&end=${farEnd}&aggregate=y&metric=active_30d,stickiness,returning,dormant&tz=Europe/Berlin`,
      status: 200,
    },
    {
      name: 'users with details',
      near: '/api/v1/users?details=true&start=2025-01-01&end=2028-01-01&tz=Asia/Kathmandu',
      far: `/api/v1/users?details=true&start=${farStart}&end=${farEnd}&tz=Asia/Kathmandu`,
      status: 200,
    },
    {
      name: 'users',
      near: '/api/v1/users?start=2025-01-01&end=2028-01-01',
      far: `/api/v1/users?start=${farStart}&end=${farEnd}`,
      status: 200,
    },
    {
      name: 'retention, monthly cohorts (refused: 72,000 cohorts)',
      near: '/api/v1/retention?start=2026-01-01&end=2027-01-01&cohort=month&tz=Europe/Berlin',
      far: `/api/v1/retention?start=${farStart}&end=${farEnd}&cohort=month&tz=Europe/Berlin`,
      status: 400,
    },
    {
      name: 'job runs',
      near: '/api/v1/job/runs?start=2025-01-01&end=2028-01-01',
      far: `/api/v1/job/runs?start=${farStart}&end=${farEnd}`,
      status: 200,
    },
  ];

  it.each(cases)(
    'should cost $name no more calendar bounds or index work than the data years',
    async ({ near, far, status }) => {
      const sync = makeIndexSync(db.cols, silentLogger);
      const app = await buildTestApp(db, NOW, { runFrom: '2026-10-18', sync });
      await sync.refresh();
      const cost = async (url: string) => {
        // The first request fills the calendar years' cache; the second, its end a millisecond later, is
        // counted again (not a kept answer) with warm calendars, as a dashboard refresh is.
        await app.inject({ method: 'GET', url });
        const bounds = calendarWork.bounds;
        const words = sync.index.work.words;
        const response = await app.inject({
          method: 'GET',
          url: url.replace(/end=([^&]+)/, (_, e: string) => `end=${Date.parse(decodeURIComponent(e)) + 1}`),
        });
        return { response, bounds: calendarWork.bounds - bounds, words: sync.index.work.words - words };
      };
      const nearCost = await cost(near);
      const farCost = await cost(far);
      expect(farCost.response.statusCode).toBe(status);
      expect(nearCost.response.statusCode).toBe(200);
      // Bounded by what it returns: the far range's own buckets (6,000 years), nothing per empty day.
      const returned = (r: typeof farCost.response): number => {
        if (r.statusCode !== 200) return 0;
        const body = r.json<{ buckets?: unknown[]; users?: unknown[]; runs?: unknown[] }>();
        return (body.buckets ?? body.users ?? body.runs ?? []).length;
      };
      expect(farCost.bounds).toBeLessThanOrEqual(nearCost.bounds + 3 * returned(farCost.response) + 20);
      expect(farCost.words).toBeLessThanOrEqual(nearCost.words);
      if (status === 200 && near.includes('/users?')) {
        expect(farCost.response.json().users).toEqual(nearCost.response.json().users);
      }
      await app.close();
    }
  );
});

describe('answers kept between requests', () => {
  it('should answer again after the index changes, never from a kept answer of an older index', async () => {
    const sync = makeIndexSync(db.cols, silentLogger);
    const app = await buildTestApp(db, NOW, { runFrom: '2026-10-18', sync });
    await sync.refresh();
    const url = '/api/v1/logins?start=2026-11-20&end=2026-11-27&aggregate=d&metric=logins';
    const before = (await app.inject({ method: 'GET', url })).json();
    const generation = sync.index.generation;
    // Two more logins on 21 November, written by the job, picked up by the index's refresh.
    await db.cols.sysLog.insertMany([
      loginDoc('late-amy', '2026-11-21T10:00:00Z'),
      loginDoc('late-bob', '2026-11-21T11:00:00Z'),
    ]);
    await runOnce(
      runDeps(db.cols, { clock: fixedClock(NOW) }),
      { start: '2026-11-21', end: '2026-11-21' },
      'again',
      1
    );
    await sync.refresh();
    expect(sync.index.generation).toBeGreaterThan(generation);
    const after = (await app.inject({ method: 'GET', url })).json();
    const logins = (answer: { buckets: { logins: number }[] }) => answer.buckets.map((b) => b.logins);
    expect(logins(after)).toEqual(logins(before).map((n, i) => (i === 1 ? n + 2 : n)));
    await app.close();
  });
});

describe('rate limit', () => {
  it('should answer 429 with Retry-After past USAGE_RATE_LIMIT requests a minute, and never limit /health', async () => {
    const app = await buildTestApp(db, NOW, { api: loadConfig({ USAGE_RATE_LIMIT: '2' }).api });
    const codes = [];
    for (let i = 0; i < 3; i += 1)
      codes.push((await app.inject({ method: 'GET', url: '/api/v1/logins' })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await app.inject({ method: 'GET', url: '/api/v1/users' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({
      statusCode: 429,
      message: expect.stringContaining('Rate limit exceeded'),
    });
    for (let i = 0; i < 5; i += 1)
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).not.toBe(429);
    await app.close();
  });
});

describe('OpenAPI', () => {
  it('should list every answer of every route, so /docs shows the 202/409/401/403/429/503 answers too', async () => {
    const app = await buildTestApp(db, NOW, { api: loadConfig({ USAGE_READ_TOKEN: READ }).api });
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const codes = (path: string, method: string) => Object.keys(spec.paths[path][method].responses).sort();
    expect(codes('/api/v1/logins', 'get')).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(codes('/api/v1/retention', 'get')).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(codes('/api/v1/users', 'get')).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(codes('/api/v1/job/run', 'post')).toEqual(['202', '400', '401', '403', '409']);
    expect(codes('/health', 'get')).toEqual(['200', '401', '403', '503']);
    expect(codes('/metrics', 'get')).toEqual(['200', '401', '403']);
    expect(spec.paths['/api/v1/logins'].get.parameters.map((p: { name: string }) => p.name)).toContain(
      'metric'
    );
    await app.close();
  });

  it('should start a range that names no start where /docs says it does', async () => {
    const app = await buildTestApp(db, NOW);
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const said = (path: string) => {
      const start = spec.paths[path].get.parameters.find((p: { name: string }) => p.name === 'start');
      return Number(/default end - (\d+) days/.exec(start.description)?.[1]);
    };
    const days: Record<string, number> = {};
    for (const path of ['/api/v1/logins', '/api/v1/retention', '/api/v1/stickiness']) {
      days[path] = said(path);
      const answer = (await app.inject({ method: 'GET', url: `${path}?end=${NOW.toISOString()}` })).json();
      expect(Date.parse(answer.start)).toBe(NOW.getTime() - days[path] * 86_400_000);
    }
    expect(days).toEqual({ '/api/v1/logins': 90, '/api/v1/retention': 84, '/api/v1/stickiness': 30 });
    for (const path of ['/api/v1/users', '/api/v1/job/runs', '/api/v1/dimensions/{dimension}'])
      expect(said(path)).toBeGreaterThan(0);
    await app.close();
  });
});
