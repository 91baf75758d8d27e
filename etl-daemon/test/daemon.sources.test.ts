/**
 * Several sources in one daemon (USAGE_SOURCE=core4-logins,core4-requests): each its own collections, job and
 * index; every query names one (`source=`, the first by default). Each source's daily counts are compared with
 * a reading of the demo's sys.log lines by their own text (core4's formats, quoted in etl/login-sources.ts),
 * sharing no code with the product.
 */
import { loadConfig } from '../src/config/config';
import { startDaemon } from '../src/daemon';
import { generateSysLog } from '../src/demo/generate-sys-log';
import type { TestDb } from './helpers';
import { openTestDb, silentLogger, testMongoUri } from './helpers';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

const LAST_LOGIN = /^set \[last_login\] for role \[(\S+)\] with _id \[/;
const ACCESS = /^\[(\d{3})\] \[[A-Z]+ \S*\] in \[[\d.]+ms\] by \[(\S+)\] from \[/;

/** Distinct users and lines of a source per UTC day, read from the lines' text. */
function perDay(docs: readonly { created: Date; message: string; qual_name: string }[], source: string) {
  const days = new Map<string, { users: Set<string>; logins: number }>();
  for (const d of docs) {
    let user: string | undefined;
    if (source === 'core4-logins' && d.qual_name === 'core4.api.v1.request.role.model.CoreRole')
      user = LAST_LOGIN.exec(d.message)?.[1];
    if (source === 'core4-requests') {
      const m = ACCESS.exec(d.message);
      if (m && Number(m[1]) < 400 && m[2] !== 'None') user = m[2];
    }
    if (!user || user === 'admin') continue;
    const day = d.created.toISOString().slice(0, 10);
    const entry = days.get(day) ?? { users: new Set<string>(), logins: 0 };
    entry.users.add(user);
    entry.logins += 1;
    days.set(day, entry);
  }
  return days;
}

it('should materialise two sources side by side and answer each by source=', async () => {
  const end = new Date(Date.now() - (Date.now() % 86_400_000));
  const docs = [...generateSysLog({ days: 12, users: 50, perDay: 70, end, seed: 17 })].flat();
  await db.cols.sysLog.insertMany(docs);
  const config = loadConfig({
    MONGODB_URI: testMongoUri(),
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${db.loginDb}.login`,
    USAGE_ROLES: 'off',
    USAGE_START: new Date(end.getTime() - 12 * 86_400_000).toISOString().slice(0, 10),
    USAGE_SOURCE: 'core4-logins,core4-requests',
    USAGE_RUN_ON_START: 'true',
    USAGE_INCREMENTAL_SCHEDULE: '',
    USAGE_INDEX_REFRESH_MS: '1000',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  expect(config.sources.map((s) => [s.name, `${s.login.db}.${s.login.collection}`])).toEqual([
    ['core4-logins', `${db.loginDb}.login`],
    ['core4-requests', `${db.loginDb}.login.core4-requests`],
  ]);
  const daemon = await startDaemon(config, silentLogger);
  try {
    await daemon.ready;
    const get = async (path: string) => {
      const response = await fetch(`${daemon.address}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    // Each source's start-up run has finished and its index is loaded (ready waits for every source).
    for (const source of ['core4-logins', 'core4-requests']) {
      for (let i = 0; i < 200; i += 1) {
        const job = (await get(`/api/v1/job?source=${source}`)).body;
        if (job.state === 'idle' && job.lastSuccessAt) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect((await get('/api/v1/sources')).body).toEqual({
      sources: [
        { name: 'core4-logins', default: true, target: `${db.loginDb}.login` },
        { name: 'core4-requests', default: false, target: `${db.loginDb}.login.core4-requests` },
      ],
    });
    const range = `start=${new Date(end.getTime() - 12 * 86_400_000).toISOString()}&end=${end.toISOString()}`;
    const answers: Record<string, { start: string; users: number; logins: number }[]> = {};
    for (const [source, query] of [
      ['core4-logins', ''],
      ['core4-logins', '&source=core4-logins'],
      ['core4-requests', '&source=core4-requests'],
    ] as const) {
      const expected = perDay(docs, source);
      const want = [...expected.values()].reduce((n, d) => n + d.logins, 0);
      // Each index picks its source's days up on its next refresh (every second here) after the run.
      let buckets: { start: string; users: number; logins: number }[] = [];
      for (let i = 0; i < 100; i += 1) {
        const { status, body } = await get(`/api/v1/logins?${range}&aggregate=d&metric=users,logins${query}`);
        expect(status).toBe(200);
        buckets = body.buckets as typeof buckets;
        if (buckets.reduce((n, b) => n + b.logins, 0) === want) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(buckets.map((b) => [b.start.slice(0, 10), b.users, b.logins])).toEqual(
        buckets.map((b) => {
          const day = expected.get(b.start.slice(0, 10));
          return [b.start.slice(0, 10), day?.users.size ?? 0, day?.logins ?? 0];
        })
      );
      answers[`${source}${query}`] = buckets;
    }
    // The default is the first; a user's requests outnumber their password logins.
    expect(answers['core4-logins']).toEqual(answers['core4-logins&source=core4-logins']);
    const total = (key: string) => (answers[key] ?? []).reduce((n, b) => n + b.logins, 0);
    expect(total('core4-requests&source=core4-requests')).toBeGreaterThan(total('core4-logins'));
    expect(total('core4-logins')).toBeGreaterThan(100);
    // Every data route takes source=; an unknown one is a 400 naming the configured ones.
    for (const path of [
      '/api/v1/logins',
      '/api/v1/retention',
      '/api/v1/users',
      '/api/v1/job',
      '/api/v1/roles',
    ]) {
      const { status, body } = await get(`${path}?source=seed`);
      expect([path, status, body.parameter, body.accepted]).toEqual([
        path,
        400,
        'source',
        'one of core4-logins, core4-requests (USAGE_SOURCE)',
      ]);
    }
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(Object.keys(health.body.checks as object)).toEqual(
      expect.arrayContaining(['index', 'job', 'core4-requests:index', 'core4-requests:job'])
    );
  } finally {
    await daemon.close();
  }
});
