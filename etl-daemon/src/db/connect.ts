import { MongoClient } from 'mongodb';
import type { MongoSettings } from './deployment';
import { DEFAULT_MONGO_SETTINGS, clientOptions } from './deployment';

/** Connects and pings, so a wrong URI fails at start-up with the driver's reason, not at the first query. */
export async function connectMongo(
  uri: string,
  settings: MongoSettings = DEFAULT_MONGO_SETTINGS
): Promise<MongoClient> {
  const client = new MongoClient(uri, clientOptions(settings));
  await client.connect();
  await pingMongo(client, settings);
  return client;
}

/** One round trip to the primary, bounded by the server (maxTimeMS). */
export async function pingMongo(client: MongoClient, settings: MongoSettings): Promise<void> {
  await client.db('admin').command({ ping: 1, maxTimeMS: settings.maxTimeMS });
}

/** Names the server for logs and test reports: CongoDB answers buildInfo with gitVersion 'congodb'. */
export async function describeServer(client: MongoClient): Promise<string> {
  const info = await client.db('admin').command({ buildInfo: 1 });
  const version = String(info.version ?? '?');
  return info.gitVersion === 'congodb' ? `CongoDB (reports MongoDB ${version})` : `MongoDB ${version}`;
}

/** The URI without credentials, for logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
