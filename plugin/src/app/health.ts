import type { TestDataSourceResponse } from '@grafana/data';
import { failureMessage } from './failures';

interface HealthBody {
  status?: string;
  dataUntil?: string | null;
}

/** Save & test's verdict from the daemon's /health answer (status code and body). */
export function healthResult(
  status: number,
  body: unknown,
  options: { timeoutS?: number } = {}
): TestDataSourceResponse {
  const health = (body ?? {}) as HealthBody;
  if (status === 200 && health.status === 'ok') {
    const horizon = health.dataUntil ? `data complete up to ${health.dataUntil}` : 'no data yet';
    return { status: 'success', message: `OK: ${horizon}` };
  }
  if (status === 200) {
    return { status: 'error', message: 'Unexpected answer from the daemon: HTTP 200 without status ok' };
  }
  return { status: 'error', message: failureMessage(status, body, options) };
}
