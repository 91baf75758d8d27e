import { MongoClient } from 'mongodb';
import { describeServer } from '../../src/db/connect';
import type { EmbeddedMongo } from '../../src/embedded/embedded-mongo';
import { startEmbeddedMongo } from '../../src/embedded/embedded-mongo';

declare global {
  var embeddedMongo: EmbeddedMongo | undefined;
}

/**
 * Decides the MongoDB server once per test run: MONGODB_URI when set, else a real mongod from
 * mongodb-memory-server when one can be had, else CongoDB. Workers read TEST_MONGODB_URI.
 */
export default async function globalSetup(): Promise<void> {
  let uri = process.env.MONGODB_URI;
  let origin = 'MONGODB_URI';
  if (!uri) {
    const prefer = process.env.USAGE_TEST_SERVER === 'congodb' ? 'congodb' : 'auto';
    globalThis.embeddedMongo = await startEmbeddedMongo({ prefer, mongodTimeoutMs: 60_000 });
    uri = globalThis.embeddedMongo.uri;
    origin = globalThis.embeddedMongo.note ?? `embedded ${globalThis.embeddedMongo.kind}`;
  }
  const client = await MongoClient.connect(uri);
  const server = await describeServer(client);
  await client.close();
  process.env.TEST_MONGODB_URI = uri;
  process.env.TEST_MONGODB_SERVER = server;
  process.stdout.write(`\nMongoDB server for this test run: ${server} (${origin})\n`);
}
