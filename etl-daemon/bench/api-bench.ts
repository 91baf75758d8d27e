import { loadFromOtherProcess } from './load';
import type { MongoClient } from 'mongodb';
import { usageCollections } from '../src/db/collections';
import type { Unit } from '../src/time/aggregate';
import { countLikeTheOriginal } from './original-method';
import { median, rssMb, startUsageDaemon } from './daemon-process';

const YEAR_MS = 365 * 86_400_000;

/**
 * Query latency over HTTP against the real daemon, the original's method on the same data in this process,
 * throughput with 32 concurrent clients, and the daemon's resident memory.
 */
export async function apiBench(client: MongoClient, uri: string, end: Date): Promise<void> {
  const daemon = await startUsageDaemon(uri, 'bench_home.login');
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
    const load = await loadFromOtherProcess(weekly, { varyEnd: true });
    console.log(
      `one-year weekly, 32 connections from another process, end moving by 1 ms a request: ` +
        `${Math.round(load.requestsPerSecond).toLocaleString('en-US')} requests/s ` +
        `(p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.non2xx} non-2xx); npm run bench:throughput compares with a trivial handler`
    );
    console.log(`daemon resident memory after the load: ${rssMb(daemon.pid).toFixed(0)} MB`);
  } finally {
    await daemon.stop();
  }
}
