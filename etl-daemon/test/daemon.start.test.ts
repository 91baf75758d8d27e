/** startDaemon without signals: the port opens at once, the index loads, close() releases in reverse order. */
import { loadConfig } from '../src/config/config';
import { startDaemon } from '../src/daemon';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { logFormatFor } from '../src/logger';
import { Releasers } from '../src/releasers';
import type { TestDb } from './helpers';
import { openTestDb, silentLogger, testMongoUri } from './helpers';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

it('should serve /health at once, load the index, answer queries, and stop without a signal', async () => {
  const end = new Date();
  await db.cols.sysLog.insertMany(
    [...generateSysLog({ days: 20, users: 40, perDay: 60, end, seed: 3 })].flat()
  );
  const config = loadConfig({
    MONGODB_URI: testMongoUri(),
    USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
    USAGE_LOGIN: `${db.loginDb}.login`,
    USAGE_START: new Date(end.getTime() - 19 * 86_400_000).toISOString().slice(0, 10),
    USAGE_SOURCE: 'seed',
    USAGE_RUN_ON_START: 'true',
    USAGE_INCREMENTAL_SCHEDULE: '',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const daemon = await startDaemon(config, silentLogger);
  const first = await fetch(`${daemon.address}/health`);
  expect([200, 503]).toContain(first.status);
  await daemon.ready;
  // The start-up run writes days while the index is already serving; wait for it to finish and be loaded.
  for (let i = 0; i < 200; i += 1) {
    const job = await (await fetch(`${daemon.address}/api/v1/job`)).json();
    if (job.state === 'idle' && job.lastSuccessAt) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await daemon.sync.refresh();
  const answer = await (await fetch(`${daemon.address}/api/v1/logins?aggregate=d&metric=logins`)).json();
  const stored = await db.cols.days.find({}).toArray();
  expect(answer.buckets.reduce((n: number, b: { logins: number }) => n + b.logins, 0)).toBe(
    stored.reduce((n, d) => n + d.logins, 0)
  );
  expect(stored.reduce((n, d) => n + d.logins, 0)).toBeGreaterThan(500);
  await daemon.close();
  await daemon.close(); // twice is harmless
  await expect(fetch(`${daemon.address}/health`)).rejects.toThrow();
});

it('should release what it holds last-in, first-out, and keep going past a failing releaser', async () => {
  const order: string[] = [];
  const failures: string[] = [];
  const releasers = new Releasers((name) => failures.push(name));
  releasers.add('database', () => void order.push('database'));
  releasers.add('server', async () => {
    order.push('server');
    throw new Error('already closed');
  });
  releasers.add('timer', () => void order.push('timer'));
  expect(releasers.names).toEqual(['database', 'server', 'timer']);
  await releasers.releaseAll();
  await releasers.releaseAll();
  expect(order).toEqual(['timer', 'server', 'database']);
  expect(failures).toEqual(['server']);
});

it('should log readable lines to a terminal and JSON lines elsewhere, unless LOG_FORMAT says', () => {
  expect(logFormatFor({ isTTY: true })).toBe('pretty');
  expect(logFormatFor({ isTTY: false })).toBe('json');
  expect(logFormatFor({})).toBe('json');
  expect(logFormatFor({ isTTY: true }, 'json')).toBe('json');
  expect(logFormatFor({ isTTY: false }, 'pretty')).toBe('pretty');
  expect(logFormatFor({ isTTY: true }, 'auto')).toBe('pretty');
});
