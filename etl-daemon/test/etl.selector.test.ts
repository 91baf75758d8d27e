import { execFileSync } from 'node:child_process';
import { compiledRepr } from '../src/demo/generate-sys-log';
import { UNKNOWN_KEY } from '../src/etl/dimensions';
import { CORE4_ROLE_QUAL_NAME } from '../src/etl/login-sources';
import { extractLogin, sourceFilter, sourceProjection, unwrapCompiledName } from '../src/etl/selector';
import { DEFAULT_SELECTOR, customSelector, presetSelector } from './helpers';

const created = new Date('2026-03-30T10:00:00Z');
const LOGINS = presetSelector('core4-logins');
const ACTIVE = presetSelector('core4-active');
const REQUESTS = presetSelector('core4-requests');
/** A custom regex over core4's DEBUG password line, which carries the name as `re.compile('…', …)`. */
const DEBUG_PASSWORD = customSelector(/^successfully loaded \[(?<user>.+)\] by \[username\]/);

// The lines as core4 writes them (core4/api/v1/request/role/model.py CoreRole.login() and
// core4/api/v1/request/main.py verify_user(), release 1.0.10).
const lastLogin = (name: string, qualName = CORE4_ROLE_QUAL_NAME) => ({
  created,
  message: `set [last_login] for role [${name}] with _id [5e8b1c2f0a1b2c3d4e5f6a7b]`,
  level: 'INFO',
  qual_name: qualName,
  username: 'core4',
  hostname: 'app-1',
});
const tokenLine = (name: string) => ({
  created,
  message: `successfully loaded [${name}] by [token] from [Auth Bearer] expiring [2026-03-30 11:00:00]`,
  level: 'DEBUG',
  qual_name: 'core4.api.v1.request.role.main.RoleHandler',
});
const passwordLine = (repr: string) => ({
  created,
  message: `successfully loaded [${repr}] by [username] from [Auth Basic]`,
  level: 'DEBUG',
  qual_name: 'core4.api.v1.request.main.CoreRequestHandler',
});

/** Python's own repr of re.compile(name, re.IGNORECASE): the text core4 puts into its DEBUG line. */
function pythonReprs(names: string[]): string[] {
  const script =
    'import json, re, sys\nprint(json.dumps([repr(re.compile(n, re.IGNORECASE)) for n in json.load(sys.stdin)]))';
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: JSON.stringify(names) }).toString()
  ) as string[];
}

describe('unwrapCompiledName', () => {
  const names = [
    'amy',
    'Amy',
    'BOB.SMITH@EXAMPLE.COM',
    "o'brien",
    'say"hi',
    `it's "x"`,
    'back\\slash',
    'tab\there',
    'ünïcode',
  ];

  it("should read every name from Python's real repr and case-fold it", () => {
    const reprs = pythonReprs(names);
    expect(reprs[1]).toBe("re.compile('Amy', re.IGNORECASE)");
    expect(reprs.map(unwrapCompiledName)).toEqual(names.map((n) => n.toLowerCase()));
  });

  it("should write what Python writes (the demo data's lines)", () => {
    expect(names.map(compiledRepr)).toEqual(pythonReprs(names));
  });

  it.each([
    ['amy', undefined],
    ["re.compile('amy'", undefined],
    // Python cuts a pattern's repr after 200 characters: the closing quote is gone, the name unreadable.
    [`re.compile('${'a'.repeat(199)}`, undefined],
    ["re.compile('amy')", 'amy'],
    ["re.compile('Amy', re.IGNORECASE|re.MULTILINE)", 'amy'],
  ])('should read %j as %j', (raw, expected) => {
    expect(unwrapCompiledName(raw)).toBe(expected);
  });
});

describe('extractLogin', () => {
  it('should take the user from the configured field (seed)', () => {
    expect(extractLogin({ created, message: 'successful login', user: 'amy' }, DEFAULT_SELECTOR)).toEqual({
      kind: 'login',
      event: { user: 'amy', created, key: UNKNOWN_KEY },
    });
  });

  it("should read core4's last_login line with its canonical name, only from the role model's logger", () => {
    // The request key: the line's logger (qual_name) and the serving host (etl/dimensions.ts).
    expect(extractLogin(lastLogin('amy'), LOGINS)).toEqual({
      kind: 'login',
      event: { user: 'amy', created, key: `${CORE4_ROLE_QUAL_NAME}\u001fapp-1` },
    });
    expect(extractLogin(lastLogin('Bob.Smith@example.com'), LOGINS)).toMatchObject({
      event: { user: 'Bob.Smith@example.com' },
    });
    expect(extractLogin(lastLogin('amy', 'project.api.Other'), LOGINS)).toEqual({
      kind: 'malformed',
      reason: 'no user name',
    });
    expect(extractLogin(lastLogin('admin'), LOGINS)).toEqual({ kind: 'excluded' });
  });

  it('should count token requests as activity with core4-active only', () => {
    expect(extractLogin(tokenLine('carl'), ACTIVE)).toEqual({
      kind: 'login',
      event: { user: 'carl', created, key: 'core4.api.v1.request.role.main.RoleHandler\u001f' },
    });
    expect(extractLogin(lastLogin('amy'), ACTIVE)).toMatchObject({ kind: 'login', event: { user: 'amy' } });
    expect(extractLogin(tokenLine('carl'), LOGINS)).toMatchObject({ kind: 'malformed' });
    // The password DEBUG line matches no preset: its name is a regex repr, not a role name.
    expect(extractLogin(passwordLine("re.compile('amy', re.IGNORECASE)"), ACTIVE)).toMatchObject({
      kind: 'malformed',
    });
  });

  it("should count core4's access line of a request below 400 by a named user with core4-requests only", () => {
    // The line as Python formats it: core4/api/v1/application.py CoreApplication._log's format string, with
    // handler.current_user None (unauthenticated) formatted by %s as Python does.
    const script = [
      'import json, sys',
      'fmt = "[%d] [%s %s] in [%.2fms] by [%s] from [%s]"',
      'print(json.dumps([fmt % (s, m, p, t, None if u is None else u, "6f1c0a") for s, m, p, t, u in json.load(sys.stdin)]))',
    ].join('\n');
    const requests: [number, string, string, number, string | null][] = [
      [200, 'GET', '/mkt/api/v1/report', 31.0712, 'carol'],
      [304, 'GET', '/core4/api/v1/roles', 0.5, 'Bob.Smith@example.com'],
      [403, 'GET', '/mkt/api/v1/report', 2.1, 'dave'],
      [500, 'POST', '/fin/api/v1/budget', 1203.456, 'erin'],
      [304, 'GET', '/core4/api/v1/file/default/favicon.ico', 0.81, null],
      [200, 'POST', '/core4/api/v1/login', 12, 'admin'],
      [200, 'GET', '/mkt/api/v1/report?x=[1]', 3, 'None'],
    ];
    const lines = JSON.parse(
      execFileSync('python3', ['-c', script], { input: JSON.stringify(requests) }).toString()
    ) as string[];
    expect(lines[0]).toBe('[200] [GET /mkt/api/v1/report] in [31.07ms] by [carol] from [6f1c0a]');
    const access = (message: string) => ({
      created,
      message,
      level: 'INFO',
      qual_name: 'mkt.api.v1.report.ReportHandler',
      hostname: 'app-2',
    });
    const key = 'mkt.api.v1.report.ReportHandler\u001fapp-2';
    const read = lines.map((message) => extractLogin(access(message), REQUESTS));
    expect(read).toEqual([
      { kind: 'login', event: { user: 'carol', created, key } },
      { kind: 'login', event: { user: 'Bob.Smith@example.com', created, key } },
      { kind: 'malformed', reason: 'no user name' },
      { kind: 'malformed', reason: 'no user name' },
      { kind: 'malformed', reason: 'no user name' },
      { kind: 'excluded' },
      // A role literally named "None" is indistinguishable from no user in this line: not counted.
      { kind: 'malformed', reason: 'no user name' },
    ]);
    // The other presets do not read it, and it reads no other line.
    expect(extractLogin(access(lines[0] ?? ''), LOGINS)).toMatchObject({ kind: 'malformed' });
    expect(extractLogin(access(lines[0] ?? ''), ACTIVE)).toMatchObject({ kind: 'malformed' });
    expect(extractLogin(tokenLine('carl'), REQUESTS)).toMatchObject({ kind: 'malformed' });
    expect(extractLogin(lastLogin('amy'), REQUESTS)).toMatchObject({ kind: 'malformed' });
  });

  it('should unwrap and case-fold a re.compile name that a custom regex captures, and say so', () => {
    expect(extractLogin(passwordLine("re.compile('Amy', re.IGNORECASE)"), DEBUG_PASSWORD)).toEqual({
      kind: 'login',
      event: { user: 'amy', created, key: 'core4.api.v1.request.main.CoreRequestHandler\u001f' },
      unwrapped: true,
    });
    expect(extractLogin(passwordLine("re.compile('ADMIN', re.IGNORECASE)"), DEBUG_PASSWORD)).toEqual({
      kind: 'excluded',
    });
    expect(extractLogin(passwordLine("re.compile('cut"), DEBUG_PASSWORD)).toEqual({
      kind: 'malformed',
      reason: 'unreadable re.compile(...) name',
    });
  });

  it.each([
    [{ created, user: 'admin' }, DEFAULT_SELECTOR, { kind: 'excluded' }],
    [{ created, user: '' }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [{ created, user: 7 }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [{ created }, DEFAULT_SELECTOR, { kind: 'malformed', reason: 'no user name' }],
    [
      { created, user: 'x'.repeat(257) },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'user name too long' },
    ],
    [
      { created: '2026-03-30', user: 'amy' },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'created is not a date' },
    ],
    [
      { created: new Date(NaN), user: 'amy' },
      DEFAULT_SELECTOR,
      { kind: 'malformed', reason: 'created is not a date' },
    ],
    [
      { created, message: 'set [last_login] for role [] with _id [1]', qual_name: CORE4_ROLE_QUAL_NAME },
      LOGINS,
      { kind: 'malformed', reason: 'no user name' },
    ],
    [{ created, message: 42 }, LOGINS, { kind: 'malformed', reason: 'no user name' }],
  ])('should classify %j', (doc, selector, expected) => {
    expect(extractLogin(doc, selector)).toEqual(expected);
  });

  it('should read nested fields and treat a non-object on the path as no user', () => {
    const selector = customSelector(/successful login/, 'meta.login');
    expect(extractLogin({ created, meta: { login: 'amy' } }, selector)).toMatchObject({ kind: 'login' });
    expect(extractLogin({ created, meta: 'amy' }, selector)).toMatchObject({ kind: 'malformed' });
  });
});

describe('sourceFilter', () => {
  const from = new Date('2026-03-01T00:00:00Z');
  const to = new Date('2026-03-02T00:00:00Z');

  it('should select by created range, message and logger only, from validated values', () => {
    expect(sourceFilter(DEFAULT_SELECTOR, from, to)).toEqual({
      created: { $gte: from, $lt: to },
      message: { $regex: /successful login/ },
    });
    expect(sourceFilter(LOGINS, from, to)).toEqual({
      created: { $gte: from, $lt: to },
      message: { $regex: /^set \[last_login\] for role \[(?<user>\S+)\] with _id \[/ },
      qual_name: CORE4_ROLE_QUAL_NAME,
    });
    expect(sourceFilter(ACTIVE, from, to)).toEqual({
      created: { $gte: from, $lt: to },
      $or: [
        {
          message: { $regex: /^set \[last_login\] for role \[(?<user>\S+)\] with _id \[/ },
          qual_name: CORE4_ROLE_QUAL_NAME,
        },
        { message: { $regex: /^successfully loaded \[(?<user>\S+)\] by \[token\] from \[/ } },
      ],
    });
  });

  it('should project only what extraction reads', () => {
    // qual_name and hostname always: each login's handler and host.
    const always = { _id: 0, created: 1, message: 1, qual_name: 1, hostname: 1 };
    expect(sourceProjection(DEFAULT_SELECTOR)).toEqual({ ...always, user: 1 });
    expect(sourceProjection(LOGINS)).toEqual(always);
    expect(sourceProjection(DEBUG_PASSWORD)).toEqual(always);
  });
});
