import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { recordFailure } from '../db/job-record';
import { recordRun } from '../db/run-history';
import { coerceError } from '../errors';
import type { ProgressListener } from './progress';
import type { RunArgs } from './resolve-range';
import { RangeArgumentError } from './resolve-range';
import type { RunDeps, RunOutcome } from './run-once';
import { RunAbortedError, runOnce } from './run-once';

export interface RunnerOptions {
  attempts: number;
  backoffMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface JobRunner {
  /** Runs now with retries; resolves `skipped` when a run is already going on here or elsewhere. */
  run(
    args: RunArgs,
    onProgress?: ProgressListener,
    signal?: AbortSignal,
    runId?: string
  ): Promise<RunOutcome>;
  isBusy(): boolean;
}

/** Wraps runOnce with retries (exponential backoff) and one-run-at-a-time inside this process. */
export function makeJobRunner(
  deps: Omit<RunDeps, 'onProgress' | 'signal'>,
  options: RunnerOptions
): JobRunner {
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  let busy = false;

  async function attemptAll(
    args: RunArgs,
    onProgress: ProgressListener | undefined,
    signal: AbortSignal | undefined,
    runId: string
  ): Promise<RunOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const startedAt = await deps.clock().catch(() => new Date());
      try {
        return await runOnce({ ...deps, onProgress, signal }, args, runId, attempt);
      } catch (caught) {
        const error = coerceError(caught);
        // Bad arguments fail the same way every time, and a shutdown must not be retried.
        const aborted = error instanceof RunAbortedError;
        const final = attempt >= options.attempts || error instanceof RangeArgumentError || aborted;
        await deps
          .clock()
          .then(async (finishedAt) => {
            await recordFailure(
              deps.cols.job,
              { runId, attempt, error: error.message, final, aborted },
              finishedAt
            );
            await recordRun(deps.cols.runs, {
              id: runId,
              attempt,
              startedAt,
              finishedAt,
              result: aborted ? 'aborted' : 'failed',
              error: error.message,
            });
          })
          .catch((recordError: unknown) =>
            deps.logger.error({ err: recordError, runId }, 'could not record the failure')
          );
        if (final) {
          // A rejected argument is the caller's mistake, not a fault: no stack trace in the log.
          if (aborted) deps.logger.info({ runId }, error.message);
          else if (error instanceof RangeArgumentError)
            deps.logger.warn({ runId }, `run rejected: ${error.message}`);
          else deps.logger.error({ err: error, runId, attempt }, 'run failed');
          throw error;
        }
        const wait = options.backoffMs * 2 ** (attempt - 1);
        deps.logger.warn({ err: error, runId, attempt, retryInMs: wait }, 'run attempt failed; retrying');
        await sleep(wait);
      }
    }
  }

  return {
    async run(args, onProgress, signal, runId = randomUUID()) {
      if (busy) return { status: 'skipped', reason: 'a run is already in progress in this process' };
      busy = true;
      try {
        return await attemptAll(args, onProgress, signal, runId);
      } finally {
        busy = false;
      }
    },
    isBusy: () => busy,
  };
}
