import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { recordFailure } from '../db/job-record';
import { NameDictionary } from '../db/user-names';
import { recordRun } from '../db/run-history';
import { coerceError } from '../errors';
import type { ProgressListener } from './progress';
import type { RolesState } from './refresh-roles';
import type { RunArgs } from './resolve-range';
import { RangeArgumentError } from './resolve-range';
import type { RunDeps, RunOutcome } from './run-once';
import { RunAbortedError, runOnce } from './run-once';

export interface RunnerOptions {
  attempts: number;
  backoffMs: number;
  /** Waits between attempts; must reject when `signal` aborts (the default does). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * The process's shutdown: every run (start-up, scheduled, over HTTP) stops between two days and its
   * backoff ends at once when this aborts.
   */
  shutdown?: AbortSignal;
}

/** How one run is started: all optional. */
export interface RunOptions {
  onProgress?: ProgressListener | undefined;
  /** Stops this run (besides the runner's shutdown signal). */
  signal?: AbortSignal | undefined;
  /** Chosen by the caller when it must name the run before it starts (POST /api/v1/job/run answers it). */
  runId?: string | undefined;
}

export interface JobRunner {
  /** Runs now with retries; resolves `skipped` when a run is already going on here or elsewhere. */
  run(args: RunArgs, options?: RunOptions): Promise<RunOutcome>;
  isBusy(): boolean;
  /** Resolves when no run of this runner is in progress (shutdown waits for it). */
  idle(): Promise<void>;
}

/** A wait that ends early, rejecting, when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).then(() => undefined);
}

type RunnerDeps = Omit<RunDeps, 'onProgress' | 'signal'>;

/** One failed attempt as the job document and the run history record it. */
interface Failure {
  runId: string;
  attempt: number;
  startedAt: Date;
  error: Error;
  final: boolean;
  aborted: boolean;
}

/** Records a failed attempt on the job document and in the run history; a failure to record is only logged. */
async function recordAttemptFailure(deps: RunnerDeps, failure: Failure): Promise<void> {
  const { runId, attempt, startedAt, error, final, aborted } = failure;
  try {
    const finishedAt = await deps.clock();
    await recordFailure(deps.cols.job, { runId, attempt, error: error.message, final, aborted }, finishedAt);
    const result = aborted ? 'aborted' : 'failed';
    await recordRun(deps.cols.runs, {
      id: runId,
      attempt,
      startedAt,
      finishedAt,
      result,
      error: error.message,
    });
  } catch (recordError) {
    deps.logger.error({ err: recordError, runId }, 'could not record the failure');
  }
}

/** A run's last failure in the log: a shutdown as information, a rejected argument without a stack trace. */
function logFinal(deps: RunnerDeps, failure: Failure): void {
  const { error, runId, attempt } = failure;
  if (failure.aborted) deps.logger.info({ runId }, error.message);
  else if (error instanceof RangeArgumentError) deps.logger.warn({ runId }, `run rejected: ${error.message}`);
  else deps.logger.error({ err: error, runId, attempt }, 'run failed');
}

/** Runs one run's attempts until one succeeds, the last one fails, or shutdown stops it. */
async function attemptAll(
  deps: RunnerDeps & { names: NameDictionary; roles: RolesState; options: RunnerOptions },
  args: RunArgs,
  run: { onProgress: ProgressListener | undefined; signal: AbortSignal; runId: string }
): Promise<RunOutcome> {
  const { onProgress, signal, runId } = run;
  const { options, names, roles } = deps;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) throw new RunAbortedError();
    const startedAt = await deps.clock().catch(() => new Date());
    try {
      return await runOnce({ ...deps, names, roles, onProgress, signal }, args, runId, attempt);
    } catch (caught) {
      // Whatever failed once shutdown began (the client it used is being closed) is the shutdown.
      const error = signal.aborted ? new RunAbortedError() : coerceError(caught);
      // Bad arguments fail the same way every time, and a shutdown must not be retried.
      const aborted = error instanceof RunAbortedError;
      const final = attempt >= options.attempts || error instanceof RangeArgumentError || aborted;
      const failure = { runId, attempt, startedAt, error, final, aborted };
      await recordAttemptFailure(deps, failure);
      if (final) {
        logFinal(deps, failure);
        throw error;
      }
      const wait = options.backoffMs * 2 ** (attempt - 1);
      deps.logger.warn({ err: error, runId, attempt, retryInMs: wait }, 'run attempt failed; retrying');
      await sleep(wait, signal).catch(() => {
        if (signal.aborted) throw new RunAbortedError();
      });
    }
  }
}

/** Wraps runOnce with retries (exponential backoff) and one-run-at-a-time inside this process. */
export function makeJobRunner(deps: RunnerDeps, options: RunnerOptions): JobRunner {
  // Kept between runs: each run reads only the dictionary batches written since the previous one.
  const names = deps.names ?? new NameDictionary();
  const roles: RolesState = deps.roles ?? { warned: undefined };
  let current: Promise<unknown> | undefined;

  return {
    async run(args, { onProgress, signal, runId = randomUUID() } = {}) {
      if (current) return { status: 'skipped', reason: 'a run is already in progress in this process' };
      const signals = [signal, options.shutdown].filter((s): s is AbortSignal => s !== undefined);
      const stop = signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
      const running = attemptAll({ ...deps, names, roles, options }, args, {
        onProgress,
        signal: stop,
        runId,
      });
      current = running.catch(() => undefined);
      try {
        return await running;
      } finally {
        current = undefined;
      }
    },
    isBusy: () => current !== undefined,
    idle: async () => {
      await current;
    },
  };
}
