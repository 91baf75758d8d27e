import { ByteBoundedCache } from '../core/bounded-cache';
import { bucketBounds } from '../time/buckets';
import type { IndexSync } from './index-loader';
import type { LoginsQuery } from './logins-query';
import { bucketsOf, countSeries, loginsHead, rangeKey } from './logins-query';
import { peopleKey } from './people';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/**
 * A range's answer up to its last bucket, which its end cuts: the next request whose end falls in that same
 * bucket (a relative range's refresh) is this text with its end and its last bucket counted again.
 */
interface Tail {
  /** The last bucket's bounds: an end in (from, to] cuts (or ends) it. */
  from: number;
  to: number;
  /** The answer's text before its `end` value, and from after it to the last bucket's item. */
  beforeEnd: string;
  afterEnd: string;
}

/**
 * /api/v1/logins answers as JSON text, kept in bounded caches until the index changes: whole answers by
 * query, the buckets a range holds whole, and each range's text up to its last bucket. A dashboard's relative
 * range moves its end on every refresh: only its first and last buckets change, so an answer is the kept run
 * of whole buckets with two buckets counted around it, and a refresh whose end stays in the same last bucket
 * is the kept text with that one bucket counted, not every bucket counted, labelled and serialised again.
 * Equal, character for character, to JSON.stringify(answerLogins(…)) (tested).
 */
export class LoginsAnswers {
  private readonly answers: ByteBoundedCache<string, string>;
  private readonly runs: ByteBoundedCache<string, string>;
  /** By the query without its end (rangeKey). */
  private readonly tails: ByteBoundedCache<string, Tail>;
  /**
   * Queries asked once: an answer is kept when its query comes a second time. A relative range's refreshes
   * are each asked once (the end moves), and keeping every one of them would only churn the cache.
   */
  private readonly askedOnce: ByteBoundedCache<string, true>;

  constructor(bytes: number) {
    const weigh = (body: string, key: string) => (body.length + key.length) * 2;
    // The runs keep their share: a range's whole buckets are what a refresh must not count again.
    this.answers = new ByteBoundedCache(bytes * 0.35, weigh);
    this.runs = new ByteBoundedCache(bytes * 0.45, weigh);
    this.tails = new ByteBoundedCache(
      bytes * 0.1,
      (tail, key) => (tail.beforeEnd.length + tail.afterEnd.length + key.length) * 2 + 64
    );
    this.askedOnce = new ByteBoundedCache(bytes * 0.1, (_, key) => key.length * 2 + 64);
  }

  async json(sync: Sync, query: LoginsQuery): Promise<string> {
    const generation = sync.index.generation;
    const dataUntil = sync.dataUntil();
    const range = rangeKey(query, generation, dataUntil);
    const key = `${range}|${query.end}`;
    const cached = this.answers.get(key);
    if (cached !== undefined) return cached;
    const body =
      (await this.fromTail(sync, query, range)) ??
      (await this.assemble(sync, query, { range, generation, dataUntil }));
    // Kept only when the index did not change while it was counted (a key names one generation), and only
    // for a query asked before.
    if (sync.index.generation !== generation) return body;
    if (this.askedOnce.get(key)) this.answers.set(key, body);
    else this.askedOnce.set(key, true);
    return body;
  }

  /** The answer from the tail of the same range with another end in the same last bucket, if kept. */
  private async fromTail(sync: Sync, query: LoginsQuery, range: string): Promise<string | undefined> {
    const tail = this.tails.get(range);
    if (!tail || query.end <= tail.from || query.end > tail.to) return undefined;
    const last = await bucketsJson(sync, query, [tail.from, tail.to]);
    return `${tail.beforeEnd}${new Date(query.end).toISOString()}${tail.afterEnd}${last}]}`;
  }

  /** The answer from its parts: the first bucket and the whole ones (kept), and the last one (counted). */
  private async assemble(
    sync: Sync,
    query: LoginsQuery,
    asked: { range: string; generation: number; dataUntil: Date | undefined }
  ): Promise<string> {
    const { range, generation, dataUntil } = asked;
    const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz, query.weekStart);
    const { i0, i1 } = wholeRun(bounds, query);
    // The first bucket cut by `start` and the whole ones are kept (a relative range moves only its end).
    const first = bounds.slice(0, i0 + 1);
    const before = [
      // A first bucket that `end` cuts too (a range inside one bucket) is counted each time.
      (first.at(-1) ?? 0) <= query.end
        ? await this.kept(sync, query, first, generation)
        : await bucketsJson(sync, query, first),
      await this.kept(sync, query, bounds.slice(i0, i1 + 1), generation),
    ].filter((part) => part !== '');
    const lastBounds = bounds.slice(i1);
    const last = await bucketsJson(sync, query, lastBounds);
    const head = JSON.stringify({ ...loginsHead(query, dataUntil), buckets: [] });
    const body = `${head.slice(0, -3)}[${[...before, last].filter((part) => part !== '').join(',')}]}`;
    if (last !== '' && sync.index.generation === generation) {
      // `"end":"` is the answer's first such text: only `start`, an ISO instant, comes before it.
      const at = head.indexOf('"end":"') + '"end":"'.length;
      const endLength = new Date(query.end).toISOString().length;
      const afterEnd = `${head.slice(at + endLength, -3)}[${before.join(',')}${before.length > 0 ? ',' : ''}`;
      const [from, to] = lastBounds as [number, number];
      this.tails.set(range, { from, to, beforeEnd: head.slice(0, at), afterEnd });
    }
    return body;
  }

  /**
   * The JSON of consecutive buckets that end by the query's end (the first one, cut by `start`, or those held
   * whole), kept for the generation it was counted at.
   */
  private async kept(sync: Sync, query: LoginsQuery, bounds: number[], generation: number): Promise<string> {
    if (bounds.length < 2) return '';
    const users = peopleKey(query);
    const from = Math.max(query.start, bounds[0] as number);
    const metrics = query.metrics.join(',');
    const { aggregate, tz, weekStart } = query;
    const key = [generation, aggregate, tz, weekStart, metrics, users, from, bounds.at(-1)].join('|');
    const cached = this.runs.get(key);
    if (cached !== undefined) return cached;
    const json = await bucketsJson(sync, query, bounds);
    if (sync.index.generation === generation) this.runs.set(key, json);
    return json;
  }
}

/** The buckets [i0, i1) that the range holds whole (those before and after are cut by start or end). */
function wholeRun(bounds: readonly number[], query: LoginsQuery): { i0: number; i1: number } {
  const n = bounds.length - 1;
  let i0 = 0;
  while (i0 < n && (bounds[i0] as number) < query.start) i0 += 1;
  let i1 = n;
  while (i1 > i0 && (bounds[i1] as number) > query.end) i1 -= 1;
  return { i0, i1 };
}

/** The buckets between consecutive `bounds` (a part of the query's), as JSON array items. */
async function bucketsJson(sync: Sync, query: LoginsQuery, bounds: number[]): Promise<string> {
  if (bounds.length < 2) return '';
  const first = bounds[0] as number;
  const last = bounds.at(-1) as number;
  const part = { ...query, start: Math.max(query.start, first), end: Math.min(query.end, last) };
  const buckets = bucketsOf(query, bounds, await countSeries(sync, part, bounds));
  return JSON.stringify(buckets).slice(1, -1);
}
