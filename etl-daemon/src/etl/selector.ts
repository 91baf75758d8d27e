import type { Document, Filter } from 'mongodb';
import type { SelectorConfig } from '../config/config';

/** One login as the job keeps it. */
export interface LoginEvent {
  user: string;
  created: Date;
}

export type Extracted =
  { kind: 'login'; event: LoginEvent } | { kind: 'excluded' } | { kind: 'malformed'; reason: string };

/** User names longer than this are treated as malformed: they would unbound the reporting documents. */
export const MAX_USER_LENGTH = 256;

export function userFromMessage(selector: SelectorConfig): boolean {
  return /\(\?<user>/.test(selector.messageRegex.source);
}

/**
 * The sys.log filter for [from, to), built only from validated configuration and Dates. Exclusions are
 * applied in `extractLogin`, so that a run can say how many logins it excluded.
 */
export function sourceFilter(selector: SelectorConfig, from: Date, to: Date): Filter<Document> {
  return { created: { $gte: from, $lt: to }, message: { $regex: selector.messageRegex } };
}

export function sourceProjection(selector: SelectorConfig): Document {
  return userFromMessage(selector)
    ? { _id: 0, created: 1, message: 1 }
    : { _id: 0, created: 1, [selector.userField]: 1 };
}

function fieldValue(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Turns one matching sys.log document into a login, or says why it is not one. */
export function extractLogin(doc: Document, selector: SelectorConfig): Extracted {
  const created: unknown = doc.created;
  if (!(created instanceof Date) || Number.isNaN(created.getTime())) {
    return { kind: 'malformed', reason: 'created is not a date' };
  }
  let user: unknown;
  if (userFromMessage(selector)) {
    const message: unknown = doc.message;
    user = typeof message === 'string' ? selector.messageRegex.exec(message)?.groups?.user : undefined;
  } else {
    user = fieldValue(doc, selector.userField);
  }
  if (typeof user !== 'string' || user.trim() === '') {
    return { kind: 'malformed', reason: 'no user name' };
  }
  if (user.length > MAX_USER_LENGTH) return { kind: 'malformed', reason: 'user name too long' };
  if (selector.excludeUsers.includes(user)) return { kind: 'excluded' };
  return { kind: 'login', event: { user, created } };
}
