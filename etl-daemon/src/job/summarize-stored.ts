import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { UsageCollections } from '../db/collections';
import { summaryWithNames } from '../db/day-summary';
import { acquireLease, releaseLease } from '../db/lease';
import { LeaseLostError } from '../db/job-record';
import type { Clock } from '../db/server-clock';
import { loadNames } from '../db/user-names';
import { attachSummary } from '../db/write-day';
import type { DayDoc } from '../db/collections';
import type { NameDictionary } from '../db/user-names';
import { readChunks, readUnsummarisedDays } from '../db/read-days';
import { dayEventsFromChunks } from '../etl/day-events';
import { UNKNOWN_KEY } from '../etl/dimensions';
import { startHeartbeat } from './lease-heartbeat';

export interface SummarizeDeps {
  cols: UsageCollections;
  owner: string;
  leaseTtlMs: number;
  clock: Clock;
  logger: Logger;
}

export type SummarizeOutcome =
  { status: 'done'; days: number; skippedDays: number } | { status: 'skipped'; reason: string };

/**
 * Writes the slot summary of every day stored before summaries existed (its day document has no
 * `summaries`), from the chunks of its current run, under the job's lease (renewed while it works): start-up
 * then reads summaries instead of every login of those days. Idempotent and crash-safe: each day's summary
 * is attached in one conditional update (db/write-day.ts, attachSummary), so a crash or a second run never
 * leaves a day with parts it does not name. A day rewritten meanwhile keeps what its writer wrote.
 */
export async function summarizeStoredDays(deps: SummarizeDeps): Promise<SummarizeOutcome> {
  const { cols, clock } = deps;
  const hold = await acquireLease(cols.job, deps.owner, deps.leaseTtlMs, await clock());
  if (!hold) return { status: 'skipped', reason: 'another runner holds the lease' };
  const heartbeat = startHeartbeat(cols.job, hold, { ttlMs: deps.leaseTtlMs, clock, logger: deps.logger });
  let days = 0;
  let skippedDays = 0;
  try {
    const names = await loadNames(cols.names);
    for (const d of await readUnsummarisedDays(cols)) {
      if (heartbeat.lost()) throw new LeaseLostError();
      if (await summarizeDay(deps, { day: d, names, fence: hold.fence })) days += 1;
      else skippedDays += 1;
    }
  } finally {
    heartbeat.stop();
    await releaseLease(cols.job, hold).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not release the lease; it expires by itself')
    );
  }
  return { status: 'done', days, skippedDays };
}

/** Writes one day's summary from the chunks of its run; false when they are not all there or the day changed. */
async function summarizeDay(
  deps: SummarizeDeps,
  work: { day: Pick<DayDoc, 'day' | 'run' | 'chunks'>; names: NameDictionary; fence: number }
): Promise<boolean> {
  const { cols, clock } = deps;
  const { day: d, names } = work;
  const chunks = await readChunks(cols, [d]);
  if (chunks.length !== d.chunks) return false;
  const events = dayEventsFromChunks(d.day, chunks);
  const now = await clock();
  const slots = await summaryWithNames(
    cols.names,
    names,
    {
      t: events.t,
      names: Array.from(events.u, (u) => events.users[u] ?? ''),
      keys: Array.from(events.k ?? [], (k) => events.keys?.[k] ?? UNKNOWN_KEY),
    },
    now
  );
  return attachSummary(cols, {
    day: d.day,
    run: d.run,
    summaryRun: `summary.${randomUUID()}`,
    fence: work.fence,
    slots,
    now,
  });
}
