/**
 * The requests this frontend-only data source really makes: through Grafana's data-source proxy, never
 * Grafana's backend endpoints (/api/datasources/uid/<uid>/health, /api/ds/query) that plugin-e2e waits for
 * by default.
 */
export const HEALTH_PATH = '/daemon/health';
export const LOGINS_PATH = '/daemon/api/v1/logins';

/** Matches a response of the data source proxy for `path` (any data source uid). */
export function viaProxy(path: string): RegExp {
  return new RegExp(`/api/datasources/proxy/uid/[^/]+${path.replace(/[/]/g, '\\/')}`);
}
