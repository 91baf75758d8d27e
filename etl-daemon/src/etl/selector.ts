import type { Document, Filter } from 'mongodb';
import type { LoginRule, LoginSource } from './login-sources';
import { hasUserGroup } from './login-sources';
import { requestKey } from './dimensions';

/** Which sys.log lines are logins and where their user names are (USAGE_SOURCE…), and who never counts. */
export interface SelectorConfig {
  source: LoginSource;
  excludeUsers: string[];
}

/** One login as the job keeps it. */
export interface LoginEvent {
  user: string;
  created: Date;
  /** The request's handler and host (etl/dimensions.ts); absent: unknown, as for days stored before them. */
  key?: string;
}

export type Extracted =
  | { kind: 'login'; event: LoginEvent; unwrapped?: true }
  | { kind: 'excluded' }
  | { kind: 'malformed'; reason: string };

/** User names longer than this are treated as malformed: they would unbound the reporting documents. */
const MAX_USER_LENGTH = 256;

/**
 * core4 logs a password login's name as the repr of the compiled regex it searched with
 * (core4/api/v1/request/main.py: `username = re.compile(username, re.IGNORECASE)`), e.g.
 * `re.compile('Amy', re.IGNORECASE)`. Python's repr quotes with ' (or " when the text holds a '), escapes
 * backslashes and control characters, and cuts patterns over 200 characters (then the closing quote is
 * missing and this does not match).
 */
const COMPILED =
  /^re\.compile\((?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")(?:, ?re\.[A-Z]+(?:\|re\.[A-Z]+)*)?\)$/s;
const PY_ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/gs;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };

/**
 * The typed name inside `re.compile('…', …)`, case-folded (core4 matched it with re.IGNORECASE, so `Amy`
 * and `amy` are one person), or undefined when `raw` is not in that form.
 */
export function unwrapCompiledName(raw: string): string | undefined {
  const match = COMPILED.exec(raw);
  if (!match) return undefined;
  const literal = match[1] ?? match[2] ?? '';
  const text = literal.replace(PY_ESCAPE, (whole, x?: string, u?: string, big?: string, c?: string) => {
    const hex = x ?? u ?? big;
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    return (c !== undefined ? SIMPLE_ESCAPES[c] : undefined) ?? whole;
  });
  return text.toLowerCase();
}

function ruleFilter(rule: LoginRule): Document {
  return rule.qualName === undefined
    ? { message: { $regex: rule.message } }
    : { message: { $regex: rule.message }, qual_name: rule.qualName };
}

/**
 * The sys.log filter for [from, to), built only from validated configuration and Dates. Exclusions are
 * applied in `extractLogin`, so that a run can say how many logins it excluded.
 */
export function sourceFilter(selector: SelectorConfig, from: Date, to: Date): Filter<Document> {
  const created = { $gte: from, $lt: to };
  const rules = selector.source.rules;
  const [only] = rules;
  if (rules.length === 1 && only) return { created, ...ruleFilter(only) };
  return { created, $or: rules.map(ruleFilter) };
}

/** Only what extraction reads: the time, the message (to tell rules apart and read names), the fields. */
export function sourceProjection(selector: SelectorConfig): Document {
  // qual_name and hostname are each login's handler and host (etl/dimensions.ts).
  const projection: Document = { _id: 0, created: 1, message: 1, qual_name: 1, hostname: 1 };
  for (const rule of selector.source.rules) {
    if (!hasUserGroup(rule) && rule.userField !== undefined) projection[rule.userField] = 1;
  }
  return projection;
}

function fieldValue(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The rule a document was selected by, and the rule's match on its message (read once: the name comes from
 * it). A single rule without a string message is still that rule: its user field may name the user.
 */
function matchingRule(
  doc: Document,
  rules: readonly LoginRule[]
): { rule: LoginRule; match: RegExpExecArray | null } | undefined {
  const message: unknown = doc.message;
  if (typeof message !== 'string') {
    const [only] = rules;
    return rules.length === 1 && only ? { rule: only, match: null } : undefined;
  }
  for (const rule of rules) {
    if (rule.qualName !== undefined && rule.qualName !== doc.qual_name) continue;
    const match = rule.message.exec(message);
    if (match) return { rule, match };
  }
  return undefined;
}

/** Turns one matching sys.log document into a login, or says why it is not one. */
export function extractLogin(doc: Document, selector: SelectorConfig): Extracted {
  const created: unknown = doc.created;
  if (!(created instanceof Date) || Number.isNaN(created.getTime())) {
    return { kind: 'malformed', reason: 'created is not a date' };
  }
  const matched = matchingRule(doc, selector.source.rules);
  let user: unknown;
  if (matched === undefined) user = undefined;
  else if (hasUserGroup(matched.rule)) user = matched.match?.groups?.user;
  else if (matched.rule.userField !== undefined) user = fieldValue(doc, matched.rule.userField);
  if (typeof user !== 'string' || user.trim() === '') {
    return { kind: 'malformed', reason: 'no user name' };
  }
  const compiled = user.startsWith('re.compile(');
  const unwrapped = compiled ? unwrapCompiledName(user) : undefined;
  if (compiled && (unwrapped === undefined || unwrapped.trim() === '')) {
    return { kind: 'malformed', reason: 'unreadable re.compile(...) name' };
  }
  const name = unwrapped ?? user;
  if (name.length > MAX_USER_LENGTH) return { kind: 'malformed', reason: 'user name too long' };
  const excluded =
    unwrapped === undefined
      ? selector.excludeUsers.includes(name)
      : selector.excludeUsers.some((x) => x.toLowerCase() === name);
  if (excluded) return { kind: 'excluded' };
  const event = { user: name, created, key: requestKey(doc) };
  return unwrapped === undefined ? { kind: 'login', event } : { kind: 'login', event, unwrapped: true };
}
