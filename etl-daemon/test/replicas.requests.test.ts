/**
 * Request filters and breakdowns across processes: three `serve` processes of the core4-requests source on
 * one database (the third holding no table of first requests by key, USAGE_KEY_FIRST_MB=0), core4's access lines arriving all the time (several handlers, projects, hosts,
 * statuses, `None`), each process's schedule firing every 2 seconds (the lease picks one writer per run) and
 * now and then a line vanishing from sys.log, so that the next run rewrites today whole while the others count
 * with the version it deletes. Every process is asked throughout for one handler (`handler=`), a breakdown by
 * handler (users and logins: the values' tallies) and one by project with new users (each series' derived
 * index), with edges inside populated 15-minute slots: nothing but 200, and at the end each process answers
 * what a reading of the lines' own text says, per handler and project.
 */
import type { Document } from 'mongodb';
import type { ServeProcess } from './daemon-process';
import {
  edgesInsideSlots,
  expectServedThroughout,
  keepWriting,
  morning,
  startLoaded,
  tally,
} from './replica-harness';
import type { Handler, Request } from './access-lines';
import { accessDocs } from './access-lines';
import type { TestDb } from './helpers';
import { openTestDb, testMongoUri } from './helpers';

const USERS = 30;
/** Handlers as core4 names them (`<module>.<Class>`, the module's first segment the project). */
const HANDLERS: Handler[] = [
  ['core4.api.v1.request.role.main.RoleHandler', 'GET', '/core4/api/v1/roles'],
  ['core4.api.v1.request.standard.login.LoginHandler', 'POST', '/core4/api/v1/login'],
  ['mkt.api.v1.campaign.CampaignHandler', 'GET', '/mkt/api/v1/campaign'],
  ['mkt.api.v1.report.ReportHandler', 'GET', '/mkt/api/v1/report'],
  ['fin.api.v1.ledger.LedgerHandler', 'POST', '/fin/api/v1/ledger'],
];
const HOSTS = ['core4-app-1', 'core4-app-2'];
const STATUSES = [200, 200, 200, 304, 201, 404, 500];

let db: TestDb;
const serves: ServeProcess[] = [];

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await Promise.all(serves.map((s) => s.kill()));
  await db.close();
});

/**
 * `count` sys.log documents of requests, formatted once (by Python, test/access-lines.ts); `created` and
 * `epoch` are set when each is written.
 */
function requestDocs(count: number): Document[] {
  const list: Request[] = Array.from({ length: count }, (_, i) => ({
    at: 0,
    status: STATUSES[(i * 5) % STATUSES.length] as number,
    handler: HANDLERS[(i * 3 + Math.floor(i / 7)) % HANDLERS.length] as Handler,
    ms: 1.5 + (i % 13),
    user: i % 11 === 10 ? null : `user${(i * 7) % USERS}`,
    host: HOSTS[i % HOSTS.length] as string,
  }));
  return accessDocs(list);
}

const at = (doc: Document, t: number): Document => ({ ...doc, created: new Date(t), epoch: t / 1000 });

/** What core4-requests counts, read from a line's own text: status below 400 and a user other than None. */
function counted(doc: Document): { user: string; handler: string; at: number } | undefined {
  const match = /^\[(\d{3})\] \[[A-Z]+ \S+\] in \[[\d.]+ms\] by \[([^\]]+)\]/.exec(String(doc.message));
  if (!match || Number(match[1]) >= 400 || match[2] === 'None') return undefined;
  return { user: match[2] as string, handler: String(doc.qual_name), at: (doc.created as Date).getTime() };
}

/** Per value (handler or project): distinct users, requests and users new to it in [start, end). */
async function oracle(start: number, end: number, valueOf: (handler: string) => string) {
  const lines = (await db.cols.sysLog.find({}).sort({ created: 1 }).toArray()).flatMap(
    (d) => counted(d) ?? []
  );
  const out = new Map<string, { users: Set<string>; logins: number; first: Map<string, number> }>();
  for (const l of lines) {
    const value = valueOf(l.handler);
    const entry = out.get(value) ?? { users: new Set(), logins: 0, first: new Map() };
    out.set(value, entry);
    if (!entry.first.has(l.user)) entry.first.set(l.user, l.at);
    if (l.at < start || l.at >= end) continue;
    entry.users.add(l.user);
    entry.logins += 1;
  }
  return new Map(
    [...out].map(([value, e]) => [
      value,
      {
        users: e.users.size,
        logins: e.logins,
        new_users: [...e.first.values()].filter((t) => t >= start && t < end).length,
      },
    ])
  );
}

interface Series {
  key: string;
  buckets: Record<string, number>[];
}

it(
  'should answer handler filters and breakdowns 200 on every process while another writes, and converge to the exact counts',
  async () => {
    const { now, midnight } = await morning();
    const docs = requestDocs(2000);
    let next = 0;
    const line = (t: Date) => at(docs[next++ % docs.length] as Document, t.getTime());
    const lines: Document[] = [];
    for (let t = midnight + 61_000; t < now - 5_000; t += 83_000) lines.push(line(new Date(t - (t % 1000))));
    await db.cols.sysLog.insertMany(lines);
    await db.cols.sysLog.createIndex({ created: -1 });
    const env = {
      MONGODB_URI: testMongoUri(),
      USAGE_SOURCE: 'core4-requests',
      USAGE_SYS_LOG: `${db.sysDb}.sys.log`,
      USAGE_LOGIN: `${db.loginDb}.login`,
      USAGE_START: new Date(midnight).toISOString().slice(0, 10),
      USAGE_INCREMENTAL_SCHEDULE: '*/2 * * * * *',
      USAGE_INDEX_REFRESH_MS: '1000',
      USAGE_LEASE_TTL_MS: '5000',
    };
    // The third holds no table of first requests by key (USAGE_KEY_FIRST_MB=0): a pass over the days per ask.
    const [held, notHeld] = await Promise.all([
      startLoaded(env, 2),
      startLoaded({ ...env, USAGE_KEY_FIRST_MB: '0' }, 1),
    ]);
    serves.push(...held, ...notHeld);
    // Found after start-up, between requests (index-loader.ts), not by the first filter.
    for (const serve of held) await serve.waitForLog('first requests by handler and host found');

    const statuses = serves.map(() => new Map<number, number>());
    const writer = keepWriting(db, line);
    const asked = [
      `metric=users,logins&handler=${encodeURIComponent(HANDLERS[2]![0])}&handler=${encodeURIComponent(HANDLERS[4]![0])}`,
      'metric=users,logins&breakdown=handler&limit=3',
      'metric=users,new_users&breakdown=project&limit=2&host=core4-app-2',
    ];
    const queries = serves.map(async (serve, k) => {
      const until = Date.now() + 15_000;
      for (let n = 0; Date.now() < until; n += 1) {
        const { start, end } = edgesInsideSlots(midnight);
        const q = asked[(n + k) % asked.length] as string;
        await tally(
          statuses[k] as Map<number, number>,
          await fetch(`${serve.base}/api/v1/logins?start=${start}&end=${end}&aggregate=h&${q}`)
        );
      }
    });
    await Promise.all(queries);
    const { written, vanished } = await writer.stop();
    expectServedThroughout(serves, { statuses, vanished }, { vanished: 2, answered: 15 });

    // After the last line, a run and a refresh: every process answers each handler and project exactly.
    const start = midnight + 7 * 60_000;
    const end = Date.now() - 1_000;
    const byHandler = await oracle(start, end, (h) => h);
    const byProject = await oracle(start, end, (h) => h.split('.')[0] as string);
    const want = {
      handler: [...byHandler].map(([key, v]) => [key, v.users, v.logins]).sort(),
      project: [...byProject].map(([key, v]) => [key, v.users, v.new_users]).sort(),
    };
    expect(want.handler.length).toBe(HANDLERS.length);
    const answered = async (base: string) => {
      const get = async (q: string) =>
        (
          (await (
            await fetch(`${base}/api/v1/logins?start=${start}&end=${end}&aggregate=y&${q}`)
          ).json()) as { series?: Series[] }
        ).series ?? [];
      const handlers = await get('metric=users,logins&breakdown=handler&limit=50');
      const projects = await get('metric=users,new_users&breakdown=project&limit=50');
      return {
        handler: handlers.map((s) => [s.key, s.buckets[0]?.users, s.buckets[0]?.logins]).sort(),
        project: projects.map((s) => [s.key, s.buckets[0]?.users, s.buckets[0]?.new_users]).sort(),
      };
    };
    const converged = await Promise.all(
      serves.map(async (serve) => {
        const started = Date.now();
        for (;;) {
          const got = await answered(serve.base);
          if (JSON.stringify(got) === JSON.stringify(want)) return Date.now() - started;
          if (Date.now() - started > 15_000) return { got, want };
          await new Promise((r) => setTimeout(r, 200));
        }
      })
    );
    for (const result of converged) expect(result).toEqual(expect.any(Number));
    // The third let its table go once filters asked for it, and said so.
    for (const serve of notHeld) await serve.waitForLog('pass USAGE_KEY_FIRST_MB: not held');
    for (const serve of held) expect(serve.log()).not.toContain('pass USAGE_KEY_FIRST_MB');
    process.stdout.write(
      `replicas (requests): ${written} lines written, ${vanished} vanished; statuses ${JSON.stringify(statuses.map((s) => Object.fromEntries(s)))}; converged after ${JSON.stringify(converged)} ms\n`
    );
  },
  12 * 60_000
);
