/**
 * What went wrong, in words, from the status and body that reach the browser through Grafana's data-source
 * proxy. The proxy (Grafana's pkg/api/pluginproxy/ds_proxy.go) rewrites an upstream 401 into a 400 whose
 * plain body is "Authentication to data source failed", and answers 502 when it cannot reach the daemon.
 * The daemon answers 401 only when a request carries no usable bearer token and 403 when it carries a wrong
 * one, so behind the proxy that 400 means "token missing" and a 403 means "token rejected".
 */
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

export function failureMessage(status: number, body: unknown): string {
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
  if (status === 0 || status === 502 || status === 504) {
    return `Daemon unreachable (HTTP ${status || 'no answer'} from Grafana's proxy): check the URL and that core4-usage serve is running`;
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
