import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { UsageCollections } from '../db/collections';
import { serverClock } from '../db/server-clock';
import type { JobRunner } from './job-runner';
import { makeJobRunner } from './job-runner';

/** Names this process in the lease, so a held lease says which host and pid hold it. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface RunnerWiring {
  /** Where a run without checkpoint begins (default USAGE_START). */
  configStart?: Date;
  /** The process's shutdown signal: every run stops when it aborts. */
  shutdown?: AbortSignal;
}

/**
 * The job runner as `run` and `serve` configure it: selector, lease and retries from the configuration, this
 * process as the lease owner, the MongoDB server's time.
 */
export function jobRunnerFromConfig(
  config: Config,
  cols: UsageCollections,
  logger: Logger,
  { configStart = config.start, shutdown }: RunnerWiring = {}
): JobRunner {
  return makeJobRunner(
    {
      cols,
      selector: config.selector,
      configStart,
      leaseTtlMs: config.leaseTtlMs,
      closeAfterMs: config.closeAfterMs,
      ingestLagMs: config.ingestLagMs,
      owner: processOwner(),
      clock: serverClock(cols.db, cols.settings.maxTimeMS),
      logger,
    },
    { ...config.retry, ...(shutdown ? { shutdown } : {}) }
  );
}
