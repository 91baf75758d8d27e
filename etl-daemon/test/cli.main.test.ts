/** The CLI as a user meets it: a real child process, its exit code and its one-line messages. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testMongoUri } from './helpers';

const CLI = path.resolve(__dirname, '../bin/core4-usage.js');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('core4-usage CLI', () => {
  it('should list every command and environment variable with its default on --help', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('core4-usage run [--start ISO] [--end ISO] [--reset]');
    expect(stdout).toContain(
      'core4-usage demo-data --days N --users N [--per-day N] [--seed N] [--if-empty]'
    );
    expect(stdout).toMatch(
      /USAGE_SYS_LOG +source log collection \(database\.collection\) \(default: core4\.sys\.log\)/
    );
    expect(stdout).toMatch(/USAGE_START +first UTC day .*\(default: 2020-01-01\)/);
  });

  it.each([
    [
      ['frobnicate'],
      {},
      "core4-usage: unknown command 'frobnicate'; expected serve, run, summarize, demo-data or --help",
    ],
    [['run', '--force'], {}, "core4-usage: run: Unknown option '--force'"],
    [
      ['run'],
      {},
      'core4-usage: MONGODB_URI is not set: `run` needs a database (`serve` starts an embedded one)',
    ],
    [
      ['run'],
      { MONGODB_URI: 'localhost' },
      "core4-usage: MONGODB_URI: expected a connection string starting with 'mongodb://' or 'mongodb+srv://'",
    ],
    [
      ['serve'],
      { PORT: 'eighty' },
      "core4-usage: PORT: 'eighty' is not valid; expected a whole number from 0 to 65535",
    ],
    [['demo-data', '--days', '3'], {}, 'core4-usage: --users is required'],
    [
      ['demo-data', '--days', 'x', '--users', '3'],
      {},
      "core4-usage: --days: 'x' is not a whole number from 1 to 36600",
    ],
  ])('should exit 2 on %j with one line saying what is wrong', (args, env, message) => {
    const { code, stderr } = cli(args, env);
    expect(code).toBe(2);
    expect(stderr).toBe(`${message}\n`);
  });

  it('should exit 2 with the reason when run is given a range in the future', () => {
    const { code, stderr } = cli(['run', '--end', '2999-01-01'], {
      MONGODB_URI: testMongoUri(),
      USAGE_LOGIN: 'cli_test.login',
      USAGE_SYS_LOG: 'cli_test.sys.log',
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^core4-usage: end: 2999-01-01 is in the future \(today is \d{4}-\d{2}-\d{2} UTC\)\n$/
    );
  });

  it('should write demo data and then run over it, printing progress lines and a summary', () => {
    const env = {
      MONGODB_URI: testMongoUri(),
      USAGE_LOGIN: 'cli_test2.login',
      USAGE_SYS_LOG: 'cli_test2.sys.log',
      USAGE_ROLES: 'cli_test2.sys.role',
      USAGE_HANDLERS: 'cli_test2.sys.handler',
      LOG_LEVEL: 'silent',
    };
    const demo = cli(['demo-data', '--days', '3', '--users', '20', '--per-day', '30'], env);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(
      /^wrote \d+ sys\.log documents \(3 days, 20 users\) to cli_test2\.sys\.log and their roles to cli_test2\.sys\.role, the apps. registrations to cli_test2\.sys\.handler\n$/
    );
    const again = cli(['demo-data', '--days', '3', '--users', '20', '--if-empty'], env);
    expect([again.code, again.stdout]).toEqual([
      0,
      'cli_test2.sys.log already holds documents; nothing written (--if-empty)\n',
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    // A day closes an hour (USAGE_CLOSE_AFTER) after its end: before 01:00 UTC yesterday is still open.
    const checkpoint = new Date(Date.now() - 3_600_000).toISOString().slice(0, 10);
    const run = cli(['run', '--start', start], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('progress '))).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(`^progress 100\\.0% work \\[${today}\\] day \\[3\\] of \\[3\\]: \\d+ logins, \\d+ users$`)
    );
    expect(lines[3]).toMatch(
      new RegExp(
        `^run \\S+ succeeded: 3 days \\[${start} - ${today}\\], \\d+ logins, \\d+ excluded, \\d+ malformed, 0 unwrapped; ` +
          `\\d+ sys\\.log documents read; checkpoint ${checkpoint}$`
      )
    );
  });

  it('should warn on run, as serve does, when sys.log has no index on created, naming the command that creates it', () => {
    const run = cli(['run'], {
      MONGODB_URI: testMongoUri(),
      USAGE_LOGIN: 'cli_test3.login',
      USAGE_SYS_LOG: 'cli_test3.sys.log',
      USAGE_START: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'cli_test3.sys.log has no index starting with created: every run scans the whole collection; ' +
        "create one as core4 does: db.getSiblingDB('cli_test3').getCollection('sys.log').createIndex({created: -1})"
    );
  });
});
