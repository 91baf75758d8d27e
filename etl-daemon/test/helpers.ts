import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import type { SelectorConfig } from '../src/etl/selector';
import type { ChunkDoc, UsageCollections } from '../src/db/collections';
import type { Clock } from '../src/db/server-clock';
import { presetSource } from '../src/etl/login-sources';
import type { SourceName } from '../src/etl/login-sources';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { chunkEvents } from '../src/etl/day-chunks';
import { chunkRuns, chunkTotal } from '../src/db/day-doc';
import type { RunDeps } from '../src/job/run-once';
import { utcDayLabel } from '../src/time/utc-day';

export const silentLogger = pino({ level: 'silent' });

/** A USAGE_SOURCE preset with the default exclusion, as loadConfig builds it. */
export function presetSelector(name: SourceName, excludeUsers = ['admin']): SelectorConfig {
  return { source: presetSource(name), excludeUsers };
}

/** One custom rule, as USAGE_MESSAGE_REGEX (and USAGE_USER_FIELD) build it. */
export function customSelector(
  message: RegExp,
  userField = 'user',
  excludeUsers = ['admin']
): SelectorConfig {
  return { source: { name: 'custom', rules: [{ message, userField }] }, excludeUsers };
}

/** The seed's convention: most fixtures are written in it. */
export const DEFAULT_SELECTOR: SelectorConfig = presetSelector('seed');

/** A clock that always says `at`: tests fix the run's time; production reads the MongoDB server's. */
export function fixedClock(at: Date): Clock {
  return () => Promise.resolve(at);
}

export interface TestDb {
  client: MongoClient;
  cols: UsageCollections;
  sysDb: string;
  loginDb: string;
  close(): Promise<void>;
}

/** The run's MongoDB server, chosen once by setup/global-setup.ts. */
export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  return uri;
}

/** Fresh databases on the run's MongoDB server, dropped on close. */
export async function openTestDb(): Promise<TestDb> {
  const client = await MongoClient.connect(testMongoUri());
  const id = randomUUID().slice(0, 8);
  const sysDb = `sys_${id}`;
  const loginDb = `home_${id}`;
  const cols = usageCollections(
    client,
    { db: sysDb, collection: 'sys.log' },
    { db: loginDb, collection: 'login' },
    undefined,
    // core4 keeps sys.role beside sys.log (USAGE_ROLES' default): empty unless a test writes roles.
    { sysRole: { db: sysDb, collection: 'sys.role' }, sysHandler: { db: sysDb, collection: 'sys.handler' } }
  );
  await ensureIndexes(cols);
  return {
    client,
    cols,
    sysDb,
    loginDb,
    async close() {
      await client
        .db(sysDb)
        .dropDatabase()
        .catch(() => undefined);
      await client
        .db(loginDb)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    },
  };
}

export function runDeps(cols: UsageCollections, overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    cols,
    selector: DEFAULT_SELECTOR,
    configStart: new Date('2026-01-01T00:00:00Z'),
    leaseTtlMs: 60_000,
    closeAfterMs: 3_600_000,
    ingestLagMs: 300_000,
    owner: `test-${randomUUID().slice(0, 8)}`,
    clock: fixedClock(new Date('2026-03-31T12:00:00Z')),
    logger: silentLogger,
    ...overrides,
  };
}

export function loginDoc(user: unknown, created: string | Date, extra: Document = {}): Document {
  return {
    created: typeof created === 'string' ? new Date(created) : created,
    message: 'successful login',
    level: 'INFO',
    levelno: 20,
    username: 'core4',
    hostname: 'core4-app-1',
    qual_name: 'core4.api.v1.request.main.CoreRequestHandler',
    user,
    ...extra,
  };
}

/** Every login home.login currently holds (through the day documents), as sorted `day|iso|user` lines. */
export async function storedLogins(cols: UsageCollections): Promise<string[]> {
  const days = await cols.days.find({}).toArray();
  const lines: string[] = [];
  for (const day of days) {
    const chunks = await cols.chunks.find({ day: day.day, run: { $in: chunkRuns(day) } }).toArray();
    expect(chunks).toHaveLength(chunkTotal(day));
    for (const chunk of chunks as ChunkDoc[]) {
      for (const e of chunkEvents(day.day, chunk))
        lines.push(`${utcDayLabel(day.day)}|${e.created.toISOString()}|${e.user}`);
    }
  }
  return lines.sort();
}

/** The oracle, independent of the job's code: the seed convention read straight off sys.log documents. */
export function expectedLogins(docs: readonly Document[], excluded: readonly string[] = ['admin']): string[] {
  return docs
    .filter(
      (d) =>
        typeof d.message === 'string' &&
        d.message.includes('successful login') &&
        typeof d.user === 'string' &&
        d.user.trim() !== '' &&
        !excluded.includes(d.user) &&
        d.created instanceof Date
    )
    .map(
      (d) =>
        `${(d.created as Date).toISOString().slice(0, 10)}|${(d.created as Date).toISOString()}|${String(d.user)}`
    )
    .sort();
}
