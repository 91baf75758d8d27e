import type { Logger } from 'pino';
import type { SelectorConfig } from '../config/config';
import type { RunStats, UsageCollections } from '../db/collections';
import { acquireLease, releaseLease, renewLease } from '../db/lease';
import { LeaseLostError, readJob, updateJobAsOwner } from '../db/job-record';
import { writeDay } from '../db/write-day';
import { recordRun } from '../db/run-history';
import { buildDayChunks } from '../etl/day-chunks';
import { readLogins } from '../etl/read-logins';
import type { LoginEvent } from '../etl/selector';
import { addUtcDays, utcDayLabel } from '../time/utc-day';
import type { ProgressListener } from './progress';
import type { RunArgs } from './resolve-range';
import { daysOf, resolveRange } from './resolve-range';

export interface RunDeps {
  cols: UsageCollections;
  selector: SelectorConfig;
  configStart: Date;
  leaseTtlMs: number;
  /** Identifies this process in the lease. */
  owner: string;
  now: () => Date;
  logger: Logger;
  onProgress?: ProgressListener | undefined;
  /** Aborting stops the run between two days (graceful shutdown). */
  signal?: AbortSignal | undefined;
}

export class RunAbortedError extends Error {
  override name = 'RunAbortedError';
  constructor() {
    super('run stopped by shutdown; the next run resumes from the checkpoint');
  }
}

export type RunOutcome =
  | { status: 'success'; runId: string; firstDay: Date; lastDay: Date; checkpoint: Date; stats: RunStats }
  | { status: 'skipped'; reason: string };

/** Pulls the events of one day off the time-ordered stream, leaving the first event of a later day. */
class DayReader {
  private pending: LoginEvent | undefined;
  constructor(private readonly source: AsyncGenerator<LoginEvent>) {}

  async take(dayEnd: Date): Promise<LoginEvent[]> {
    const events: LoginEvent[] = [];
    for (;;) {
      const next = this.pending ?? (await this.nextFromSource());
      this.pending = undefined;
      if (next === undefined) return events;
      if (next.created >= dayEnd) {
        this.pending = next;
        return events;
      }
      events.push(next);
    }
  }

  private async nextFromSource(): Promise<LoginEvent | undefined> {
    const result = await this.source.next();
    return result.done ? undefined : result.value;
  }
}

/**
 * One attempt of the job: take the lease, resolve the days, then extract → transform → load each UTC day
 * and checkpoint after it. Days are replaced whole (see writeDay), so a crash anywhere followed by a rerun
 * gives the same home.login as an uninterrupted run.
 */
export async function runOnce(
  deps: RunDeps,
  args: RunArgs,
  runId: string,
  attempt: number
): Promise<RunOutcome> {
  const { cols, owner, leaseTtlMs, now } = deps;
  if (!(await acquireLease(cols.job, owner, leaseTtlMs, now()))) {
    const holder = (await readJob(cols.job))?.lease;
    const reason = `another runner holds the lease (${holder?.owner ?? 'unknown'} until ${holder?.until.toISOString() ?? '?'})`;
    deps.logger.info({ runId }, `run skipped: ${reason}`);
    return { status: 'skipped', reason };
  }
  let leaseLost = false;
  const heartbeat = setInterval(
    () => {
      renewLease(cols.job, owner, leaseTtlMs, now()).then(
        (held) => {
          if (!held) leaseLost = true;
        },
        (error: unknown) => deps.logger.warn({ err: error, runId }, 'lease renewal failed; retrying')
      );
    },
    Math.max(1000, Math.floor(leaseTtlMs / 3))
  );
  try {
    return await processDays(deps, args, runId, attempt, () => leaseLost);
  } finally {
    clearInterval(heartbeat);
    await releaseLease(cols.job, owner).catch((error: unknown) =>
      deps.logger.warn({ err: error, runId }, 'could not release the lease; it expires by itself')
    );
  }
}

async function processDays(
  deps: RunDeps,
  args: RunArgs,
  runId: string,
  attempt: number,
  leaseLost: () => boolean
): Promise<RunOutcome> {
  const { cols, owner, now } = deps;
  const startedAt = now();
  const job = await readJob(cols.job);
  const range = resolveRange(args, {
    checkpoint: job?.checkpoint,
    configStart: deps.configStart,
    now: startedAt,
  });
  const days = daysOf(range);
  const log = deps.logger.child({ runId, attempt });
  log.info(
    `scope [${utcDayLabel(range.firstDay)}] - [${utcDayLabel(range.lastDay)}] = [${days.length}] days, checkpoint [${utcDayLabel(range.checkpoint)}]`
  );
  const lastRun = { id: runId, attempt, start: range.firstDay, end: range.lastDay, startedAt };
  await updateJobAsOwner(cols.job, owner, { state: 'running', lastRun }, startedAt);

  // Each attempt writes under its own id, so a retry never mistakes an earlier attempt's orphans for its own.
  const writeId = `${runId}.${attempt}`;
  const stats: RunStats = { days: 0, logins: 0, excluded: 0, malformed: 0 };
  const extractedAt = now();
  const to = addUtcDays(range.lastDay, 1);
  const reader = new DayReader(readLogins(cols, deps.selector, range.firstDay, to, stats));
  let checkpoint = range.checkpoint;
  let dataUntil = job?.dataUntil;
  for (const [index, day] of days.entries()) {
    if (leaseLost()) throw new LeaseLostError();
    if (deps.signal?.aborted) throw new RunAbortedError();
    const dayEnd = addUtcDays(day, 1);
    const events = await reader.take(dayEnd);
    const { chunks, summary } = buildDayChunks(day, events);
    const complete = dayEnd <= extractedAt;
    const src = { collection: cols.sysLogName, from: day, to: complete ? dayEnd : extractedAt };
    await writeDay(cols, { day, run: writeId, chunks, summary, complete, src, now: now() });
    stats.days += 1;
    stats.logins += summary.logins;
    if (day.getTime() === checkpoint.getTime()) {
      if (complete) checkpoint = dayEnd;
      dataUntil = src.to;
    }
    const progress = {
      fraction: (index + 1) / days.length,
      message: `work [${utcDayLabel(day)}] day [${index + 1}] of [${days.length}]: ${summary.logins} logins, ${summary.users} users`,
      done: index + 1,
      total: days.length,
    };
    await updateJobAsOwner(
      cols.job,
      owner,
      { checkpoint, ...(dataUntil ? { dataUntil } : {}), progress: { ...progress, at: now() } },
      now()
    );
    deps.onProgress?.(progress);
  }
  const finishedAt = now();
  await updateJobAsOwner(
    cols.job,
    owner,
    {
      state: 'idle',
      lastRun: { ...lastRun, finishedAt, result: 'success', stats },
      lastSuccessAt: finishedAt,
    },
    finishedAt
  );
  await recordRun(cols.runs, { ...lastRun, finishedAt, result: 'success', stats });
  log.info({ ...stats, durationMs: finishedAt.getTime() - startedAt.getTime() }, 'run finished');
  return { status: 'success', runId, firstDay: range.firstDay, lastDay: range.lastDay, checkpoint, stats };
}
