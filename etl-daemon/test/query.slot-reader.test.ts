/**
 * The slot reader (query/sync/slot-reader.ts) on a real server: the logins of the 15-minute slots a count or
 * a page needs are read from home.login's hour chunks, exactly as stored (against the sys.log lines they
 * came from), and the other slots of the hours read are kept too, so the next request's neighbouring slots
 * cost no further read.
 */
import type { CommandStartedEvent } from 'mongodb';
import { MongoClient } from 'mongodb';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../src/core/units';
import { usageCollections } from '../src/db/collections';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { makeJobRunner } from '../src/job/job-runner';
import { makeIndexSync } from '../src/query/index-loader';
import type { TestDb } from './helpers';
import { expectedLogins, fixedClock, openTestDb, runDeps, silentLogger, testMongoUri } from './helpers';

const NOW = new Date('2026-03-31T12:00:00Z');
let db: TestDb;
let expected: string[];

beforeAll(async () => {
  db = await openTestDb();
  const docs = [...generateSysLog({ days: 3, users: 40, perDay: 400, end: NOW, seed: 4 })].flat();
  await db.cols.sysLog.insertMany(docs);
  const runner = makeJobRunner(runDeps(db.cols, { clock: fixedClock(NOW) }), { attempts: 1, backoffMs: 0 });
  await runner.run({ start: '2026-03-29' });
  // `day|instant|user` of every login the seed preset counts (test/helpers.ts reads sys.log on its own).
  expected = expectedLogins(docs);
});
afterAll(() => db.close());

it('should read a slot as stored, and answer the other slots of the hour read without reading again', async () => {
  const client = await MongoClient.connect(testMongoUri(), { monitorCommands: true });
  let finds = 0;
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find' && event.command.find === 'login') finds += 1;
  });
  const cols = usageCollections(
    client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: db.loginDb, collection: 'login' }
  );
  const sync = makeIndexSync(cols, silentLogger);
  try {
    await sync.refresh();
    const day = Date.parse('2026-03-30T00:00:00Z') / DAY_MS;
    // Slots of 10:00-11:00 and 14:00-14:15 on 2026-03-30.
    const hour10 = Array.from({ length: 4 }, (_, k) => day * SLOTS_PER_DAY + 40 + k);
    const at14 = day * SLOTS_PER_DAY + 56;
    const loginsOf = (slot: number) =>
      expected
        .filter((line) => Math.floor(Date.parse(line.split('|')[1] ?? '') / SLOT_MS) === slot)
        .map((line) => `${Date.parse(line.split('|')[1] ?? '')}|${line.split('|')[2]}`)
        .sort();
    const asRead = (raw: Awaited<ReturnType<typeof sync.readSlots>>, slot: number) =>
      Array.from(raw.get(slot)?.t ?? [], (t, k) => {
        const id = raw.get(slot)?.u[k] ?? -1;
        return `${day * DAY_MS + t}|${sync.index.userName(id)}`;
      }).sort();

    const before = finds;
    const first = await sync.readSlots([hour10[1] as number]);
    expect(finds - before).toBe(1);
    expect(asRead(first, hour10[1] as number)).toEqual(loginsOf(hour10[1] as number));
    // The other three slots of 10:00-11:00 were in the chunk read: no further read, the same logins.
    const rest = await sync.readSlots([hour10[0], hour10[2], hour10[3]] as number[]);
    expect(finds - before).toBe(1);
    for (const slot of [hour10[0], hour10[2], hour10[3]] as number[]) {
      expect(asRead(rest, slot)).toEqual(loginsOf(slot));
      expect(loginsOf(slot).length).toBe(sync.index.slotLogins(slot));
    }
    expect(hour10.reduce((n, slot) => n + loginsOf(slot).length, 0)).toBeGreaterThan(4);
    // Another hour is another read.
    const other = await sync.readSlots([at14]);
    expect(finds - before).toBe(2);
    expect(asRead(other, at14)).toEqual(loginsOf(at14));
  } finally {
    await sync.close();
    await client.close();
  }
});
