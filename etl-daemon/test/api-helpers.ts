import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../src/config/config';
import { buildApp } from '../src/api/app';
import { cacheLimits } from '../src/core/limits';
import { makeMetrics } from '../src/api/metrics';
import { makeJobRunner } from '../src/job/job-runner';
import type { IndexSync } from '../src/query/index-loader';
import { makeIndexSync } from '../src/query/index-loader';
import type { TestDb } from './helpers';
import { DEFAULT_SELECTOR, fixedClock, runDeps, silentLogger } from './helpers';
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
  indexLimits: cacheLimits(48),
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
  return buildApp({
    cols: db.cols,
    sync,
    runner: metrics.instrument(runner),
    metrics,
    api: { ...API_DEFAULTS, ...options.api },
    leaseTtlMs: 60_000,
    configStart: deps.configStart,
    now: () => now,
    ping: options.ping ?? (async () => void (await db.client.db('admin').command({ ping: 1 }))),
    canonicalNames: hasCanonicalNames(selector.source),
  });
}
