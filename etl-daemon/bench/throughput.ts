/**
 * `npm run bench:throughput`: one-year weekly queries at 32 connections against the daemon (compiled, as its
 * image runs it: through tsx every imported constant is a getter call) and, side by
 * side, against a trivial Fastify handler returning the daemon's own answer precomputed (bench/trivial-server.ts),
 * both loaded from a separate process (autocannon's CLI). `--profile` also writes the daemon's CPU profile
 * under load and prints where its time went. Data: 5,000 users, one year, 2 M logins written straight into
 * home.login (bench/scale-data.ts), the benchmark size of `npm run bench`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DAY_MS } from '../src/core/units';
import { startOfUtcDay } from '../src/time/utc-day';
import { freshLoginCollections, openBenchDb } from './bench-db';
import { builtCli, median, startServer, usageDaemonEnv } from './daemon-process';
import { engagementBench } from './engagement';
import type { LoadResult } from './load';
import { loadFromOtherProcess } from './load';
import { BENCH_DIMS, writeScaleData, writeScaleMembership } from './scale-data';

const LOGIN_DB = 'bench_throughput';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function of a .cpuprofile, largest first. */
export function topFunctions(file: string, n = 15): { name: string; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, count]) => ({ name, share: count / profile.samples.length }));
}

/** Prints the top functions by self time of the .cpuprofile a process wrote into `dir`, if it wrote one. */
export function printProfile(dir: string, title: string, options: { top: number; indent: string }): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return;
  console.log(`${options.indent}${title} (${path.join(dir, file)}), self time:`);
  for (const { name, share } of topFunctions(path.join(dir, file), options.top)) {
    console.log(`${options.indent}  ${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
}

export async function throughputBench(options: {
  uri: string;
  profile: boolean;
  seconds: number;
  rounds: number;
  loginDb?: string;
}): Promise<{ ratio: number }> {
  const end = startOfUtcDay(new Date()).getTime();
  const url = (base: string) => `${base}/api/v1/logins?start=${end - 365 * DAY_MS}&end=${end}&aggregate=w`;
  const profileDir = mkdtempSync(path.join(tmpdir(), 'core4-usage-profile-'));
  const daemon = await startServer(
    [...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), builtCli(), 'serve'],
    usageDaemonEnv(options.uri, `${options.loginDb ?? LOGIN_DB}.login`)
  );
  const bodyFile = path.join(profileDir, 'answer.json');
  const rounds: { same: LoadResult; moving: LoadResult; trivial: LoadResult; trivialMoving: LoadResult }[] =
    [];
  try {
    const answer = await (await fetch(url(daemon.url))).text();
    writeFileSync(bodyFile, answer);
    console.log(
      `answer: ${answer.length.toLocaleString('en-US')} bytes (one-year weekly, ${JSON.parse(answer).buckets.length} buckets)`
    );
    await engagementBench(daemon.url, end);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  const trivial = await startServer(['-r', 'tsx/cjs', path.join(__dirname, 'trivial-server.ts')], {
    BENCH_BODY_FILE: bodyFile,
  });
  try {
    // Rounds alternate the two servers, so that whatever else the machine does falls on both alike.
    for (let round = 0; round < options.rounds; round += 1) {
      const same = await loadFromOtherProcess(url(daemon.url), { seconds: options.seconds });
      const moving = await loadFromOtherProcess(url(daemon.url), { seconds: options.seconds, varyEnd: true });
      const trivialLoad = await loadFromOtherProcess(url(trivial.url), { seconds: options.seconds });
      // The same request stream for both: the generator's own work (a new query string each time) is alike.
      const trivialMoving = await loadFromOtherProcess(url(trivial.url), {
        seconds: options.seconds,
        varyEnd: true,
      });
      rounds.push({ same, moving, trivial: trivialLoad, trivialMoving });
    }
  } finally {
    await trivial.stop();
    await daemon.stop();
  }
  const line = (name: string, r: LoadResult) =>
    `${name.padEnd(44)} ${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(7)} requests/s ` +
    `(p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.non2xx} non-2xx)`;
  const ratios = rounds.map((r) => ({
    same: r.same.requestsPerSecond / r.trivial.requestsPerSecond,
    moving: r.moving.requestsPerSecond / r.trivialMoving.requestsPerSecond,
  }));
  rounds.forEach((r, i) => {
    console.log(`round ${i + 1}`);
    console.log(line('  daemon, one-year weekly, the same query', r.same));
    console.log(line('  daemon, one-year weekly, end moving by 1 ms', r.moving));
    console.log(line('  trivial Fastify handler, same answer', r.trivial));
    console.log(line('  trivial Fastify handler, end moving by 1 ms', r.trivialMoving));
  });
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const movingMedian = median(ratios.map((r) => r.moving));
  console.log(
    `daemon / trivial, same query: ${ratios.map((r) => pct(r.same)).join(', ')}; median ${pct(median(ratios.map((r) => r.same)))}`
  );
  console.log(
    `daemon / trivial, end moving: ${ratios.map((r) => pct(r.moving)).join(', ')}; median ${pct(movingMedian)} ` +
      `(aim ≥ 50 %${movingMedian >= 0.5 ? ': met' : ': NOT met'})`
  );
  const ratio = median(ratios.map((r) => r.same));
  if (options.profile) {
    printProfile(profileDir, 'daemon CPU profile under load', { top: 15, indent: '' });
  }
  return { ratio };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const db = await openBenchDb();
  console.log(`server: ${db.server}`);
  try {
    const cols = await freshLoginCollections(db.client, LOGIN_DB);
    const written = await writeScaleData(cols, {
      users: 5000,
      days: 365,
      logins: 2e6,
      end: new Date(startOfUtcDay(new Date()).getTime()),
      // As core4-requests keeps them: each request's handler and host.
      dims: BENCH_DIMS,
    });
    const { groups } = await writeScaleMembership(cols, 5000);
    console.log(
      `data: ${(written.logins / 1e6).toFixed(2)} M requests of 5,000 users over 365 days, in ${groups} core4 groups, ` +
        `to ${BENCH_DIMS.handlers} handlers of ${BENCH_DIMS.projects} projects on ${BENCH_DIMS.hosts} hosts`
    );
    await throughputBench({
      uri: db.uri,
      profile: values.profile ?? false,
      seconds: Number(values.seconds),
      rounds: Number(values.rounds),
    });
  } finally {
    await db.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:throughput: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
