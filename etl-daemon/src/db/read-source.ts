import type { Document } from 'mongodb';
import type { SelectorConfig } from '../etl/selector';
import type { UsageCollections } from './collections';
import type { LoginEvent } from '../etl/selector';
import { extractLogin, sourceFilter, sourceProjection } from '../etl/selector';

export interface ReadCounters {
  excluded: number;
  malformed: number;
  unwrapped: number;
  /** Every document the query returned. */
  sourceDocs: number;
}

/**
 * Streams the logins of [from, to) from sys.log in time order, in one pass: one query for the whole range,
 * served by core4's `created` index on MongoDB, so a backfill costs one scan and not one per day. The
 * cursor is closed however the stream ends: exhausted, an error, or the consumer's `return()`.
 */
export async function* readLogins(
  cols: UsageCollections,
  selector: SelectorConfig,
  from: Date,
  to: Date,
  counters: ReadCounters
): AsyncGenerator<LoginEvent> {
  const cursor = cols.sysLog.find(sourceFilter(selector, from, to), {
    projection: sourceProjection(selector),
    sort: { created: 1 },
    batchSize: 5000,
    // Without core4's `created` index the sort is a blocking one: on MongoDB 5.0 it fails past 100 MB
    // unless it may spill to disk. The whole read is bounded by USAGE_SOURCE_MAX_TIME.
    allowDiskUse: true,
    maxTimeMS: cols.settings.sourceMaxTimeMS,
  });
  try {
    for await (const doc of cursor as AsyncIterable<Document>) {
      counters.sourceDocs += 1;
      const extracted = extractLogin(doc, selector);
      if (extracted.kind === 'login') {
        if (extracted.unwrapped) counters.unwrapped += 1;
        yield extracted.event;
      } else counters[extracted.kind] += 1;
    }
  } finally {
    await cursor.close();
  }
}
