import { ByteBoundedCache } from '../core/bounded-cache';
import { bucketBounds } from '../time/buckets';
import type { IndexSync } from './index-loader';
import type { LoginsQuery } from './logins-query';
import { answerKey, bucketsOf, countSeries, loginsHead } from './logins-query';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/**
 * /api/v1/logins answers as JSON text, kept in two bounded caches until the index changes: whole answers by
 * query, and the buckets a range holds whole. A dashboard's relative range moves its end on every refresh:
 * only its first and last buckets change, so an answer is the kept run of whole buckets with two buckets
 * counted around it, not every bucket counted, labelled and serialised again. Equal, character for
 * character, to JSON.stringify(answerLogins(…)) (tested).
 */
export class LoginsAnswers {
  private readonly answers: ByteBoundedCache<string, string>;
  private readonly runs: ByteBoundedCache<string, string>;
  /**
   * Queries asked once: an answer is kept when its query comes a second time. A relative range's refreshes
   * are each asked once (the end moves), and keeping every one of them would only churn the cache.
   */
  private readonly askedOnce: ByteBoundedCache<string, true>;

  constructor(bytes: number) {
    const weigh = (body: string, key: string) => (body.length + key.length) * 2;
    this.answers = new ByteBoundedCache(bytes * 0.45, weigh);
    this.runs = new ByteBoundedCache(bytes * 0.45, weigh);
    this.askedOnce = new ByteBoundedCache(bytes * 0.1, (_, key) => key.length * 2 + 64);
  }

  async json(sync: Sync, query: LoginsQuery): Promise<string> {
    const generation = sync.index.generation;
    const dataUntil = sync.dataUntil();
    const key = answerKey(query, generation, dataUntil);
    const cached = this.answers.get(key);
    if (cached !== undefined) return cached;
    const bounds = bucketBounds(query.start, query.end, query.aggregate, query.tz, query.weekStart);
    const { i0, i1 } = wholeRun(bounds, query);
    // The first bucket cut by `start` and the whole ones are kept (a relative range moves only its end).
    const first = bounds.slice(0, i0 + 1);
    const parts = [
      // A first bucket that `end` cuts too (a range inside one bucket) is counted each time.
      (first.at(-1) ?? 0) <= query.end
        ? await this.kept(sync, query, first, generation)
        : await bucketsJson(sync, query, first),
      await this.kept(sync, query, bounds.slice(i0, i1 + 1), generation),
      await bucketsJson(sync, query, bounds.slice(i1)),
    ].filter((part) => part !== '');
    const head = JSON.stringify({ ...loginsHead(query, dataUntil), buckets: [] });
    const body = `${head.slice(0, -3)}[${parts.join(',')}]}`;
    // Kept only when the index did not change while it was counted (a key names one generation), and only
    // for a query asked before.
    if (sync.index.generation !== generation) return body;
    if (this.askedOnce.get(key)) this.answers.set(key, body);
    else this.askedOnce.set(key, true);
    return body;
  }

  /**
   * The JSON of consecutive buckets that end by the query's end (the first one, cut by `start`, or those held
   * whole), kept for the generation it was counted at.
   */
  private async kept(sync: Sync, query: LoginsQuery, bounds: number[], generation: number): Promise<string> {
    if (bounds.length < 2) return '';
    const users = query.users ? JSON.stringify(query.users) : '';
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
