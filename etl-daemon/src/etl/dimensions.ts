/**
 * What a line says about the request beside who made it: the handler (core4's `qual_name`, the logger of the
 * line: `<module>.<Class>` of a request handler, core4/logger/filter.py), its project (the module's first
 * dotted segment: core4 names modules after their project) and the serving host (`hostname`). They are kept
 * per login as one key, `<handler><US><host>`, the project being derived from the handler; a line without
 * them (a custom source's, or a day stored before dimensions were kept) has the empty key.
 */

import type { RequestDimension } from '../contract/metrics';

/** The ASCII unit separator: neither Python qual_names nor host names hold it. */
const SEPARATOR = '\u001f';

/** The key of a line without handler and host: every login of a day stored before dimensions were kept. */
export const UNKNOWN_KEY = SEPARATOR;

/** Longer values are cut: they would unbound the stored documents (a qual_name is a module path and class). */
const MAX_VALUE_LENGTH = 200;

function clean(value: unknown): string {
  return typeof value === 'string' ? value.replaceAll(SEPARATOR, '').slice(0, MAX_VALUE_LENGTH) : '';
}

/** The key of a sys.log document's request: its `qual_name` and `hostname` (missing ones empty). */
export function requestKey(doc: { qual_name?: unknown; hostname?: unknown }): string {
  return `${clean(doc.qual_name)}${SEPARATOR}${clean(doc.hostname)}`;
}

/** The project of a handler: the first segment of its module path (`core4.api.v1…` is project `core4`). */
export function projectOf(handler: string): string {
  const dot = handler.indexOf('.');
  return dot < 0 ? handler : handler.slice(0, dot);
}

/** A key's values per dimension. */
export function keyValues(key: string): Record<RequestDimension, string> {
  const at = key.indexOf(SEPARATOR);
  const handler = at < 0 ? key : key.slice(0, at);
  const host = at < 0 ? '' : key.slice(at + 1);
  return { handler, project: projectOf(handler), host };
}
