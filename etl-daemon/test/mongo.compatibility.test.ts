/**
 * The driver behaviours the daemon relies on, pinned against the run's server. If a server swap breaks
 * one, this file names it before the job or the API tests fail in a less obvious way.
 */
import type { Collection, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { TestDb } from './helpers';
import { openTestDb, testMongoUri } from './helpers';

let db: TestDb;
let coll: Collection<Document>;

beforeAll(async () => {
  db = await openTestDb();
  coll = db.client.db(db.loginDb).collection('compat');
});
afterAll(() => db.close());
beforeEach(() => coll.deleteMany({}));

describe('MongoDB behaviours the daemon uses', () => {
  it('should upsert by an ordinary field and keep $setOnInsert for inserts only', async () => {
    await coll.updateOne({ name: 'job' }, { $setOnInsert: { state: 'idle' } }, { upsert: true });
    await coll.updateOne({ name: 'job' }, { $setOnInsert: { state: 'other' } }, { upsert: true });
    const docs = await coll.find({ name: 'job' }, { projection: { _id: 0 } }).toArray();
    expect(docs).toEqual([{ name: 'job', state: 'idle' }]);
  });

  it('should match a missing field with { field: null } and compare Dates with $lt', async () => {
    await coll.insertMany([{ n: 1 }, { n: 2, lease: null }, { n: 3, lease: { until: new Date(1000) } }]);
    const free = await coll
      .find({ $or: [{ lease: null }, { 'lease.until': { $lt: new Date(2000) } }] })
      .toArray();
    expect(free.map((d) => d.n as number).sort()).toEqual([1, 2, 3]);
    const held = await coll.updateOne({ n: 3, 'lease.until': { $lt: new Date(500) } }, { $set: { x: 1 } });
    expect(held.matchedCount).toBe(0);
  });

  it('should set dotted paths inside an existing subdocument', async () => {
    await coll.insertOne({ name: 'job', lastRun: { id: 'a', start: new Date(0) } });
    await coll.updateOne({ name: 'job' }, { $set: { 'lastRun.result': 'failed', 'lastRun.id': 'b' } });
    const doc = await coll.findOne({ name: 'job' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ name: 'job', lastRun: { id: 'b', start: new Date(0), result: 'failed' } });
  });

  it('should filter by Date range, $regex with a named group, and $nin; sort by Date; project', async () => {
    const base = Date.UTC(2026, 0, 1);
    await coll.insertMany([
      { created: new Date(base + 3000), message: 'successfully loaded [bob] by [token]', user: 'bob' },
      { created: new Date(base + 1000), message: 'successfully loaded [amy] by [username]', user: 'amy' },
      { created: new Date(base + 2000), message: 'successfully loaded [admin] by [token]', user: 'admin' },
      { created: new Date(base + 9000), message: 'GET /', user: 'cy' },
      { created: new Date(base - 1), message: 'successfully loaded [early] by [token]', user: 'early' },
    ]);
    const docs = await coll
      .find(
        {
          created: { $gte: new Date(base), $lt: new Date(base + 10_000) },
          message: { $regex: /^successfully loaded \[(?<user>[^\]]+)\]/ },
          user: { $nin: ['admin'] },
        },
        { projection: { _id: 0, created: 1, user: 1 }, sort: { created: 1 } }
      )
      .toArray();
    expect(docs).toEqual([
      { created: new Date(base + 1000), user: 'amy' },
      { created: new Date(base + 3000), user: 'bob' },
    ]);
  });

  it('should insertMany in order, delete by $ne and count what remains', async () => {
    await coll.insertMany(
      [1, 2, 3].map((i) => ({ day: new Date(0), run: i === 3 ? 'new' : 'old', i })),
      { ordered: true }
    );
    const deleted = await coll.deleteMany({ day: new Date(0), run: { $ne: 'new' } });
    expect(deleted.deletedCount).toBe(2);
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('should round-trip integer arrays and Dates exactly', async () => {
    const t = [0, 1, 3_599_999];
    await coll.insertOne({ t, users: ['a'], at: new Date(Date.UTC(2026, 2, 29, 1, 0, 0, 123)) });
    const doc = await coll.findOne({}, { projection: { _id: 0 } });
    expect(doc).toEqual({ t, users: ['a'], at: new Date(Date.UTC(2026, 2, 29, 1, 0, 0, 123)) });
  });

  it('should create and list indexes', async () => {
    await coll.createIndex({ created: 1 });
    const indexes = (await coll.listIndexes().toArray()) as { key: Document }[];
    const keys = indexes.map((index) => Object.keys(index.key)[0]);
    expect(keys).toContain('created');
  });

  it('should report whether a conditional update matched (the lease relies on it)', async () => {
    await coll.insertOne({ name: 'job', lease: { owner: 'a' } });
    expect((await coll.updateOne({ name: 'job', 'lease.owner': 'b' }, { $set: { x: 1 } })).matchedCount).toBe(
      0
    );
    expect((await coll.updateOne({ name: 'job', 'lease.owner': 'a' }, { $set: { x: 1 } })).matchedCount).toBe(
      1
    );
  });

  it('should keep its connection pool across server heartbeats while operations run', async () => {
    // The driver clears the pool, failing operations in flight, when a heartbeat fails. CongoDB breaks the
    // streaming hello, so the embedded launcher asks for polling monitoring; this pins that it holds.
    const client = new MongoClient(testMongoUri(), { heartbeatFrequencyMS: 500 });
    const failures: string[] = [];
    client.on('serverHeartbeatFailed', (event) => failures.push(`heartbeat: ${event.failure.message}`));
    client.on('connectionPoolCleared', () => failures.push('pool cleared'));
    await client.connect();
    try {
      const target = client.db(db.loginDb).collection('compat');
      const until = Date.now() + 3_000;
      let writes = 0;
      while (Date.now() < until) {
        await target.insertOne({ n: writes });
        writes += 1;
      }
      expect(failures).toEqual([]);
      expect(await target.countDocuments()).toBe(writes);
    } finally {
      await client.close();
    }
  });
});
