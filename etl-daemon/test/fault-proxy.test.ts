/** The fault proxy itself: it names commands as the server sees them and fails exactly the ones asked for. */
import { MongoClient } from 'mongodb';
import type { FaultProxy } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { TestDb } from './helpers';
import { openTestDb, testMongoUri } from './helpers';

let db: TestDb;
let proxy: FaultProxy;
let client: MongoClient;

beforeEach(async () => {
  db = await openTestDb();
  proxy = await startFaultProxy(testMongoUri());
  // No retries: each failure below is the driver's first and only attempt.
  client = await MongoClient.connect(proxy.uri, { retryWrites: false, retryReads: false });
});
afterEach(async () => {
  await client.close(true);
  await proxy.close();
  await db.close();
});

const target = () => client.db(db.loginDb).collection<{ n: number }>('probe');
const direct = () => db.client.db(db.loginDb).collection<{ n: number }>('probe');
const isInsert = (c: { name: string; collection: string }) => c.name === 'insert' && c.collection === 'probe';

it('should name each command, its collection and database, with its documents', async () => {
  await target().insertMany([{ n: 1 }, { n: 2 }]);
  await target().find({ n: 1 }).toArray();
  const insert = proxy.seen.find(isInsert);
  expect(insert?.db).toBe(db.loginDb);
  expect(insert?.body.documents).toEqual([
    expect.objectContaining({ n: 1 }),
    expect.objectContaining({ n: 2 }),
  ]);
  expect(proxy.seen.some((c) => c.name === 'find' && c.collection === 'probe')).toBe(true);
});

it('should drop a command before the server sees it', async () => {
  proxy.inject({ match: isInsert, action: { kind: 'drop' } });
  await expect(target().insertOne({ n: 1 })).rejects.toThrow();
  expect(await direct().countDocuments()).toBe(0);
  await target().insertOne({ n: 2 }); // the rule is spent; a new connection works
  expect(await direct().countDocuments()).toBe(1);
});

it('should lose the reply of a command the server carried out', async () => {
  proxy.inject({ match: isInsert, action: { kind: 'lose-reply' } });
  await expect(target().insertOne({ n: 1 })).rejects.toThrow();
  expect(await direct().countDocuments()).toBe(1);
});

it('should stall a command for the time asked', async () => {
  proxy.inject({ match: isInsert, action: { kind: 'stall', ms: 600 } });
  const started = Date.now();
  await target().insertOne({ n: 1 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(550);
});

it('should refuse connections while down and accept them again when up', async () => {
  proxy.down();
  const refused = await MongoClient.connect(proxy.uri, { serverSelectionTimeoutMS: 500 }).catch(
    (e: Error) => e
  );
  expect(refused).toBeInstanceOf(Error);
  proxy.up();
  const again = await MongoClient.connect(proxy.uri);
  await again.db(db.loginDb).collection('probe').insertOne({ n: 3 });
  await again.close();
  expect(await direct().countDocuments()).toBe(1);
});
