import { spawn, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../../etl-daemon/bin/core4-usage.js');
export const READ_TOKEN = 'plugin-read-token-0123456789';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

export interface Daemon {
  url: string;
  stop(): Promise<void>;
}

/** The real daemon (`core4-usage serve`) on its embedded default: CongoDB with demo data, job run once. */
export async function startDaemon(): Promise<Daemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      USAGE_EMBEDDED: 'congodb',
      USAGE_READ_TOKEN: READ_TOKEN,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) {
      throw new Error(`daemon exited with ${child.exitCode}`);
    }
    // The port opens at once; the index loads after the embedded start-up run (/health says "loading").
    const up = await request(`${url}/health`, {}).then(
      (r) => (r.data as { status?: string } | undefined)?.status !== 'loading',
      () => false
    );
    if (up) {
      break;
    }
    if (i > 240) {
      throw new Error('daemon did not start within 2 minutes');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A response's body, parsed as JSON when it is JSON and kept as text otherwise (as Grafana's BackendSrv does). */
export function readBody(res: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('error', reject);
    res.on('end', () => {
      try {
        resolve(JSON.parse(body));
      } catch {
        resolve(body);
      }
    });
  });
}

/** Plain HTTP GET returning status and parsed JSON. */
export function request(url: string, headers: Record<string, string>): Promise<{ status: number; data: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        readBody(res).then((data) => resolve({ status: res.statusCode ?? 0, data }), reject);
      })
      .on('error', reject);
  });
}

export function query(params: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
