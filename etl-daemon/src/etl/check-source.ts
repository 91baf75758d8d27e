import type { BSONRegExp, Collection, Document } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { SelectorConfig } from '../config/config';
import { ConfigError } from '../config/config';
import type { UsageCollections } from '../db/collections';

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
 * Sends each pattern to the server once, on an empty range of the `created` index: MongoDB compiles a
 * `$regex` (PCRE) when it parses the query, so a pattern that JavaScript accepts and PCRE does not (`\u0041`,
 * for one) is a configuration error at start-up, naming the variable, instead of a failed run at 01:30.
 */
export async function checkPatternsOnServer(
  sysLog: Collection<Document>,
  checks: readonly PatternCheck[]
): Promise<void> {
  for (const { variable, pattern } of checks) {
    try {
      await sysLog
        .find({ created: { $lt: new Date(0) }, message: { $regex: pattern } }, { projection: { _id: 1 } })
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
    const indexes = await cols.sysLog.listIndexes().toArray();
    return indexes.some((index) => Object.keys((index as { key: Document }).key)[0] === 'created');
  } catch {
    return false;
  }
}
