import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../bin/core4-usage.js');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Resident memory of a process, MB (VmRSS), or its peak (VmHWM). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`)) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** ms from spawn until the port answered anything, and until /health stopped saying "loading". */
  portOpenMs: number;
  readyMs: number;
  /** The process's CPU seconds and resident MB when it became ready. */
  readyCpuS: number;
  readyRssMb: number;
  /**
   * When the process first logged a line holding `text` (its stderr, JSON lines; LOG_LEVEL must let the line
   * through): ms from spawn, its CPU seconds and resident MB then; undefined when it did not within `timeoutMs`.
   */
  logged(text: string, timeoutMs: number): Promise<{ ms: number; cpuS: number; rssMb: number } | undefined>;
  stop(): Promise<void>;
}

/**
 * Spawns a server process (node with `args`) on a free port and waits until its /health answers with a
 * status other than "loading" (the daemon opens its port before the index is loaded).
 */
export async function startServer(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30 * 60_000
): Promise<ServerProcess> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid ?? 0;
  // Its log, kept to be searched (logged) with what each line cost by then; warnings and errors shown.
  const lines: { text: string; ms: number; cpuS: number; rssMb: number }[] = [];
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    const at = { ms: performance.now() - spawnedAt, cpuS: cpuSeconds(pid), rssMb: rssMb(pid) };
    for (const text of parts) {
      lines.push({ text, ...at });
      if (!/"level":(10|20|30),/.test(text)) process.stderr.write(`${text}\n`);
    }
  });
  const url = `http://127.0.0.1:${port}`;
  let portOpenMs: number | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: server exited with ${child.exitCode}`);
    const status = await fetch(`${url}/health`).then(
      async (r) => ((await r.json()) as { status?: string }).status ?? 'unknown',
      () => undefined
    );
    if (status !== undefined) portOpenMs ??= performance.now() - spawnedAt;
    if (status !== undefined && status !== 'loading') break;
    if (performance.now() - spawnedAt > timeoutMs) throw new Error('bench: server not ready in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  const readyMs = performance.now() - spawnedAt;
  return {
    url,
    pid,
    portOpenMs: portOpenMs ?? readyMs,
    readyMs,
    readyCpuS: cpuSeconds(pid),
    readyRssMb: rssMb(pid),
    logged: async (text, timeoutMs) => {
      const until = performance.now() + timeoutMs;
      for (;;) {
        const line = lines.find((l) => l.text.includes(text));
        if (line) return { ms: line.ms, cpuS: line.cpuS, rssMb: line.rssMb };
        if (performance.now() > until || child.exitCode !== null) return undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The environment of `core4-usage serve` on a bench database: no schedules, no start-up run. */
export function usageDaemonEnv(uri: string, loginNamespace: string): Record<string, string> {
  return {
    MONGODB_URI: uri,
    USAGE_SYS_LOG: 'bench_core4.sys.log',
    USAGE_LOGIN: loginNamespace,
    USAGE_RUN_ON_START: 'false',
    USAGE_INCREMENTAL_SCHEDULE: '',
    USAGE_SCHEDULE: '0 0 1 1 *',
    LOG_LEVEL: 'warn',
  };
}

/** `core4-usage serve` on a bench database. */
export function startUsageDaemon(uri: string, loginNamespace: string): Promise<ServerProcess> {
  return startServer([CLI, 'serve'], usageDaemonEnv(uri, loginNamespace));
}

/** The median of `runs` sequential requests (after `warm` unmeasured ones) and the first one's time. */
export async function timeQuery(
  url: string,
  runs = 30,
  warm = 3
): Promise<{ firstMs: number; p50Ms: number; body: unknown }> {
  const times: number[] = [];
  let body: unknown;
  let firstMs = NaN;
  for (let i = 0; i < warm + runs; i += 1) {
    const t = performance.now();
    const response = await fetch(url);
    body = await response.json();
    if (!response.ok) throw new Error(`bench: ${url} answered ${response.status}: ${JSON.stringify(body)}`);
    const ms = performance.now() - t;
    if (i === 0) firstMs = ms;
    if (i >= warm) times.push(ms);
  }
  return { firstMs, p50Ms: median(times), body };
}

/**
 * The daemon as its image runs it: compiled JavaScript (the Dockerfile's `npm run build`), not the sources
 * through tsx, whose compiling would count as start-up CPU. Built once per bench run into .bench-dist, beside
 * dist so that its relative paths (public/, node_modules) resolve alike, and never read by the tests.
 */
let built: string | undefined;
export function builtCli(): string {
  if (!built) {
    const root = path.resolve(__dirname, '..');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', '.bench-dist'],
      {
        cwd: root,
        stdio: 'inherit',
      }
    );
    built = path.join(root, '.bench-dist', 'cli', 'main.js');
  }
  return built;
}
