import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import type { MongoClient } from 'mongodb';
import { usageCollections } from '../src/db/collections';
import type { Unit } from '../src/time/aggregate';
import { countLikeTheOriginal } from './original-method';

const CLI = path.resolve(__dirname, '../bin/core4-usage.js');
const YEAR_MS = 365 * 86_400_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function rssMb(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/** Starts `core4-usage serve` on the bench database (no schedules) and waits until it answers. */
async function startDaemon(uri: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      MONGODB_URI: uri,
      USAGE_SYS_LOG: 'bench_core4.sys.log',
      USAGE_LOGIN: 'bench_home.login',
      USAGE_RUN_ON_START: 'false',
      USAGE_INCREMENTAL_SCHEDULE: '',
      USAGE_SCHEDULE: '0 0 1 1 *',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) throw new Error(`bench: daemon exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/openapi.json`).then(
      (r) => r.ok,
      () => false
    );
    if (ok) break;
    if (i > 600) throw new Error('bench: daemon did not answer within 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Query latency over HTTP against the real daemon, the original's method on the same data in this process,
 * throughput with 32 concurrent clients, and the daemon's resident memory.
 */
export async function apiBench(client: MongoClient, uri: string, end: Date): Promise<void> {
  const daemon = await startDaemon(uri);
  const endMs = end.getTime();
  const queries: { name: string; unit: Unit; tz: string; years: number }[] = [
    { name: 'one-year weekly, UTC', unit: 'week', tz: 'UTC', years: 1 },
    { name: 'one-year weekly, Asia/Kathmandu', unit: 'week', tz: 'Asia/Kathmandu', years: 1 },
    { name: 'one-year daily, UTC', unit: 'day', tz: 'UTC', years: 1 },
    { name: 'five-year monthly, Europe/Berlin', unit: 'month', tz: 'Europe/Berlin', years: 5 },
  ];
  try {
    console.log(`daemon resident memory after loading the index: ${rssMb(daemon.pid).toFixed(0)} MB`);
    const cols = usageCollections(
      client,
      { db: 'bench_core4', collection: 'sys.log' },
      { db: 'bench_home', collection: 'login' }
    );
    for (const q of queries) {
      const start = endMs - q.years * YEAR_MS;
      const url = `${daemon.url}/api/v1/logins?start=${start}&end=${endMs}&aggregate=${q.unit}&tz=${encodeURIComponent(q.tz)}`;
      const times: number[] = [];
      let answer: { buckets: { users: number }[] } = { buckets: [] };
      for (let i = 0; i < 101; i += 1) {
        const t = performance.now();
        const response = await fetch(url);
        answer = (await response.json()) as typeof answer;
        if (i > 0) times.push(performance.now() - t);
      }
      let line = `${q.name.padEnd(34)} ${answer.buckets.length} buckets, median ${median(times).toFixed(2)} ms over HTTP`;
      if (q.years === 1 && q.unit === 'week') {
        const originalTimes: number[] = [];
        let original: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const t = performance.now();
          original = await countLikeTheOriginal(cols, start, endMs, q.unit, q.tz);
          originalTimes.push(performance.now() - t);
        }
        const same = JSON.stringify(original) === JSON.stringify(answer.buckets.map((b) => b.users));
        line += `; original method ${median(originalTimes).toFixed(0)} ms (same counts: ${same ? 'yes' : 'NO'}) = ${(median(originalTimes) / median(times)).toFixed(0)}x`;
      }
      console.log(line);
    }
    const weekly = `${daemon.url}/api/v1/logins?start=${endMs - YEAR_MS}&end=${endMs}&aggregate=w`;
    const load = await autocannon({ url: weekly, connections: 32, duration: 10 });
    console.log(
      `one-year weekly with 32 connections: ${Math.round(load.requests.average).toLocaleString('en-US')} requests/s ` +
        `(p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.non2xx} non-2xx)`
    );
    console.log(`daemon resident memory after the load: ${rssMb(daemon.pid).toFixed(0)} MB`);
  } finally {
    await daemon.stop();
  }
}
