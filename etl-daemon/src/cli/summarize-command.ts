import type { Config } from '../config/config';
import { connectMongo } from '../db/connect';
import { ensureIndexes, usageCollections } from '../db/collections';
import { serverClock } from '../db/server-clock';
import { summarizeStoredDays } from '../job/summarize-stored';
import { logFormatFor, makeLogger } from '../logger';
import { CliError, EXIT } from './cli-error';
import { processOwner } from '../job/runner-from-config';

/** `core4-usage summarize`: slot summaries for days written before they existed (job/summarize-stored.ts). */
export async function summarizeCommand(config: Config): Promise<void> {
  if (!config.mongodbUri)
    throw new CliError('MONGODB_URI is not set: `summarize` needs a database', EXIT.usage);
  const logger = makeLogger(config.logLevel, logFormatFor(process.stderr, config.logFormat));
  const client = await connectMongo(config.mongodbUri, config.mongo);
  try {
    const cols = usageCollections(client, config.sysLog, config.login, config.mongo, {
      sysRole: config.sysRole,
    });
    await ensureIndexes(cols);
    const outcome = await summarizeStoredDays({
      cols,
      owner: processOwner(),
      leaseTtlMs: config.leaseTtlMs,
      clock: serverClock(cols.db, cols.settings.maxTimeMS),
      logger,
    });
    if (outcome.status === 'skipped') throw new CliError(`skipped: ${outcome.reason}`, EXIT.skipped);
    process.stdout.write(
      `summarized ${outcome.days} days stored before summaries existed` +
        (outcome.skippedDays > 0
          ? `; ${outcome.skippedDays} were being rewritten and keep their writer's summary`
          : '') +
        '\n'
    );
  } finally {
    await client.close();
  }
}
