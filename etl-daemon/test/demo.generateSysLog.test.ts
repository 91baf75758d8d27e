import { generateSysLog } from '../src/demo/generate-sys-log';
import { ObjectId } from 'mongodb';
import { generateSysRole } from '../src/demo/generate-sys-role';
import { expandMembership } from '../src/etl/role-membership';
import { writeDemoData } from '../src/demo/write-demo-data';
import type { TestDb } from './helpers';
import { openTestDb } from './helpers';

const end = new Date('2026-03-31T12:00:00Z');

describe('generateSysLog', () => {
  const days = [...generateSysLog({ days: 14, users: 100, perDay: 200, end, seed: 3 })];
  const docs = days.flat();

  it('should yield one time-ordered batch per UTC day up to the end', () => {
    expect(days).toHaveLength(14);
    expect(days[0]?.[0]?.created.toISOString().slice(0, 10)).toBe('2026-03-18');
    for (const batch of days) {
      const times = batch.map((d) => d.created.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(Math.max(...docs.map((d) => d.created.getTime()))).toBeLessThan(end.getTime());
  });

  it("should write each password login in the seed's convention and as core4's two lines, with token requests", () => {
    // core4's lines (core4/api/v1/request/role/model.py CoreRole.login(), core4/api/v1/request/main.py
    // verify_user()): INFO last_login from the role model's logger, DEBUG password and token lines.
    const seed = docs.filter((d) => d.message === 'successful login');
    const lastLogin = docs.filter((d) => d.message.startsWith('set [last_login] for role ['));
    const password = docs.filter((d) =>
      /^successfully loaded \[re\.compile\('.+', re\.IGNORECASE\)\] by \[username\] from \[(Auth Basic|args)\]$/.test(
        d.message
      )
    );
    const token = docs.filter((d) =>
      /^successfully loaded \[[^\]\s]+\] by \[token\] from \[(Auth Bearer|cookie|args)\] expiring \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]$/.test(
        d.message
      )
    );
    const access = new Set(docs.filter((d) => /^\[\d{3}\] \[/.test(d.message)));
    const noise = docs.filter(
      (d) => !d.message.includes('success') && !d.message.startsWith('set [last_login]') && !access.has(d)
    );
    const validSeed = seed.filter((d) => typeof d.user === 'string' && d.user !== '');
    expect(validSeed.length).toBeGreaterThan(1500);
    // One last_login and one DEBUG password line per seed login with a name, at the same second.
    expect(lastLogin.map((d) => [d.created, d.message.split('[')[2]?.split(']')[0]])).toEqual(
      validSeed.map((d) => [d.created, d.user])
    );
    expect(password.map((d) => d.created)).toEqual(validSeed.map((d) => d.created));
    for (const d of lastLogin)
      expect(d).toMatchObject({
        level: 'INFO',
        levelno: 20,
        qual_name: 'core4.api.v1.request.role.model.CoreRole',
      });
    for (const d of [...password, ...token]) expect(d).toMatchObject({ level: 'DEBUG', levelno: 10 });
    // Mixed case as typed, and more token requests than logins (people stay active on their tokens).
    expect(password.some((d) => d.message.includes("re.compile('User"))).toBe(true);
    expect(password.some((d) => d.message.includes("re.compile('USER"))).toBe(true);
    expect(token.length).toBeGreaterThan(lastLogin.length);
    expect(noise.length).toBeGreaterThan(validSeed.length * 0.9);
    expect(docs.length).toBe(
      seed.length + lastLogin.length + password.length + token.length + noise.length + access.size
    );
    expect(seed.filter((d) => d.user === 'admin').length).toBeGreaterThan(10);
    expect(seed.filter((d) => d.user === undefined || d.user === 42 || d.user === '').length).toBeGreaterThan(
      10
    );
    expect(new Set(docs.map((d) => d.hostname)).size).toBeGreaterThan(1);
    for (const d of docs) {
      expect(d.created.getMilliseconds()).toBe(0);
      expect(d).toMatchObject({ username: 'core4', epoch: d.created.getTime() / 1000 });
    }
  });

  it('should write only the conventions asked for', () => {
    const messages = (lines: { seed: boolean; core4: boolean }) =>
      [...generateSysLog({ days: 2, users: 20, perDay: 50, end, seed: 3, lines })]
        .flat()
        .map((d) => d.message);
    const core4Only = messages({ seed: false, core4: true });
    expect(core4Only.some((m) => m === 'successful login')).toBe(false);
    expect(core4Only.some((m) => m.startsWith('set [last_login]'))).toBe(true);
    const seedOnly = messages({ seed: true, core4: false });
    expect(seedOnly.some((m) => m === 'successful login')).toBe(true);
    expect(
      seedOnly.some(
        (m) => m.startsWith('set [last_login]') || m.startsWith('successfully loaded') || m.startsWith('[')
      )
    ).toBe(false);
  });

  it("should write core4's access line for every token request and login, and for anonymous requests", () => {
    // core4/api/v1/application.py CoreApplication._log: "[%d] [%s %s] in [%.2fms] by [%s] from [%s]", the
    // handler's logger at INFO below 400, WARNING for 4xx, ERROR for 5xx; `None` when nobody logged in.
    const access = docs.flatMap((d) => {
      const m =
        /^\[(\d{3})\] \[([A-Z]+) (\S+)\] in \[(\d+\.\d\d)ms\] by \[(\S+)\] from \[([0-9a-f]{24})\]$/.exec(
          d.message
        );
      return m ? [{ doc: d, status: Number(m[1]), path: m[3] ?? '', user: m[5] ?? '' }] : [];
    });
    expect(access.length).toBe(docs.filter((d) => d.message.startsWith('[')).length);
    for (const { doc, status } of access)
      expect(doc.level).toBe(status >= 500 ? 'ERROR' : status >= 400 ? 'WARNING' : 'INFO');
    const key = (d: { created: Date; hostname: string; qual_name: string }, user: string) =>
      `${d.created.toISOString()}|${d.hostname}|${d.qual_name}|${user}`;
    const lines = new Set(access.map((a) => key(a.doc, a.user)));
    // Every token request (DEBUG, by the same handler) has its access line, at the same second and host.
    const tokens = docs.flatMap((d) => {
      const user = /^successfully loaded \[(\S+)\] by \[token\]/.exec(d.message)?.[1];
      return user ? [key(d, user)] : [];
    });
    expect(tokens.filter((k) => !lines.has(k))).toEqual([]);
    // Every password login: the login handler's POST by that user.
    for (const d of docs.filter((x) => x.message.startsWith('set [last_login]'))) {
      const user = d.message.split('[')[2]?.split(']')[0] ?? '';
      expect(
        access.some(
          (a) =>
            a.user === user &&
            a.doc.created.getTime() === d.created.getTime() &&
            a.path === '/core4/api/v1/login' &&
            a.status === 200
        )
      ).toBe(true);
    }
    // Anonymous requests, failures, several projects (a qual_name's first segment) and hosts.
    expect(access.filter((a) => a.user === 'None').length).toBeGreaterThan(100);
    expect(new Set(access.map((a) => a.status))).toEqual(new Set([200, 201, 302, 304, 401, 403, 404, 500]));
    expect(new Set(access.map((a) => a.doc.qual_name.split('.')[0]))).toEqual(
      new Set(['core4', 'mkt', 'fin', 'hr'])
    );
    expect(new Set(access.map((a) => a.doc.hostname)).size).toBe(3);
  });

  it('should be the same for the same seed and bring in new users over time', () => {
    const again = [...generateSysLog({ days: 14, users: 100, perDay: 200, end, seed: 3 })].flat();
    expect(again.map((d) => [d.created, d.message, d.user])).toEqual(
      docs.map((d) => [d.created, d.message, d.user])
    );
    const firstWeek = new Set(
      days
        .slice(0, 7)
        .flat()
        .map((d) => d.user)
    );
    const secondWeek = new Set(
      days
        .slice(7)
        .flat()
        .map((d) => d.user)
    );
    expect([...secondWeek].filter((u) => !firstWeek.has(u)).length).toBeGreaterThan(0);
  });

  it('should yield an empty batch for a day that has barely begun, and write the others (just after midnight)', async () => {
    const justAfterMidnight = new Date('2026-03-31T00:00:01Z');
    const batches = [...generateSysLog({ days: 3, users: 50, perDay: 100, end: justAfterMidnight, seed: 4 })];
    expect(batches.map((b) => b.length > 0)).toEqual([true, true, false]);
    const db: TestDb = await openTestDb();
    try {
      const written = await writeDemoData(db.cols.sysLog, {
        days: 3,
        users: 50,
        perDay: 100,
        end: justAfterMidnight,
        seed: 4,
      });
      expect(written).toBe(batches.flat().length);
      expect(await db.cols.sysLog.countDocuments()).toBe(written);
    } finally {
      await db.close();
    }
  });

  it("should write core4's sys.role for the demo's users: nested groups, a retired one, last logins from the log", async () => {
    const options = { days: 20, users: 60, perDay: 80, end: new Date('2026-03-31T12:00:00Z'), seed: 8 };
    const db: TestDb = await openTestDb();
    try {
      const sysRole = db.client.db(db.sysDb).collection('sys.role');
      await writeDemoData(db.cols.sysLog, options, undefined, { sysRole });
      const roles = await sysRole
        .find<{
          _id: ObjectId;
          name: string;
          role: ObjectId[];
          email?: string;
          password?: string;
          is_active?: boolean;
          last_login?: Date;
        }>({})
        .toArray();
      const users = roles.filter((r) => r.email !== undefined && r.password !== undefined);
      // Every user of the log and 3 % more who never log in; ids are ObjectIds, as core4 stores them.
      expect(users.map((u) => u.name).sort()).toEqual(
        Array.from({ length: 62 }, (_, i) => `user${String(i).padStart(5, '0')}`)
      );
      expect(
        roles.every((r) => r._id instanceof ObjectId && r.role.every((id: unknown) => id instanceof ObjectId))
      ).toBe(true);
      // last_login is the time of the user's last `set [last_login]` line (core4's CoreRole.login writes both).
      const lines = await db.cols.sysLog
        .find({ message: /^set \[last_login\]/ })
        .sort({ created: 1 })
        .toArray();
      const last = new Map(lines.map((l) => [/\[(\S+)\]/.exec(l.message.slice(20))?.[1], l.created as Date]));
      expect(last.size).toBeGreaterThan(30);
      for (const user of users)
        expect([user.name, user.last_login ?? null]).toEqual([user.name, last.get(user.name) ?? null]);
      // The same seed writes the same roles; an existing sys.role is left alone.
      await writeDemoData(db.cols.sysLog, options, undefined, { sysRole });
      expect(await sysRole.countDocuments()).toBe(roles.length);
      const docs = generateSysRole({
        ...options,
        firstDay: new Date('2026-03-12T00:00:00Z'),
        lastLogins: new Map(),
      });
      expect(docs.map((d) => [d._id, d.name, d.role])).toEqual(
        roles.map((r) => [String(r._id), r.name, r.role.map(String)])
      );
      // What core4 expands: staff through two levels, the retired group kept by nobody.
      const groups = expandMembership(
        roles.map((r) => ({
          id: String(r._id),
          name: r.name,
          realname: null,
          isActive: r.is_active === true,
          isUser: r.email !== undefined,
          created: null,
          lastLogin: null,
          roles: r.role.map(String),
        }))
      ).users.flatMap((u) => u.groups);
      expect(groups).toContain('staff');
      expect(groups).toContain('data-science');
      expect(groups).not.toContain('legacy-reports');
    } finally {
      await db.close();
    }
  });
});
