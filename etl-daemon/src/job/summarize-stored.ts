import type { Logger } from 'pino';
import type { UsageCollections } from '../db/collections';
import { summaryWithNames } from '../db/day-summary';
import { acquireLease, releaseLease } from '../db/lease';
import type { Clock } from '../db/server-clock';
import { loadNames } from '../db/user-names';
import { notAfter } from '../db/write-day';
import type { ChunkFields } from '../query/index-loader';
import { CHUNK_FIELDS, dayEventsFromChunks } from '../query/index-loader';

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
 * `summaries`), from the chunks of its current run, under the job's lease: start-up then reads summaries
 * instead of every login of those days. A day rewritten meanwhile (its run changed, or a later lease
 * holder switched it) keeps what its writer wrote, and the summary written for the old run is removed.
 */
export async function summarizeStoredDays(deps: SummarizeDeps): Promise<SummarizeOutcome> {
  const { cols, clock } = deps;
  const hold = await acquireLease(cols.job, deps.owner, deps.leaseTtlMs, await clock());
  if (!hold) return { status: 'skipped', reason: 'another runner holds the lease' };
  let days = 0;
  let skippedDays = 0;
  try {
    const names = await loadNames(cols.names);
    const legacy = await cols.days
      .find({ summaries: { $exists: false } }, { projection: { _id: 0, day: 1, run: 1, chunks: 1 } })
      .sort({ day: 1 })
      .toArray();
    for (const d of legacy) {
      const chunks = (await cols.chunks
        .find({ day: d.day, run: d.run }, { projection: CHUNK_FIELDS })
        .toArray()) as ChunkFields[];
      if (chunks.length !== d.chunks) {
        skippedDays += 1;
        continue;
      }
      const events = dayEventsFromChunks(d.day, chunks);
      const now = await clock();
      const parts = await summaryWithNames(
        cols.names,
        names,
        { t: events.t, names: Array.from(events.u, (u) => events.users[u] ?? '') },
        now
      );
      const written = { day: d.day, run: d.run, fence: hold.fence, writtenAt: now };
      if (parts.length > 0) await cols.summaries.insertMany(parts.map((part) => ({ ...part, ...written })));
      const set = await cols.days.updateOne(
        { day: d.day, run: d.run, summaries: { $exists: false }, fence: notAfter(hold.fence) },
        { $set: { summaries: parts.length } }
      );
      if (set.matchedCount === 1) days += 1;
      else {
        await cols.summaries.deleteMany({ day: d.day, run: d.run, fence: hold.fence });
        skippedDays += 1;
      }
    }
  } finally {
    await releaseLease(cols.job, hold).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not release the lease; it expires by itself')
    );
  }
  return { status: 'done', days, skippedDays };
}
