/**
 * `npm run bench:scale`: the answer path at a large installation's size. Writes home.login directly (no
 * sys.log) for 50,000 users over five years, then starts each index as its own process and measures the time
 * from process start to serving (the process's own CPU, apart from the server's), its memory, and the
 * median of the listed queries over HTTP. At 20 M logins the index before slot summaries (git 181462d,
 * bench/baseline) runs beside the current one on the same data, and their answers are compared.
 *
 *   npm run bench:scale                       # 20 M (old and new), then 100 M (new)
 *   npm run bench:scale -- --sizes 5 --old-at 5   # a quick look
 *   npm run bench:scale -- --sizes 100 --old-at 0 --starts 3   # start-up at 100 M, three runs on the same data
 *   npm run bench:scale -- --sizes 100 --old-at 0 --dims      # the same requests with and without handlers and hosts
 *   npm run bench:scale -- --sizes 100 --dims-only            # only the data with them (half the writing)
 *
 * With `--dims` every size is written twice, the second time with each login's handler (50, of 8 projects) and
 * host (5), as core4-requests keeps them: start-up CPU and memory of the two side by side (the aim: at most
 * 1.5x), and the handler queries on the second (a one-year weekly breakdown by handler: p50 at most 20 ms),
 * asked once the daemon has found first requests by key in the background (its CPU and RSS by then printed too).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DAY_MS } from '../src/core/units';
import { startOfUtcDay } from '../src/time/utc-day';
import { freshLoginCollections, openBenchDb, seconds } from './bench-db';
import type { ServerProcess } from './daemon-process';
import { builtCli, median, rssMb, startServer, timeQuery, usageDaemonEnv } from './daemon-process';
import { printProfile } from './throughput';
import { BENCH_DIMS, handlerName, userName, writeScaleData } from './scale-data';

const USERS = 50_000;
const DAYS = 5 * 365 + 1;
const LOGIN_DB = 'bench_scale';
const AIMS = { readyCpuS: 10, rssMb: 1024, p50Ms: 10, breakdownP50Ms: 20, dimsRatio: 1.5 };

interface Query {
  name: string;
  params: string;
  /** Listed in the issue's aims (p50 ≤ 10 ms at 100 M; a breakdown's ≤ 20 ms). */
  aim: boolean;
  /** Its own aim (ms), when not AIMS.p50Ms. */
  aimMs?: number;
}

/** The handler queries of data with dimensions: a breakdown by handler, one handler, a project's hosts. */
function dimQueries(end: number): Query[] {
  const year = end - 365 * DAY_MS;
  const handler = encodeURIComponent(handlerName(3, BENCH_DIMS.projects));
  return [
    {
      name: 'one-year weekly by handler (top 10)',
      params: `start=${year}&end=${end}&aggregate=w&breakdown=handler&limit=10`,
      aim: true,
      aimMs: AIMS.breakdownP50Ms,
    },
    {
      name: 'one-year weekly, one handler',
      params: `start=${year}&end=${end}&aggregate=w&handler=${handler}`,
      aim: false,
    },
    {
      name: 'one-year weekly by host, project proj1',
      params: `start=${year}&end=${end}&aggregate=w&breakdown=host&project=proj1`,
      aim: false,
    },
  ];
}

function queries(end: number): Query[] {
  const year = end - 365 * DAY_MS;
  const users = Array.from({ length: 100 }, (_, k) => `user=${userName(k * 500 + 7)}`).join('&');
  // A Grafana "last year" range: both edges inside a 15-minute slot holding logins (read from home.login).
  const cutEnd = end - DAY_MS + 14 * 3_600_000 + 7 * 60_000 + 13_777;
  const cutStart = cutEnd - 365 * DAY_MS;
  return [
    { name: 'one-year weekly, UTC', params: `start=${year}&end=${end}&aggregate=w`, aim: true },
    {
      name: 'one-year weekly, Asia/Kathmandu',
      params: `start=${year}&end=${end}&aggregate=w&tz=Asia/Kathmandu`,
      aim: true,
    },
    {
      name: 'one-year daily, Europe/Berlin',
      params: `start=${year}&end=${end}&aggregate=d&tz=Europe/Berlin`,
      aim: true,
    },
    {
      name: 'five-year monthly, UTC',
      params: `start=${end - 5 * 365 * DAY_MS}&end=${end}&aggregate=m`,
      aim: true,
    },
    {
      name: 'one-year weekly, 100 users',
      params: `start=${year}&end=${end}&aggregate=w&${users}`,
      aim: true,
    },
    {
      name: 'one-year weekly, 100 users, logins+new',
      params: `start=${year}&end=${end}&aggregate=w&metric=users,logins,new_users&${users}`,
      aim: false,
    },
    {
      name: 'one-year weekly, edges mid-slot',
      params: `start=${cutStart}&end=${cutEnd}&aggregate=w`,
      aim: false,
    },
  ];
}

interface Measured {
  server: ServerProcess;
  results: { query: Query; firstMs: number; p50Ms: number; movingP50Ms: number; body: unknown }[];
  farMaxMs: number;
  farGrowthMb: number;
  rssAfterMb: number;
}

/** The median of `runs` requests of `url` with its `end` moved one millisecond earlier each time. */
async function timeMoving(url: string, runs: number): Promise<number> {
  const parsed = new URL(url);
  const end = Number(parsed.searchParams.get('end'));
  const times: number[] = [];
  for (let i = 1; i <= runs; i += 1) {
    parsed.searchParams.set('end', String(end - i));
    const t = performance.now();
    const response = await fetch(parsed);
    await response.arrayBuffer();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** The queries, then 20 distinct yearly queries over ranges of about ±3,000 years (the cost of far ranges). */
async function measure(server: ServerProcess, end: number, extra: Query[] = []): Promise<Measured> {
  // Serving is measured above; queries after the collector has caught up with what the load left behind.
  await new Promise((r) => setTimeout(r, 3000));
  const results: Measured['results'] = [];
  for (const query of [...queries(end), ...extra]) {
    const url = `${server.url}/api/v1/logins?${query.params}`;
    const timed = await timeQuery(url);
    // The same query with `end` one millisecond earlier each time: no whole answer is reused (as a
    // dashboard's relative range on every refresh).
    const moving = await timeMoving(url, 30);
    results.push({ query, ...timed, movingP50Ms: moving });
  }
  const before = rssMb(server.pid);
  let farMaxMs = 0;
  for (let k = 0; k < 20; k += 1) {
    const start = Date.UTC(-1000 - k, 0, 1);
    const stop = Date.UTC(5000 + k, 0, 1);
    const t = performance.now();
    const response = await fetch(`${server.url}/api/v1/logins?start=${start}&end=${stop}&aggregate=y`);
    await response.arrayBuffer();
    farMaxMs = Math.max(farMaxMs, performance.now() - t);
  }
  return {
    server,
    results,
    farMaxMs,
    farGrowthMb: rssMb(server.pid) - before,
    rssAfterMb: rssMb(server.pid),
  };
}

function report(label: string, m: Measured, aims: boolean): void {
  const mark = (ok: boolean) => (aims ? (ok ? ' (aim met)' : ' (aim NOT met)') : '');
  const s = m.server;
  console.log(`  ${label}:`);
  console.log(
    `    port open after ${seconds(s.portOpenMs)}; serving (index loaded) after ${seconds(s.readyMs)} wall, ` +
      `${s.readyCpuS.toFixed(1)} s of its own CPU${mark(s.readyCpuS <= AIMS.readyCpuS)}; RSS ${s.readyRssMb.toFixed(0)} MB`
  );
  for (const r of m.results) {
    const ok = Math.max(r.p50Ms, r.movingP50Ms) <= (r.query.aimMs ?? AIMS.p50Ms);
    console.log(
      `    ${r.query.name.padEnd(40)} p50 ${r.p50Ms.toFixed(2).padStart(7)} ms, end moving ${r.movingP50Ms.toFixed(2).padStart(6)} ms, first ${r.firstMs.toFixed(1).padStart(7)} ms` +
        (r.query.aim ? mark(ok) : '')
    );
  }
  console.log(
    `    20 yearly queries over ±3,000 years: slowest ${m.farMaxMs.toFixed(1)} ms, RSS grew ${m.farGrowthMb.toFixed(0)} MB`
  );
  console.log(`    RSS after the queries ${m.rssAfterMb.toFixed(0)} MB${mark(m.rssAfterMb <= AIMS.rssMb)}`);
}

/** Counts of two answers (old and new) bucket by bucket. */
function sameCounts(a: unknown, b: unknown): boolean {
  const counts = (x: unknown) =>
    ((x as { buckets?: Record<string, unknown>[] }).buckets ?? []).map((bucket) =>
      ['users', 'logins', 'new_users'].map((k) => bucket[k])
    );
  return JSON.stringify(counts(a)) === JSON.stringify(counts(b));
}

/**
 * The same size written again with each login's handler and host, served, and set beside `without`: start-up
 * CPU and RSS at serving as ratios (aim: at most 1.5x), and the handler queries.
 */
async function withDims(
  db: Awaited<ReturnType<typeof openBenchDb>>,
  run: { millions: number; end: number; without: Measured | undefined; profile: boolean }
): Promise<void> {
  const { millions, end, without } = run;
  const cols = await freshLoginCollections(db.client, LOGIN_DB);
  const t = performance.now();
  const written = await writeScaleData(cols, {
    users: USERS,
    days: DAYS,
    logins: millions * 1e6,
    end: new Date(end),
    dims: BENCH_DIMS,
  });
  console.log(
    `\n${(written.logins / 1e6).toFixed(1)} M requests with ${BENCH_DIMS.handlers} handlers (${BENCH_DIMS.projects} projects) and ` +
      `${BENCH_DIMS.hosts} hosts: written in ${seconds(performance.now() - t)}`
  );
  const profileDir = mkdtempSync(path.join(tmpdir(), 'core4-usage-scale-'));
  const server = await startServer(
    [...(run.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), builtCli(), 'serve'],
    // Info: the line saying first requests by key are found (startServer shows warnings and errors only).
    { ...usageDaemonEnv(db.uri, `${LOGIN_DB}.login`), LOG_LEVEL: 'info' }
  );
  let measured: Measured;
  let settled: Awaited<ReturnType<ServerProcess['logged']>>;
  try {
    // Serving, then first requests by key found in the background (index-loader.ts): the queries after it.
    settled = await server.logged('first requests by handler and host found', 10 * 60_000);
    measured = await measure(server, end, dimQueries(end));
  } finally {
    await server.stop();
  }
  printProfile(profileDir, "the daemon's CPU profile with dimensions", { top: 12, indent: '  ' });
  report('with handlers and hosts', measured, millions >= 100);
  if (settled)
    console.log(
      `  first requests by key found in the background ${seconds(Math.max(0, settled.ms - measured.server.readyMs))} after serving: ` +
        `CPU to then ${settled.cpuS.toFixed(1)} s${without ? ` (${(settled.cpuS / without.server.readyCpuS).toFixed(2)}x without's CPU to serving)` : ''}, ` +
        `RSS then ${settled.rssMb.toFixed(0)} MB${without ? ` (${(settled.rssMb / without.server.readyRssMb).toFixed(2)}x)` : ''}`
    );
  else console.log('  first requests by key: not logged within 10 minutes');
  if (without) compareDims(measured, without);
}

/** With dimensions beside without: start-up CPU and RSS at serving as ratios (aim: at most 1.5x). */
function compareDims(measured: Measured, without: Measured): void {
  const ratio = (f: (m: Measured) => number) => f(measured) / f(without);
  const cpu = ratio((m) => m.server.readyCpuS);
  const rss = ratio((m) => m.server.readyRssMb);
  const mark = (x: number) => (x <= AIMS.dimsRatio ? '(aim met)' : '(aim NOT met)');
  const equal = without.results.every((r, i) => sameCounts(r.body, measured.results[i]?.body));
  console.log(
    `  with / without dimensions: CPU to serving ${cpu.toFixed(2)} ${mark(cpu)}, RSS at serving ${rss.toFixed(2)} ${mark(rss)}, ` +
      `RSS after the queries ${ratio((m) => m.rssAfterMb).toFixed(2)}; same counts in the shared answers: ${equal ? 'yes' : 'NO'}`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '20,100' },
      'old-at': { type: 'string', default: '20' },
      profile: { type: 'boolean', default: false },
      starts: { type: 'string', default: '1' },
      dims: { type: 'boolean', default: false },
      'dims-only': { type: 'boolean', default: false },
    },
  });
  const sizes = (values.sizes ?? '').split(',').map(Number);
  const oldAt = new Set((values['old-at'] ?? '').split(',').map(Number));
  if (sizes.some((n) => !(n > 0 && n <= 200)))
    throw new Error(`--sizes: '${values.sizes}' is not a list of millions in (0, 200]`);
  const db = await openBenchDb();
  console.log(`server: ${db.server}; machine: see README (2 cores here); node ${process.version}`);
  const end = startOfUtcDay(new Date()).getTime();
  try {
    for (const millions of sizes) {
      if (values['dims-only']) {
        await withDims(db, { millions, end, without: undefined, profile: Boolean(values.profile) });
        continue;
      }
      const cols = await freshLoginCollections(db.client, LOGIN_DB);
      const t = performance.now();
      const written = await writeScaleData(
        cols,
        { users: USERS, days: DAYS, logins: millions * 1e6, end: new Date(end) },
        (d) => {
          if (d % 365 === 0) process.stdout.write(`  writing: ${d} of ${DAYS} days\r`);
        }
      );
      console.log(
        `\n${(written.logins / 1e6).toFixed(1)} M logins (${(written.userDays / 1e6).toFixed(1)} M user-days), ${USERS.toLocaleString('en-US')} users, ${DAYS} days: ` +
          `written in ${seconds(performance.now() - t)} (test server RSS ${rssMb(process.pid).toFixed(0)} MB, the bench process)`
      );
      let old: Measured | undefined;
      if (oldAt.has(millions)) {
        const server = await startServer(['-r', 'tsx/cjs', path.join(__dirname, 'baseline/serve-v1.ts')], {
          MONGODB_URI: db.uri,
          BENCH_LOGIN_DB: LOGIN_DB,
        });
        try {
          old = await measure(server, end);
        } finally {
          await server.stop();
        }
        report('before (every login in memory, git 181462d)', old, false);
      }
      // The daemon is started `--starts` times on the same data: start-up is measured in each run.
      let current: Measured | undefined;
      for (let run = 1; run <= Number(values.starts); run += 1) {
        const profileDir = mkdtempSync(path.join(tmpdir(), 'core4-usage-scale-'));
        const server = await startServer(
          [...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), builtCli(), 'serve'],
          usageDaemonEnv(db.uri, `${LOGIN_DB}.login`)
        );
        try {
          current = await measure(server, end);
        } finally {
          await server.stop();
        }
        printProfile(profileDir, "the daemon's CPU profile (start-up, load and queries)", {
          top: 12,
          indent: '  ',
        });
        report(`now (slot summaries), start ${run} of ${values.starts}`, current, millions >= 100);
      }
      if (!current) continue;
      if (values.dims)
        await withDims(db, { millions, end, without: current, profile: Boolean(values.profile) });
      if (old) {
        const ratio = (f: (m: Measured) => number) => (f(current) / f(old)).toFixed(2);
        const equal = current.results.every((r, i) => sameCounts(r.body, old.results[i]?.body));
        console.log(
          `  now / before: CPU to serving ${ratio((m) => m.server.readyCpuS)}, RSS at serving ${ratio((m) => m.server.readyRssMb)}, ` +
            `one-year weekly p50 ${ratio((m) => m.results[0]?.p50Ms ?? NaN)}; same counts in every answer: ${equal ? 'yes' : 'NO'}`
        );
      }
    }
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:scale: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
