/**
 * Every USAGE_SOURCE preset against core4-shaped sys.log, counted by an independent reading of the fixture:
 * plain string operations on the lines core4 writes (quoted in src/etl/login-sources.ts from core4's
 * core4/api/v1/request/role/model.py and core4/api/v1/request/main.py), and Python itself to read the
 * `re.compile('…', re.IGNORECASE)` names of the DEBUG password lines.
 */
import { execFileSync } from 'node:child_process';
import type { Document } from 'mongodb';
import { BSONRegExp, MongoClient } from 'mongodb';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { checkPatternsOnServer, hasCreatedIndex, patternsOf } from '../src/db/check-source';
import { runOnce } from '../src/job/run-once';
import type { TestDb } from './helpers';
import {
  customSelector,
  expectedLogins,
  openTestDb,
  presetSelector,
  runDeps,
  storedLogins,
  testMongoUri,
} from './helpers';

const NOW = new Date('2026-03-31T12:00:00Z');
const ROLE_LOGGER = 'core4.api.v1.request.role.model.CoreRole';

let db: TestDb;
let docs: Document[];
beforeAll(async () => {
  db = await openTestDb();
  docs = [...generateSysLog({ days: 4, users: 60, perDay: 80, end: NOW, seed: 9 })].flat();
  await db.cols.sysLog.insertMany(docs);
});
afterAll(() => db.close());

function line(d: Document): string {
  return `${(d.created as Date).toISOString().slice(0, 10)}|${(d.created as Date).toISOString()}`;
}

/** The text between `prefix` and the first `suffix` after it, or undefined. */
function between(message: unknown, prefix: string, suffix: string): string | undefined {
  if (typeof message !== 'string' || !message.startsWith(prefix)) return undefined;
  const end = message.indexOf(suffix, prefix.length);
  return end < 0 ? undefined : message.slice(prefix.length, end);
}

function lastLogins(all: readonly Document[]): Array<[Document, string]> {
  return all.flatMap((d): Array<[Document, string]> => {
    const name =
      d.qual_name === ROLE_LOGGER
        ? between(d.message, 'set [last_login] for role [', '] with _id [')
        : undefined;
    return name ? [[d, name]] : [];
  });
}

function tokenRequests(all: readonly Document[]): Array<[Document, string]> {
  return all.flatMap((d): Array<[Document, string]> => {
    const name = between(d.message, 'successfully loaded [', '] by [token] from [');
    return name ? [[d, name]] : [];
  });
}

/**
 * core4's access lines (core4/api/v1/application.py, CoreApplication._log) of requests answered below 400
 * for an authenticated user: read by position, the status between the first brackets, the name between
 * `] by [` and `] from [`, `None` being nobody.
 */
function accessLines(all: readonly Document[]): Array<[Document, string]> {
  return all.flatMap((d): Array<[Document, string]> => {
    const message = String(d.message);
    if (!message.startsWith('[') || message[4] !== ']') return [];
    const status = Number(message.slice(1, 4));
    const from = message.lastIndexOf('] from [');
    const by = message.lastIndexOf('] by [', from);
    const name = by > 0 && from > by ? message.slice(by + '] by ['.length, from) : '';
    return status < 400 && name !== '' && name !== 'None' ? [[d, name]] : [];
  });
}

function oracle(pairs: Array<[Document, string]>): string[] {
  return pairs
    .filter(([, name]) => name !== 'admin')
    .map(([d, name]) => `${line(d)}|${name}`)
    .sort();
}

async function runWith(selector: ReturnType<typeof presetSelector>, loginDb: string) {
  const cols = { ...db.cols };
  const target = db.client.db(`${db.loginDb}_${loginDb}`);
  Object.assign(cols, {
    db: target,
    chunks: target.collection('login'),
    days: target.collection('login.day'),
    job: target.collection('login.job'),
    runs: target.collection('login.run'),
  });
  const outcome = await runOnce(runDeps(cols, { selector }), { start: '2026-03-28' }, loginDb, 1);
  if (outcome.status !== 'success') throw new Error('run skipped');
  const stored = await storedLogins(cols);
  await target.dropDatabase();
  return { stats: outcome.stats, stored };
}

describe('login sources on core4-shaped sys.log', () => {
  it('core4-logins: one login per last_login line, canonical names, admin excluded', async () => {
    const expected = oracle(lastLogins(docs));
    expect(expected.length).toBeGreaterThan(150);
    const { stats, stored } = await runWith(presetSelector('core4-logins'), 'logins');
    expect(stored).toEqual(expected);
    expect(stats).toMatchObject({
      logins: expected.length,
      excluded: lastLogins(docs).length - expected.length,
      malformed: 0,
    });
    expect(stats.excluded).toBeGreaterThan(0);
    // The same people at the same instants as the seed's convention, which the demo writes beside it.
    expect(stored.map((s) => s.slice(11))).toEqual(expectedLogins(docs).map((s) => s.slice(11)));
  });

  it('core4-active: last_login lines plus token requests', async () => {
    const expected = oracle([...lastLogins(docs), ...tokenRequests(docs)]);
    const { stats, stored } = await runWith(presetSelector('core4-active'), 'active');
    expect(stored).toEqual(expected);
    expect(stats.logins).toBe(expected.length);
    // People active through a token on a day they did not log in: more distinct users per day than logins show.
    const usersPerDay = (lines: string[]) =>
      new Map(
        [...new Set(lines.map((l) => `${l.slice(0, 10)}|${l.split('|')[2]}`))].reduce(
          (m, k) => m.set(k.slice(0, 10), (m.get(k.slice(0, 10)) ?? 0) + 1),
          new Map<string, number>()
        )
      );
    const active = usersPerDay(stored);
    const logins = usersPerDay(oracle(lastLogins(docs)));
    for (const [day, n] of logins) expect(active.get(day)).toBeGreaterThan(n);
  });

  it('core4-requests: every request below 400 by a named user, at INFO', async () => {
    const expected = oracle(accessLines(docs));
    const { stats, stored } = await runWith(presetSelector('core4-requests'), 'requests');
    expect(stored).toEqual(expected);
    expect(stats.logins).toBe(expected.length);
    // Anonymous requests (`by [None]`) and 4xx/5xx ones are in sys.log and not counted; every line read is INFO.
    const all = docs.filter((d) => /^\[\d{3}\] /.test(String(d.message)));
    expect(all.filter((d) => String(d.message).includes('] by [None] from [')).length).toBeGreaterThan(50);
    expect(all.filter((d) => d.level !== 'INFO').length).toBeGreaterThan(20);
    const counted = new Set(accessLines(docs).map(([d]) => d));
    expect([...counted].every((d) => d.level === 'INFO')).toBe(true);
    // Everyone who logged in with a password is active (the login request answered 200 by their name), and
    // more people are than logged in (tokens from earlier days).
    const people = (pairs: Array<[Document, string]>) => new Set(oracle(pairs).map((l) => l.split('|')[2]));
    const active = people(accessLines(docs));
    const loggedIn = people(lastLogins(docs));
    expect([...loggedIn].filter((p) => !active.has(p))).toEqual([]);
    expect(active.size).toBeGreaterThan(loggedIn.size);
  });

  it('seed: the original convention', async () => {
    const { stored } = await runWith(presetSelector('seed'), 'seed');
    expect(stored).toEqual(expectedLogins(docs));
  });

  it('a custom regex over the DEBUG password line: names unwrapped from re.compile and case-folded, counted', async () => {
    const lines = docs.flatMap((d): Array<[Document, string]> => {
      const repr = between(d.message, 'successfully loaded [', '] by [username] from [');
      return repr ? [[d, repr]] : [];
    });
    // Python reads its own repr: ast.literal_eval of the pattern literal inside re.compile(...).
    const script =
      'import ast, json, sys\nprint(json.dumps([ast.literal_eval(r[len("re.compile("):r.rindex(", re.IGNORECASE)")]).lower() for r in json.load(sys.stdin)]))';
    const names = JSON.parse(
      execFileSync('python3', ['-c', script], { input: JSON.stringify(lines.map(([, r]) => r)) }).toString()
    ) as string[];
    const typed = lines.map(([, r]) => r);
    expect(typed.some((r) => /re\.compile\('USER/.test(r))).toBe(true);
    expect(typed.some((r) => /re\.compile\('User/.test(r))).toBe(true);
    const expected = oracle(lines.map(([d], i) => [d, names[i] ?? '']));
    const selector = customSelector(/^successfully loaded \[(?<user>.+)\] by \[username\] from \[/);
    const { stats, stored } = await runWith(selector, 'custom');
    expect(stored).toEqual(expected);
    expect(stats.unwrapped).toBe(expected.length);
    // Case-folded, the typed names are the canonical ones: the same logins as core4-logins.
    expect(stored).toEqual(oracle(lastLogins(docs)));
  });
});

describe('start-up checks of the source', () => {
  it('should accept the presets and name the variable of a pattern the server rejects', async () => {
    await expect(
      checkPatternsOnServer(db.cols.sysLog, patternsOf(presetSelector('core4-active')))
    ).resolves.toBeUndefined();
    // An unbalanced group is rejected by PCRE (real MongoDB) and by JavaScript (CongoDB) alike. Its own
    // client: after rejecting a query, CongoDB fails every later request on that connection.
    const client = await MongoClient.connect(testMongoUri());
    try {
      const scratch = client.db(db.sysDb).collection('scratch');
      await expect(
        checkPatternsOnServer(scratch, [
          { variable: 'USAGE_MESSAGE_REGEX', pattern: new BSONRegExp('(unclosed', '') },
        ])
      ).rejects.toThrow(
        /^USAGE_MESSAGE_REGEX: MongoDB rejects the pattern '\(unclosed' \(.+\); use syntax that both JavaScript and PCRE accept$/
      );
    } finally {
      await client.close();
    }
  });

  it('should see whether sys.log has an index starting with created', async () => {
    const sysLog = db.client.db(db.sysDb).collection('indexcheck');
    const cols = { ...db.cols, sysLog };
    await sysLog.insertOne({ created: new Date() });
    expect(await hasCreatedIndex(cols)).toBe(false);
    await sysLog.createIndex({ level: 1, created: 1 });
    expect(await hasCreatedIndex(cols)).toBe(false);
    await sysLog.createIndex({ created: 1, level: 1 });
    expect(await hasCreatedIndex(cols)).toBe(true);
  });
});
