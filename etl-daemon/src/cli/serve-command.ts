import type { Config } from '../config/config';
import { startDaemon } from '../daemon';
import { logFormatFor, makeLogger } from '../logger';

/**
 * `core4-usage serve`: starts the daemon (src/daemon.ts) and stops it on SIGTERM or SIGINT. Without
 * MONGODB_URI the daemon starts an embedded server, writes demo data and runs the job first, so one command
 * shows the product working.
 */
export async function serveCommand(config: Config): Promise<void> {
  const logger = makeLogger(config.logLevel, logFormatFor(process.stderr, config.logFormat));
  const daemon = await startDaemon(config, logger);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info(`${signal}: shutting down`);
  await daemon.close();
}
