import type { FastifyInstance } from 'fastify';
import type { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { buildApp } from './api/app';
import type { ApiContext, ApiSource } from './api/context';
import type { UsageMetrics } from './api/metrics';
import { authEnabled } from './api/auth';
import { makeMetrics } from './api/metrics';
import { jobRunnerFromConfig } from './job/runner-from-config';
import type { Config, SourceConfig } from './config/config';
import { formatNamespace } from './db/namespace';
import type { UsageCollections } from './db/collections';
import { ensureIndexes, usageCollections } from './db/collections';
import { connectMongo, describeServer, pingMongo, redactUri } from './db/connect';
import { updateJob } from './db/job-record';
import { writeDemoData } from './demo/write-demo-data';
import type { EmbeddedMongo } from './embedded/embedded-mongo';
import { startEmbeddedMongo } from './embedded/embedded-mongo';
import { coerceError } from './errors';
import { checkPatternsOnServer, hasCreatedIndex, missingIndexWarning, patternsOf } from './db/check-source';
import type { JobRunner } from './job/job-runner';
import { RunAbortedError } from './job/run-once';
import { startSchedules } from './job/schedule';
import type { IndexSync } from './query/index-loader';
import { makeIndexSync } from './query/index-loader';
import { Releasers } from './releasers';
import { DAY_MS } from './core/units';
import { limitCalendarCaches } from './time/buckets';
import { hasCanonicalNames } from './etl/login-sources';

/** The embedded default's demo: half a year, enough users for weekly and monthly shapes. */
const EMBEDDED_DEMO = { days: 180, users: 800, perDay: 600, seed: 4 };

export interface Daemon {
  app: FastifyInstance;
  /** `http://host:port` it listens on. */
  address: string;
  sync: IndexSync;
  /** Resolves when the index has loaded (the embedded default: after its start-up run). */
  ready: Promise<void>;
  /** Stops everything in the reverse order of starting; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the daemon: MongoDB (embedded when no MONGODB_URI), the HTTP API listening at once, the schedules,
 * the index refresher, and the index's first load in the background (the API answers 503 "loading" until
 * it is ready). Every step that holds something registers its releaser, as graphile-worker does: close()
 * and a failed start run them last-in, first-out, so nothing is closed before what depends on it.
 */
export async function startDaemon(config: Config, logger: Logger): Promise<Daemon> {
  const releasers = new Releasers((name, error) =>
    logger.warn({ err: coerceError(error) }, `shutdown: ${name} failed to close`)
  );
  try {
    return await start(config, logger, releasers);
  } catch (error) {
    await releasers.releaseAll();
    throw error;
  }
}

/**
 * How long shutdown lets a run stop between two days, and the HTTP server finish its requests, before the
 * MongoDB client is closed under them (which fails whatever still waits on it, server selections included).
 * Orchestrators kill after 30 s; with both, shutdown takes at most about twice this.
 */
const SHUTDOWN_GRACE_MS = 3_000;

/** Resolves when `promise` settles or after `ms`, whichever comes first; never rejects. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise.then(noop, noop), late]).finally(() => clearTimeout(timer));
}

function noop(): void {
  return undefined;
}

/** What start-up shares between its phases. */
interface Startup {
  config: Config;
  logger: Logger;
  releasers: Releasers;
  /** Aborted first at shutdown: runs stop between days, backoffs end, schedules fire no more. */
  shutdown: AbortController;
  /** What must have ended before close() returns; awaited last, after the client is closed. */
  pending: Promise<unknown>[];
}

async function start(config: Config, logger: Logger, releasers: Releasers): Promise<Daemon> {
  const startup: Startup = { config, logger, releasers, shutdown: new AbortController(), pending: [] };
  releasers.add('work in flight', () => settledWithin(Promise.all(startup.pending), SHUTDOWN_GRACE_MS));
  const db = await openDatabase(startup);
  const configStart = db.embedded ? new Date(Date.now() - EMBEDDED_DEMO.days * DAY_MS) : config.start;
  const sources = wireSources(startup, db.sources, configStart);
  const first = sources[0] as WiredSource;
  const context: ApiContext = {
    cols: first.cols,
    sync: first.sync,
    runner: first.runner,
    sources,
    metrics: first.metrics,
    api: config.api,
    leaseTtlMs: config.leaseTtlMs,
    configStart,
    now: () => new Date(),
    ping: () => pingMongo(db.client, config.mongo),
    canonicalNames: first.canonicalNames,
  };
  const app = await buildApp(context, { loggerInstance: logger });
  releasers.add('HTTP server', () => {
    // A request waiting on an unreachable MongoDB would hold close() until its server selection times out:
    // give requests the grace, then let the client's close fail what is left.
    const closed = app.close();
    startup.pending.push(closed);
    return settledWithin(closed, SHUTDOWN_GRACE_MS);
  });
  const address = await listen(app, startup);
  const works = [];
  for (const [i, part] of sources.entries()) {
    const { cols, sync, plain: runner, runner: instrumented } = part;
    const scheduleName = i === 0 ? undefined : part.name;
    const embedded = db.embedded !== undefined;
    works.push(await startWork(startup, { cols, sync, runner, instrumented, embedded, scheduleName }));
  }
  const ready = Promise.all(works.map((w) => w.ready)).then(() => undefined);
  logger.info(
    `serving ${address} (widget ${address}/, API docs ${address}/docs); index loading; ` +
      `sources ${sources.map((s) => s.name).join(', ')}; next scheduled run ${works[0]?.nextRun?.toISOString() ?? 'none'}`
  );
  let closing: Promise<void> | undefined;
  return { app, address, sync: first.sync, ready, close: () => (closing ??= releasers.releaseAll()) };
}

/** A source as the daemon runs it: the API's view of it, its runner uninstrumented, and the metrics. */
type WiredSource = ApiSource & { plain: JobRunner; metrics: UsageMetrics };

/**
 * Each source its own job (and lease) and index; the first is the default of every query, and /metrics
 * describes it (its runs instrumented).
 */
function wireSources(
  { config, logger, shutdown }: Startup,
  opened: readonly { source: SourceConfig; cols: UsageCollections }[],
  configStart: Date
): WiredSource[] {
  const limits = config.api.indexLimits;
  limitCalendarCaches(limits.calendarCacheBytes);
  let metrics: UsageMetrics | undefined;
  return opened.map(({ source, cols }) => {
    const plain = jobRunnerFromConfig({ ...config, selector: source.selector }, cols, logger, {
      configStart,
      shutdown: shutdown.signal,
    });
    const sync = makeIndexSync(cols, logger, { limits });
    const first = metrics === undefined;
    metrics ??= makeMetrics({
      sync,
      job: cols.job,
      reportTimezone: config.api.reportTimezone,
      now: () => new Date(),
    });
    const runner = first ? metrics.instrument(plain) : plain;
    const canonicalNames = hasCanonicalNames(source.selector.source);
    return { name: source.name, cols, sync, runner, plain, metrics, canonicalNames };
  });
}

/** Listens on the configured port, warning first when the API is open. */
async function listen(app: FastifyInstance, { config, logger }: Startup): Promise<string> {
  if (!authEnabled(config.api))
    logger.warn('no USAGE_READ_TOKEN or USAGE_ADMIN_TOKEN: the API is open to anyone who can reach it');
  return app.listen({ port: config.port, host: config.host });
}

/** MongoDB (embedded when no MONGODB_URI, with its demo data), the collections, and the source checks. */
async function openDatabase({ config, logger, releasers }: Startup): Promise<{
  embedded: EmbeddedMongo | undefined;
  client: MongoClient;
  sources: { source: SourceConfig; cols: UsageCollections }[];
}> {
  const embedded = config.mongodbUri ? undefined : await startEmbeddedMongo({ prefer: config.embedded });
  if (embedded) {
    releasers.add('embedded MongoDB', () => embedded.stop());
    if (embedded.note) logger.warn(embedded.note);
  }
  const uri = config.mongodbUri ?? embedded?.uri ?? '';
  const client = await connectMongo(uri, config.mongo);
  releasers.add('MongoDB client', () => client.close());
  const sources = config.sources.map((source) => ({
    source,
    cols: usageCollections(client, config.sysLog, source.login, config.mongo, {
      sysRole: config.sysRole,
      sysHandler: config.sysHandler,
    }),
  }));
  const cols = (sources[0] as (typeof sources)[number]).cols;
  logger.info(
    `connected to ${await describeServer(client)} at ${redactUri(uri)}${embedded ? ' (embedded)' : ''}; ` +
      `source ${cols.sysLogName}, target ${config.sources.map((s) => `${formatNamespace(s.login)} (${s.name})`).join(', ')}`
  );
  for (const source of sources) await ensureIndexes(source.cols);
  if (embedded) {
    const demo = { ...EMBEDDED_DEMO, end: new Date() };
    const written = await writeDemoData(cols.sysLog, demo, undefined, cols);
    logger.info(`embedded demo: wrote ${written} sys.log documents (${EMBEDDED_DEMO.days} days)`);
  }
  for (const source of config.sources) await checkPatternsOnServer(cols.sysLog, patternsOf(source.selector));
  if (!(await hasCreatedIndex(cols))) logger.warn(missingIndexWarning(cols.sysLogName));
  return { embedded, client, sources };
}

/** The start-up run, the schedules, the index's first load and its refresher; each registers its releaser. */
async function startWork(
  startup: Startup,
  parts: {
    cols: UsageCollections;
    sync: IndexSync;
    runner: JobRunner;
    instrumented: JobRunner;
    embedded: boolean;
    /** Names the schedules of every source but the first. */
    scheduleName: string | undefined;
  }
): Promise<{ ready: Promise<void>; nextRun: Date | undefined }> {
  const { config, logger, releasers } = startup;
  const { sync, runner, instrumented } = parts;
  let running: Promise<unknown> = Promise.resolve();
  if (config.schedule.runOnStart || parts.embedded) {
    running = instrumented.run({}).catch((error: unknown) => {
      // A shutdown during the start-up run is already logged by the runner; anything else is a failure.
      if (!(error instanceof RunAbortedError))
        logger.error({ err: coerceError(error) }, 'start-up run failed');
    });
  }
  releasers.add('job runs', () => {
    startup.shutdown.abort();
    startup.pending.push(runner.idle());
    // A run stops between two days and releases its lease; one stuck on MongoDB ends when the client closes.
    return settledWithin(runner.idle(), SHUTDOWN_GRACE_MS);
  });
  // The embedded demo has nothing in home.login before its first run: the index loads after it (otherwise at
  // once). Until then no timer or scheduled run may load it, or it would be "ready" with no days.
  let loadAllowed = false;
  const refreshIndex = () => {
    if (!loadAllowed) return;
    sync
      .refresh()
      .catch((error: unknown) => logger.warn({ err: coerceError(error) }, 'index refresh failed'));
  };
  const schedules = await startRecordedSchedules(startup, parts, refreshIndex);
  const ready = (parts.embedded ? running : Promise.resolve())
    .then(() => {
      loadAllowed = true;
      return sync.refresh();
    })
    .then((loaded) => logger.info(indexReadyMessage(loaded, sync)));
  ready.catch((error: unknown) => logger.error({ err: coerceError(error) }, 'index load failed'));
  // Also retries a first load that failed (MongoDB unreachable at start): /health says "loading" meanwhile.
  const refresher = setInterval(refreshIndex, config.api.indexRefreshMs);
  releasers.add('index refresher', () => clearInterval(refresher));
  releasers.add('index load', () => {
    const closed = sync.close();
    startup.pending.push(closed);
    return settledWithin(closed, SHUTDOWN_GRACE_MS);
  });
  return { ready, nextRun: schedules.nextRun() };
}

/** The schedules, each firing refreshing the index and recording on the job document when the next run is. */
async function startRecordedSchedules(
  { config, logger, releasers }: Startup,
  parts: { cols: UsageCollections; instrumented: JobRunner; scheduleName: string | undefined },
  refreshIndex: () => void
): Promise<ReturnType<typeof startSchedules>> {
  /** The job document says when the next scheduled run is (the dashboard shows it). */
  const recordNextRun = async () => {
    const nextRunAt = schedules.nextRun();
    if (!nextRunAt) return;
    await updateJob(parts.cols.job, { nextRunAt }, new Date()).catch((error: unknown) =>
      logger.warn({ err: coerceError(error) }, 'could not record the next run time')
    );
  };
  const schedules = startSchedules(
    parts.instrumented,
    config.schedule,
    logger,
    () => {
      refreshIndex();
      void recordNextRun();
    },
    { source: parts.scheduleName }
  );
  releasers.add('schedules', () => schedules.stop());
  await recordNextRun();
  return schedules;
}

function indexReadyMessage(loaded: number, sync: IndexSync): string {
  const { index } = sync;
  return (
    `index ready: ${loaded} days, ${index.loginCount} logins, ${index.userCount} users, ` +
    `${Math.round(index.bytes / 1e6)} MB`
  );
}
