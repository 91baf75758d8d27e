/** The loader as it was before slot summaries (git 181462d): reads every chunk of home.login. Bench baseline. */
import type { Logger } from 'pino';
import type { ChunkDoc, DayDoc, UsageCollections } from '../../src/db/collections';
import { readJob } from '../../src/db/job-record';
import { HOUR_MS, MINUTE_MS } from '../../src/core/units';
import type { DayEvents } from './login-index-v1';
import { LoginIndex } from './login-index-v1';

/**
 * Day documents written this long before the newest one seen are re-checked. `writtenAt` is the MongoDB
 * server's time (never a writer host's), so this covers only the time between a writer reading the clock
 * and its switch, and the clocks of successive primaries after a failover.
 */
const WRITE_SKEW_MS = 5 * MINUTE_MS;
const LOAD_BATCH_DAYS = 16;

export interface IndexSync {
  index: LoginIndex;
  /** The job's `dataUntil` as of the last refresh: it describes what the index holds. */
  dataUntil(): Date | undefined;
  /** Loads the days whose current run changed since the last call; returns how many. */
  refresh(): Promise<number>;
}

type ChunkFields = Pick<ChunkDoc, 'day' | 'run' | 'hour' | 'part' | 'users' | 'u' | 't'>;

/** Joins a day's chunks (ordered by hour and part) into one time-ordered list of logins. */
export function dayEventsFromChunks(day: Date, chunks: readonly ChunkFields[]): DayEvents {
  const sorted = [...chunks].sort((a, b) => a.hour - b.hour || a.part - b.part);
  const users: string[] = [];
  const ids = new Map<string, number>();
  const u: number[] = [];
  const t: number[] = [];
  for (const chunk of sorted) {
    const local = chunk.users.map((name) => {
      let id = ids.get(name);
      if (id === undefined) {
        id = users.length;
        users.push(name);
        ids.set(name, id);
      }
      return id;
    });
    for (let i = 0; i < chunk.u.length; i += 1) {
      u.push(local[chunk.u[i] ?? 0] ?? 0);
      t.push(chunk.hour * HOUR_MS + (chunk.t[i] ?? 0));
    }
  }
  return { day, users, u, t };
}

/**
 * Keeps a LoginIndex in step with home.login by following the day documents: a day is (re)loaded when the
 * run its day document names changes, and only with that run's chunks, so a day being rewritten is never
 * read half old, half new. A day whose chunks are not all there yet is retried on the next refresh.
 */
export function makeIndexSync(cols: UsageCollections, logger: Logger): IndexSync {
  const index = new LoginIndex();
  const loadedRuns = new Map<number, string>();
  let watermark: Date | undefined;
  let dataUntil: Date | undefined;

  async function refresh(): Promise<number> {
    // Read before the days, so the horizon never claims more than the days loaded below.
    const job = await readJob(cols.job);
    const filter = watermark ? { writtenAt: { $gte: new Date(watermark.getTime() - WRITE_SKEW_MS) } } : {};
    const dayDocs = await cols.days
      .find(filter, { projection: { _id: 0, day: 1, run: 1, chunks: 1, writtenAt: 1 } })
      .toArray();
    const changed = dayDocs.filter((d) => loadedRuns.get(d.day.getTime()) !== d.run);
    for (const d of dayDocs) if (!watermark || d.writtenAt > watermark) watermark = d.writtenAt;
    if (changed.length === 0) {
      dataUntil = job?.dataUntil;
      return 0;
    }
    const complete: DayDoc[] = [];
    // Days are loaded in batches, so that start-up holds one batch of decoded documents at a time.
    for (let i = 0; i < changed.length; i += LOAD_BATCH_DAYS) {
      const batch = changed.slice(i, i + LOAD_BATCH_DAYS);
      const chunks = (await cols.chunks
        .find(
          { day: { $in: batch.map((d) => d.day) } },
          { projection: { _id: 0, day: 1, run: 1, hour: 1, part: 1, users: 1, u: 1, t: 1 } }
        )
        .toArray()) as ChunkFields[];
      const byDay = new Map<number, ChunkFields[]>();
      for (const chunk of chunks) {
        const key = chunk.day.getTime();
        const list = byDay.get(key) ?? [];
        list.push(chunk);
        byDay.set(key, list);
      }
      const updates: DayEvents[] = [];
      for (const d of batch) {
        const current = (byDay.get(d.day.getTime()) ?? []).filter((c) => c.run === d.run);
        if (current.length !== d.chunks) {
          logger.debug({ day: d.day }, 'day is being rewritten; retrying on the next refresh');
          watermark = undefined;
          continue;
        }
        updates.push(dayEventsFromChunks(d.day, current));
        complete.push(d);
      }
      index.replaceDays(updates);
    }
    for (const d of complete) loadedRuns.set(d.day.getTime(), d.run);
    if (complete.length === changed.length) dataUntil = job?.dataUntil;
    return complete.length;
  }

  return { index, refresh, dataUntil: () => dataUntil };
}
