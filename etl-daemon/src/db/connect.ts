import { MongoClient } from 'mongodb';

/** Connects and pings, so a wrong URI fails at start-up with the driver's reason, not at the first query. */
export async function connectMongo(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { appName: 'core4-usage', serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  await client.db('admin').command({ ping: 1 });
  return client;
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
