/**
 * The data source's handling of what Grafana's BackendSrv hands it for a request the proxy reports as closed
 * by its client: 499 (pkg/util/proxyutil/reverse_proxy.go StatusClientClosedRequest), or a FetchError with
 * `cancelled` (public/app/core/services/backend_srv.ts, when a newer request of the same requestId wins). A
 * cancelled query is neither an error nor data.
 */
import { type DataQueryRequest, type DataSourceInstanceSettings, dateTime } from '@grafana/data';
import type { BackendSrv, FetchError, TemplateSrv } from '@grafana/runtime';
import { lastValueFrom, of, throwError } from 'rxjs';
import { DataSource } from './datasource';
import type { UsageOptions, UsageQuery } from './types';

const OPENAPI = {
  paths: {
    '/api/v1/users': { get: { parameters: [{ name: 'limit', in: 'query', schema: { maximum: 10000 } }] } },
    '/api/v1/retention': {
      get: { parameters: [{ name: 'periods', in: 'query', schema: { minimum: 1, maximum: 400, default: 12 } }] },
    },
  },
};

function failing(error: Partial<FetchError>): BackendSrv {
  return {
    fetch: (options: { url: string }) =>
      options.url.endsWith('/openapi.json')
        ? of({ data: OPENAPI, status: 200 })
        : throwError(() => ({ data: '', config: options, ...error })),
  } as unknown as BackendSrv;
}

function request(): DataQueryRequest<UsageQuery> {
  return {
    requestId: 'r',
    range: { from: dateTime(0), to: dateTime(86_400_000), raw: { from: 'a', to: 'b' } },
    intervalMs: 3_600_000,
    scopedVars: {},
    timezone: 'utc',
    targets: [{ refId: 'A', metric: 'users', aggregate: 'day' }],
  } as unknown as DataQueryRequest<UsageQuery>;
}

const settings = { url: '/api/datasources/proxy/uid/x', jsonData: {} } as DataSourceInstanceSettings<UsageOptions>;
const templateSrv = { replace: (text: string) => text, getVariables: () => [] } as unknown as TemplateSrv;

describe('DataSource.query and cancelled requests', () => {
  it.each([
    ['a 499 from the proxy', { status: 499 }],
    ["BackendSrv's cancelled FetchError", { status: -1, cancelled: true }],
  ])('should treat %s as a cancelled query: no error, no frame', async (_what, error) => {
    const ds = new DataSource(settings, templateSrv, () => failing(error));
    expect(await lastValueFrom(ds.query(request()))).toEqual({ data: [] });
  });

  it('should report a 504 as the timeout it is', async () => {
    const ds = new DataSource({ ...settings, jsonData: { timeout: 5 } }, templateSrv, () => failing({ status: 504 }));
    const response = await lastValueFrom(ds.query(request()));
    expect(response.errors?.[0]?.message).toMatch(/^The daemon did not answer within 5 s \(HTTP 504/);
  });
});
