import type { Config } from '../config/config';
import { formatNamespace } from '../config/namespace';
import { connectMongo, describeServer, redactUri } from '../db/connect';
import { ensureIndexes, usageCollections } from '../db/collections';
import { checkPatternsOnServer, hasCreatedIndex, patternsOf } from '../etl/check-source';
import { updateJob } from '../db/job-record';
import { buildApp } from '../api/app';
import { authEnabled } from '../api/auth';
import { makeMetrics } from '../api/metrics';
import { makeIndexSync } from '../query/index-loader';
import { writeDemoData } from '../demo/write-demo-data';
import type { EmbeddedMongo } from '../embedded/embedded-mongo';
import { startEmbeddedMongo } from '../embedded/embedded-mongo';
import { coerceError } from '../errors';
import { RunAbortedError } from '../job/run-once';
import { startSchedules } from '../job/schedule';
import { makeLogger } from '../logger';
import { jobRunnerFromConfig } from './job-runner-from-config';

/** The embedded default's demo: half a year, enough users for weekly and monthly shapes. */
const EMBEDDED_DEMO = { days: 180, users: 800, perDay: 600, seed: 4 };

/**
 * `core4-usage serve`: the scheduler and the HTTP API. Without MONGODB_URI it starts an embedded server,
 * writes demo data and runs the job first, so one command shows the product working.
 */
export async function serveCommand(config: Config): Promise<void> {
  const logger = makeLogger(config.logLevel);
  let embedded: EmbeddedMongo | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedMongo({ prefer: config.embedded });
    if (embedded.note) logger.warn(embedded.note);
    uri = embedded.uri;
  }
  const client = await connectMongo(uri);
  const cols = usageCollections(client, config.sysLog, config.login);
  logger.info(
    `connected to ${await describeServer(client)} at ${redactUri(uri)}${embedded ? ' (embedded)' : ''}; ` +
      `source ${cols.sysLogName}, target ${formatNamespace(config.login)}`
  );
  await ensureIndexes(cols);
  if (embedded) {
    const written = await writeDemoData(cols.sysLog, { ...EMBEDDED_DEMO, end: new Date() });
    logger.info(`embedded demo: wrote ${written} sys.log documents (${EMBEDDED_DEMO.days} days)`);
  }
  await checkPatternsOnServer(cols.sysLog, patternsOf(config.selector));
  if (!(await hasCreatedIndex(cols))) {
    logger.warn(
      `${cols.sysLogName} has no index starting with created: every run scans the whole collection`
    );
  }
  const runner = jobRunnerFromConfig(
    config,
    cols,
    logger,
    embedded ? new Date(Date.now() - EMBEDDED_DEMO.days * 86_400_000) : config.start
  );
  const sync = makeIndexSync(cols, logger);
  const metrics = makeMetrics({
    index: sync.index,
    job: cols.job,
    reportTimezone: config.api.reportTimezone,
    now: () => new Date(),
  });
  const instrumented = metrics.instrument(runner);
  const shutdown = new AbortController();
  const refreshIndex = () => {
    sync
      .refresh()
      .catch((error: unknown) => logger.warn({ err: coerceError(error) }, 'index refresh failed'));
  };
  const recordNextRun = () => {
    refreshIndex();
    const nextRunAt = schedules.nextRun();
    if (nextRunAt) {
      updateJob(cols.job, { nextRunAt }, new Date()).catch((error: unknown) =>
        logger.warn({ err: coerceError(error) }, 'could not record the next run time')
      );
    }
  };
  const schedules = startSchedules(instrumented, config.schedule, logger, recordNextRun);
  recordNextRun();
  let running: Promise<unknown> = Promise.resolve();
  if (config.schedule.runOnStart || embedded) {
    running = instrumented.run({}, undefined, shutdown.signal).catch((error: unknown) => {
      // A shutdown during the start-up run is already logged by the runner; anything else is a failure.
      if (!(error instanceof RunAbortedError))
        logger.error({ err: coerceError(error) }, 'start-up run failed');
    });
    if (embedded) await running;
  }
  const loaded = await sync.refresh();
  const refresher = setInterval(refreshIndex, config.api.indexRefreshMs);
  const app = await buildApp(
    {
      cols,
      sync,
      runner: instrumented,
      metrics,
      api: config.api,
      leaseTtlMs: config.leaseTtlMs,
      configStart: config.start,
      now: () => new Date(),
      ping: async () => {
        await client.db('admin').command({ ping: 1 });
      },
    },
    { loggerInstance: logger }
  );
  if (!authEnabled(config.api))
    logger.warn('no USAGE_READ_TOKEN or USAGE_ADMIN_TOKEN: the API is open to anyone who can reach it');
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    `serving ${address} (widget ${address}/, API docs ${address}/docs); ${loaded} days in the index, ` +
      `${sync.index.loginCount} logins; next scheduled run ${schedules.nextRun()?.toISOString() ?? 'none'}`
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal}: shutting down`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  schedules.stop();
  clearInterval(refresher);
  shutdown.abort();
  await app.close();
  await running;
  await client.close();
  await embedded?.stop();
}
