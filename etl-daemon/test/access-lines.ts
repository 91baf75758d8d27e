/**
 * core4's per-request access line as a fixture: the requests, and the sys.log documents core4 writes for them.
 * From core4/api/v1/application.py (release 1.0.10), CoreApplication._log, Tornado's log_function:
 *     meth("[%d] [%s %s] in [%.2fms] by [%s] from [%s]", handler.get_status(), handler.request.method,
 *          handler.request.path, request_time, handler.current_user, self.identifier, ...)
 * `meth` is the handler logger's info below 400, warning for 4xx, error for 5xx; the record's qual_name is the
 * handler class (core4/logger/filter.py: `record.obj.qual_name(short=True)`), hostname the serving host
 * (core4/logger/handler.py writes `hostname`, `identifier`, `username`, `epoch` with every record). The text
 * is formatted by Python itself, so `None` and `%.2f` are Python's.
 */
import { execFileSync } from 'node:child_process';

/** A handler: its qual_name (module and class; the module's first segment is the project), method and path. */
export type Handler = readonly [qualName: string, method: string, path: string];

export interface Request {
  at: number;
  status: number;
  handler: Handler;
  ms: number;
  user: string | null;
  host: string;
}

/** The lines as core4 writes them for `list`, formatted by Python with core4's format string. */
export function accessLines(list: readonly Request[]): string[] {
  const script = [
    'import json, sys',
    'fmt = "[%d] [%s %s] in [%.2fms] by [%s] from [%s]"',
    'print(json.dumps([fmt % (s, m, p, t, u, "6f1c0a2b") for s, m, p, t, u in json.load(sys.stdin)]))',
  ].join('\n');
  const input = list.map((r) => [r.status, r.handler[1], r.handler[2], r.ms, r.user]);
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: JSON.stringify(input) }).toString()
  ) as string[];
}

/** `meth`: the handler logger's info below 400, warning for 4xx, error for 5xx. */
export function level(status: number): { level: string; levelno: number } {
  if (status >= 500) return { level: 'ERROR', levelno: 40 };
  if (status >= 400) return { level: 'WARNING', levelno: 30 };
  return { level: 'INFO', levelno: 20 };
}

/** The sys.log documents of the requests, as core4's MongoDB log handler writes them. */
export function accessDocs(list: readonly Request[]): Record<string, unknown>[] {
  const lines = accessLines(list);
  return list.map((r, i) => ({
    created: new Date(r.at),
    message: lines[i],
    ...level(r.status),
    username: 'core4',
    hostname: r.host,
    identifier: `req-${i}`,
    qual_name: r.handler[0],
    epoch: r.at / 1000,
  }));
}
