import type { TestDataSourceResponse } from '@grafana/data';

interface HealthBody {
  status?: string;
  dataUntil?: string | null;
  checks?: Record<string, { ok: boolean; message: string }>;
}

/** Save & test's verdict from the daemon's /health answer (status code and body). */
export function healthResult(status: number, body: unknown): TestDataSourceResponse {
  const health = (body ?? {}) as HealthBody;
  if (status === 401 || status === 403) {
    return { status: 'error', message: 'Token rejected: check the API token (the daemon answered ' + status + ')' };
  }
  if (status === 502 || status === 504 || status === 0) {
    return { status: 'error', message: 'Daemon unreachable: check the URL and that core4-usage serve is running' };
  }
  if (status === 200 && health.status === 'ok') {
    const horizon = health.dataUntil ? `data complete up to ${health.dataUntil}` : 'no data yet';
    return { status: 'success', message: `OK: ${horizon}` };
  }
  if (status === 503 && health.checks) {
    const failed = Object.values(health.checks)
      .filter((c) => !c.ok)
      .map((c) => c.message);
    const database = health.checks.database;
    if (database && !database.ok) {
      return { status: 'error', message: `MongoDB down: ${database.message}` };
    }
    return { status: 'error', message: failed.join('; ') };
  }
  return { status: 'error', message: `Unexpected answer from the daemon: HTTP ${status}` };
}
