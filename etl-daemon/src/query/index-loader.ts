import type { Logger } from 'pino';
import type { DayDoc, UsageCollections } from '../db/collections';
import type { DayParts } from '../db/day-doc';
import { chunkRuns, chunkTotal, dayVersion, summaryRuns } from '../db/day-doc';
import type { StoredChunk } from '../etl/day-events';
import { readJob } from '../db/job-record';
import { readHandlerTitles } from '../db/sys-handler';
import { readChunks, readDayDocs, readSummaries } from '../db/read-days';
import { DAY_MS, MINUTE_MS } from '../core/units';
import type { IndexLimits } from '../core/limits';
import { DEFAULT_INDEX_LIMITS } from '../core/limits';
import type { RawSlots } from './login-index';
import { LoginIndex } from './login-index';
import { DictionaryMap } from './sync/dictionary-map';
import { SlotReader } from './sync/slot-reader';
import type { LoadedMembership } from './sync/membership';
import { syncMembership } from './sync/membership';
import type { IndexSlots, StoredSlots } from './sync/stored-day';
import { decodeDay, slotsFromChunks, withIndexIds } from './sync/stored-day';

/**
 * Day documents written this long before the newest one seen are re-checked. `writtenAt` is the MongoDB
 * server's time (never a writer host's), so this covers only the time between a writer reading the clock
 * and its switch, and the clocks of successive primaries after a failover.
 */
const WRITE_SKEW_MS = 5 * MINUTE_MS;
/** Summaries of about 220 KB a day at 55,000 logins a day: a batch holds a few MB of documents at a time. */
const LOAD_BATCH_DAYS = 32;
/** Background work after start-up runs in slices this long: a request waits at most about this for it. */
const PREPARE_SLICE_MS = 20;

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
  /** The groups read from sys.role as the last refresh found them stored; undefined: none stored. */
  membership(): LoadedMembership | undefined;
  /** Handler titles from core4's sys.handler (USAGE_HANDLERS) as the last refresh read them; empty: none. */
  handlerTitles(): ReadonlyMap<string, string>;
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

export interface IndexSyncOptions {
  limits?: IndexLimits & { keyFirstBytes?: number };
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
  const sync = new DaySync(cols, logger, options);
  return {
    index: sync.index,
    refresh: () => sync.refresh(),
    dataUntil: () => sync.dataUntil,
    membership: () => sync.membership,
    handlerTitles: () => sync.handlerTitles,
    progress: () => ({ ...sync.progress }),
    readSlots: (slots) => sync.slots.read(slots),
    reloadDays: (days) => sync.reloadDays(days),
    close: () => sync.close(),
  };
}

class DaySync {
  readonly index: LoginIndex;
  readonly slots: SlotReader;
  readonly progress: LoadProgress = { ready: false, loadedDays: 0, totalDays: undefined };
  dataUntil: Date | undefined;
  membership: LoadedMembership | undefined;
  handlerTitles: ReadonlyMap<string, string> = new Map();
  private readonly names: DictionaryMap;
  /** Per UTC day (ms): the version loaded and the documents that make it. */
  private readonly loadedDays = new Map<number, { version: string; parts: DayParts }>();
  private watermark: Date | undefined;
  private refreshing: Promise<number> | undefined;
  private closed = false;
  private keyFirstWarned = false;

  constructor(
    private readonly cols: UsageCollections,
    private readonly logger: Logger,
    options: IndexSyncOptions
  ) {
    const limits = options.limits ?? DEFAULT_INDEX_LIMITS;
    this.index = new LoginIndex(limits);
    this.names = new DictionaryMap(cols, (name) => this.index.userId(name));
    const loaded = (dayMs: number) => this.loadedDays.get(dayMs);
    this.slots = new SlotReader(
      { cols, index: this.index, loaded },
      options.slotCacheBytes ?? limits.slotCacheBytes
    );
  }

  /** One refresh at a time: a second caller shares the one in flight (start-up and timers overlap). */
  refresh(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.refreshing?.catch(() => undefined);
  }

  async reloadDays(days: readonly number[]): Promise<void> {
    if (days.length === 0 || this.closed) return;
    const docs = await readDayDocs(this.cols, { days: days.map((n) => new Date(n * DAY_MS)) });
    await this.loadBatch(docs.filter((d) => this.loadedDays.get(d.day.getTime())?.version !== dayVersion(d)));
  }

  private async load(): Promise<number> {
    // Read before the days, so the horizon never claims more than the days loaded below.
    const job = await readJob(this.cols.job);
    const since = this.watermark && new Date(this.watermark.getTime() - WRITE_SKEW_MS);
    const dayDocs = await readDayDocs(this.cols, { writtenSince: since });
    const changed = dayDocs.filter((d) => this.loadedDays.get(d.day.getTime())?.version !== dayVersion(d));
    for (const d of dayDocs)
      if (!this.watermark || d.writtenAt > this.watermark) this.watermark = d.writtenAt;
    if (!this.progress.ready) this.progress.totalDays = changed.length;
    this.membership = await syncMembership(this.cols, this.membership);
    this.handlerTitles = await this.readTitles();
    await this.names.sync();
    const loaded = await this.loadInBatches(changed);
    if (loaded === changed.length) this.dataUntil = job?.dataUntil;
    this.warnLegacy(changed);
    this.warnKeyFirstLetGo();
    if (!this.progress.ready) this.prepareInBackground();
    this.progress.ready = true;
    return loaded;
  }

  /** Says once that first requests by key passed USAGE_KEY_FIRST_MB (at start-up, or as keys came later). */
  private warnKeyFirstLetGo(): void {
    if (this.keyFirstWarned || this.index.keyFirstHeld) return;
    this.keyFirstWarned = true;
    this.logger.warn(
      `first requests by handler and host (${this.index.keyNames.length} keys of ${this.index.userCount} ` +
        'users, 4 bytes each) pass USAGE_KEY_FIRST_MB: not held; a filter or breakdown finds them by a pass ' +
        'over the days at its first ask'
    );
  }

  /**
   * Once serving: first requests by key (what a first `handler=` or breakdown would otherwise find on the spot,
   * one pass over every day) found in slices of PREPARE_SLICE_MS between requests.
   */
  private prepareInBackground(): void {
    const started = performance.now();
    let slices = 0;
    const step = () => {
      if (this.closed) return;
      slices += 1;
      if (!this.index.prepareKeyFirst(PREPARE_SLICE_MS)) setImmediate(step);
      else if (this.index.keyFirstHeld)
        this.logger.info(
          { ms: Math.round(performance.now() - started), slices },
          'first requests by handler and host found'
        );
      else this.warnKeyFirstLetGo();
    };
    setImmediate(step);
  }

  /**
   * Days are loaded in batches, so that start-up holds one batch of documents at a time and requests (health,
   * 503s) are answered between batches.
   */
  private async loadInBatches(changed: readonly DayDoc[]): Promise<number> {
    let loaded = 0;
    for (let i = 0; i < changed.length && !this.closed; i += LOAD_BATCH_DAYS) {
      const batch = changed.slice(i, i + LOAD_BATCH_DAYS);
      const complete = await this.loadBatch(batch);
      if (complete.length < batch.length) {
        this.logger.debug(
          { days: batch.length - complete.length },
          'days being rewritten; retrying on the next refresh'
        );
        this.watermark = undefined;
      }
      loaded += complete.length;
      if (!this.progress.ready) this.progress.loadedDays += batch.length;
    }
    return loaded;
  }

  /** sys.handler's titles; when it cannot be read, the ones read before (titles only label handlers). */
  private async readTitles(): Promise<ReadonlyMap<string, string>> {
    if (!this.cols.sysHandler) return this.handlerTitles;
    try {
      return await readHandlerTitles(this.cols.sysHandler);
    } catch (error) {
      this.logger.debug({ err: error }, 'handler titles not read; the ones read before are kept');
      return this.handlerTitles;
    }
  }

  private warnLegacy(changed: readonly DayDoc[]): void {
    const legacy = changed.filter((d) => d.summaries === undefined && d.chunks > 0).length;
    if (legacy === 0) return;
    this.logger.warn(
      `${legacy} days were stored before slot summaries and were read login by login from their chunks; ` +
        '`core4-usage summarize` writes their summaries once, so that start-up reads summaries only'
    );
  }

  /**
   * Loads a batch of days; returns those loaded (the others are retried on the next refresh). A day is read
   * from its slot summaries, or from its chunks when it has none (stored before summaries existed) or when
   * they do not add up (parts left by a crashed `summarize` of an earlier version): chunks are the record,
   * summaries only their digest, so a day whose chunks are all there always loads.
   */
  private async loadBatch(batch: readonly DayDoc[]): Promise<DayDoc[]> {
    const summarised = batch.filter((d) => summaryRuns(d).length > 0);
    const summaries = await readSummaries(this.cols, summarised);
    const decoded = new Map<number, StoredSlots>();
    for (const d of summarised) {
      const stored = decodeDay(d, summaries);
      if (stored) decoded.set(d.day.getTime(), stored);
    }
    const fromChunks = batch.filter((d) => !decoded.has(d.day.getTime()) && chunkTotal(d) > 0);
    const chunks = await readChunks(this.cols, fromChunks);
    // A summary written after the dictionary was read names ids the index has not seen yet.
    if ([...decoded.values()].some((stored) => stored.maxId >= this.names.toIndex.length))
      await this.names.sync();
    const complete: DayDoc[] = [];
    for (const d of batch) {
      const slots = this.slotsOf(d, decoded.get(d.day.getTime()), chunks);
      if (slots === false) continue;
      this.index.replaceDay(d.day, slots?.slots, undefined, slots?.dims);
      // Recorded in the same synchronous step as the replacement: a request never sees one without the other.
      this.loadedDays.set(d.day.getTime(), { version: dayVersion(d), parts: d });
      complete.push(d);
    }
    return complete;
  }

  /** A day's summary in index ids (undefined: the day is empty); false when its documents are not all there. */
  private slotsOf(
    d: DayDoc,
    stored: StoredSlots | undefined,
    chunks: readonly StoredChunk[]
  ): IndexSlots | undefined | false {
    if (stored) return withIndexIds(stored, this.names, this.index) ?? false;
    if (chunkTotal(d) === 0) return undefined;
    const key = d.day.getTime();
    const runs = chunkRuns(d);
    const current = chunks.filter((c) => c.day.getTime() === key && runs.includes(c.run));
    if (current.length !== chunkTotal(d)) return false;
    return slotsFromChunks(d.day, current, this.index);
  }
}
