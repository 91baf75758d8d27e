/**
 * Three identical `serve` processes on one database, as a deployment scales reads: lines arrive all the
 * time, each process's schedule fires every 2 seconds (the lease picks one writer per run), and now and then
 * a line vanishes from sys.log, so that the next run rewrites today whole and deletes the version the other
 * processes still count with. Queries whose edges cut populated 15-minute slots of today go to every process
 * throughout: none may be answered anything but 200, and at the end every process answers what an
 * independent count of the lines says.
 */
import type { Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import type { ServeProcess } from './daemon-process';
import {
  edgesInsideSlots,
  expectServedThroughout,
  keepWriting,
  morning,
  startLoaded,
  tally,
} from './replica-harness';
import type { TestDb } from './helpers';
import { openTestDb, testMongoUri } from './helpers';

const USERS = 40;
let db: TestDb;
const serves: ServeProcess[] = [];

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await Promise.all(serves.map((s) => s.kill()));
  await db.close();
});

/** A core4 `last_login` line (core4/api/v1/request/role/model.py, CoreRole.login; the default preset). */
function loginLine(user: string, created: Date): Document {
  return {
    created,
    message: `set [last_login] for role [${user}] with _id [65f0c0ffee0000000000${String(USERS).padStart(4, '0')}]`,
    level: 'INFO',
    levelno: 20,
    username: 'core4',
    hostname: 'core4-app-1',
    identifier: 'x',
    qual_name: 'core4.api.v1.request.role.model.CoreRole',
    epoch: created.getTime() / 1000,
  };
}

/** Distinct users and logins of [start, end) among the lines sys.log holds now (no product code). */
async function oracle(start: number, end: number): Promise<{ users: number; logins: number }> {
  const docs = await db.cols.sysLog
    .find({ created: { $gte: new Date(start), $lt: new Date(end) } })
    .toArray();
  const names = docs.map((d) => /role \[([^\]]+)\]/.exec(String(d.message))?.[1] ?? '');
  return { users: new Set(names).size, logins: names.length };
}

it(
  'should answer every query 200 on every process while another writes, and converge to the exact count',
  async () => {
    const { now, midnight } = await morning();
    // The morning so far: lines every few minutes since midnight, whole seconds as core4 writes them.
    const lines: Document[] = [];
    for (let t = midnight + 61_000; t < now - 5_000; t += 97_000) {
      lines.push(loginLine(`user${lines.length % USERS}`, new Date(t - (t % 1000))));
    }
    await db.cols.sysLog.insertMany(lines);
    await db.cols.sysLog.createIndex({ created: -1 });
    const env = {
      MONGODB_URI: testMongoUri(),
      USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
      USAGE_LOGIN: `${db.loginDb}.login`,
      USAGE_START: new Date(midnight).toISOString().slice(0, 10),
      USAGE_INCREMENTAL_SCHEDULE: '*/2 * * * * *',
      USAGE_INDEX_REFRESH_MS: '1000',
      USAGE_LEASE_TTL_MS: '5000',
      USAGE_ROLES: `${db.sysDb}.sys.role`,
    };
    serves.push(...(await startLoaded(env, 3)));

    const statuses = serves.map(() => new Map<number, number>());
    let n = 0;
    const writer = keepWriting(db, (at) => loginLine(`user${n++ % USERS}`, at));
    const queries = serves.map(async (serve, k) => {
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        // Edges inside populated slots of the morning; process 0 asks as a dashboard's relative range does,
        // its start fixed and its end a few seconds ago (answered from the range's kept text while the index
        // does not change).
        const { start, end } =
          k === 0 ? { start: midnight + 7 * 60_000, end: Date.now() - 3_000 } : edgesInsideSlots(midnight);
        await tally(
          statuses[k] as Map<number, number>,
          await fetch(`${serve.base}/api/v1/logins?start=${start}&end=${end}&aggregate=h&metric=users,logins`)
        );
      }
    });
    await Promise.all(queries);
    const { written, vanished } = await writer.stop();
    expectServedThroughout(serves, { statuses, vanished }, { vanished: 3, answered: 20 });

    // After the last line, a run (every 2 s) and a refresh (every 1 s): every process answers the same, exactly.
    const start = midnight + 7 * 60_000;
    const end = Date.now() - 1_000;
    const expected = await oracle(start, end);
    const converged = await Promise.all(
      serves.map(async (serve) => {
        const started = Date.now();
        for (;;) {
          const response = await fetch(
            `${serve.base}/api/v1/logins?start=${start}&end=${end}&aggregate=y&metric=users,logins`
          );
          const bucket = (await response.json()).buckets?.[0];
          // The same range by hour, as process 0 asked it all along: its logins add up to the same.
          const hours = await fetch(
            `${serve.base}/api/v1/logins?start=${start}&end=${end}&aggregate=h&metric=users,logins`
          );
          const hourly = ((await hours.json()).buckets ?? []) as { logins: number }[];
          const hourlyLogins = hourly.reduce((n, b) => n + b.logins, 0);
          if (
            bucket &&
            bucket.users === expected.users &&
            bucket.logins === expected.logins &&
            hourlyLogins === expected.logins
          )
            return Date.now() - started;
          if (Date.now() - started > 15_000) {
            return { stuckAt: bucket, hourlyLogins, expected };
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })
    );
    for (const result of converged) expect(typeof result).toBe('number');
    process.stdout.write(
      `replicas: ${written} lines written, ${vanished} vanished; statuses ${JSON.stringify(statuses.map((s) => Object.fromEntries(s)))}; converged after ${JSON.stringify(converged)} ms\n`
    );
    // Up to 10 minutes of waiting for the morning (above) on top of the test's own time.
  },
  12 * 60_000
);

/** core4's sys.role (role/model.py): users with email and password, two groups nested in a third. */
function sysRole(evenIn: string): Document[] {
  const id = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));
  const groups = [
    { _id: id(1), name: 'everyone', is_active: true, role: [] },
    { _id: id(2), name: 'team-even', is_active: true, role: [id(1)] },
    { _id: id(3), name: 'team-odd', is_active: true, role: [id(1)] },
  ];
  const users = Array.from({ length: USERS }, (_, i) => ({
    _id: id(100 + i),
    name: `user${i}`,
    is_active: true,
    email: `user${i}@example.com`,
    password: 'hash',
    role: [i % 2 === 0 || `user${i}` === evenIn ? id(2) : id(3)],
  }));
  return [...groups, ...users];
}

it('should apply the groups a run reads from sys.role on every process, and a change on every process', async () => {
  const roles = db.client.db(db.sysDb).collection('sys.role');
  await roles.insertMany(sysRole(''));
  const start = Date.now() - (Date.now() % 86_400_000);
  const end = Date.now() - 1_000;
  /** Every process's answer for the even team, once its membership holds `members` users. */
  const answers = async (members: number) =>
    Promise.all(
      serves.map(async (serve) => {
        for (let i = 0; ; i += 1) {
          const listed = (await (await fetch(`${serve.base}/api/v1/roles`)).json()) as {
            groups?: { name: string; members: number }[];
          };
          if (listed.groups?.find((g) => g.name === 'team-even')?.members === members) break;
          if (i > 100) throw new Error(`${serve.base} never listed team-even with ${members} members`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const response = await fetch(
          `${serve.base}/api/v1/logins?start=${start}&end=${end}&aggregate=y&metric=users,logins&role=team-even`
        );
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      })
    );
  const expected = async (members: (name: string) => boolean) => {
    const docs = await db.cols.sysLog
      .find({ created: { $gte: new Date(start), $lt: new Date(end) } })
      .toArray();
    const names = docs.map((d) => /role \[([^\]]+)\]/.exec(String(d.message))?.[1] ?? '').filter(members);
    return { users: new Set(names).size, logins: names.length };
  };
  const even = (name: string) => Number(name.slice(4)) % 2 === 0;
  const before = await answers(USERS / 2);
  for (const answer of before) {
    expect(answer.status).toBe(200);
    expect((answer.body.buckets as object[])[0]).toMatchObject(await expected(even));
  }
  // user1 joins the even team: the next run stores a new membership, and every process applies it.
  await roles.updateOne(
    { name: 'user1' },
    { $set: { role: [new ObjectId((2).toString(16).padStart(24, '0'))] } }
  );
  const after = await answers(USERS / 2 + 1);
  for (const answer of after) {
    expect(answer.status).toBe(200);
    expect((answer.body.buckets as object[])[0]).toMatchObject(
      await expected((name) => even(name) || name === 'user1')
    );
    expect(Date.parse(String(answer.body.membershipAsOf))).toBeGreaterThan(
      Date.parse(String(before[0]?.body.membershipAsOf))
    );
  }
});
