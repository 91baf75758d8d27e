import type { BSONRegExp, Collection, Document } from 'mongodb';
import { MongoServerError, ObjectId } from 'mongodb';
import type { SelectorConfig } from '../etl/selector';
import { ConfigError } from '../errors';
import type { UsageCollections } from './collections';
import { timeLimit } from './deployment';

/** A pattern the job will send as `$regex`, and the variable that set it. */
export interface PatternCheck {
  variable: string;
  pattern: RegExp | BSONRegExp;
}

export function patternsOf(selector: SelectorConfig): PatternCheck[] {
  const variable = selector.source.name === 'custom' ? 'USAGE_MESSAGE_REGEX' : 'USAGE_SOURCE';
  return selector.source.rules.map((rule) => ({ variable, pattern: rule.message }));
}

/**
 * Sends each pattern to the server once, with an `_id` no document has (an ObjectId this process just
 * made): MongoDB compiles a `$regex` (PCRE) when it parses the query, whatever plan then runs, and the `_id`
 * index answers the rest with one lookup, on any collection size, indexed on `created` or not. A pattern that
 * JavaScript accepts and PCRE does not (`\u0041`, for one) is a configuration error at start-up, naming the
 * variable, instead of a failed run at 01:30.
 */
export async function checkPatternsOnServer(
  sysLog: Collection<Document>,
  checks: readonly PatternCheck[]
): Promise<void> {
  for (const { variable, pattern } of checks) {
    try {
      await sysLog
        .find(
          { _id: new ObjectId(), message: { $regex: pattern } },
          { projection: { _id: 1 }, ...timeLimit(sysLog) }
        )
        .limit(1)
        .toArray();
    } catch (error) {
      if (!(error instanceof MongoServerError)) throw error;
      throw new ConfigError(
        `${variable}: MongoDB rejects the pattern '${pattern instanceof RegExp ? pattern.source : pattern.pattern}' (${error.message}); ` +
          'use syntax that both JavaScript and PCRE accept'
      );
    }
  }
}

/** core4 indexes `created`; without an index that starts with it, every run scans the whole of sys.log. */
export async function hasCreatedIndex(cols: UsageCollections): Promise<boolean> {
  try {
    const indexes = await cols.sysLog.listIndexes(timeLimit(cols.sysLog)).toArray();
    return indexes.some((index) => Object.keys((index as { key: Document }).key)[0] === 'created');
  } catch {
    return false;
  }
}

/** The warning `serve` and `run` log when sys.log has no index starting with `created`. */
export function missingIndexWarning(sysLogName: string): string {
  return (
    `${sysLogName} has no index starting with created: every run scans the whole collection; ` +
    `create one as core4 does: db.getSiblingDB('${sysLogName.split('.')[0]}').getCollection('${sysLogName.split('.').slice(1).join('.')}').createIndex({created: -1})`
  );
}
