import type { IndexBounds } from '../core/limits';
import { DEFAULT_CACHE_MB, DEFAULT_KEY_FIRST_MB, DEFAULT_MAX_BUCKETS, cacheLimits } from '../core/limits';
import { ConfigError } from '../errors';
import { DateTime, IANAZone } from 'luxon';
import { Cron } from 'croner';
import type { LoginRule, LoginSource, SourceName } from '../etl/login-sources';
import type { SelectorConfig } from '../etl/selector';
import { SOURCE_NAMES, SOURCE_PRESETS, hasUserGroup, presetSource } from '../etl/login-sources';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, parseDuration } from '../core/units';
import type { Namespace } from '../db/namespace';
import type { MongoSettings } from '../db/deployment';
import { MIN_SERVER_SELECTION_MS } from '../db/deployment';
import { parseNamespace } from '../db/namespace';

/** Everything the daemon reads from its environment, validated once at start-up. */
export interface Config {
  /** Unset means: start an embedded MongoDB server with demo data. */
  mongodbUri: string | undefined;
  sysLog: Namespace;
  /** core4's roles collection (groups for role filters); undefined: roles off. */
  sysRole: Namespace | undefined;
  /** core4's handler registry (titles of handlers); undefined: off. */
  sysHandler: Namespace | undefined;
  login: Namespace;
  /** First UTC day the job processes when it has no checkpoint. */
  start: Date;
  port: number;
  host: string;
  logLevel: string;
  /** auto: readable lines on a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** The first source's selection (what `sources[0]` selects). */
  selector: SelectorConfig;
  /**
   * Every source the daemon materialises, side by side (USAGE_SOURCE, comma-separated): each its own
   * collections, job and lease; queries name one with `source=`, the first by default.
   */
  sources: SourceConfig[];
  schedule: ScheduleConfig;
  retry: { attempts: number; backoffMs: number };
  leaseTtlMs: number;
  /** A UTC day is complete (and the checkpoint passes it) this long after it ends: late lines are read. */
  closeAfterMs: number;
  /** An open day's next run re-reads this much before the previous run's horizon (ingest lag, clock skew). */
  ingestLagMs: number;
  embedded: 'auto' | 'mongod' | 'congodb';
  /** Time limits on MongoDB (db/deployment.ts). */
  mongo: MongoSettings;
  api: ApiConfig;
}

/** One materialised source: its preset's name, what it selects, and its collections. */
export interface SourceConfig {
  name: string;
  selector: SelectorConfig;
  /** The first source's is USAGE_LOGIN; each other's is `<USAGE_LOGIN>.<name>`. */
  login: Namespace;
}

/** Without MONGODB_URI and USAGE_SOURCE, the embedded demo shows logins and requests side by side. */
const EMBEDDED_SOURCES = 'core4-logins,core4-requests';

export interface ApiConfig {
  /** Bearer token for queries; unset with no admin token means the API is open. */
  readToken: string | undefined;
  /** Bearer token for starting runs (also accepted for queries). */
  adminToken: string | undefined;
  openHealth: boolean;
  openMetrics: boolean;
  maxBuckets: number;
  /** Zone of the "today"/"yesterday" gauges on /metrics. */
  reportTimezone: string;
  indexRefreshMs: number;
  /** /health fails when the last successful run is older than this. */
  healthMaxAgeMs: number;
  /**
   * Bytes the index may keep in its query caches (block and partial-day bitsets, edge-slot logins), and in
   * its table of first requests by key.
   */
  indexLimits: IndexBounds;
  /** Requests per minute per client (token or address) on the data routes; 0 = no limit. */
  rateLimitPerMinute: number;
}

export interface ScheduleConfig {
  /** Closes the previous day (the original's schedule). */
  daily: string;
  /** Keeps today's counts fresh; empty disables it. */
  incremental: string;
  timezone: string;
  runOnStart: boolean;
}

interface Variable {
  name: string;
  default: string;
  description: string;
}

function presetList(): string {
  return SOURCE_NAMES.map((name) => `${name} (${SOURCE_PRESETS[name].level})`).join(', ');
}

/** Every variable the daemon reads, with its default; `--help` prints this table. */
export const VARIABLES: readonly Variable[] = [
  {
    name: 'MONGODB_URI',
    default: '',
    description: 'MongoDB connection string; unset starts an embedded server with demo data',
  },
  {
    name: 'USAGE_SYS_LOG',
    default: 'core4.sys.log',
    description: 'source log collection (database.collection)',
  },
  {
    name: 'USAGE_ROLES',
    default: 'core4.sys.role',
    description:
      "core4's roles (database.collection): groups for role=, /api/v1/roles and status=never; 'off' disables",
  },
  {
    name: 'USAGE_HANDLERS',
    default: 'core4.sys.handler',
    description:
      "core4's registered handlers (database.collection): titles of /api/v1/dimensions/handler; 'off' disables",
  },
  { name: 'USAGE_LOGIN', default: 'home.login', description: 'reporting collection (database.collection)' },
  {
    name: 'USAGE_START',
    default: '2020-01-01',
    description: 'first UTC day to process when there is no checkpoint',
  },
  { name: 'PORT', default: '8080', description: 'HTTP port of `serve`' },
  { name: 'HOST', default: '127.0.0.1', description: 'HTTP address of `serve` (0.0.0.0 in containers)' },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  {
    name: 'LOG_FORMAT',
    default: 'auto',
    description: 'auto (readable lines on a terminal, JSON lines otherwise), json or pretty',
  },
  {
    name: 'USAGE_SOURCE',
    default: 'core4-logins',
    description:
      `which sys.log lines are logins: ${presetList()}; the level is the core4 log level needed; ` +
      `several, comma-separated, are materialised side by side (queries pick one with source=; the embedded ` +
      `default runs ${EMBEDDED_SOURCES})`,
  },
  {
    name: 'USAGE_MESSAGE_REGEX',
    default: '',
    description:
      "overrides USAGE_SOURCE's lines: a regex on message; a named group (?<user>...) takes the user",
  },
  {
    name: 'USAGE_USER_FIELD',
    default: '',
    description: 'field with the user name when the regex has no user group (default user)',
  },
  { name: 'USAGE_EXCLUDE_USERS', default: 'admin', description: 'comma-separated user names never counted' },
  {
    name: 'USAGE_SCHEDULE',
    default: '30 1 * * *',
    description: 'cron pattern of the daily run that closes the previous day',
  },
  {
    name: 'USAGE_INCREMENTAL_SCHEDULE',
    default: '*/5 * * * *',
    description: "cron pattern of the run that refreshes today ('' disables)",
  },
  { name: 'USAGE_SCHEDULE_TZ', default: 'UTC', description: 'IANA zone of both cron patterns' },
  {
    name: 'USAGE_RUN_ON_START',
    default: 'true',
    description: 'catch up from the checkpoint when `serve` starts',
  },
  {
    name: 'USAGE_RETRY_ATTEMPTS',
    default: '3',
    description: 'attempts per run before it is recorded as failed',
  },
  {
    name: 'USAGE_RETRY_BACKOFF_MS',
    default: String(5 * SECOND_MS),
    description: 'wait before the first retry; doubles each time',
  },
  {
    name: 'USAGE_LEASE_TTL_MS',
    default: String(MINUTE_MS),
    description: 'lease lifetime; the holder renews it every third of this',
  },
  {
    name: 'USAGE_CLOSE_AFTER',
    default: '1h',
    description: 'a UTC day is complete this long after it ends; until then every run re-reads it',
  },
  {
    name: 'USAGE_INGEST_LAG',
    default: '5m',
    description: "an open day's next run re-reads this much before the previous run's horizon",
  },
  {
    name: 'USAGE_READ_TOKEN',
    default: '',
    description: 'bearer token for queries (unset with no admin token: API open)',
  },
  {
    name: 'USAGE_ADMIN_TOKEN',
    default: '',
    description: 'bearer token for POST /api/v1/job/run (also valid for queries)',
  },
  {
    name: 'USAGE_OPEN_HEALTH',
    default: 'true',
    description: '/health answers without a token (then with the verdict and failing checks only)',
  },
  {
    name: 'USAGE_OPEN_METRICS',
    default: 'false',
    description:
      'with tokens configured, /metrics answers without one (else Prometheus sends the read token)',
  },
  {
    name: 'USAGE_MAX_BUCKETS',
    default: String(DEFAULT_MAX_BUCKETS),
    description: 'queries with more buckets are rejected with 400',
  },
  {
    name: 'USAGE_REPORT_TZ',
    default: 'UTC',
    description: "IANA zone of the metrics' today/yesterday gauges",
  },
  {
    name: 'USAGE_INDEX_REFRESH_MS',
    default: String(15 * SECOND_MS),
    description: 'how often the API picks up days written by other processes',
  },
  {
    name: 'USAGE_HEALTH_MAX_AGE_MS',
    default: String(26 * HOUR_MS),
    description: '/health fails when the last successful run is older',
  },
  {
    name: 'USAGE_INDEX_CACHE_MB',
    default: String(DEFAULT_CACHE_MB),
    description:
      'memory for every query cache (day blocks, cut days, edge slots, answers, calendars, derived indexes of request filters); oldest dropped first',
  },
  {
    name: 'USAGE_KEY_FIRST_MB',
    default: String(DEFAULT_KEY_FIRST_MB),
    description:
      "memory per source for each user's first request of each handler on each host (4 bytes per user, handler and host seen; what new users of a filter or series count from); past it, found by a pass over the days at a filter's or breakdown's first ask",
  },
  {
    name: 'USAGE_RATE_LIMIT',
    default: '0',
    description: 'requests per minute per client (token or address) on the data routes; 0 = no limit',
  },
  {
    name: 'USAGE_MONGO_MAX_TIME',
    default: '30s',
    description: 'maxTimeMS of every read and command on the login collections (the server stops it)',
  },
  {
    name: 'USAGE_SOURCE_MAX_TIME',
    default: '2h',
    description: "maxTimeMS of a run's read of sys.log (cumulative over its batches)",
  },
  {
    name: 'USAGE_WRITE_TIMEOUT',
    default: '30s',
    description: 'wtimeoutMS of the majority writes to the login collections',
  },
  {
    name: 'USAGE_SOCKET_TIMEOUT',
    default: '10m',
    description: 'socketTimeoutMS: the client gives up on a socket silent this long (above every max time)',
  },
  {
    name: 'USAGE_SERVER_SELECTION_TIMEOUT',
    default: '30s',
    description: 'serverSelectionTimeoutMS, at least 30s: longer than an election (about 12 s)',
  },
  {
    name: 'USAGE_EMBEDDED',
    default: 'auto',
    description: 'embedded server without MONGODB_URI: auto (mongod, else CongoDB), mongod or congodb',
  },
];

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string {
  const spec = VARIABLES.find((v) => v.name === name);
  if (!spec) throw new Error(`Config: unknown variable ${name}`);
  const value = env[name];
  return value === undefined ? spec.default : value.trim();
}

function fail(name: string, value: string, accepted: string): never {
  throw new ConfigError(`${name}: '${value}' is not valid; expected ${accepted}`);
}

function integer(env: Env, name: string, min: number, max: number): number {
  const raw = read(env, name);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) fail(name, raw, `a whole number from ${min} to ${max}`);
  return n;
}

function boolean(env: Env, name: string): boolean {
  const raw = read(env, name).toLowerCase();
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  return fail(name, raw, 'true or false');
}

function namespace(env: Env, name: string): Namespace {
  const raw = read(env, name);
  const parsed = parseNamespace(raw);
  if (typeof parsed === 'string') throw new ConfigError(`${name}: ${parsed}`);
  return parsed;
}

function cronPattern(env: Env, name: string, allowEmpty: boolean): string {
  const raw = read(env, name);
  if (allowEmpty && raw === '') return raw;
  try {
    new Cron(raw, { paused: true }).stop();
  } catch (error) {
    fail(name, raw, `a cron pattern such as '30 1 * * *' (${(error as Error).message})`);
  }
  return raw;
}

function duration(env: Env, name: string, min: number, max: number): number {
  const raw = read(env, name);
  const ms = parseDuration(raw);
  if (ms === undefined || ms < min || ms > max) {
    fail(name, raw, `a duration from ${min / SECOND_MS}s to ${max / HOUR_MS}h, such as 90m, 1h or 300s`);
  }
  return ms;
}

function zone(env: Env, name: string): string {
  const raw = read(env, name);
  if (!IANAZone.isValidZone(raw)) fail(name, raw, 'an IANA time zone such as UTC or Europe/Berlin');
  return raw;
}

function regex(env: Env, name: string): RegExp | undefined {
  const raw = read(env, name);
  if (raw === '') return undefined;
  try {
    return new RegExp(raw);
  } catch (error) {
    return fail(name, raw, `a JavaScript regular expression (${(error as Error).message})`);
  }
}

function day(env: Env, name: string): Date {
  const raw = read(env, name);
  const parsed = DateTime.fromISO(raw, { zone: 'UTC' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || !parsed.isValid) fail(name, raw, 'a date YYYY-MM-DD');
  return parsed.toJSDate();
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T {
  const raw = read(env, name);
  const found = values.find((v) => v === raw);
  if (found === undefined) fail(name, raw, `one of ${values.join(', ')}`);
  return found;
}

/** Tokens are never echoed back, not even in an error message. */
function token(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw)) {
    throw new ConfigError(`${name}: the token is not valid; expected at least 16 characters without spaces`);
  }
  return raw;
}

/** Time limits on MongoDB; the socket's must exceed every server-side limit, or it cuts them short. */
function mongoSettings(env: Env): MongoSettings {
  const settings: MongoSettings = {
    maxTimeMS: duration(env, 'USAGE_MONGO_MAX_TIME', SECOND_MS, HOUR_MS),
    sourceMaxTimeMS: duration(env, 'USAGE_SOURCE_MAX_TIME', SECOND_MS, DAY_MS),
    wtimeoutMS: duration(env, 'USAGE_WRITE_TIMEOUT', SECOND_MS, HOUR_MS),
    socketTimeoutMS: duration(env, 'USAGE_SOCKET_TIMEOUT', SECOND_MS, DAY_MS),
    serverSelectionTimeoutMS: duration(
      env,
      'USAGE_SERVER_SELECTION_TIMEOUT',
      MIN_SERVER_SELECTION_MS,
      HOUR_MS
    ),
  };
  const longest = Math.max(settings.maxTimeMS, settings.wtimeoutMS);
  if (settings.socketTimeoutMS <= longest) {
    fail(
      'USAGE_SOCKET_TIMEOUT',
      read(env, 'USAGE_SOCKET_TIMEOUT'),
      `a duration longer than USAGE_MONGO_MAX_TIME and USAGE_WRITE_TIMEOUT (${longest / SECOND_MS}s)`
    );
  }
  return settings;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * The preset named by USAGE_SOURCE, unless USAGE_MESSAGE_REGEX replaces its lines with one custom rule.
 * USAGE_USER_FIELD names the field of rules that do not take the name from the message.
 */
function loginSource(env: Env, name: SourceName): LoginSource {
  const message = regex(env, 'USAGE_MESSAGE_REGEX');
  const field = read(env, 'USAGE_USER_FIELD');
  if (field !== '' && !FIELD_NAME.test(field))
    fail('USAGE_USER_FIELD', field, 'a field name such as user or meta.user');
  if (message !== undefined) {
    return { name: 'custom', rules: [{ message, userField: field === '' ? 'user' : field }] };
  }
  const preset = presetSource(name);
  if (field === '') return preset;
  if (preset.rules.every(hasUserGroup)) {
    throw new ConfigError(
      `USAGE_USER_FIELD: '${field}' does not apply to USAGE_SOURCE=${name}, which reads names from the message; ` +
        'set it with USAGE_MESSAGE_REGEX or USAGE_SOURCE=seed'
    );
  }
  const rules: LoginRule[] = preset.rules.map((rule) =>
    hasUserGroup(rule) ? rule : { ...rule, userField: field }
  );
  return { name, rules };
}

/**
 * The sources of USAGE_SOURCE (comma-separated presets, each once), each with its selection and collections;
 * a custom USAGE_MESSAGE_REGEX replaces the lines of one source only.
 */
function sources(env: Env, login: Namespace, excludeUsers: string[]): SourceConfig[] {
  // The embedded demo shows both, unless a source or a custom regex is chosen.
  const embedded =
    read(env, 'MONGODB_URI') === '' &&
    env.USAGE_SOURCE === undefined &&
    read(env, 'USAGE_MESSAGE_REGEX') === '';
  const raw = embedded ? EMBEDDED_SOURCES : read(env, 'USAGE_SOURCE');
  const names = raw.split(',').map((n) => n.trim());
  const accepted = `one of ${SOURCE_NAMES.join(', ')}, or several comma-separated, each once`;
  const presets = names.map(
    (n) => SOURCE_NAMES.find((known) => known === n) ?? fail('USAGE_SOURCE', raw, accepted)
  );
  if (new Set(presets).size !== presets.length) fail('USAGE_SOURCE', raw, accepted);
  if (presets.length > 1 && read(env, 'USAGE_MESSAGE_REGEX') !== '') {
    throw new ConfigError(
      `USAGE_MESSAGE_REGEX: it replaces the lines of one source; USAGE_SOURCE names ${presets.length} (${raw})`
    );
  }
  return presets.map((name, i) => {
    const source = loginSource(env, name);
    return {
      name: source.name,
      selector: { source, excludeUsers },
      login: i === 0 ? login : { db: login.db, collection: `${login.collection}.${name}` },
    };
  });
}

/** A comma-separated list's non-empty, trimmed values. */
function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

/** The collections: sys.log read, sys.role and sys.handler read (unless `off`), home.login written. */
function namespaces(env: Env): Pick<Config, 'sysLog' | 'sysRole' | 'sysHandler' | 'login'> {
  return {
    sysLog: namespace(env, 'USAGE_SYS_LOG'),
    sysRole: read(env, 'USAGE_ROLES') === 'off' ? undefined : namespace(env, 'USAGE_ROLES'),
    sysHandler: read(env, 'USAGE_HANDLERS') === 'off' ? undefined : namespace(env, 'USAGE_HANDLERS'),
    login: namespace(env, 'USAGE_LOGIN'),
  };
}

/** The caches are shared by the sources (each index gets its part); first requests by key are each one's. */
function indexBounds(env: Env, sources: number): IndexBounds {
  return {
    ...cacheLimits(integer(env, 'USAGE_INDEX_CACHE_MB', 1, 1_000_000) / sources),
    keyFirstBytes: integer(env, 'USAGE_KEY_FIRST_MB', 0, 1_000_000) * 1024 * 1024,
  };
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const mongodbUri = read(env, 'MONGODB_URI');
  if (mongodbUri !== '' && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    throw new ConfigError(
      "MONGODB_URI: expected a connection string starting with 'mongodb://' or 'mongodb+srv://'"
    );
  }
  const collections = namespaces(env);
  const materialised = sources(env, collections.login, parseList(read(env, 'USAGE_EXCLUDE_USERS')));
  return {
    mongodbUri: mongodbUri === '' ? undefined : mongodbUri,
    ...collections,
    start: day(env, 'USAGE_START'),
    port: integer(env, 'PORT', 0, 65535),
    host: read(env, 'HOST'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS),
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const),
    selector: (materialised[0] as SourceConfig).selector,
    sources: materialised,
    schedule: {
      daily: cronPattern(env, 'USAGE_SCHEDULE', false),
      incremental: cronPattern(env, 'USAGE_INCREMENTAL_SCHEDULE', true),
      timezone: zone(env, 'USAGE_SCHEDULE_TZ'),
      runOnStart: boolean(env, 'USAGE_RUN_ON_START'),
    },
    retry: {
      attempts: integer(env, 'USAGE_RETRY_ATTEMPTS', 1, 100),
      backoffMs: integer(env, 'USAGE_RETRY_BACKOFF_MS', 0, HOUR_MS),
    },
    leaseTtlMs: integer(env, 'USAGE_LEASE_TTL_MS', 3 * SECOND_MS, HOUR_MS),
    closeAfterMs: duration(env, 'USAGE_CLOSE_AFTER', 0, 7 * DAY_MS),
    ingestLagMs: duration(env, 'USAGE_INGEST_LAG', 0, DAY_MS),
    embedded: oneOf(env, 'USAGE_EMBEDDED', ['auto', 'mongod', 'congodb'] as const),
    mongo: mongoSettings(env),
    api: {
      readToken: token(env, 'USAGE_READ_TOKEN'),
      adminToken: token(env, 'USAGE_ADMIN_TOKEN'),
      openHealth: boolean(env, 'USAGE_OPEN_HEALTH'),
      openMetrics: boolean(env, 'USAGE_OPEN_METRICS'),
      maxBuckets: integer(env, 'USAGE_MAX_BUCKETS', 1, 1_000_000),
      reportTimezone: zone(env, 'USAGE_REPORT_TZ'),
      indexRefreshMs: integer(env, 'USAGE_INDEX_REFRESH_MS', SECOND_MS, HOUR_MS),
      healthMaxAgeMs: integer(env, 'USAGE_HEALTH_MAX_AGE_MS', MINUTE_MS, 366 * DAY_MS),
      indexLimits: indexBounds(env, materialised.length),
      rateLimitPerMinute: integer(env, 'USAGE_RATE_LIMIT', 0, 1_000_000),
    },
  };
}
