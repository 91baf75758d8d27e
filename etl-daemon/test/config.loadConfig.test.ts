import { VARIABLES, loadConfig } from '../src/config/config';
import { ConfigError } from '../src/errors';

describe('loadConfig', () => {
  it('should fall back to the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mongodbUri: undefined,
      sysLog: { db: 'core4', collection: 'sys.log' },
      login: { db: 'home', collection: 'login' },
      start: new Date('2020-01-01T00:00:00Z'),
      port: 8080,
      host: '127.0.0.1',
      selector: { source: { name: 'core4-logins' }, excludeUsers: ['admin'] },
      schedule: { daily: '30 1 * * *', incremental: '*/5 * * * *', timezone: 'UTC', runOnStart: true },
      retry: { attempts: 3, backoffMs: 5000 },
      leaseTtlMs: 60_000,
      closeAfterMs: 3_600_000,
      ingestLagMs: 300_000,
      embedded: 'auto',
      // With tokens configured, /metrics needs the read token unless opened; /health stays open (verdict only).
      api: { openMetrics: false, openHealth: true },
    });
    // core4's INFO line, from the role model's logger only.
    expect(config.selector.source.rules).toEqual([
      {
        message: /^set \[last_login\] for role \[(?<user>\S+)\] with _id \[/,
        qualName: 'core4.api.v1.request.role.model.CoreRole',
      },
    ]);
  });

  it('should offer every preset, and let the message regex and user field override it', () => {
    const rules = (env: Record<string, string>) => loadConfig(env).selector.source;
    expect(rules({ USAGE_SOURCE: 'seed' })).toEqual({
      name: 'seed',
      rules: [{ message: /successful login/, userField: 'user' }],
    });
    expect(rules({ USAGE_SOURCE: 'seed', USAGE_USER_FIELD: 'meta.login' }).rules).toEqual([
      { message: /successful login/, userField: 'meta.login' },
    ]);
    const active = rules({ USAGE_SOURCE: 'core4-active' });
    expect(active.rules.map((r) => [r.message.source, r.qualName])).toEqual([
      [
        '^set \\[last_login\\] for role \\[(?<user>\\S+)\\] with _id \\[',
        'core4.api.v1.request.role.model.CoreRole',
      ],
      ['^successfully loaded \\[(?<user>\\S+)\\] by \\[token\\] from \\[', undefined],
    ]);
    expect(rules({ USAGE_SOURCE: 'core4-active', USAGE_MESSAGE_REGEX: 'logged in' })).toEqual({
      name: 'custom',
      rules: [{ message: /logged in/, userField: 'user' }],
    });
    expect(() => loadConfig({ USAGE_USER_FIELD: 'meta.user' })).toThrow(
      "USAGE_USER_FIELD: 'meta.user' does not apply to USAGE_SOURCE=core4-logins, which reads names from the message"
    );
  });

  it.each([
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['300s', 300_000],
    ['1500', 1500],
    ['0', 0],
  ])('should read the duration %s', (text, ms) => {
    expect(loadConfig({ USAGE_CLOSE_AFTER: text }).closeAfterMs).toBe(ms);
    expect(loadConfig({ USAGE_INGEST_LAG: text }).ingestLagMs).toBe(ms);
  });

  it('should read every variable it documents', () => {
    const config = loadConfig({
      MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
      USAGE_SYS_LOG: 'core4.sys.log',
      USAGE_LOGIN: 'reports.login.v2',
      USAGE_START: '2025-06-01',
      PORT: '9090',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      USAGE_SOURCE: 'core4-active',
      USAGE_MESSAGE_REGEX: '^successfully loaded \\[(?<user>[^\\]]+)\\]',
      USAGE_USER_FIELD: 'meta.user',
      USAGE_EXCLUDE_USERS: ' admin, robot ,,',
      USAGE_SCHEDULE: '0 2 * * *',
      USAGE_INCREMENTAL_SCHEDULE: '',
      USAGE_SCHEDULE_TZ: 'Europe/Berlin',
      USAGE_RUN_ON_START: 'no',
      USAGE_RETRY_ATTEMPTS: '5',
      USAGE_RETRY_BACKOFF_MS: '0',
      USAGE_LEASE_TTL_MS: '30000',
      USAGE_CLOSE_AFTER: '90m',
      USAGE_INGEST_LAG: '10m',
      USAGE_EMBEDDED: 'congodb',
    });
    expect(config).toMatchObject({
      mongodbUri: 'mongodb://db:27017/?replicaSet=rs0',
      login: { db: 'reports', collection: 'login.v2' },
      start: new Date('2025-06-01T00:00:00Z'),
      port: 9090,
      host: '0.0.0.0',
      logLevel: 'debug',
      selector: { source: { name: 'custom' }, excludeUsers: ['admin', 'robot'] },
      schedule: { daily: '0 2 * * *', incremental: '', timezone: 'Europe/Berlin', runOnStart: false },
      retry: { attempts: 5, backoffMs: 0 },
      leaseTtlMs: 30_000,
      closeAfterMs: 5_400_000,
      ingestLagMs: 600_000,
      embedded: 'congodb',
    });
    const [rule] = config.selector.source.rules;
    expect(rule?.userField).toBe('meta.user');
    expect(rule?.message.exec('successfully loaded [amy] by [token]')?.groups?.user).toBe('amy');
  });

  it.each([
    [
      'MONGODB_URI',
      'localhost:27017',
      "MONGODB_URI: expected a connection string starting with 'mongodb://' or 'mongodb+srv://'",
    ],
    ['USAGE_SYS_LOG', 'syslog', "USAGE_SYS_LOG: 'syslog' is not a 'database.collection' name"],
    ['USAGE_LOGIN', 'home.$login', "USAGE_LOGIN: 'home.$login' is not a 'database.collection' name"],
    [
      'USAGE_LOGIN',
      'home.system.users',
      "USAGE_LOGIN: 'home.system.users' is not a 'database.collection' name",
    ],
    ['USAGE_START', '2026-02-30', "USAGE_START: '2026-02-30' is not valid; expected a date YYYY-MM-DD"],
    [
      'USAGE_START',
      '2026-01-01T00:00',
      "USAGE_START: '2026-01-01T00:00' is not valid; expected a date YYYY-MM-DD",
    ],
    ['PORT', '80a', "PORT: '80a' is not valid; expected a whole number from 0 to 65535"],
    ['PORT', '70000', "PORT: '70000' is not valid; expected a whole number from 0 to 65535"],
    [
      'USAGE_KEY_FIRST_MB',
      '1.5',
      "USAGE_KEY_FIRST_MB: '1.5' is not valid; expected a whole number from 0 to 1000000",
    ],
    [
      'LOG_LEVEL',
      'loud',
      "LOG_LEVEL: 'loud' is not valid; expected one of fatal, error, warn, info, debug, trace, silent",
    ],
    [
      'USAGE_MESSAGE_REGEX',
      '(unclosed',
      "USAGE_MESSAGE_REGEX: '(unclosed' is not valid; expected a JavaScript regular expression",
    ],
    [
      'USAGE_SOURCE',
      'core4',
      "USAGE_SOURCE: 'core4' is not valid; expected one of core4-logins, core4-active, core4-requests, seed, or several comma-separated, each once",
    ],
    [
      'USAGE_CLOSE_AFTER',
      '1 hour',
      "USAGE_CLOSE_AFTER: '1 hour' is not valid; expected a duration from 0s to 168h, such as 90m, 1h or 300s",
    ],
    [
      'USAGE_INGEST_LAG',
      '2d',
      "USAGE_INGEST_LAG: '2d' is not valid; expected a duration from 0s to 24h, such as 90m, 1h or 300s",
    ],
    [
      'USAGE_USER_FIELD',
      '$where',
      "USAGE_USER_FIELD: '$where' is not valid; expected a field name such as user or meta.user",
    ],
    [
      'USAGE_SCHEDULE',
      'every day',
      "USAGE_SCHEDULE: 'every day' is not valid; expected a cron pattern such as '30 1 * * *'",
    ],
    ['USAGE_SCHEDULE', '', "USAGE_SCHEDULE: '' is not valid; expected a cron pattern"],
    ['USAGE_INCREMENTAL_SCHEDULE', '61 * * * *', "USAGE_INCREMENTAL_SCHEDULE: '61 * * * *' is not valid"],
    [
      'USAGE_SCHEDULE_TZ',
      'Mars/Olympus',
      "USAGE_SCHEDULE_TZ: 'Mars/Olympus' is not valid; expected an IANA time zone",
    ],
    ['USAGE_RUN_ON_START', 'maybe', "USAGE_RUN_ON_START: 'maybe' is not valid; expected true or false"],
    [
      'USAGE_RETRY_ATTEMPTS',
      '0',
      "USAGE_RETRY_ATTEMPTS: '0' is not valid; expected a whole number from 1 to 100",
    ],
    [
      'USAGE_RETRY_BACKOFF_MS',
      '-5',
      "USAGE_RETRY_BACKOFF_MS: '-5' is not valid; expected a whole number from 0 to 3600000",
    ],
    [
      'USAGE_LEASE_TTL_MS',
      '100',
      "USAGE_LEASE_TTL_MS: '100' is not valid; expected a whole number from 3000 to 3600000",
    ],
    [
      'USAGE_EMBEDDED',
      'docker',
      "USAGE_EMBEDDED: 'docker' is not valid; expected one of auto, mongod, congodb",
    ],
  ])('should stop on a bad %s (%j) with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('should materialise several sources side by side: the embedded demo both, an operator what USAGE_SOURCE names', () => {
    const names = (env: Record<string, string>) =>
      loadConfig(env).sources.map((s) => [s.name, `${s.login.db}.${s.login.collection}`]);
    expect(names({})).toEqual([
      ['core4-logins', 'home.login'],
      ['core4-requests', 'home.login.core4-requests'],
    ]);
    expect(names({ MONGODB_URI: 'mongodb://db' })).toEqual([['core4-logins', 'home.login']]);
    expect(
      names({ MONGODB_URI: 'mongodb://db', USAGE_SOURCE: 'core4-requests, seed', USAGE_LOGIN: 'usage.x' })
    ).toEqual([
      ['core4-requests', 'usage.x'],
      ['seed', 'usage.x.seed'],
    ]);
    expect(names({ USAGE_MESSAGE_REGEX: 'logged in' })).toEqual([['custom', 'home.login']]);
    // The caches are shared: each index gets its part.
    expect(loadConfig({}).api.indexLimits.blockCacheBytes * 2).toBeLessThanOrEqual(
      loadConfig({ MONGODB_URI: 'mongodb://db' }).api.indexLimits.blockCacheBytes
    );
    // First requests by key are each source's own (only a source with request keys fills them).
    expect(loadConfig({}).api.indexLimits.keyFirstBytes).toBe(256 * 1024 * 1024);
    expect(loadConfig({ USAGE_KEY_FIRST_MB: '0' }).api.indexLimits.keyFirstBytes).toBe(0);
    expect(() => loadConfig({ USAGE_SOURCE: 'seed,seed' })).toThrow(
      "USAGE_SOURCE: 'seed,seed' is not valid; expected one of core4-logins, core4-active, core4-requests, seed, or several comma-separated, each once"
    );
    expect(() => loadConfig({ USAGE_SOURCE: 'seed,core4-logins', USAGE_MESSAGE_REGEX: 'x' })).toThrow(
      'USAGE_MESSAGE_REGEX: it replaces the lines of one source; USAGE_SOURCE names 2 (seed,core4-logins)'
    );
  });

  it('should document each variable once, with a description', () => {
    const names = VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['MONGODB_URI', 'USAGE_SYS_LOG', 'USAGE_LOGIN', 'USAGE_START', 'PORT'])
    );
    for (const v of VARIABLES) expect(v.description.length).toBeGreaterThan(10);
  });
});

describe('MongoDB time limits', () => {
  it('should default to the documented limits and reject a socket limit below the server-side ones', () => {
    expect(loadConfig({}).mongo).toEqual({
      maxTimeMS: 30_000,
      sourceMaxTimeMS: 7_200_000,
      wtimeoutMS: 30_000,
      socketTimeoutMS: 600_000,
      serverSelectionTimeoutMS: 30_000,
    });
    expect(() => loadConfig({ USAGE_SOCKET_TIMEOUT: '20s' })).toThrow(
      "USAGE_SOCKET_TIMEOUT: '20s' is not valid; expected a duration longer than USAGE_MONGO_MAX_TIME and USAGE_WRITE_TIMEOUT (30s)"
    );
    expect(() => loadConfig({ USAGE_SERVER_SELECTION_TIMEOUT: '10s' })).toThrow(
      "USAGE_SERVER_SELECTION_TIMEOUT: '10s' is not valid; expected a duration from 30s to 1h"
    );
  });
});
