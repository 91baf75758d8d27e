import type { Logger } from 'pino';
import type { ChunkDoc, DayDoc, UsageCollections } from '../db/collections';
import type { DayParts } from '../db/day-doc';
import { chunkRuns, chunkTotal, dayVersion, summaryRuns } from '../db/day-doc';
import { timeLimit } from '../db/deployment';
import type { SummaryDoc } from '../db/day-summary';
import { decodeSummary } from '../db/day-summary';
import { readJob } from '../db/job-record';
import { NameDictionary, loadNames } from '../db/user-names';
import { DAY_MS, HOUR_MS, MINUTE_MS, SLOT_MS, SLOTS_PER_DAY } from '../core/units';
import { ByteBoundedCache } from '../core/bounded-cache';
import type { DaySlots } from '../core/day-slots';
import { buildDaySlots, idArray, mergeDaySlots } from '../core/day-slots';
import type { IndexLimits } from '../core/limits';
import { DEFAULT_INDEX_LIMITS } from '../core/limits';
import type { DayEvents, RawLogins, RawSlots } from './login-index';
import { LoginIndex } from './login-index';

/**
 * Day documents written this long before the newest one seen are re-checked. `writtenAt` is the MongoDB
 * server's time (never a writer host's), so this covers only the time between a writer reading the clock
 * and its switch, and the clocks of successive primaries after a failover.
 */
const WRITE_SKEW_MS = 5 * MINUTE_MS;
/** Summaries of about 220 KB a day at 55,000 logins a day: a batch holds a few MB of documents at a time. */
const LOAD_BATCH_DAYS = 32;
const SLOTS_PER_HOUR = HOUR_MS / SLOT_MS;

/** The index is not loaded yet: answered with 503 and Retry-After. */
export class IndexLoadingError extends Error {
  override name = 'IndexLoadingError';
  constructor(readonly progress: LoadProgress) {
    super(
      `the index is loading (${progress.loadedDays} of ${progress.totalDays ?? '?'} days); retry shortly`
    );
  }
}

/** A day changed between reading its summary and its logins, twice in a row: answered with 503. */
export class IndexBusyError extends Error {
  override name = 'IndexBusyError';
  constructor() {
    super('the days of this range are being rewritten; retry shortly');
  }
}

export interface LoadProgress {
  ready: boolean;
  loadedDays: number;
  /** Days the first load reads; undefined until the day documents are listed. */
  totalDays: number | undefined;
}

export interface IndexSync {
  index: LoginIndex;
  /** The job's `dataUntil` as of the last refresh: it describes what the index holds. */
  dataUntil(): Date | undefined;
  /** Loads the days whose current run changed since the last call; returns how many. */
  refresh(): Promise<number>;
  /** Ready once the first refresh has loaded every day; progress meanwhile. */
  progress(): LoadProgress;
  /** The logins of the given slots (global numbers) from home.login, as the index holds them now. */
  readSlots(slots: readonly number[]): Promise<RawSlots>;
  /**
   * Loads the current version of these UTC days (day numbers) now: a reader whose loaded version of a day
   * was replaced (its chunks deleted by the writer) moves on to the writer's instead of failing.
   */
  reloadDays(days: readonly number[]): Promise<void>;
  /** Stops loading between two batches and waits for the refresh in flight (shutdown). */
  close(): Promise<void>;
}

export type ChunkFields = Pick<ChunkDoc, 'day' | 'run' | 'hour' | 'part' | 'users' | 'u' | 't'>;

/**
 * Joins a day's chunks into one time-ordered list of logins. Each chunk is in time order and a run's chunks
 * follow each other by hour and part; an open day's segments are runs of their own that hold the same hours,
 * so when chunks of several runs interleave the logins are put in time order (stable: ties keep chunk order).
 */
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
  if (t.every((at, k) => k === 0 || at >= (t[k - 1] ?? 0))) return { day, users, u, t };
  const order = t.map((_, k) => k).sort((a, b) => (t[a] ?? 0) - (t[b] ?? 0));
  return { day, users, u: order.map((k) => u[k] ?? 0), t: order.map((k) => t[k] ?? 0) };
}

/** The chunk fields a reader of logins needs. */
export const CHUNK_FIELDS = { _id: 0, day: 1, run: 1, hour: 1, part: 1, users: 1, u: 1, t: 1 } as const;

export interface IndexSyncOptions {
  limits?: IndexLimits;
  /** Bytes of slot logins (range edges) kept between requests. */
  slotCacheBytes?: number;
}

/**
 * Keeps a LoginIndex in step with home.login by following the day documents: a day is (re)loaded when the
 * run its day document names changes, from that run's slot summary (or, for days written before summaries
 * existed, its chunks), so a day being rewritten is never read half old, half new. A day whose documents
 * are not all there yet is retried on the next refresh. The logins of a slot cut by a range edge are read
 * from that run's hour chunks when a request needs them.
 */
export function makeIndexSync(
  cols: UsageCollections,
  logger: Logger,
  options: IndexSyncOptions = {}
): IndexSync {
  const index = new LoginIndex(options.limits ?? DEFAULT_INDEX_LIMITS);
  const names = new NameDictionary();
  /** Index id of each dictionary id. */
  let toIndex = new Uint32Array(0);
  /** Per UTC day (ms): the version loaded and the documents that make it. */
  const loadedDays = new Map<number, { version: string; parts: DayParts }>();
  const slotCache = new ByteBoundedCache<string, RawLogins>(
    options.slotCacheBytes ?? 16 * 1024 * 1024,
    (raw) => raw.t.byteLength + raw.u.byteLength + 64
  );
  let watermark: Date | undefined;
  let dataUntil: Date | undefined;
  const progress: LoadProgress = { ready: false, loadedDays: 0, totalDays: undefined };
  let refreshing: Promise<number> | undefined;
  let closed = false;

  async function syncNames(): Promise<void> {
    const known = names.names.length;
    await loadNames(cols.names, names);
    if (names.names.length === known) return;
    const grown = new Uint32Array(names.names.length);
    grown.set(toIndex);
    for (let id = known; id < names.names.length; id += 1) grown[id] = index.userId(names.names[id] ?? '');
    toIndex = grown;
  }

  /** A stored summary with dictionary ids turned into index ids; undefined when an id is not known yet. */
  function withIndexIds(stored: { slots: DaySlots; maxId: number }): DaySlots | undefined {
    if (stored.maxId >= toIndex.length && stored.slots.ids.length > 0) return undefined;
    const ids = idArray(stored.slots.ids.length, index.userCount);
    const source = stored.slots.ids;
    for (let e = 0; e < source.length; e += 1) ids[e] = toIndex[source[e] ?? 0] ?? 0;
    return { ...stored.slots, ids };
  }

  /** Summarises a day from its chunks (days written before summaries existed). */
  function slotsFromChunks(day: Date, chunks: ChunkFields[]): DaySlots {
    const events = dayEventsFromChunks(day, chunks);
    const local = events.users.map((name) => index.userId(name));
    return buildDaySlots(
      events.t,
      Array.from(events.u, (u) => local[u] ?? 0)
    );
  }

  /** A day's stored summaries (its base and segments) joined into one; undefined when one is incomplete. */
  function decodeDay(
    d: DayDoc,
    summaries: readonly SummaryDoc[]
  ): { slots: DaySlots; maxId: number } | undefined {
    const key = d.day.getTime();
    const decoded: DaySlots[] = [];
    let maxId = 0;
    for (const { run, parts } of summaryRuns(d)) {
      const mine = summaries.filter((s) => s.day.getTime() === key && s.run === run);
      const stored = mine.length === parts ? decodeSummary(mine) : undefined;
      if (!stored) return undefined;
      decoded.push(stored.slots);
      maxId = Math.max(maxId, stored.maxId);
    }
    return decoded.length === 0 ? undefined : { slots: mergeDaySlots(decoded), maxId };
  }

  /**
   * Loads a batch of days; returns those loaded (the others are retried on the next refresh). A day is read
   * from its slot summaries, or from its chunks when it has none (stored before summaries existed) or when
   * they do not add up (parts left by a crashed `summarize` of an earlier version): chunks are the record,
   * summaries only their digest, so a day whose chunks are all there always loads.
   */
  async function loadBatch(batch: DayDoc[]): Promise<DayDoc[]> {
    const summarised = batch.filter((d) => summaryRuns(d).length > 0);
    const summaries = summarised.length
      ? ((await cols.summaries
          .find(
            {
              day: { $in: summarised.map((d) => d.day) },
              run: { $in: summarised.flatMap((d) => summaryRuns(d).map((r) => r.run)) },
            },
            { projection: { _id: 0 }, ...timeLimit(cols.summaries) }
          )
          .toArray()) as SummaryDoc[])
      : [];
    const decoded = new Map<number, { slots: DaySlots; maxId: number }>();
    for (const d of summarised) {
      const stored = decodeDay(d, summaries);
      if (stored) decoded.set(d.day.getTime(), stored);
    }
    const fromChunks = batch.filter((d) => !decoded.has(d.day.getTime()) && chunkTotal(d) > 0);
    const chunks = fromChunks.length
      ? ((await cols.chunks
          .find(
            { day: { $in: fromChunks.map((d) => d.day) }, run: { $in: fromChunks.flatMap(chunkRuns) } },
            { projection: CHUNK_FIELDS, ...timeLimit(cols.chunks) }
          )
          .toArray()) as ChunkFields[])
      : [];
    // A summary written after the dictionary was read names ids the index has not seen yet.
    if ([...decoded.values()].some((stored) => stored.maxId >= toIndex.length)) await syncNames();
    const complete: DayDoc[] = [];
    for (const d of batch) {
      const key = d.day.getTime();
      let slots: DaySlots | undefined;
      const stored = decoded.get(key);
      if (stored) {
        slots = withIndexIds(stored);
        if (!slots) continue;
      } else if (chunkTotal(d) > 0) {
        const runs = chunkRuns(d);
        const current = chunks.filter((c) => c.day.getTime() === key && runs.includes(c.run));
        if (current.length !== chunkTotal(d)) continue;
        slots = slotsFromChunks(d.day, current);
      }
      index.replaceDay(d.day, slots);
      // Recorded in the same synchronous step as the replacement: a request never sees one without the other.
      loadedDays.set(key, { version: dayVersion(d), parts: d });
      complete.push(d);
    }
    return complete;
  }

  async function load(): Promise<number> {
    // Read before the days, so the horizon never claims more than the days loaded below.
    const job = await readJob(cols.job);
    const filter = watermark ? { writtenAt: { $gte: new Date(watermark.getTime() - WRITE_SKEW_MS) } } : {};
    const dayDocs = await readDayDocs(filter);
    const changed = dayDocs.filter((d) => loadedDays.get(d.day.getTime())?.version !== dayVersion(d));
    for (const d of dayDocs) if (!watermark || d.writtenAt > watermark) watermark = d.writtenAt;
    if (!progress.ready) progress.totalDays = changed.length;
    await syncNames();
    let loaded = 0;
    // Days are loaded in batches, so that start-up holds one batch of documents at a time and requests
    // (health, 503s) are answered between batches.
    for (let i = 0; i < changed.length && !closed; i += LOAD_BATCH_DAYS) {
      const batch = changed.slice(i, i + LOAD_BATCH_DAYS);
      const complete = await loadBatch(batch);
      if (complete.length < batch.length) {
        logger.debug(
          { days: batch.length - complete.length },
          'days being rewritten; retrying on the next refresh'
        );
        watermark = undefined;
      }
      loaded += complete.length;
      if (!progress.ready) progress.loadedDays += batch.length;
    }
    if (loaded === changed.length) dataUntil = job?.dataUntil;
    const legacy = changed.filter((d) => d.summaries === undefined && d.chunks > 0).length;
    if (legacy > 0) {
      logger.warn(
        `${legacy} days were stored before slot summaries and were read login by login from their chunks; ` +
          '`core4-usage summarize` writes their summaries once, so that start-up reads summaries only'
      );
    }
    progress.ready = true;
    return loaded;
  }

  /** One refresh at a time: a second caller shares the one in flight (start-up and timers overlap). */
  function refresh(): Promise<number> {
    if (closed) return Promise.resolve(0);
    refreshing ??= load().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  function readDayDocs(filter: object): Promise<DayDoc[]> {
    return cols.days
      .find(filter, {
        projection: {
          _id: 0,
          day: 1,
          run: 1,
          chunks: 1,
          summaries: 1,
          summaryRun: 1,
          segments: 1,
          writtenAt: 1,
        },
        ...timeLimit(cols.days),
      })
      .toArray();
  }

  async function reloadDays(days: readonly number[]): Promise<void> {
    if (days.length === 0 || closed) return;
    const docs = await readDayDocs({ day: { $in: days.map((n) => new Date(n * DAY_MS)) } });
    await loadBatch(docs.filter((d) => loadedDays.get(d.day.getTime())?.version !== dayVersion(d)));
  }

  async function readDaySlots(
    dayNumber: number,
    slots: number[],
    out: Map<number, RawLogins>
  ): Promise<void> {
    const loaded = loadedDays.get(dayNumber * DAY_MS);
    if (loaded === undefined) return;
    const { version } = loaded;
    const wanted = slots.filter((slot) => {
      const hit = slotCache.get(`${slot}:${version}`);
      if (hit) out.set(slot, hit);
      return !hit;
    });
    if (wanted.length === 0) return;
    const hours = [...new Set(wanted.map((slot) => Math.floor((slot % SLOTS_PER_DAY) / SLOTS_PER_HOUR)))];
    const chunks = (await cols.chunks
      .find(
        { day: new Date(dayNumber * DAY_MS), run: { $in: chunkRuns(loaded.parts) }, hour: { $in: hours } },
        { projection: CHUNK_FIELDS, ...timeLimit(cols.chunks) }
      )
      .toArray()) as ChunkFields[];
    const events = dayEventsFromChunks(new Date(dayNumber * DAY_MS), chunks);
    const ids = events.users.map((name) => index.userId(name));
    for (const slot of wanted) {
      const lo = (slot % SLOTS_PER_DAY) * SLOT_MS;
      const t: number[] = [];
      const u: number[] = [];
      for (let k = 0; k < events.t.length; k += 1) {
        const at = events.t[k] ?? 0;
        if (at >= lo && at < lo + SLOT_MS) {
          t.push(at);
          u.push(ids[events.u[k] ?? 0] ?? 0);
        }
      }
      const raw = { t: Int32Array.from(t), u: Int32Array.from(u) };
      // Kept only if it is the slot the index summarises; otherwise the day changed under the request.
      if (loadedDays.get(dayNumber * DAY_MS)?.version === version && raw.t.length === index.slotLogins(slot))
        slotCache.set(`${slot}:${version}`, raw);
      out.set(slot, raw);
    }
  }

  async function readSlots(slots: readonly number[]): Promise<RawSlots> {
    const out = new Map<number, RawLogins>();
    const byDay = new Map<number, number[]>();
    for (const slot of slots) {
      const day = Math.floor(slot / SLOTS_PER_DAY);
      byDay.set(day, [...(byDay.get(day) ?? []), slot]);
    }
    for (const [day, list] of byDay) await readDaySlots(day, list, out);
    return out;
  }

  return {
    index,
    refresh,
    dataUntil: () => dataUntil,
    progress: () => ({ ...progress }),
    readSlots,
    reloadDays,
    close: async () => {
      closed = true;
      await refreshing?.catch(() => undefined);
    },
  };
}
