/**
 * The baseline daemon for `npm run bench:scale`: the index and loader of git 181462d (login-index-v1.ts,
 * index-loader-v1.ts) loaded the way that version's `serve` did (whole home.login before the port opens),
 * behind the same /api/v1/logins and /health routes. Started by bench/scale.ts as its own process.
 */
import Fastify from 'fastify';
import pino from 'pino';
import { connectMongo } from '../../src/db/connect';
import { usageCollections } from '../../src/db/collections';
import type { LoginsParams } from '../../src/query/logins-query';
import { parseLoginsQuery } from '../../src/query/logins-query';
import { bucketBounds, isoInZone } from '../../src/time/buckets';
import { makeIndexSync } from './index-loader-v1';
import type { Metric } from './login-index-v1';
import { METRICS } from './login-index-v1';

async function main(): Promise<void> {
  const client = await connectMongo(process.env.MONGODB_URI ?? '');
  const cols = usageCollections(
    client,
    { db: 'bench_core4', collection: 'sys.log' },
    { db: process.env.BENCH_LOGIN_DB ?? 'bench_scale', collection: 'login' }
  );
  const sync = makeIndexSync(cols, pino({ level: 'silent' }));
  await sync.refresh();
  const app = Fastify();
  app.get('/health', async () => ({ status: 'ok', logins: sync.index.loginCount }));
  app.get<{ Querystring: LoginsParams }>('/api/v1/logins', async (request) => {
    const query = parseLoginsQuery(request.query, Date.now(), 10_000);
    const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz);
    const mask = query.users ? sync.index.userMask(query.users) : undefined;
    const metrics = query.metrics.filter((m): m is Metric => (METRICS as readonly string[]).includes(m));
    const counts = sync.index.count(bounds, query.start, query.end, metrics, mask);
    return {
      buckets: bounds.slice(0, -1).map((b, i) => ({
        start: isoInZone(b, query.tz),
        end: isoInZone(bounds[i + 1] ?? 0, query.tz),
        ...Object.fromEntries(metrics.map((m) => [m, counts[m][i] ?? 0])),
      })),
    };
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(`serve-v1: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
