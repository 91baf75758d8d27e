import type { Logger } from 'pino';
import type { SelectorConfig } from '../etl/selector';
import type { RunStats, UsageCollections } from '../db/collections';
import type { LeaseHold } from '../db/lease';
import { acquireLease, releaseLease } from '../db/lease';
import { startHeartbeat } from './lease-heartbeat';
import { LeaseLostError, readJob, updateJobAsOwner } from '../db/job-record';
import type { Clock } from '../db/server-clock';
import { advanceHorizon, appendToDay, writeDay } from '../db/write-day';
import { storedDayIds, storedEvents, storedOpenDays } from '../db/stored-day';
import { summaryWithNames } from '../db/day-summary';
import { NameDictionary, loadNames } from '../db/user-names';
import { recordRun } from '../db/run-history';
import { buildDayChunks } from '../etl/day-chunks';
import { UNKNOWN_KEY } from '../etl/dimensions';
import { sourceKey } from '../etl/login-sources';
import { readLogins } from '../db/read-source';
import type { LoginEvent } from '../etl/selector';
import { addUtcDays, utcDayLabel } from '../time/utc-day';
import type { DayPlan, StoredOpenDay } from './plan-reads';
import { newLogins } from './new-logins';
import type { RolesState } from './refresh-roles';
import { refreshRoles } from './refresh-roles';
import { planReads } from './plan-reads';
import type { ProgressListener } from './progress';
import type { DayRange, RunArgs } from './resolve-range';
import { daysOf, resolveRange } from './resolve-range';

export interface RunDeps {
  cols: UsageCollections;
  selector: SelectorConfig;
  configStart: Date;
  leaseTtlMs: number;
  /** A UTC day is complete this long after it ends (late lines are read until then). */
  closeAfterMs: number;
  /** An open day's next run re-reads this much before the previous run's horizon. */
  ingestLagMs: number;
  /** Identifies this process in the lease. */
  owner: string;
  /** The MongoDB server's clock (serverClock) in production; every time a run writes comes from it. */
  clock: Clock;
  logger: Logger;
  onProgress?: ProgressListener | undefined;
  /** Aborting stops the run between two days (graceful shutdown). */
  signal?: AbortSignal | undefined;
  /**
   * The user dictionary as this process last read it, kept between runs (the runner keeps one): names are
   * only ever appended, so a run reads only the batches written since. A fresh one reads them all.
   */
  names?: NameDictionary | undefined;
  /** What the runner last warned of about sys.role, kept between runs (it warns once). */
  roles?: RolesState | undefined;
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
  constructor(private readonly source: AsyncGenerator<LoginEvent> | undefined) {}

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

  /** Ends the source early (an error or a lost lease mid-range): its cursor is closed on the server. */
  async close(): Promise<void> {
    await this.source?.return(undefined);
  }

  private async nextFromSource(): Promise<LoginEvent | undefined> {
    if (!this.source) return undefined;
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
  const { cols, owner, leaseTtlMs, clock } = deps;
  const hold = await acquireLease(cols.job, owner, leaseTtlMs, await clock());
  if (!hold) {
    const holder = (await readJob(cols.job))?.lease;
    const reason = `another runner holds the lease (${holder?.owner ?? 'unknown'} until ${holder?.until.toISOString() ?? '?'})`;
    deps.logger.info({ runId }, `run skipped: ${reason}`);
    return { status: 'skipped', reason };
  }
  const heartbeat = startHeartbeat(cols.job, hold, {
    ttlMs: leaseTtlMs,
    clock,
    logger: deps.logger.child({ runId }),
  });
  try {
    return await processDays(deps, hold, args, runId, attempt, () => heartbeat.lost());
  } finally {
    heartbeat.stop();
    await releaseLease(cols.job, hold).catch((error: unknown) =>
      deps.logger.warn({ err: error, runId }, 'could not release the lease; it expires by itself')
    );
  }
}

/** One attempt as it runs: its lease, ids, range, plan, reader and what it has counted so far. */
interface Attempt {
  hold: LeaseHold;
  runId: string;
  log: Logger;
  lastRun: { id: string; attempt: number; start: Date; end: Date; startedAt: Date };
  days: Date[];
  plan: ReturnType<typeof planReads>;
  run: RunContext;
  reader: DayReader;
  stats: RunStats;
  checkpoint: Date;
  dataUntil: Date | undefined;
}

async function processDays(
  deps: RunDeps,
  hold: LeaseHold,
  args: RunArgs,
  runId: string,
  attempt: number,
  leaseLost: () => boolean
): Promise<RunOutcome> {
  const state = await startAttempt(deps, { hold, args, runId, attempt });
  try {
    for (const [index, dayPlan] of state.plan.days.entries()) {
      if (leaseLost()) throw new LeaseLostError();
      if (deps.signal?.aborted) throw new RunAbortedError();
      await stepDay(deps, state, index, dayPlan);
    }
  } finally {
    await state.reader.close();
  }
  if (leaseLost()) throw new LeaseLostError();
  const roles = await refreshRoles(
    { ...deps, roles: deps.roles ?? { warned: undefined } },
    { set: state.run.writeId, fence: hold.fence }
  );
  return finishAttempt(deps, state, roles);
}

/** Resolves the days, marks the job running, plans the reads and opens the one sys.log read. */
async function startAttempt(
  deps: RunDeps,
  attempt: { hold: LeaseHold; args: RunArgs; runId: string; attempt: number }
): Promise<Attempt> {
  const { cols, clock } = deps;
  const { hold, runId } = attempt;
  // The run's horizon: lines stamped up to here are read now, and the next run re-reads from a little before.
  const startedAt = await clock();
  const job = await readJob(cols.job);
  const range = resolveRange(attempt.args, {
    checkpoint: job?.checkpoint,
    configStart: deps.configStart,
    now: startedAt,
  });
  const days = daysOf(range);
  const log = deps.logger.child({ runId, attempt: attempt.attempt });
  const lastRun = {
    id: runId,
    attempt: attempt.attempt,
    start: range.firstDay,
    end: range.lastDay,
    startedAt,
  };
  await updateJobAsOwner(cols.job, hold, { state: 'running', lastRun }, startedAt);
  const stats: RunStats = { days: 0, logins: 0, excluded: 0, malformed: 0, unwrapped: 0, sourceDocs: 0 };
  const selection = sourceKey(deps.selector.source, deps.selector.excludeUsers);
  const plan = await planAttempt(deps, { range, days, startedAt, selection });
  log.info(scopeMessage(range, days.length, plan.readFrom));
  const to = addUtcDays(range.lastDay, 1);
  const names = await loadNames(cols.names, deps.names ?? new NameDictionary());
  const reader = new DayReader(
    plan.readFrom ? readLogins(cols, deps.selector, plan.readFrom, to, stats) : undefined
  );
  // Each attempt writes under its own id, so a retry never mistakes an earlier attempt's orphans for its own.
  const run = { hold, writeId: `${runId}.${attempt.attempt}`, selection, startedAt, to, names };
  return {
    hold,
    runId,
    log,
    lastRun,
    days,
    plan,
    run,
    reader,
    stats,
    checkpoint: range.checkpoint,
    dataUntil: job?.dataUntil,
  };
}

/** Which days this attempt reads and writes, and from where it reads sys.log (job/plan-reads.ts). */
async function planAttempt(
  deps: RunDeps,
  attempt: { range: DayRange; days: Date[]; startedAt: Date; selection: string }
): Promise<ReturnType<typeof planReads>> {
  const { range, days, startedAt, selection } = attempt;
  return planReads(days, await storedOpenDays(deps.cols, range.firstDay, range.lastDay, selection), {
    extractedAt: startedAt,
    closeAfterMs: deps.closeAfterMs,
    ingestLagMs: deps.ingestLagMs,
  });
}

/** The original's scope line, and where this run reads sys.log from. */
function scopeMessage(range: DayRange, days: number, readFrom: Date | undefined): string {
  const label = `[${utcDayLabel(range.firstDay)}] - [${utcDayLabel(range.lastDay)}] = [${days}] days`;
  return (
    `scope ${label}, checkpoint [${utcDayLabel(range.checkpoint)}], ` +
    `reading sys.log from ${readFrom?.toISOString() ?? 'nowhere (nothing new)'}`
  );
}

/** Processes one planned day, moves the checkpoint past it when it is complete, and records the progress. */
async function stepDay(deps: RunDeps, state: Attempt, index: number, dayPlan: DayPlan): Promise<void> {
  const { day, complete } = dayPlan;
  const written = await processDay(deps, state.run, dayPlan, state.reader);
  if (written) {
    state.stats.days += 1;
    state.stats.logins += written.logins;
  }
  if (day.getTime() === state.checkpoint.getTime()) {
    if (complete) state.checkpoint = addUtcDays(day, 1);
    state.dataUntil = written ? written.until : state.dataUntil;
  }
  const total = state.days.length;
  const label = `work [${utcDayLabel(day)}] day [${index + 1}] of [${total}]`;
  const progress = {
    fraction: (index + 1) / total,
    message: written ? `${label}: ${written.logins} logins, ${written.users} users` : `${label}: nothing new`,
    done: index + 1,
    total,
  };
  // A written day already read the server's clock for its switch; the progress takes that instant.
  const now = written ? written.at : await deps.clock();
  const { checkpoint, dataUntil } = state;
  await updateJobAsOwner(
    deps.cols.job,
    state.hold,
    { checkpoint, ...(dataUntil ? { dataUntil } : {}), progress: { ...progress, at: now } },
    now
  );
  await deps.onProgress?.(progress);
}

/** Marks the job idle and successful, records the run, and says what it did. */
async function finishAttempt(deps: RunDeps, state: Attempt, roles: string): Promise<RunOutcome> {
  const finishedAt = await deps.clock();
  const { lastRun, stats } = state;
  const finished = { ...lastRun, finishedAt, result: 'success' as const, stats };
  await updateJobAsOwner(
    deps.cols.job,
    state.hold,
    { state: 'idle', lastRun: finished, lastSuccessAt: finishedAt },
    finishedAt
  );
  await recordRun(deps.cols.runs, finished);
  state.log.info(
    { ...stats, roles, durationMs: finishedAt.getTime() - lastRun.startedAt.getTime() },
    'run finished'
  );
  const { runId, checkpoint } = state;
  return { status: 'success', runId, firstDay: lastRun.start, lastDay: lastRun.end, checkpoint, stats };
}

/** What one day's write left: its logins and users, the horizon it read to, the server time of the write. */
interface DayWritten {
  logins: number;
  users: number;
  until: Date;
  at: Date;
}

interface RunContext {
  hold: LeaseHold;
  writeId: string;
  selection: string;
  startedAt: Date;
  to: Date;
  names: NameDictionary;
}

/**
 * Writes one day as planned; undefined when the plan leaves it as it is. An open day that a previous run
 * wrote is extended: only the logins that are new since then (late lines of the re-read window included) are
 * appended as a segment, and nothing when there are none. A day read whole (new, closing, or one whose stored
 * logins no longer match sys.log) is written whole, which also compacts an open day's segments when it closes.
 */
async function processDay(
  deps: RunDeps,
  run: RunContext,
  dayPlan: DayPlan,
  reader: DayReader
): Promise<DayWritten | undefined> {
  if (dayPlan.mode === 'unchanged') return undefined;
  const { day, complete } = dayPlan;
  const fresh = await reader.take(addUtcDays(day, 1));
  if (dayPlan.mode === 'tail' && canAppend(dayPlan.stored)) {
    const window = await storedEvents(deps.cols, dayPlan.stored, dayPlan.keepBefore);
    const diff = newLogins(window, fresh);
    if (diff.vanished === 0 && 'added' in diff) return appendDay(deps, run, dayPlan, diff.added);
    deps.logger.warn(
      { day: utcDayLabel(day), vanished: diff.vanished },
      'stored logins of an open day are no longer in sys.log; the day is rewritten whole'
    );
  }
  const kept =
    dayPlan.mode === 'tail'
      ? (await storedEvents(deps.cols, dayPlan.stored, day)).filter((e) => e.created < dayPlan.keepBefore)
      : [];
  return writeWholeDay(deps, run, { day, complete }, kept.length > 0 ? kept.concat(fresh) : fresh);
}

/** Days stored before appends existed (no `segments`) or before summaries are rewritten whole, once. */
function canAppend(stored: StoredOpenDay): boolean {
  return stored.parts.segments !== undefined && stored.parts.summaries !== undefined;
}

async function writeWholeDay(
  deps: RunDeps,
  run: RunContext,
  { day, complete }: { day: Date; complete: boolean },
  events: LoginEvent[]
): Promise<DayWritten> {
  const { chunks, summary } = buildDayChunks(day, events);
  const until = complete ? addUtcDays(day, 1) : run.startedAt;
  const src = { collection: deps.cols.sysLogName, from: day, to: until };
  const at = await deps.clock();
  const slots = await summaryWithNames(deps.cols.names, run.names, loginsOfDay(day, events), at);
  await writeDay(deps.cols, {
    day,
    run: run.writeId,
    fence: run.hold.fence,
    chunks,
    summary,
    slots,
    complete,
    src,
    selection: run.selection,
    now: at,
  });
  return { ...summary, until, at };
}

/** Appends an open day's new logins as a segment (or only moves its horizon when there are none). */
async function appendDay(
  deps: RunDeps,
  run: RunContext,
  dayPlan: Extract<DayPlan, { mode: 'tail' }>,
  added: LoginEvent[]
): Promise<DayWritten> {
  const { day, stored } = dayPlan;
  const until = run.startedAt;
  const src = { collection: deps.cols.sysLogName, from: day, to: until };
  const at = await deps.clock();
  const fence = run.hold.fence;
  if (added.length === 0) {
    await advanceHorizon(deps.cols, { day, run: stored.parts.run, fence, src, now: at });
    return { logins: 0, users: 0, until, at };
  }
  const slots = await summaryWithNames(deps.cols.names, run.names, loginsOfDay(day, added), at);
  const users = await storedDayIds(deps.cols, stored);
  for (const e of added) users.add(run.names.ids.get(e.user) ?? -1);
  const segment = `${run.writeId}.${day.getTime()}`;
  await appendToDay(deps.cols, {
    day,
    run: segment,
    fence,
    chunks: buildDayChunks(day, added).chunks,
    slots,
    logins: added.length,
    users: users.size,
    expected: { run: stored.parts.run, segments: stored.parts.segments?.length ?? 0 },
    src,
    now: at,
  });
  return { logins: added.length, users: users.size, until, at };
}

/** The logins of a day as the summary takes them: ms since the day began, names, handlers and hosts. */
function loginsOfDay(
  day: Date,
  events: readonly LoginEvent[]
): { t: number[]; names: string[]; keys: string[] } {
  return {
    t: events.map((e) => e.created.getTime() - day.getTime()),
    names: events.map((e) => e.user),
    keys: events.map((e) => e.key ?? UNKNOWN_KEY),
  };
}
