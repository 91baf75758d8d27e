import type { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { connectMongo } from '../db/connect';
import { ensureIndexes, usageCollections } from '../db/collections';
import { checkPatternsOnServer, hasCreatedIndex, missingIndexWarning, patternsOf } from '../db/check-source';
import type { RunArgs } from '../job/resolve-range';
import { logFormatFor, makeLogger } from '../logger';
import { CliError, EXIT } from './cli-error';
import { jobRunnerFromConfig } from '../job/runner-from-config';
import { progressView } from './progress-view';
import { utcDayLabel } from '../time/utc-day';

/** One source's run: progress on the terminal, then a one-line result. */
async function runSource(
  config: Config,
  { client, logger, args }: { client: MongoClient; logger: Logger; args: RunArgs }
): Promise<void> {
  const cols = usageCollections(client, config.sysLog, config.login, config.mongo, {
    sysRole: config.sysRole,
  });
  await ensureIndexes(cols);
  await checkPatternsOnServer(cols.sysLog, patternsOf(config.selector));
  if (!(await hasCreatedIndex(cols))) logger.warn(missingIndexWarning(cols.sysLogName));
  const runner = jobRunnerFromConfig(config, cols, logger);
  const view = progressView(process.stdout);
  const outcome = await runner.run(args, { onProgress: (p) => view.update(p) }).finally(() => view.done());
  if (outcome.status === 'skipped') throw new CliError(`skipped: ${outcome.reason}`, EXIT.skipped);
  const { stats } = outcome;
  process.stdout.write(
    `run ${outcome.runId} succeeded: ${stats.days} days [${utcDayLabel(outcome.firstDay)} - ${utcDayLabel(outcome.lastDay)}], ` +
      `${stats.logins} logins, ${stats.excluded} excluded, ${stats.malformed} malformed, ${stats.unwrapped} unwrapped; ` +
      `${stats.sourceDocs} sys.log documents read; checkpoint ${utcDayLabel(outcome.checkpoint)}\n`
  );
}

/** `core4-usage run`: a run of each source against MONGODB_URI, progress on the terminal, a line each. */
export async function runCommand(config: Config, args: RunArgs): Promise<void> {
  if (!config.mongodbUri) {
    throw new CliError(
      'MONGODB_URI is not set: `run` needs a database (`serve` starts an embedded one)',
      EXIT.usage
    );
  }
  const logger = makeLogger(config.logLevel, logFormatFor(process.stderr, config.logFormat));
  const client = await connectMongo(config.mongodbUri, config.mongo);
  try {
    // Each source in turn (USAGE_SOURCE may name several): its own collections, checkpoint and lease.
    for (const source of config.sources) {
      if (config.sources.length > 1) process.stdout.write(`source ${source.name}\n`);
      await runSource(
        { ...config, selector: source.selector, login: source.login },
        { client, logger, args }
      );
    }
  } finally {
    await client.close();
  }
}
