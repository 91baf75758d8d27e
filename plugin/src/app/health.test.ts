import { healthResult } from './health';

describe('healthResult', () => {
  it('should report OK with the data horizon', () => {
    expect(healthResult(200, { status: 'ok', dataUntil: '2026-11-27T12:00:00.000Z', checks: {} })).toEqual({
      status: 'success',
      message: 'OK: data complete up to 2026-11-27T12:00:00.000Z',
    });
  });
  it.each([
    [502, undefined, 'Daemon unreachable: check the URL and that core4-usage serve is running'],
    [0, undefined, 'Daemon unreachable: check the URL and that core4-usage serve is running'],
    [401, { message: 'a bearer token is required' }, 'Token rejected: check the API token (the daemon answered 401)'],
    [403, {}, 'Token rejected: check the API token (the daemon answered 403)'],
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
    [500, {}, 'Unexpected answer from the daemon: HTTP 500'],
  ])('should explain HTTP %i precisely', (status, body, message) => {
    expect(healthResult(status, body)).toEqual({ status: 'error', message });
  });
});
