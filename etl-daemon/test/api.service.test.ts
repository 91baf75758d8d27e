import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { loginDoc, openTestDb } from './helpers';

const NOW = new Date('2026-11-27T12:00:00Z');
const READ = 'read-token-0123456789';
const ADMIN = 'admin-token-0123456789';
let db: TestDb;

beforeEach(async () => {
  db = await openTestDb();
  await db.cols.sysLog.insertMany([
    loginDoc('amy', '2026-11-27T11:30:00Z'),
    loginDoc('bob', '2026-11-27T02:00:00Z'),
    loginDoc('amy', '2026-11-26T10:00:00Z'),
    loginDoc('cy', '2026-11-20T10:00:00Z'),
    loginDoc('dan', '2026-11-01T10:00:00Z'),
  ]);
});
afterEach(() => db.close());

describe('auth', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildTestApp(db, NOW, {
      runFrom: '2026-11-01',
      api: { readToken: READ, adminToken: ADMIN, openMetrics: false },
    });
  });
  afterEach(() => app.close());

  it.each([
    ['GET', '/api/v1/logins', undefined, 401],
    ['GET', '/api/v1/logins', 'Bearer wrong-token-0123456789', 403],
    ['GET', '/api/v1/logins', `Bearer ${READ}`, 200],
    ['GET', '/api/v1/logins', `Bearer ${ADMIN}`, 200],
    ['GET', '/api/v1/users', undefined, 401],
    ['GET', '/api/v1/job', `Bearer ${READ}`, 200],
    ['POST', '/api/v1/job/run', undefined, 401],
    ['POST', '/api/v1/job/run', `Bearer ${READ}`, 403],
    ['GET', '/health', undefined, 200],
    ['GET', '/metrics', undefined, 401],
    ['GET', '/metrics', `Bearer ${READ}`, 200],
    ['GET', '/openapi.json', undefined, 200],
  ])('should answer %s %s with authorization %s by %i', async (method, url, authorization, status) => {
    const response = await app.inject({
      method: method as 'GET' | 'POST',
      url,
      headers: authorization ? { authorization } : {},
      payload: method === 'POST' ? {} : undefined,
    });
    expect(response.statusCode).toBe(status);
    expect(response.body).not.toContain(READ);
    expect(response.body).not.toContain(ADMIN);
  });
});

describe('job endpoints', () => {
  it('should report the job document and start a run with 202, then refuse a second with 409 while it runs', async () => {
    const app = await buildTestApp(db, NOW, { runFrom: '2026-11-01' });
    const job = await app.inject({ method: 'GET', url: '/api/v1/job' });
    expect(job.json()).toMatchObject({
      state: 'idle',
      lastRun: { result: 'success' },
      checkpoint: '2026-11-27T00:00:00.000Z',
    });
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/job/run',
      payload: { start: '2026-11-20' },
    });
    expect(started.statusCode).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const second = await app.inject({ method: 'POST', url: '/api/v1/job/run', payload: {} });
    expect(second.statusCode).toBe(409);
    for (let i = 0; i < 100; i += 1) {
      const state = (await app.inject({ method: 'GET', url: '/api/v1/job' })).json<{
        state: string;
        lastRun: { id: string };
      }>();
      if (state.state === 'idle' && state.lastRun.id === runId) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/job' })).json()).toMatchObject({
      lastRun: { id: runId, result: 'success' },
    });
    await app.close();
  });

  it('should refuse a run with bad arguments with 400', async () => {
    const app = await buildTestApp(db, NOW);
    const future = await app.inject({
      method: 'POST',
      url: '/api/v1/job/run',
      payload: { end: '2027-01-01' },
    });
    expect(future.statusCode).toBe(400);
    expect(future.json<{ message: string }>().message).toContain('end: 2027-01-01 is in the future');
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/job/run', payload: { force: true } });
    expect([unknown.statusCode, unknown.json<{ parameter: string }>().parameter]).toEqual([400, 'force']);
    await app.close();
  });
});

describe('least exposure with tokens configured', () => {
  it('should keep /metrics behind the read token by default, and open it only with USAGE_OPEN_METRICS=true', async () => {
    const closed = await buildTestApp(db, NOW, {
      api: loadConfig({ USAGE_READ_TOKEN: READ }).api,
    });
    expect((await closed.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const scraped = await closed.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${READ}` },
    });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('core4_usage_distinct_users');
    await closed.close();
    const open = await buildTestApp(db, NOW, {
      api: loadConfig({ USAGE_READ_TOKEN: READ, USAGE_OPEN_METRICS: 'true' }).api,
    });
    expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    await open.close();
  });

  it('should tell an anonymous /health caller the verdict and the failing check names only', async () => {
    const api = loadConfig({ USAGE_READ_TOKEN: READ, USAGE_ADMIN_TOKEN: ADMIN }).api;
    const down = await buildTestApp(db, NOW, {
      api,
      ping: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:27017')),
    });
    const anonymous = await down.inject({ method: 'GET', url: '/health' });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([
      503,
      { status: 'failing', failing: ['database'] },
    ]);
    const wrong = await down.inject({
      method: 'GET',
      url: '/health',
      headers: { authorization: 'Bearer wrong-token-0123456789' },
    });
    expect(wrong.json()).toEqual({ status: 'failing', failing: ['database'] });
    for (const token of [READ, ADMIN]) {
      const detailed = await down.inject({
        method: 'GET',
        url: '/health',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(detailed.json()).toMatchObject({
        status: 'failing',
        checks: {
          database: { ok: false, message: 'database unreachable: connect ECONNREFUSED 10.1.2.3:27017' },
        },
      });
    }
    await down.close();
    const healthy = await buildTestApp(db, NOW, { api, runFrom: '2026-11-01' });
    expect((await healthy.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
      failing: [],
    });
    await healthy.close();
  });
});

describe('GET /health', () => {
  it('should be 200 after a recent successful run', async () => {
    const app = await buildTestApp(db, NOW, { runFrom: '2026-11-01' });
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      dataUntil: NOW.toISOString(),
      checks: { database: { ok: true }, job: { ok: true }, lease: { ok: true } },
    });
    await app.close();
  });

  it('should be 503 naming a stale job, and a database that does not answer', async () => {
    const stale = await buildTestApp(db, NOW);
    const response = await stale.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'failing',
      checks: { job: { ok: false, message: 'job stale: no successful run yet' } },
    });
    await stale.close();
    const down = await buildTestApp(db, NOW, { ping: () => Promise.reject(new Error('connection refused')) });
    const downResponse = await down.inject({ method: 'GET', url: '/health' });
    expect(downResponse.statusCode).toBe(503);
    expect(downResponse.json()).toMatchObject({
      checks: { database: { ok: false, message: 'database unreachable: connection refused' } },
    });
    await down.close();
  });

  it('should be 503 when the lease is held without progress', async () => {
    const app = await buildTestApp(db, NOW, { runFrom: '2026-11-01' });
    const long = new Date(NOW.getTime() - 3_600_000);
    await db.cols.job.updateOne(
      {},
      {
        $set: {
          lease: { owner: 'hung-host', until: new Date(NOW.getTime() + 30_000), acquiredAt: long },
          'progress.at': long,
        },
      }
    );
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json<{ checks: { lease: { message: string } } }>().checks.lease.message).toBe(
      'lease stuck: held by hung-host without progress for 3600 s'
    );
    await app.close();
  });
});

describe('GET /metrics', () => {
  it('should export login gauges equal to the logins of each window, and the job state', async () => {
    const app = await buildTestApp(db, NOW, {
      runFrom: '2026-11-01',
      api: { reportTimezone: 'Europe/Berlin' },
    });
    await app.inject({ method: 'GET', url: '/api/v1/logins' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('core4_usage_distinct_users{window="1h"}')).toBe(1);
    expect(value('core4_usage_logins{window="24h"}')).toBe(2);
    expect(value('core4_usage_distinct_users{window="24h"}')).toBe(2);
    expect(value('core4_usage_distinct_users{window="7d"}')).toBe(2);
    expect(value('core4_usage_logins{window="30d"}')).toBe(5);
    expect(value('core4_usage_distinct_users_day{day="today",tz="Europe/Berlin"}')).toBe(2);
    expect(value('core4_usage_distinct_users_day{day="yesterday",tz="Europe/Berlin"}')).toBe(1);
    expect(value('core4_usage_data_lag_seconds')).toBe(0);
    expect(value('core4_usage_job_last_success_timestamp_seconds')).toBe(NOW.getTime() / 1000);
    expect(value('core4_usage_job_failed')).toBe(0);
    expect(text).toMatch(
      /core4_usage_http_requests_total\{method="GET",route="\/api\/v1\/logins",status="200"\} 1/
    );
    await app.close();
  });
});

describe('GET /api/v1/job/runs', () => {
  it('should list finished attempts in a range, with result, range and statistics', async () => {
    const app = await buildTestApp(db, NOW, { runFrom: '2026-11-01' });
    await app.inject({ method: 'POST', url: '/api/v1/job/run', payload: { end: '2027-01-01' } });
    const { runs } = (await app.inject({ method: 'GET', url: '/api/v1/job/runs?start=2026-11-01' })).json<{
      runs: {
        result: string;
        start?: string;
        stats?: { logins: number };
        startedAt: string;
        finishedAt: string;
      }[];
    }>();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      result: 'success',
      start: '2026-11-01T00:00:00.000Z',
      stats: { logins: 5 },
    });
    const failing = (await app.inject({ method: 'GET', url: '/api/v1/job/runs?limit=0' })).statusCode;
    expect(failing).toBe(400);
    await app.close();
  });
});
