import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../src/config/config';
import { buildApp } from '../src/api/app';
import { DEFAULT_KEY_FIRST_MB, cacheLimits } from '../src/core/limits';
import { makeMetrics } from '../src/api/metrics';
import { makeJobRunner } from '../src/job/job-runner';
import type { IndexSync } from '../src/query/index-loader';
import { makeIndexSync } from '../src/query/index-loader';
import type { TestDb } from './helpers';
import { DEFAULT_SELECTOR, fixedClock, runDeps, silentLogger } from './helpers';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import type { SelectorConfig } from '../src/etl/selector';
import { hasCanonicalNames } from '../src/etl/login-sources';

export const API_DEFAULTS: ApiConfig = {
  readToken: undefined,
  adminToken: undefined,
  openHealth: true,
  openMetrics: true,
  maxBuckets: 10_000,
  reportTimezone: 'UTC',
  indexRefreshMs: 15_000,
  healthMaxAgeMs: 26 * 3_600_000,
  indexLimits: { ...cacheLimits(48), keyFirstBytes: DEFAULT_KEY_FIRST_MB * 1024 * 1024 },
  rateLimitPerMinute: 0,
};

/** The real app on the test database, after a job run over whatever sys.log holds. */
export async function buildTestApp(
  db: TestDb,
  now: Date,
  options: {
    api?: Partial<ApiConfig>;
    ping?: () => Promise<void>;
    runFrom?: string;
    /** An index the test loads itself (for the loading state); else one loaded before the app is built. */
    sync?: IndexSync;
    /** Which lines the run counts (default the seed's convention). */
    selector?: SelectorConfig;
    /**
     * More sources beside the first (named by its selector), as USAGE_SOURCE with several presets makes them: each its
     * own collections (`<login>.<name>`), run from `runFrom`, and its own index.
     */
    moreSources?: { name: string; selector: SelectorConfig }[];
  } = {}
): Promise<FastifyInstance> {
  const selector = options.selector ?? DEFAULT_SELECTOR;
  const deps = runDeps(db.cols, { clock: fixedClock(now), selector });
  const runner = makeJobRunner(deps, { attempts: 1, backoffMs: 0 });
  if (options.runFrom) await runner.run({ start: options.runFrom });
  const sync = options.sync ?? makeIndexSync(db.cols, silentLogger);
  if (!options.sync) await sync.refresh();
  const metrics = makeMetrics({
    sync,
    job: db.cols.job,
    reportTimezone: options.api?.reportTimezone ?? 'UTC',
    now: () => now,
  });
  const instrumented = metrics.instrument(runner);
  const first = {
    name: selector.source.name,
    cols: db.cols,
    sync,
    runner: instrumented,
    canonicalNames: hasCanonicalNames(selector.source),
  };
  const more = [];
  for (const source of options.moreSources ?? []) {
    const cols = usageCollections(
      db.client,
      { db: db.sysDb, collection: 'sys.log' },
      { db: db.loginDb, collection: `login.${source.name}` }
    );
    await ensureIndexes(cols);
    const own = makeJobRunner(runDeps(cols, { clock: fixedClock(now), selector: source.selector }), {
      attempts: 1,
      backoffMs: 0,
    });
    if (options.runFrom) await own.run({ start: options.runFrom });
    const ownSync = makeIndexSync(cols, silentLogger);
    await ownSync.refresh();
    more.push({
      name: source.name,
      cols,
      sync: ownSync,
      runner: own,
      canonicalNames: hasCanonicalNames(source.selector.source),
    });
  }
  return buildApp({
    ...(more.length > 0 ? { sources: [first, ...more] } : {}),
    cols: db.cols,
    sync,
    runner: instrumented,
    metrics,
    api: { ...API_DEFAULTS, ...options.api },
    leaseTtlMs: 60_000,
    configStart: deps.configStart,
    now: () => now,
    ping: options.ping ?? (async () => void (await db.client.db('admin').command({ ping: 1 }))),
    canonicalNames: hasCanonicalNames(selector.source),
  });
}

/** A GET answered by the app: its status, its body as text, and the body parsed (checked field by field). */
export async function getFrom(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  return { status: response.statusCode, body: response.body, json: (): any => response.json() };
}
