/** `core4-usage serve` as a process: it serves, and on SIGTERM it finishes requests, stops its run and releases the lease. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { readJob } from '../src/db/job-record';
import { writeDemoData } from '../src/demo/write-demo-data';
import type { TestDb } from './helpers';
import { servingAddress } from './daemon-process';
import { openTestDb, testMongoUri } from './helpers';

const CLI = path.resolve(__dirname, '../bin/core4-usage.js');
let db: TestDb;

beforeAll(async () => {
  db = await openTestDb();
  await writeDemoData(db.cols.sysLog, { days: 120, users: 300, perDay: 400, end: new Date(), seed: 5 });
});
afterAll(() => db.close());

it('should answer while its start-up run works, then stop it on SIGTERM, release the lease and exit 0', async () => {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH,
      MONGODB_URI: testMongoUri(),
      USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
      USAGE_LOGIN: `${db.loginDb}.login`,
      USAGE_START: new Date(Date.now() - 119 * 86_400_000).toISOString().slice(0, 10),
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, 'exit');
  for (let i = 0; i < 200 && servingAddress(log) === undefined; i += 1)
    await new Promise((r) => setTimeout(r, 50));
  const base = servingAddress(log);
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(log).toContain('the API is open to anyone who can reach it');

  // Wait until the start-up run holds the lease and has done a few days.
  for (let i = 0; i < 200; i += 1) {
    const job = await readJob(db.cols.job);
    if (job?.lease && (job.progress?.fraction ?? 0) > 0.05) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  // SIGTERM as soon as the daemon has accepted the request: it must still be answered.
  const inFlight = fetch(`${base}/api/v1/logins?aggregate=d&tz=Europe/Berlin`);
  for (let i = 0; i < 400 && !log.includes('"url":"/api/v1/logins?aggregate=d&tz=Europe/Berlin"'); i += 1) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGTERM');
  const response = await inFlight;
  expect(response.status).toBe(200);
  const [code] = (await exited) as [number | null];
  expect(code).toBe(0);
  expect(log).toContain('SIGTERM: shutting down');
  expect(log).not.toMatch(/"level":50/);
  const job = await readJob(db.cols.job);
  expect(job?.lease).toBeNull();
  expect(job?.state).toBe('idle');
  expect(['aborted', 'success']).toContain(job?.lastRun?.result);
  expect(job?.checkpoint).toBeInstanceOf(Date);
});
