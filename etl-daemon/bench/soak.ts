/**
 * `npm run bench:soak`: the all-day service in a few minutes. Three identical `serve` processes on one
 * database, each behind its own fault proxy (test/fault-proxy.ts); core4 lines arrive every 50 ms; every
 * process's schedule fires every 3 seconds (the lease picks the writer); each process is queried throughout
 * with ranges whose edges cut populated 15-minute slots. Meanwhile the writer is killed with SIGKILL twice
 * (and started again) and its MongoDB connection is cut for 4 seconds once. Prints the requests by status per
 * process, the bytes the processes inserted into the login collections, and how long each took to converge
 * to an independent count of the lines once they stop; exits 1 unless every process then answers exactly that.
 *
 * `--minutes M` (default 3).
 */
import { parseArgs } from 'node:util';
import type { Document } from 'mongodb';
import { BSON } from 'mongodb';
import type { ServeProcess } from '../test/daemon-process';
import { startServe } from '../test/daemon-process';
import type { FaultProxy } from '../test/fault-proxy';
import { startFaultProxy } from '../test/fault-proxy';
import { openBenchDb } from './bench-db';

const USERS = 60;
const SYS_DB = 'soak_core4';
const LOGIN_DB = 'soak_home';

function loginLine(user: string, created: Date): Document {
  // core4/api/v1/request/role/model.py, CoreRole.login(): the line the default preset reads.
  return {
    created,
    message: `set [last_login] for role [${user}] with _id [65f0c0ffee00000000000000]`,
    level: 'INFO',
    levelno: 20,
    username: 'core4',
    hostname: 'core4-app-1',
    qual_name: 'core4.api.v1.request.role.model.CoreRole',
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '3' } } });
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 60)) throw new Error(`--minutes: '${values.minutes}' is not in (0, 60]`);
  const db = await openBenchDb();
  console.log(`server: ${db.server}; ${minutes} minutes, 3 processes`);
  const sysLog = db.client.db(SYS_DB).collection('sys.log');
  await db.client.db(SYS_DB).dropDatabase();
  await db.client.db(LOGIN_DB).dropDatabase();
  await sysLog.createIndex({ created: -1 });
  const midnight = Date.now() - (Date.now() % 86_400_000);
  const morning: Document[] = [];
  for (let t = midnight + 61_000; t < Date.now() - 5_000; t += 53_000)
    morning.push(loginLine(`user${morning.length % USERS}`, new Date(t - (t % 1000))));
  if (morning.length > 0) await sysLog.insertMany(morning);

  const proxies: FaultProxy[] = await Promise.all([0, 1, 2].map(() => startFaultProxy(db.uri)));
  const envOf = (k: number) => ({
    MONGODB_URI: (proxies[k] as FaultProxy).uri,
    USAGE_SYS_LOG: `${SYS_DB}.sys.log`,
    USAGE_LOGIN: `${LOGIN_DB}.login`,
    USAGE_START: new Date(midnight).toISOString().slice(0, 10),
    USAGE_INCREMENTAL_SCHEDULE: '*/3 * * * * *',
    USAGE_INDEX_REFRESH_MS: '1000',
    USAGE_LEASE_TTL_MS: '6000',
    USAGE_RETRY_BACKOFF_MS: '500',
    LOG_LEVEL: 'info',
    PORT: String(21_000 + k),
  });
  const serves: (ServeProcess | undefined)[] = await Promise.all([0, 1, 2].map((k) => startServe(envOf(k))));
  const statuses = [0, 1, 2].map(() => new Map<string, number>());
  const count = (k: number, key: string) => statuses[k]?.set(key, (statuses[k]?.get(key) ?? 0) + 1);
  const notes: string[] = [];
  let running = true;
  let written = 0;
  const arrivals = (async () => {
    while (running) {
      const at = Date.now();
      await sysLog.insertOne(loginLine(`user${written % USERS}`, new Date(at - (at % 1000))));
      written += 1;
      await sleep(50);
    }
  })();
  const queries = [0, 1, 2].map(async (k) => {
    while (running) {
      const serve = serves[k];
      if (!serve) {
        await sleep(50);
        continue;
      }
      const slots = Math.max(1, Math.floor((Date.now() - midnight) / 900_000));
      const slot = (n: number) => midnight + Math.floor(Math.random() * n) * 900_000;
      const start = slot(Math.max(1, slots - 1)) + 7 * 60_000 + Math.floor(Math.random() * 60) * 1000;
      const end =
        Math.random() < 0.5
          ? Date.now() - 3_000
          : slot(slots) + 7 * 60_000 + Math.floor(Math.random() * 400) * 1000;
      try {
        const response = await fetch(
          `${serve.base}/api/v1/logins?start=${start}&end=${Math.max(end, start + 1)}&aggregate=h&metric=users,logins`
        );
        const body = await response.text();
        count(k, String(response.status));
        if (response.status !== 200) {
          notes.push(`${new Date().toISOString()} process ${k}: ${response.status} ${body.slice(0, 160)}`);
        }
      } catch {
        count(k, 'refused (process down)');
        await sleep(50);
      }
    }
  });

  /** The process holding the lease now (waits for a run to take it). */
  const writer = async (): Promise<number> => {
    for (;;) {
      const job = await db.client.db(LOGIN_DB).collection('login.job').findOne({});
      const owner = (job?.lease as { owner?: string; until?: Date } | null)?.owner;
      const pid = owner ? Number(owner.split(':')[1]) : NaN;
      const k = serves.findIndex((s) => s?.child.pid === pid);
      if (k >= 0) return k;
      await sleep(50);
    }
  };
  const killWriter = async (label: string) => {
    const k = await writer();
    console.log(`${new Date().toISOString()} ${label}: SIGKILL process ${k} (the writer)`);
    const serve = serves[k];
    serves[k] = undefined;
    await serve?.kill();
    const restarted = await startServe(envOf(k));
    // Back in rotation once ready (GET /ready), as a load balancer would put it back.
    while ((await fetch(`${restarted.base}/ready`)).status !== 200) await sleep(100);
    serves[k] = restarted;
  };
  const phase = (minutes * 60_000) / 4;
  await sleep(phase);
  await killWriter('1st kill');
  await sleep(phase);
  const cut = await writer();
  console.log(`${new Date().toISOString()} connection of process ${cut} (the writer) cut for 4 s`);
  proxies[cut]?.down();
  await sleep(4_000);
  proxies[cut]?.up();
  await sleep(phase - 4_000);
  await killWriter('2nd kill');
  await sleep(phase);
  running = false;
  await Promise.all([arrivals, ...queries]);

  // Convergence: the lines all stored by the next run, then every process's index refreshed.
  const stoppedAt = Date.now();
  const start = midnight + 7 * 60_000;
  const end = stoppedAt;
  const docs = await sysLog.find({ created: { $gte: new Date(start), $lt: new Date(end) } }).toArray();
  const names = docs.map((d) => /role \[([^\]]+)\]/.exec(String(d.message))?.[1] ?? '');
  const expected = { users: new Set(names).size, logins: names.length };
  const converged = await Promise.all(
    serves.map(async (serve) => {
      for (;;) {
        const response = await fetch(
          `${serve?.base}/api/v1/logins?start=${start}&end=${end}&aggregate=y&metric=users,logins`
        );
        const bucket = ((await response.json()) as { buckets?: { users: number; logins: number }[] })
          .buckets?.[0];
        if (bucket?.users === expected.users && bucket.logins === expected.logins)
          return Date.now() - stoppedAt;
        if (Date.now() - stoppedAt > 30_000) return undefined;
        await sleep(100);
      }
    })
  );
  let inserted = 0;
  let insertDocs = 0;
  for (const proxy of proxies) {
    for (const command of proxy.seen) {
      if (command.name !== 'insert' || !command.collection.startsWith('login')) continue;
      for (const doc of (command.body.documents as Document[] | undefined) ?? []) {
        inserted += BSON.calculateObjectSize(doc);
        insertDocs += 1;
      }
    }
  }
  const runs = await db.client.db(LOGIN_DB).collection('login.run').countDocuments({});
  const results = await db.client
    .db(LOGIN_DB)
    .collection('login.run')
    .aggregate([{ $group: { _id: '$result', n: { $sum: 1 } } }])
    .toArray();
  console.log('');
  console.log(
    `lines written: ${written + morning.length} (${written} during the soak); runs recorded: ${runs} ${JSON.stringify(Object.fromEntries(results.map((r) => [r._id, r.n])))}`
  );
  console.log(
    `inserted into the login collections: ${(inserted / 1e6).toFixed(2)} MB in ${insertDocs} documents`
  );
  for (const [k, byStatus] of statuses.entries()) {
    console.log(
      `process ${k}: requests by status ${JSON.stringify(Object.fromEntries(byStatus))}; converged ${converged[k] === undefined ? 'NOT within 30 s' : `${converged[k]} ms after the lines stopped`}`
    );
  }
  for (const note of notes) console.log(note);
  console.log(
    `independent count of [${new Date(start).toISOString()}, ${new Date(end).toISOString()}): ${JSON.stringify(expected)}`
  );
  const bad = statuses.some((byStatus) =>
    [...byStatus.keys()].some((key) => key !== '200' && !key.startsWith('refused'))
  );
  const ok = converged.every((c) => c !== undefined) && !bad;
  console.log(ok ? 'every process answered 200 (or was down) and converged to the exact count' : 'FAILED');
  await Promise.all(serves.map((s) => (s ? s.kill() : Promise.resolve())));
  await Promise.all(proxies.map((p) => p.close()));
  await db.stop();
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
