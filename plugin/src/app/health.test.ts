import { healthResult } from './health';

describe('healthResult', () => {
  it("should name the data source's own timeout in a 504", () => {
    expect(healthResult(504, '', { timeoutS: 90 }).message).toMatch(/^The daemon did not answer within 90 s/);
  });
  it('should report OK with the data horizon', () => {
    expect(healthResult(200, { status: 'ok', dataUntil: '2026-11-27T12:00:00.000Z', checks: {} })).toEqual({
      status: 'success',
      message: 'OK: data complete up to 2026-11-27T12:00:00.000Z',
    });
  });
  it.each([
    // Grafana's proxy answers its own failures with an empty body (pkg/util/proxyutil/reverse_proxy.go).
    [
      502,
      '',
      "Could not connect to the daemon (HTTP 502 from Grafana's proxy): check the URL, port and TLS/CA settings (Grafana's server log names which failed), and that core4-usage serve is running",
    ],
    [
      504,
      '',
      "The daemon did not answer within 30 s (HTTP 504 from Grafana's proxy): raise Timeout in the data source settings, or ask for a shorter range or a coarser aggregate",
    ],
    [499, '', 'Cancelled (HTTP 499: the request was closed before the daemon answered)'],
    [0, undefined, 'No answer from Grafana (the browser could not reach it, or the request was aborted)'],
    // Grafana's proxy turns the daemon's 401 (no usable token) into this 400 (pkg/api/pluginproxy/ds_proxy.go).
    [
      400,
      'Authentication to data source failed',
      'Token missing: the daemon requires an API token and the data source sent none (Grafana\'s proxy reports this as "Authentication to data source failed"); set the API token in the data source settings',
    ],
    [
      401,
      { message: 'a bearer token is required' },
      'Token missing: the daemon requires an API token and the data source sent none (Grafana\'s proxy reports this as "Authentication to data source failed"); set the API token in the data source settings',
    ],
    [403, {}, "Token rejected: the daemon does not accept the data source's API token (HTTP 403); check the token"],
    [400, { message: 'start: must be before end' }, 'start: must be before end'],
    [
      503,
      {
        status: 'failing',
        checks: {
          database: { ok: false, message: 'database unreachable: connection refused' },
          job: { ok: true, message: '' },
        },
      },
      'MongoDB down: database unreachable: connection refused',
    ],
    [
      503,
      {
        status: 'failing',
        checks: {
          database: { ok: true, message: '' },
          job: { ok: false, message: 'job stale: last successful run 100000 s ago (limit 93600 s)' },
        },
      },
      'job stale: last successful run 100000 s ago (limit 93600 s)',
    ],
    // Without a valid token the daemon names the failing checks only.
    [503, { status: 'failing', failing: ['database'] }, 'MongoDB down (details need the API token)'],
    [503, { status: 'failing', failing: ['job', 'lease'] }, 'failing checks: job, lease (details need the API token)'],
    [500, {}, 'Unexpected answer from the daemon: HTTP 500'],
  ])('should explain HTTP %i precisely', (status, body, message) => {
    expect(healthResult(status, body)).toEqual({ status: 'error', message });
  });
});
