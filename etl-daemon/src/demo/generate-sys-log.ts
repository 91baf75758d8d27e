import { DAY_MS, HOUR_MS, SECOND_MS } from '../core/units';
import { addUtcDays, startOfUtcDay } from '../time/utc-day';
import { CORE4_ROLE_QUAL_NAME } from '../etl/login-sources';
import { seededRandom } from './random';

export interface DemoOptions {
  days: number;
  users: number;
  /** Average logins on a working day. */
  perDay: number;
  /** Data runs up to (not including) this instant; the last day is the one containing it. */
  end: Date;
  seed: number;
  /**
   * Which login lines to write: the seed's convention (`successful login`, field `user`) and/or core4's
   * real lines (see etl/login-sources.ts). Both by default, so every USAGE_SOURCE preset finds its logins.
   */
  lines?: { seed: boolean; core4: boolean };
}

/** A sys.log document as core4 writes it, plus the seed convention's `user` field on its login lines. */
export interface SysLogDoc {
  created: Date;
  message: string;
  level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  levelno: number;
  username: string;
  hostname: string;
  identifier: string;
  qual_name: string;
  epoch: number;
  user?: unknown;
}

export const HOSTS = ['core4-app-1', 'core4-app-2', 'core4-worker-1'];
const HANDLER = 'core4.api.v1.request.main.CoreRequestHandler';
/** Request handlers whose loggers write the token lines (qual_name = module and class of the handler). */
const HANDLERS = [
  HANDLER,
  'core4.api.v1.request.role.main.RoleHandler',
  'core4.api.v1.request.queue.job.JobHandler',
];
/**
 * Routes of the request handlers above, and of the apps of other core4 projects (a handler's qual_name is
 * `<module>.<Class>`, its module's first segment the project: core4/logger/filter.py).
 */
export const ROUTES: Readonly<Record<string, readonly string[]>> = {
  [HANDLER]: ['/core4/api/v1/profile', '/core4/api/v1/info'],
  'core4.api.v1.request.role.main.RoleHandler': ['/core4/api/v1/roles'],
  'core4.api.v1.request.queue.job.JobHandler': ['/core4/api/v1/jobs'],
  'mkt.api.v1.campaign.CampaignHandler': ['/mkt/api/v1/campaign'],
  'mkt.api.v1.report.ReportHandler': ['/mkt/api/v1/report', '/mkt/api/v1/report/export'],
  'fin.api.v1.budget.BudgetHandler': ['/fin/api/v1/budget'],
  'fin.api.v1.invoice.InvoiceHandler': ['/fin/api/v1/invoice'],
  'hr.api.v1.directory.DirectoryHandler': ['/hr/api/v1/directory'],
};
const APP_HANDLERS = Object.keys(ROUTES).filter((h) => !h.startsWith('core4.'));
const LOGIN_HANDLER = 'core4.api.v1.request.standard.login.LoginHandler';
/** The application container: its logger writes the access lines of plain Tornado handlers (static files). */
const CONTAINER = 'core4.api.v1.server.CoreApiServer';
/** Statuses of authenticated requests, as often as they come: mostly 200, some redirects, 4xx and 5xx. */
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 304, 302, 403, 404, 500];
/** `source` of core4/api/v1/request/main.py verify_user(): password logins and token requests. */
const PASSWORD_SOURCES = ['Auth Basic', 'args'];
const TOKEN_SOURCES = ['Auth Bearer', 'cookie', 'args'];
const NOISE = [
  {
    level: 'INFO',
    levelno: 20,
    qual_name: 'core4.api.v1.server',
    message: 'GET /core4/api/v1/jobs 200 12.31ms',
  },
  {
    level: 'DEBUG',
    levelno: 10,
    qual_name: 'core4.queue.worker',
    message: 'start execution of [core4.queue.helper.job.example.DummyJob]',
  },
  {
    level: 'WARNING',
    levelno: 30,
    qual_name: HANDLER,
    message: 'login failed for [anonymous]: invalid password',
  },
  {
    level: 'INFO',
    levelno: 20,
    qual_name: 'core4.queue.scheduler',
    message: 'enqueued [home.usage.AggregateCore4Usage]',
  },
] as const;

/** Hour-of-day weights (UTC): office hours dominate, nights are quiet but not empty. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 9, 10, 11, 10, 8, 6, 4, 3, 2, 2, 1, 1];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

function pickWeighted(cumulative: Float64Array, limit: number, r: number): number {
  const target = r * (cumulative[limit - 1] ?? 0);
  let lo = 0;
  let hi = limit - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function userName(index: number): string {
  return `user${String(index).padStart(5, '0')}`;
}

/** How a person typed their name: core4 matched it case-insensitively and logs it as typed. */
function typedName(name: string, r: number): string {
  if (r < 0.7) return name;
  if (r < 0.9) return name.charAt(0).toUpperCase() + name.slice(1);
  return name.toUpperCase();
}

/** Python's repr of re.compile(typed, re.IGNORECASE), as core4 logs a password login's name. */
export function compiledRepr(typed: string): string {
  const quote = typed.includes("'") && !typed.includes('"') ? '"' : "'";
  const body = typed
    .replace(/\\/g, '\\\\')
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`)
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `re.compile(${quote}${body}${quote}, re.IGNORECASE)`;
}

/** The fields every sys.log document has; `identifier` is the record's (a request's id for access lines). */
function baseDoc(created: Date, host: string, identifier: string) {
  return { created, username: 'core4', hostname: host, identifier, epoch: created.getTime() / 1000 };
}

function pythonDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Yields one UTC day of realistic sys.log at a time, in time order. Per password login: the seed's line
 * (`successful login`, field `user`) and core4's two real lines, DEBUG `successfully loaded
 * [re.compile('User00012', re.IGNORECASE)] by [username] from [...]` (the name as typed, mixed case) and
 * INFO `set [last_login] for role [user00012] with _id [...]` from the role model's logger; then DEBUG
 * token requests (`successfully loaded [user00012] by [token] from [...] expiring [...]`) by that user and
 * by others active without logging in that day. One noise line per login, admin logins, and malformed seed
 * lines (no user, empty user, numeric user). `username` is the OS user of the process, as in core4. Users
 * join over the period (so there are new users) and are active with Zipf-like weights.
 */
export function* generateSysLog(options: DemoOptions): Generator<SysLogDoc[]> {
  const population = new Population(options);
  for (let d = 0; d < options.days; d += 1) yield new DemoDay(population, d).lines();
}

/** The demo's users: when each joins, their Zipf-like weights, and the one random stream of the whole demo. */
class Population {
  readonly random: () => number;
  /**
   * The access lines' own random stream: they came later than the other lines, which stay the same for the
   * same seed.
   */
  readonly access: () => number;
  readonly lines: { seed: boolean; core4: boolean };
  readonly firstDay: Date;
  /** User i joins on day joinDay[i] (sorted), so the users active on a day are a prefix of the list. */
  readonly joinDay: number[];
  readonly cumulative: Float64Array;

  constructor(readonly options: DemoOptions) {
    this.random = seededRandom(options.seed);
    this.access = seededRandom(options.seed + 104_729);
    this.lines = options.lines ?? { seed: true, core4: true };
    const lastDay = startOfUtcDay(new Date(options.end.getTime() - 1));
    this.firstDay = addUtcDays(lastDay, -(options.days - 1));
    this.joinDay = Array.from({ length: options.users }, (_, i) =>
      i < options.users / 2
        ? 0
        : Math.floor(((i - options.users / 2) / (options.users / 2)) * options.days * 0.9)
    );
    this.cumulative = new Float64Array(options.users);
    let sum = 0;
    for (let i = 0; i < options.users; i += 1) {
      sum += 1 / (1 + ((i * 7919) % options.users)) ** 0.7;
      this.cumulative[i] = sum;
    }
  }

  hex(): string {
    return Math.floor(this.random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }
}

/** One UTC day of the demo's lines (the order of random draws is the demo's: the same seed, the same lines). */
class DemoDay {
  private readonly day: Date;
  private readonly docs: SysLogDoc[] = [];
  private readonly active: number;

  constructor(
    private readonly people: Population,
    d: number
  ) {
    this.day = addUtcDays(people.firstDay, d);
    let active = 0;
    while (active < people.options.users && (people.joinDay[active] ?? Infinity) <= d) active += 1;
    this.active = active;
  }

  lines(): SysLogDoc[] {
    const { options, lines, random, cumulative } = this.people;
    const weekday = this.day.getUTCDay();
    const factor = weekday === 0 || weekday === 6 ? 0.3 : 1;
    const logins = Math.round(options.perDay * factor * (0.85 + random() * 0.3));
    const someone = () => userName(pickWeighted(cumulative, this.active, random()));
    for (let i = 0; i < logins && this.active > 0; i += 1) {
      const created = this.instant();
      if (created) this.login(created, someone(), this.host());
      // Someone still holding a token from an earlier day: active, but no password login today.
      const tokenAt = lines.core4 && random() < 0.2 ? this.instant() : undefined;
      if (tokenAt) this.tokenRequest(tokenAt, someone(), this.host());
      const noiseAt = this.instant();
      const noise = NOISE[Math.floor(random() * NOISE.length)];
      if (noiseAt && noise) this.docs.push({ ...this.base(noiseAt, this.host()), ...noise });
    }
    this.oddLogins();
    if (lines.core4) new DemoRequests(this.people, this.day).add(this.docs);
    this.docs.sort((a, b) => a.created.getTime() - b.created.getTime());
    return this.docs;
  }

  /** Admin logins, and seed login lines without a usable user. */
  private oddLogins(): void {
    for (const odd of ['admin', 'admin', undefined, '', 42]) {
      const created = this.instant();
      if (!created) continue;
      if (odd === 'admin') this.login(created, odd, this.host());
      else if (this.people.lines.seed) {
        // A seed login line without a usable user: no field at all, an empty name, or a number. core4
        // itself never logs a login without a role name.
        const line = this.seedLine(created, this.host());
        this.docs.push(odd === undefined ? line : { ...line, user: odd });
      }
    }
  }

  private base(created: Date, host: string) {
    return baseDoc(created, host, `${this.people.hex()}${this.people.hex()}${this.people.hex()}`);
  }

  /** The seed convention's login line; a malformed one lacks a usable user. */
  private seedLine(created: Date, host: string): SysLogDoc {
    return {
      ...this.base(created, host),
      message: 'successful login',
      level: 'INFO',
      levelno: 20,
      qual_name: HANDLER,
    };
  }

  private tokenRequest(created: Date, user: string, host: string): void {
    const { people } = this;
    const expiring = pythonDateTime(new Date(created.getTime() + HOUR_MS));
    this.docs.push({
      ...this.base(created, host),
      message: `successfully loaded [${user}] by [token] from [${people.pick(TOKEN_SOURCES)}] expiring [${expiring}]`,
      level: 'DEBUG',
      levelno: 10,
      qual_name: people.pick(HANDLERS),
    });
  }

  private later(created: Date): Date | undefined {
    const ms = created.getTime() + Math.floor(this.people.random() * 3 * 3600) * SECOND_MS;
    const limit = Math.min(this.day.getTime() + DAY_MS, this.people.options.end.getTime());
    return ms < limit ? new Date(ms) : undefined;
  }

  private login(created: Date, user: string, host: string): void {
    const { people, docs } = this;
    if (people.lines.seed) docs.push({ ...this.seedLine(created, host), user });
    if (!people.lines.core4) return;
    docs.push({
      ...this.base(created, host),
      message: `successfully loaded [${compiledRepr(typedName(user, people.random()))}] by [username] from [${people.pick(PASSWORD_SOURCES)}]`,
      level: 'DEBUG',
      levelno: 10,
      qual_name: HANDLER,
    });
    docs.push({
      ...this.base(created, host),
      message: `set [last_login] for role [${user}] with _id [${people.hex()}${people.hex()}${people.hex()}]`,
      level: 'INFO',
      levelno: 20,
      qual_name: CORE4_ROLE_QUAL_NAME,
    });
    const requests = Math.floor(people.random() * 3);
    for (let k = 0; k < requests; k += 1) {
      const at = this.later(created);
      if (at) this.tokenRequest(at, user, host);
    }
  }

  private instant(): Date | undefined {
    const { random, options } = this.people;
    let r = random() * HOUR_TOTAL;
    let hour = 0;
    while (hour < 23 && r >= (HOUR_WEIGHTS[hour] ?? 0)) r -= HOUR_WEIGHTS[hour++] ?? 0;
    const ms = this.day.getTime() + hour * 3_600_000 + Math.floor(random() * 3600) * 1000;
    return ms < options.end.getTime() ? new Date(ms) : undefined;
  }

  private host(): string {
    return HOSTS[Math.floor(this.people.random() * HOSTS.length)] ?? 'core4';
  }
}

/**
 * A day's access lines (core4/api/v1/application.py, `CoreApplication._log`): one per request, written by
 * the handler's logger at INFO below 400, WARNING for 4xx, ERROR for 5xx, `by [None]` when nobody was
 * authenticated. Every token request and password login of the day gets its line (same second, host and
 * handler); some users go on to the other projects' apps (each such request also gets its DEBUG token line,
 * as verify_user writes one for every authenticated request); anonymous visitors fetch the login page and
 * static files, and some fail to log in.
 */
class DemoRequests {
  private readonly random: () => number;

  constructor(
    private readonly people: Population,
    private readonly day: Date
  ) {
    this.random = people.access;
  }

  add(docs: SysLogDoc[]): void {
    for (const doc of [...docs]) {
      const token = /^successfully loaded \[(\S+)\] by \[token\]/.exec(doc.message)?.[1];
      const login = /^set \[last_login\] for role \[(\S+)\]/.exec(doc.message)?.[1];
      if (token) {
        docs.push(this.line(doc.created, { user: token, host: doc.hostname, handler: doc.qual_name }));
        if (this.random() < 0.25) this.appRequests(docs, doc.created, token, doc.hostname);
      } else if (login) {
        const at = { user: login, host: doc.hostname, handler: LOGIN_HANDLER, status: 200 };
        docs.push(this.line(doc.created, { ...at, method: 'POST', path: '/core4/api/v1/login' }));
      } else if (doc.level !== 'DEBUG' && this.random() < 0.25)
        docs.push(this.anonymous(doc.created, doc.hostname));
    }
  }

  /** One or two requests to the other projects' apps within the hour, each with its DEBUG token line. */
  private appRequests(docs: SysLogDoc[], after: Date, user: string, host: string): void {
    const n = 1 + Math.floor(this.random() * 2);
    for (let k = 0; k < n; k += 1) {
      const at = new Date(after.getTime() + (1 + Math.floor(this.random() * 3600)) * SECOND_MS);
      if (at.getTime() >= Math.min(this.day.getTime() + DAY_MS, this.people.options.end.getTime())) return;
      const handler = this.pick(APP_HANDLERS);
      const expiring = pythonDateTime(new Date(at.getTime() + HOUR_MS));
      docs.push({
        ...baseDoc(at, host, this.hex()),
        message: `successfully loaded [${user}] by [token] from [${this.pick(TOKEN_SOURCES)}] expiring [${expiring}]`,
        level: 'DEBUG',
        levelno: 10,
        qual_name: handler,
      });
      docs.push(this.line(at, { user, host, handler }));
    }
  }

  /** A request nobody was authenticated for: the login page, a static file, or a failed login. */
  private anonymous(at: Date, host: string): SysLogDoc {
    const r = this.random();
    const request =
      r < 0.4
        ? { handler: LOGIN_HANDLER, status: 200, method: 'GET', path: '/core4/api/v1/login' }
        : r < 0.8
          ? { handler: CONTAINER, status: 304, method: 'GET', path: '/core4/api/v1/file/default/favicon.ico' }
          : { handler: LOGIN_HANDLER, status: 401, method: 'POST', path: '/core4/api/v1/login' };
    return this.line(at, { ...request, user: 'None', host });
  }

  private line(
    created: Date,
    request: { user: string; host: string; handler: string; status?: number; method?: string; path?: string }
  ): SysLogDoc {
    const status = request.status ?? this.pick(STATUSES);
    const method = request.method ?? (this.random() < 0.8 ? 'GET' : 'POST');
    const path = request.path ?? this.pick(ROUTES[request.handler] ?? ['/core4/api/v1/info']);
    const ms = (0.5 + this.random() * 200).toFixed(2);
    const [level, levelno] =
      status >= 500
        ? (['ERROR', 40] as const)
        : status >= 400
          ? (['WARNING', 30] as const)
          : (['INFO', 20] as const);
    return {
      ...baseDoc(created, request.host, this.hex()),
      message: `[${status}] [${method} ${path}] in [${ms}ms] by [${request.user}] from [${containerId(request.host)}]`,
      level,
      levelno,
      qual_name: request.handler,
    };
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }

  private hex(): string {
    return Math.floor(this.random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  }
}

/** The serving container's identifier, the same for every request a host serves. */
function containerId(host: string): string {
  let h = 0;
  for (const c of host) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(3);
}
