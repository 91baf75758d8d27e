/**
 * What went wrong, in words, from the status and body that reach the browser through Grafana's data-source
 * proxy. The proxy (Grafana's pkg/api/pluginproxy/ds_proxy.go) rewrites an upstream 401 into a 400 whose
 * plain body is "Authentication to data source failed"; its error handler (pkg/util/proxyutil/reverse_proxy.go)
 * answers with an empty body: 502 when it could not connect (refused, DNS, TLS: its log says which), 504
 * when the daemon did not answer within the data source's timeout, 499 when the client went away.
 * The daemon answers 401 only when a request carries no usable bearer token and 403 when it carries a wrong
 * one, so behind the proxy that 400 means "token missing" and a 403 means "token rejected".
 */
import { DEFAULT_PROXY_TIMEOUT_S } from '../types';

export const PROXY_AUTH_FAILED = 'Authentication to data source failed';

interface DaemonBody {
  message?: string;
  checks?: Record<string, { ok: boolean; message: string }>;
  /** What /health tells a caller without a valid token: the names of the failing checks only. */
  failing?: string[];
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') {
    return body.trim();
  }
  const message = (body as DaemonBody | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The status Grafana's proxy gives a request its client cancelled (nginx's 499). */
export const CLIENT_CLOSED_REQUEST = 499;

export function failureMessage(status: number, body: unknown, options: { timeoutS?: number } = {}): string {
  const text = bodyText(body);
  if ((status === 400 && text === PROXY_AUTH_FAILED) || status === 401) {
    return (
      'Token missing: the daemon requires an API token and the data source sent none ' +
      `(Grafana's proxy reports this as "${PROXY_AUTH_FAILED}"); set the API token in the data source settings`
    );
  }
  if (status === 403) {
    return "Token rejected: the daemon does not accept the data source's API token (HTTP 403); check the token";
  }
  const proxied = proxyFailure(status, options);
  if (proxied) {
    return proxied;
  }
  const checks = (body as DaemonBody | undefined)?.checks;
  if (status === 503 && checks) {
    const database = checks.database;
    if (database && !database.ok) {
      return `MongoDB down: ${database.message}`;
    }
    return Object.values(checks)
      .filter((c) => !c.ok)
      .map((c) => c.message)
      .join('; ');
  }
  const failing = (body as DaemonBody | undefined)?.failing;
  if (status === 503 && Array.isArray(failing)) {
    return failing.includes('database')
      ? 'MongoDB down (details need the API token)'
      : `failing checks: ${failing.join(', ')} (details need the API token)`;
  }
  return text ? text : `Unexpected answer from the daemon: HTTP ${status}`;
}

/** The proxy's own failures (empty bodies), and no answer at all. */
function proxyFailure(status: number, options: { timeoutS?: number }): string | undefined {
  if (status === 502) {
    return (
      "Could not connect to the daemon (HTTP 502 from Grafana's proxy): check the URL, port and TLS/CA settings " +
      "(Grafana's server log names which failed), and that core4-usage serve is running"
    );
  }
  if (status === 504) {
    const seconds = options.timeoutS ?? DEFAULT_PROXY_TIMEOUT_S;
    return (
      `The daemon did not answer within ${seconds} s (HTTP 504 from Grafana's proxy): raise Timeout in the data ` +
      'source settings, or ask for a shorter range or a coarser aggregate'
    );
  }
  if (status === CLIENT_CLOSED_REQUEST) {
    return 'Cancelled (HTTP 499: the request was closed before the daemon answered)';
  }
  if (status === 0) {
    return 'No answer from Grafana (the browser could not reach it, or the request was aborted)';
  }
  return undefined;
}
