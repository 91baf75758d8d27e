import type { MongoClient } from 'mongodb';
import type { UsageCollections } from '../src/db/collections';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { connectMongo, describeServer } from '../src/db/connect';
import type { EmbeddedMongo } from '../src/embedded/embedded-mongo';
import { startEmbeddedMongo } from '../src/embedded/embedded-mongo';

/** The benchmark's server: MONGODB_URI, else the embedded one (CongoDB here) with room for a year of logs. */
export async function openBenchDb(): Promise<{
  client: MongoClient;
  uri: string;
  server: string;
  stop(): Promise<void>;
}> {
  let embedded: EmbeddedMongo | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedMongo({ prefer: 'auto', congoHeapMb: 20_000, mongodTimeoutMs: 60_000 });
    uri = embedded.uri;
  }
  const client = await connectMongo(uri);
  const server = `${await describeServer(client)}${embedded ? ` (embedded ${embedded.kind})` : ''}`;
  return {
    client,
    uri,
    server,
    async stop() {
      await client.close();
      await embedded?.stop();
    },
  };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function rate(count: number, ms: number): string {
  return `${Math.round(count / (ms / 1000)).toLocaleString('en-US')}/s`;
}

/** The usage collections of an emptied bench database (`<db>.login`, …), with their indexes. */
export async function freshLoginCollections(client: MongoClient, loginDb: string): Promise<UsageCollections> {
  await client.db(loginDb).dropDatabase();
  const cols = usageCollections(
    client,
    { db: 'bench_core4', collection: 'sys.log' },
    { db: loginDb, collection: 'login' }
  );
  await ensureIndexes(cols);
  return cols;
}
