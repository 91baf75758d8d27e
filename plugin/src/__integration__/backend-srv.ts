/**
 * A stand-in for Grafana's BackendSrv.fetch (public/app/core/services/backend_srv.ts) doing real HTTP from
 * the "browser" to Grafana's origin (here: the proxy stand-in): relative URLs, `params` as the query
 * string, a JSON body parsed or else kept as text, errors as FetchError objects ({status, statusText, data,
 * config}), unsubscribing aborts the request, and a new request with the same `requestId` cancels the
 * one still in flight (Grafana's `inFlightRequests`), which then completes without a value.
 */
import http from 'node:http';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

export interface HarnessBackendSrv extends BackendSrv {
  /** Requests aborted by an unsubscribe or a superseding requestId. */
  cancelled: number;
  /** Their URLs (path and query string), in order. */
  cancelledUrls: string[];
}

function queryString(params: BackendSrvRequest['params']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries((params ?? {}) as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function harnessBackendSrv(origin: string): HarnessBackendSrv {
  const inFlight = new Map<string, () => void>();
  const srv = { cancelled: 0, cancelledUrls: [] } as unknown as HarnessBackendSrv;
  srv.fetch = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      let done = false;
      const cancel = () => {
        if (!done) {
          done = true;
          srv.cancelled += 1;
          srv.cancelledUrls.push(`${options.url}${queryString(options.params)}`);
          controller.abort();
          subscriber.complete();
        }
      };
      if (options.requestId) {
        inFlight.get(options.requestId)?.();
        inFlight.set(options.requestId, cancel);
      }
      const url = `${origin}${options.url}${queryString(options.params)}`;
      // node:http rather than fetch: jsdom, the test environment, has no fetch.
      const req = http.request(url, { method: options.method ?? 'GET', signal: controller.signal }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // Grafana keeps a body that is not JSON as text
          }
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
        });
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
          cancel();
        }
      };
    });
  return srv;
}
