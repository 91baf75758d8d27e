/**
 * The deployment semantics stated in code (src/db/deployment.ts): whatever the URI says, every command on
 * the login collections carries majority concerns and a time limit, and reads them from the primary.
 * Checked with the driver's command monitoring (what is sent to the server), on a URI that asks for the
 * opposite: `readPreference=secondary&w=1`.
 */
import type { CommandStartedEvent, Document } from 'mongodb';
import { MongoClient, ObjectId } from 'mongodb';
import { checkPatternsOnServer, patternsOf } from '../src/db/check-source';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { DEFAULT_MONGO_SETTINGS } from '../src/db/deployment';
import { DictionaryError, NameDictionary, ensureNames, loadNames } from '../src/db/user-names';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { runOnce } from '../src/job/run-once';
import { makeIndexSync } from '../src/query/index-loader';
import { countExact } from '../src/query/exact-count';
import type { TestDb } from './helpers';
import { fixedClock, openTestDb, presetSelector, runDeps, silentLogger, testMongoUri } from './helpers';

const NOW = new Date('2026-11-27T12:00:00Z');
let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
  await db.cols.sysLog.insertMany(
    [...generateSysLog({ days: 6, users: 40, perDay: 60, end: NOW, seed: 3 })].flat()
  );
});
afterAll(() => db.close());

/** Commands that carry no concerns by the drivers' specifications (getMore, killCursors) or are not ours. */
const EXEMPT = new Set(['getMore', 'killCursors', 'hello', 'isMaster', 'ping', 'endSessions', 'buildInfo']);

it('should send majority concerns, a time limit and no secondary read to the login collections whatever the URI says', async () => {
  const uri = new URL(testMongoUri());
  uri.searchParams.set('readPreference', 'secondary');
  uri.searchParams.set('w', '1');
  const client = await MongoClient.connect(uri.toString(), { monitorCommands: true });
  const seen: Document[] = [];
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (!EXEMPT.has(event.commandName)) seen.push({ name: event.commandName, ...event.command });
  });
  const cols = usageCollections(
    client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: db.loginDb, collection: 'login' }
  );
  // What the driver applies to each collection object: the URI's read preference only for sys.log.
  expect(cols.sysLog.readPreference?.mode).toBe('secondary');
  for (const col of [cols.chunks, cols.days, cols.job, cols.runs, cols.summaries, cols.names]) {
    expect(col.readPreference?.mode).toBe('primary');
  }
  await ensureIndexes(cols);
  const outcome = await runOnce(runDeps(cols, { clock: fixedClock(NOW) }), { start: '2026-11-22' }, 'r', 1);
  expect(outcome.status).toBe('success');
  const sync = makeIndexSync(cols, silentLogger);
  await sync.refresh();
  const start = Date.parse('2026-11-22T00:07:00Z');
  const end = Date.parse('2026-11-27T11:53:00Z');
  const counted = await countExact(sync, { bounds: [start, end], start, end, metrics: ['users'] });
  expect(counted.users[0]).toBeGreaterThan(0);
  await client.close();

  const ours = (c: Document) => String(c[c.name as string]).startsWith('login');
  const toLogin = seen.filter(ours);
  const names = new Set(toLogin.map((c) => c.name as string));
  // Every kind of command the job and the index send was seen.
  for (const name of ['find', 'insert', 'update', 'findAndModify', 'delete', 'createIndexes', 'aggregate']) {
    if (name === 'aggregate' && !names.has(name)) continue; // countDocuments: sent only where a day is checked
    expect([name, names.has(name)]).toEqual([name, true]);
  }
  for (const command of toLogin) {
    const name = command.name as string;
    if (['find', 'aggregate', 'count', 'distinct'].includes(name)) {
      expect([name, command.readConcern]).toEqual([name, { level: 'majority' }]);
      expect([name, command.maxTimeMS]).toEqual([name, DEFAULT_MONGO_SETTINGS.maxTimeMS]);
    } else {
      expect([name, command.writeConcern]).toEqual([
        name,
        { w: 'majority', wtimeout: DEFAULT_MONGO_SETTINGS.wtimeoutMS },
      ]);
    }
    if (name === 'findAndModify') expect(command.maxTimeMS).toBe(DEFAULT_MONGO_SETTINGS.maxTimeMS);
    const mode = (command.$readPreference as { mode?: string } | undefined)?.mode;
    expect([name, mode ?? 'primary']).toEqual([name, 'primary']);
  }
  // The sys.log read carries the source's own limit and may spill its sort to disk.
  const source = seen.find((c) => c.name === 'find' && c.find === 'sys.log' && c.sort);
  expect(source).toMatchObject({
    maxTimeMS: DEFAULT_MONGO_SETTINGS.sourceMaxTimeMS,
    allowDiskUse: true,
  });
  // The server clock and pings carry a time limit too.
  expect(toLogin.length).toBeGreaterThan(20);
});

it('should refuse a dictionary batch that is not where its writer put it', async () => {
  const own = await openTestDb();
  const names = own.cols.names;
  const dict = new NameDictionary();
  await ensureNames(names, dict, ['amy', 'bob'], NOW);
  expect((await names.findOne({ batch: 0 }))?.base).toBe(0);
  // Batch 0 lost and claimed again with one name: batch 1 (base 2) no longer follows it.
  await ensureNames(names, dict, ['cy'], NOW);
  await names.updateOne({ batch: 0 }, { $set: { names: ['amy'], size: 1 } });
  await expect(loadNames(names)).rejects.toThrow(DictionaryError);
  await expect(loadNames(names)).rejects.toThrow(
    'user dictionary batch 1 starts at id 2, but the batches before it end at 1'
  );
  // Batches written before positions were recorded are read in order, as before.
  await names.updateMany({}, { $unset: { base: '' } });
  expect((await loadNames(names)).names).toEqual(['amy', 'cy']);
  await own.close();
});

it('should check the login patterns on the server with one _id lookup, whatever the size of sys.log', async () => {
  const client = await MongoClient.connect(testMongoUri(), { monitorCommands: true });
  const seen: Document[] = [];
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find') seen.push(event.command);
  });
  const cols = usageCollections(
    client,
    { db: db.sysDb, collection: 'sys.log' },
    { db: db.loginDb, collection: 'login' }
  );
  await checkPatternsOnServer(cols.sysLog, patternsOf(presetSelector('core4-active')));
  await client.close();
  // core4-active has two patterns: one query each, on an `_id` no document has (the `_id` index answers it;
  // MongoDB compiles the $regex when it parses the query, whatever plan runs).
  expect(seen).toHaveLength(2);
  for (const command of seen) {
    expect(command.filter._id).toBeInstanceOf(ObjectId);
    expect(Object.keys(command.filter).sort()).toEqual(['_id', 'message']);
    expect(command.limit).toBe(1);
  }
});
