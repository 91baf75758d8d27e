import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

/** What is counted per bucket: counts, rolling actives, DAU/MAU and the lifecycle (daemon's README). */
export const METRICS = [
  'users',
  'logins',
  'new_users',
  'active_7d',
  'active_28d',
  'active_30d',
  'dau_mau',
  'returning',
  'resurrecting',
  'dormant',
] as const;
export type Metric = (typeof METRICS)[number];

/**
 * Metric names queries were saved with before a rename, and their names now: `stickiness` was DAU/MAU, the
 * name analytics tools give the "days active" histogram (the stickiness query type).
 */
export const RENAMED_METRICS: Readonly<Record<string, Metric>> = { stickiness: 'dau_mau' };

/** The day weekly buckets, cohorts and intervals start on (the daemon's `weekStart`). */
export const WEEK_STARTS = ['monday', 'sunday', 'saturday'] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

/** Retention returns: in period k, or in period k or any later one. */
export const RETENTION_MODES = ['on', 'on_or_after'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

/** The intervals stickiness counts a user active in. */
export const STICKINESS_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type StickinessInterval = (typeof STICKINESS_INTERVALS)[number];

/** Cohort periods of a retention query, plus `auto` (day, week or month from the range, as `auto` buckets). */
export type CohortChoice = 'auto' | 'day' | 'week' | 'month';

/** Calendar bucket sizes of the daemon, plus `auto` (derived from the panel's interval). */
export type Aggregate = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/**
 * `counts` (default): a metric per bucket; `retention`: cohorts by first login and how many came back in
 * each later period (tables, heatmaps); `stickiness`: how many users were active on 1, 2, … days (weeks) of
 * the range (bar charts); `users`: who used it in the range, with first and last login, logins and active
 * days (tables); `people`: who the lifecycle counted new, returning, resurrecting or dormant in one bucket
 * (tables); `apps`: the handlers, projects or hosts used in the range, with their users and requests (tables);
 * `runs`: the job's finished runs (annotations).
 */
export type UsageQueryType = 'counts' | 'retention' | 'stickiness' | 'users' | 'people' | 'apps' | 'runs';

/**
 * One query of a panel. Every text field may hold dashboard variables; they are checked after interpolation
 * (an error names the field, the variable and its value).
 */
export interface UsageQuery extends DataQuery {
  queryType?: UsageQueryType;
  /** A metric, or a variable (`$metric`; a multi-value one asks for each of its metrics). */
  metric: string;
  /** `auto`, a fixed aggregate, or a dashboard variable such as `$aggregate`. */
  aggregate: string;
  /** Only these users (names or variables); empty means everybody. */
  users?: string[];
  /** Only members of these core4 groups of sys.role (names or variables); empty means everybody. */
  roles?: string[];
  /** Only requests of these handlers (core4 qual_names, or variables); empty means every request. */
  handlers?: string[];
  /** Only requests of these core4 projects (the first segment of a qual_name); empty means every request. */
  projects?: string[];
  /** Only requests served by these hosts; empty means every request. */
  hosts?: string[];
  /** Which of the daemon's sources answers (`core4-requests`, …, or a variable); unset: its first. */
  source?: string;
  /**
   * Counts: one series per value of this dimension (`handler`, `project`, `host` of the requests; `role`: per
   * core4 group), or a variable; unset: none.
   */
  breakdown?: string;
  /** Counts with a breakdown: series kept, the daemon merges the rest into `other` (default 10). */
  breakdownLimit?: number;
  /** Apps: which request dimension is listed (`handler` when unset); a variable allowed. */
  dimension?: string;
  /** Legend / display name; variables allowed. */
  alias?: string;
  /** Drop the last bucket while it is still incomplete. */
  hideIncomplete?: boolean;
  /** Retention: the cohort period. */
  cohort?: CohortChoice | string;
  /**
   * Retention: how many periods to follow each cohort (within the daemon's limits; unset: its default); a
   * number or a variable.
   */
  periods?: number | string;
  /**
   * Retention: `table` (cohort, size, one field per period: the triangle), `heatmap` (Grafana's heatmap-rows
   * frame: each cohort at its own time, one row per period, no size row), or `period` (one series: the share
   * of each cohort retained at period `period`).
   */
  retentionFormat?: RetentionFormat;
  /** Retention, `period` format: which period (1 = the one after the cohort's); a number or a variable. */
  period?: number | string;
  /** Retention: `on` (default) or `on_or_after`; a variable allowed. */
  retentionMode?: string;
  /** Weekly buckets, cohorts and intervals start on this day (unset: the daemon's default, Monday). */
  weekStart?: string;
  /** Stickiness: the interval users are counted active in (`day` when unset); a variable allowed. */
  interval?: string;
  /** Stickiness: users active on n or more intervals instead of exactly n. */
  cumulative?: boolean;
  /** People: the lifecycle status listed (`dormant` when unset); a variable allowed. */
  status?: string;
  /**
   * People: an instant of the bucket whose people are listed (ISO 8601 or epoch ms; a variable, such as one a
   * data link sets from a clicked bar); unset: the bucket holding the panel range's end.
   */
  bucket?: string;
}

/**
 * What /api/v1/users?status lists: the people of a lifecycle status in one bucket, or `never`: core4's active
 * users (sys.role) with no activity in the range.
 */
export const PEOPLE_STATUSES = ['new', 'returning', 'resurrecting', 'dormant', 'never'] as const;
export type PeopleStatus = (typeof PEOPLE_STATUSES)[number];

/** /api/v1/users?status answer: who is behind one lifecycle number of one bucket, or never came in the range. */
export interface PeopleAnswer {
  status: PeopleStatus;
  /** Lifecycle statuses: the bucket, cut at the range's end. */
  bucket?: { start: string; end: string };
  count: number;
  /** realname, created and lastLogin come from sys.role when the daemon reads it; lastSeen is null for never. */
  users: Array<{
    name: string;
    lastSeen: string | null;
    realname?: string | null;
    created?: string | null;
    lastLogin?: string | null;
  }>;
  truncated: boolean;
}

export type RetentionFormat = 'table' | 'heatmap' | 'period';

export const DEFAULT_QUERY: Partial<UsageQuery> = {
  queryType: 'counts',
  metric: 'users',
  aggregate: 'auto',
  users: [],
  hideIncomplete: false,
  cohort: 'auto',
  retentionFormat: 'table',
};

/** Data source settings readable by every viewer (no secrets here). */
export interface UsageOptions extends DataSourceJsonData {
  /** Base URL of the core4-usage daemon, used by the proxy route in plugin.json. */
  url?: string;
  /** Zone used when a dashboard has none (IANA name). */
  defaultTimezone?: string;
  /**
   * Connection settings Grafana's proxy reads itself (pkg/services/datasources/service/datasource.go): seconds
   * before a request to the daemon is a 504 (Grafana's default 30), and TLS: present a client certificate,
   * verify the daemon with the CA certificate below, skip verification, the server name to verify.
   */
  timeout?: number;
  tlsAuth?: boolean;
  tlsAuthWithCACert?: boolean;
  tlsSkipVerify?: boolean;
  serverName?: string;
}

/** Write-only settings: the proxy uses them server-side, the browser never sees them once saved. */
export interface UsageSecureJsonData {
  token?: string;
  /** PEM: the CA that signed the daemon's certificate (with tlsAuthWithCACert). */
  tlsCACert?: string;
  /** PEM: Grafana's client certificate and key (with tlsAuth). */
  tlsClientCert?: string;
  tlsClientKey?: string;
}

/** Grafana's proxy timeout when a data source sets none (sdkhttpclient.DefaultTimeoutOptions), in seconds. */
export const DEFAULT_PROXY_TIMEOUT_S = 30;

/**
 * A query variable: the users seen in the dashboard's range (optionally those whose name contains `search`),
 * or the aggregates. Dashboards store it without a refId; Grafana adds one when it runs the query.
 */
export interface UsageVariableQuery extends DataQuery {
  kind: 'users' | 'roles' | 'aggregates' | RequestDimension;
  search?: string;
  /** Handlers, projects, hosts: which of the daemon's sources lists them (a variable allowed); unset: its first. */
  source?: string;
}

/** /api/v1/roles answer (the parts the plugin reads): core4's groups as the daemon last read sys.role. */
export interface RolesAnswer {
  available: boolean;
  groups: Array<{ name: string; active: boolean; members: number }>;
}

/** What a request line says beside who made it (the daemon's `handler=`, `project=`, `host=` filters). */
export const REQUEST_DIMENSIONS = ['handler', 'project', 'host'] as const;
export type RequestDimension = (typeof REQUEST_DIMENSIONS)[number];

/** /api/v1/dimensions/<dimension> answer: the values seen in a range, handlers with their core4 title. */
export interface DimensionsAnswer {
  dimension: RequestDimension | 'role';
  values: Array<{ key: string; users: number; logins?: number; title?: string }>;
}

/** What a breakdown splits counts by (the daemon's `breakdown=`). */
export const BREAKDOWNS = [...REQUEST_DIMENSIONS, 'role'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

type CountBucket = { start: string; end: string; partial: boolean } & Partial<Record<Metric, number>>;

/** /api/v1/logins answer (the parts the plugin reads). */
export interface LoginsAnswer {
  aggregate: Aggregate;
  tz: string;
  dataUntil: string | null;
  buckets: CountBucket[];
  /** With a breakdown: one series per value, the largest first, `other` (the merged rest) last. */
  breakdown?: Breakdown;
  series?: Array<{ key: string; other?: boolean; users: number; buckets: CountBucket[] }>;
}

/** /api/v1/retention answer. */
export interface RetentionAnswer {
  cohort: 'day' | 'week' | 'month';
  mode?: RetentionMode;
  /** Periods followed per cohort (the query's, or the daemon's default). */
  periods: number;
  tz: string;
  dataUntil: string | null;
  cohorts: Array<{ start: string; end: string; partial: boolean; size: number; retained: number[] }>;
}

/** /api/v1/stickiness answer. */
export interface StickinessAnswer {
  interval: StickinessInterval;
  tz: string;
  cumulative: boolean;
  intervals: number;
  /** counts[n]: users active in exactly n intervals (n or more when cumulative); counts[0]: seen, not active. */
  counts: number[];
}

/** /api/v1/users?details=true rows. */
export interface UserRow {
  name: string;
  firstSeen: string;
  lastSeen: string;
  logins: number;
  activeDays: number;
  /** From core4's sys.role, when the daemon reads it. */
  realname?: string | null;
}

export const METRIC_LABELS: Record<Metric, string> = {
  users: 'unique users',
  logins: 'logins',
  new_users: 'new users',
  active_7d: 'active, 7 days (WAU)',
  active_28d: 'active, 28 days',
  active_30d: 'active, 30 days (MAU)',
  dau_mau: 'DAU/MAU',
  returning: 'returning',
  resurrecting: 'resurrecting',
  dormant: 'dormant',
};

/** What each metric counts, for the editor and its help. */
export const METRIC_HELP: Record<Metric, string> = {
  users: 'distinct people with at least one login in the bucket (the original chart)',
  logins:
    'every login line in the bucket (with USAGE_SOURCE=core4-requests or core4-active: every authenticated request)',
  new_users: 'people whose first login ever falls in the bucket',
  active_7d: 'distinct people active in the 7 calendar days ending where the bucket ends; per day: WAU',
  active_28d: 'distinct people active in the 28 calendar days ending where the bucket ends',
  active_30d: 'distinct people active in the 30 calendar days ending where the bucket ends; per day: MAU',
  dau_mau:
    'daily users / 30-day actives, averaged over the days of the bucket (0 to 1); once called stickiness, which ' +
    'is now the "days active" histogram (query type stickiness)',
  returning: 'active in the bucket and in the bucket before',
  resurrecting: 'active in the bucket, not in the bucket before, but at some time before that',
  dormant: 'active in the bucket before, not in this one (negative, drawn below zero)',
};

export const AGGREGATES: Aggregate[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];

/** A query as saved before a rename, in today's names (`stickiness` → `dau_mau`); others unchanged. */
export function migrateQuery<Q extends Pick<UsageQuery, 'metric'>>(query: Q): Q {
  const renamed = query.metric === undefined ? undefined : RENAMED_METRICS[query.metric];
  return renamed ? { ...query, metric: renamed } : query;
}

/** The proxy route of plugin.json: requests to `${instanceSettings.url}/daemon/...` reach the daemon. */
export const ROUTE = 'daemon';
