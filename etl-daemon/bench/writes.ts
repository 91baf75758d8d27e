/**
 * `npm run bench:writes`: what refreshing today every 5 minutes writes to MongoDB, the old write path (the
 * whole open day rewritten by every run, bench/baseline/open-day-v1.ts) beside the new (only new logins
 * appended, the day compacted when it closes), in one run on the same lines.
 *
 * A day of `--logins` logins among `--users` users, written in 288 five-minute steps (30 % of the lines
 * reach sys.log up to 2 minutes late), then the closing run an hour after midnight. Bytes are the BSON sizes
 * of the documents in every insert command to the login collections, seen through the driver's command
 * monitoring; updates (dictionary batches, day documents) and deleted documents are counted apart.
 */
import { parseArgs } from 'node:util';
import type { CommandStartedEvent, CommandSucceededEvent, Document } from 'mongodb';
import { BSON, MongoClient } from 'mongodb';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { NameDictionary } from '../src/db/user-names';
import { seededRandom } from '../src/demo/random';
import { runOnce } from '../src/job/run-once';
import { presetSource } from '../src/etl/login-sources';
import { DAY_MS, MINUTE_MS } from '../src/core/units';
import { openBenchDb } from './bench-db';
import { rewriteOpenDayV1 } from './baseline/open-day-v1';
import pino from 'pino';

const DAY = Date.parse('2026-03-31T00:00:00Z');
const STEP = 5 * MINUTE_MS;
const STEPS = DAY_MS / STEP;

interface Tally {
  inserted: number;
  updated: number;
  deleted: number;
  perRun: number[];
}

function monitor(client: MongoClient, tally: Tally): void {
  client.on('commandStarted', (event: CommandStartedEvent) => {
    const command = event.command;
    if (event.commandName === 'insert' && String(command.insert).startsWith('login')) {
      for (const doc of (command.documents as Document[]) ?? [])
        tally.inserted += BSON.calculateObjectSize(doc);
    }
    if (event.commandName === 'update' && String(command.update).startsWith('login')) {
      for (const u of (command.updates as Document[]) ?? []) tally.updated += BSON.calculateObjectSize(u);
    }
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => {
    if (event.commandName === 'delete') tally.deleted += Number((event.reply as Document).n ?? 0);
  });
}

function lines(logins: number, users: number) {
  const random = seededRandom(42);
  return Array.from({ length: logins }, () => {
    const created = DAY + Math.floor(random() * 86_400) * 1000;
    const late = random() < 0.3 ? Math.floor(random() * 2 * MINUTE_MS) : 0;
    return { user: `user${Math.floor(random() * users)}`, created, arrives: created + late };
  }).sort((a, b) => a.arrives - b.arrives);
}

async function dayBytes(client: MongoClient, dbName: string): Promise<number> {
  let bytes = 0;
  for (const name of ['login', 'login.summary']) {
    for (const doc of await client
      .db(dbName)
      .collection(name)
      .find({ day: new Date(DAY) })
      .toArray())
      bytes += BSON.calculateObjectSize(doc);
  }
  return bytes;
}

function mb(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} KB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { logins: { type: 'string', default: '150000' }, users: { type: 'string', default: '100000' } },
  });
  const all = lines(Number(values.logins), Number(values.users));
  const db = await openBenchDb();
  console.log(`server: ${db.server}`);
  console.log(
    `day: ${all.length.toLocaleString('en-US')} logins among ${values.users} users, ${STEPS} runs 5 minutes apart, then the closing run`
  );
  const results: { name: string; tally: Tally; finished: number; ms: number }[] = [];
  try {
    for (const path of ['old (whole day rewritten)', 'new (appends, compaction at close)'] as const) {
      const tally: Tally = { inserted: 0, updated: 0, deleted: 0, perRun: [] };
      const client = await MongoClient.connect(db.uri, { monitorCommands: true });
      monitor(client, tally);
      const loginDb = `bench_writes_${results.length}`;
      const sysDb = `bench_writes_sys_${results.length}`;
      await client.db(loginDb).dropDatabase();
      await client.db(sysDb).dropDatabase();
      const cols = usageCollections(
        client,
        { db: sysDb, collection: 'sys.log' },
        { db: loginDb, collection: 'login' }
      );
      await ensureIndexes(cols);
      const names = new NameDictionary();
      let arrived = 0;
      const started = Date.now();
      for (let step = 1; step <= STEPS + 1; step += 1) {
        // The last step is the closing run, an hour after midnight (USAGE_CLOSE_AFTER's default).
        const now = step <= STEPS ? DAY + step * STEP : DAY + DAY_MS + 60 * MINUTE_MS;
        const before = tally.inserted;
        let next = arrived;
        while (next < all.length && (all[next]?.arrives ?? Infinity) <= now) next += 1;
        const fresh = all.slice(arrived, next);
        arrived = next;
        if (fresh.length > 0) {
          // sys.log itself is not counted: both paths read the same lines.
          await cols.sysLog.insertMany(
            fresh.map((l) => ({ created: new Date(l.created), message: 'successful login', user: l.user })),
            { ordered: false }
          );
        }
        if (results.length === 0) {
          const events = all
            .slice(0, arrived)
            .filter((l) => l.created < now)
            .map((l) => ({ user: l.user, created: new Date(l.created) }));
          await rewriteOpenDayV1(cols, names, {
            day: new Date(DAY),
            run: `run${step}`,
            fence: 0,
            events,
            complete: step > STEPS,
            now: new Date(now),
          });
        } else {
          await runOnce(
            {
              cols,
              selector: { source: presetSource('seed'), excludeUsers: [] },
              configStart: new Date(DAY),
              leaseTtlMs: 60_000,
              closeAfterMs: 60 * MINUTE_MS,
              ingestLagMs: 5 * MINUTE_MS,
              owner: 'bench',
              clock: () => Promise.resolve(new Date(now)),
              logger: pino({ level: 'silent' }),
            },
            { start: '2026-03-31', end: '2026-03-31' },
            `run${step}`,
            1
          );
        }
        tally.perRun.push(tally.inserted - before);
      }
      const ms = Date.now() - started;
      const finished = await dayBytes(client, loginDb);
      results.push({ name: path, tally, finished, ms });
      await client.db(loginDb).dropDatabase();
      await client.db(sysDb).dropDatabase();
      await client.close();
    }
  } finally {
    await db.stop();
  }
  const base = results[0] as (typeof results)[number];
  console.log('');
  console.log(
    '| write path | inserted per day | per run: median / last open run / closing | updates | documents deleted | finished day | inserted / finished | wall time |'
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const open = r.tally.perRun.slice(0, STEPS);
    const median = [...open].sort((a, b) => a - b)[Math.floor(open.length / 2)] ?? 0;
    console.log(
      `| ${r.name} | ${mb(r.tally.inserted)} | ${mb(median)} / ${mb(open.at(-1) ?? 0)} / ${mb(r.tally.perRun.at(-1) ?? 0)} | ` +
        `${mb(r.tally.updated)} | ${r.tally.deleted.toLocaleString('en-US')} | ${mb(r.finished)} | ` +
        `${(r.tally.inserted / r.finished).toFixed(2)}x | ${(r.ms / 1000).toFixed(0)} s |`
    );
  }
  const now = results[1] as (typeof results)[number];
  console.log('');
  console.log(`new / old bytes inserted per day: ${(now.tally.inserted / base.tally.inserted).toFixed(3)}`);
  console.log(
    `aim: inserted over the day at most 3x the finished day: ${now.tally.inserted <= 3 * now.finished ? 'met' : 'NOT met'} (${(now.tally.inserted / now.finished).toFixed(2)}x)`
  );
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
