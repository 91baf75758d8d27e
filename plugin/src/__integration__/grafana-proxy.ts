/**
 * A stand-in for Grafana's data-source proxy (`/api/datasources/proxy/uid/<uid>/<route>/...`), as a real
 * HTTP server on loopback. It behaves as Grafana's sources say (pkg/api/pluginproxy/ds_proxy.go and
 * utils.go, Grafana 11/12):
 * - routes of plugin.json match by path prefix; the request goes to the route's `url` with the rest of the
 *   path and the query string;
 * - route `url` and header templates are Go templates over `.JsonData` and `.SecureJsonData`; a key that is
 *   not set renders as `<no value>` (Go text/template on a map), and `{{ if … }}…{{ else }}…{{ end }}` works;
 * - an upstream 401 becomes a 400 with the plain body "Authentication to data source failed";
 * - failures get what pkg/util/proxyutil/reverse_proxy.go's errorHandler writes, an empty body: 502 when the
 *   connection fails (refused, TLS), 504 when the upstream does not answer within the data source's timeout
 *   (`jsonData.timeout` seconds, else 30: pkg/services/datasources/service/datasource.go getTimeout), 499 when
 *   the client closed the request;
 * - TLS to an https upstream from the data source's settings, as that file's TLS options: `tlsAuthWithCACert`
 *   with `secureJsonData.tlsCACert`, `tlsAuth` with `tlsClientCert`/`tlsClientKey`, `tlsSkipVerify`,
 *   `serverName`.
 * What it does not do: sessions, Grafana's own auth, data-source permissions, caching.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

interface Route {
  path: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ProxiedRequest {
  path: string;
  params: URLSearchParams;
  authorization: string | undefined;
}

export interface GrafanaProxy {
  /** `http://127.0.0.1:port`: where the browser's relative requests go (Grafana's own origin). */
  origin: string;
  /** `/api/datasources/proxy/uid/<uid>`: the data source's `url` as Grafana gives it to the plugin. */
  path: string;
  /** Requests forwarded to the daemon, in order. */
  requests: ProxiedRequest[];
  /** Requests whose client went away before the answer (a cancelled panel query). */
  aborted: number;
  /** Holds each request this long before forwarding it (a slow network, so that a request is in flight). */
  delayMs: number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  uid: string;
  jsonData: Record<string, string | undefined>;
  secureJsonData: Record<string, string | undefined>;
}

const PLUGIN_JSON = path.resolve(__dirname, '../plugin.json');
export const PROXY_AUTH_FAILED_BODY = 'Authentication to data source failed';

type Data = { JsonData: Record<string, string | undefined>; SecureJsonData: Record<string, string | undefined> };

function lookup(data: Data, dotted: string): string | undefined {
  const [scope, key] = dotted.replace(/^\./, '').split('.');
  const values = scope === 'JsonData' ? data.JsonData : scope === 'SecureJsonData' ? data.SecureJsonData : undefined;
  return values && key !== undefined ? values[key] : undefined;
}

/** The subset of Go's text/template that route templates use: `{{ .X.y }}` and `{{ if .X.y }}…{{ else }}…{{ end }}`. */
export function renderRouteTemplate(template: string, data: Data): string {
  const withIfs = template.replace(
    /\{\{-?\s*if\s+(\.[\w.]+)\s*-?\}\}([\s\S]*?)(?:\{\{-?\s*else\s*-?\}\}([\s\S]*?))?\{\{-?\s*end\s*-?\}\}/g,
    (_m, cond: string, then: string, otherwise: string | undefined) => {
      const value = lookup(data, cond);
      return value !== undefined && value !== '' ? then : (otherwise ?? '');
    }
  );
  return withIfs.replace(/\{\{-?\s*(\.[\w.]+)\s*-?\}\}/g, (_m, ref: string) => lookup(data, ref) ?? '<no value>');
}

/** The data source's proxy timeout: `jsonData.timeout` seconds, else Grafana's default of 30. */
function timeoutMs(data: Data): number {
  const seconds = Number(data.JsonData.timeout);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
}

/** TLS to the upstream from the data source's settings, as Grafana's datasource service builds them. */
function tlsOptions(data: Data): https.RequestOptions {
  const { JsonData: json, SecureJsonData: secure } = data;
  const on = (key: string) => json[key] === 'true';
  return {
    rejectUnauthorized: !on('tlsSkipVerify'),
    ...(json.serverName ? { servername: json.serverName } : {}),
    ...(on('tlsAuthWithCACert') && secure.tlsCACert ? { ca: secure.tlsCACert } : {}),
    ...(on('tlsAuth') && secure.tlsClientCert ? { cert: secure.tlsClientCert, key: secure.tlsClientKey } : {}),
  };
}

export async function startGrafanaProxy(options: ProxyOptions): Promise<GrafanaProxy> {
  const routes = (JSON.parse(fs.readFileSync(PLUGIN_JSON, 'utf8')) as { routes: Route[] }).routes;
  const data: Data = { JsonData: options.jsonData, SecureJsonData: options.secureJsonData };
  const prefix = `/api/datasources/proxy/uid/${options.uid}/`;
  const requests: ProxiedRequest[] = [];
  const state = { aborted: 0, delayMs: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const incoming = new URL(req.url ?? '/', 'http://proxy');
    const rest = incoming.pathname.startsWith(prefix) ? incoming.pathname.slice(prefix.length) : undefined;
    const route = rest === undefined ? undefined : routes.find((r) => rest === r.path || rest.startsWith(`${r.path}/`));
    if (!route || rest === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not found' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const header of route.headers ?? []) {
      headers[header.name.toLowerCase()] = renderRouteTemplate(header.content, data);
    }
    const target = new URL(`${renderRouteTemplate(route.url, data)}${rest.slice(route.path.length)}${incoming.search}`);
    requests.push({ path: target.pathname, params: target.searchParams, authorization: headers.authorization });
    let answered = false;
    res.on('finish', () => (answered = true));
    req.on('close', () => {
      if (!answered) {
        state.aborted += 1;
        upstream?.destroy();
      }
    });
    let upstream: http.ClientRequest | undefined;
    // proxyutil's errorHandler: only a status, no body.
    const fail = (status: number) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(status).end();
      }
    };
    const forward = () => {
      if (answered || req.destroyed) {
        fail(499);
        return;
      }
      const client = target.protocol === 'https:' ? https : http;
      upstream = client.get(target, { headers, ...tlsOptions(data) }, (answer) => {
        clearTimeout(timer);
        if (answer.statusCode === 401) {
          answer.resume();
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(PROXY_AUTH_FAILED_BODY);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/plain' });
        answer.pipe(res);
      });
      const timer = setTimeout(() => {
        upstream?.destroy();
        fail(504);
      }, timeoutMs(data));
      upstream.on('error', () => {
        clearTimeout(timer);
        fail(req.destroyed ? 499 : 502);
      });
    };
    if (state.delayMs > 0) {
      setTimeout(forward, state.delayMs);
    } else {
      forward();
    }
  };

  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    path: prefix.slice(0, -1),
    requests,
    get aborted() {
      return state.aborted;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
