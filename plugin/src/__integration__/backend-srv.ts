/**
 * A stand-in for Grafana's BackendSrv.fetch (public/app/core/services/backend_srv.ts) doing real HTTP from
 * the "browser" to Grafana's origin (here: the proxy stand-in): relative URLs, `params` as the query
 * string, a JSON body parsed or else kept as text, errors as FetchError objects ({status, statusText, data,
 * config}), unsubscribing aborts the request, and a new request with the same `requestId` cancels the
 * one still in flight (Grafana's `inFlightRequests`), which then fails with the error
 * handleStreamCancellation's `throwIfEmpty` gives it: {type: 'cancelled', cancelled: true, data: null,
 * status: -1, statusText: 'Request was aborted', config}.
 */
import http from 'node:http';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { query, readBody } from './daemon';

export interface HarnessBackendSrv extends BackendSrv {
  /** Requests aborted by an unsubscribe or a superseding requestId. */
  cancelled: number;
  /** Their URLs (path and query string), in order. */
  cancelledUrls: string[];
}

export function harnessBackendSrv(origin: string): HarnessBackendSrv {
  const inFlight = new Map<string, (superseded: boolean) => void>();
  const srv = { cancelled: 0, cancelledUrls: [] } as unknown as HarnessBackendSrv;
  srv.fetch = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      let done = false;
      const cancel = (superseded: boolean) => {
        if (!done) {
          done = true;
          srv.cancelled += 1;
          srv.cancelledUrls.push(`${options.url}${query(options.params as Record<string, unknown> | undefined)}`);
          controller.abort();
          if (superseded) {
            subscriber.error({
              type: 'cancelled',
              cancelled: true,
              data: null,
              status: -1,
              statusText: 'Request was aborted',
              config: options,
            });
          }
        }
      };
      if (options.requestId) {
        inFlight.get(options.requestId)?.(true);
        inFlight.set(options.requestId, cancel);
      }
      const url = `${origin}${options.url}${query(options.params as Record<string, unknown> | undefined)}`;
      // node:http rather than fetch: jsdom, the test environment, has no fetch.
      const req = http.request(url, { method: options.method ?? 'GET', signal: controller.signal }, (res) => {
        readBody(res).then(
          (data) => {
            if (done) {
              return;
            }
            done = true;
            if (options.requestId && inFlight.get(options.requestId) === cancel) {
              inFlight.delete(options.requestId);
            }
            const status = res.statusCode ?? 0;
            const statusText = res.statusMessage ?? '';
            if (status < 400) {
              subscriber.next({
                data: data as T,
                status,
                statusText,
                ok: true,
                headers: new Headers(),
                redirected: false,
                type: 'basic',
                url,
                config: options,
              } as FetchResponse<T>);
              subscriber.complete();
            } else {
              subscriber.error({ status, statusText, data, config: options });
            }
          },
          () => undefined
        );
      });
      req.on('error', (error: Error) => {
        if (!done) {
          done = true;
          subscriber.error({ status: 0, statusText: error.message, data: undefined, config: options });
        }
      });
      req.end();
      return () => {
        if (!done) {
          cancel(false);
        }
      };
    });
  return srv;
}
