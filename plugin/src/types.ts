import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

/** What is counted per bucket. */
export type Metric = 'users' | 'logins' | 'new_users';

/** Calendar bucket sizes of the daemon, plus `auto` (derived from the panel's interval). */
export type Aggregate = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
export type AggregateChoice = 'auto' | Aggregate;

/**
 * `counts` (default): a metric per bucket; `users`: the names of the users seen in the range (tables);
 * `runs`: the job's finished runs (annotations).
 */
export type UsageQueryType = 'counts' | 'users' | 'runs';

/** One query of a panel. */
export interface UsageQuery extends DataQuery {
  queryType?: UsageQueryType;
  metric: Metric;
  /** `auto`, a fixed aggregate, or a dashboard variable such as `$aggregate`. */
  aggregate: string;
  /** Only these users (names or variables); empty means everybody. */
  users?: string[];
  /** Legend / display name; variables allowed. */
  alias?: string;
  /** Drop the last bucket while it is still incomplete. */
  hideIncomplete?: boolean;
}

export const DEFAULT_QUERY: Partial<UsageQuery> = {
  queryType: 'counts',
  metric: 'users',
  aggregate: 'auto',
  users: [],
  hideIncomplete: false,
};

/** Data source settings readable by every viewer (no secrets here). */
export interface UsageOptions extends DataSourceJsonData {
  /** Base URL of the core4-usage daemon, used by the proxy route in plugin.json. */
  url?: string;
  /** Zone used when a dashboard has none (IANA name). */
  defaultTimezone?: string;
}

/** Write-only settings: the proxy adds the token to every request, the browser never sees it. */
export interface UsageSecureJsonData {
  token?: string;
}

/**
 * A query variable: the users seen in the dashboard's range (optionally those whose name contains `search`),
 * or the aggregates. Dashboards store it without a refId; Grafana adds one when it runs the query.
 */
export interface UsageVariableQuery extends DataQuery {
  kind: 'users' | 'aggregates';
  search?: string;
}

/** /api/v1/logins answer (the parts the plugin reads). */
export interface LoginsAnswer {
  aggregate: Aggregate;
  tz: string;
  dataUntil: string | null;
  buckets: Array<{ start: string; end: string; partial: boolean } & Partial<Record<Metric, number>>>;
}

export const METRIC_LABELS: Record<Metric, string> = {
  users: 'unique users',
  logins: 'logins',
  new_users: 'new users',
};

/** What each metric counts, for the editor and its help. */
export const METRIC_HELP: Record<Metric, string> = {
  users: 'distinct people with at least one login in the bucket (the original chart)',
  logins: 'every login line in the bucket (with USAGE_SOURCE=core4-active: every authenticated request)',
  new_users: 'people whose first login ever falls in the bucket',
};

export const AGGREGATES: Aggregate[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];

/** The proxy route of plugin.json: requests to `${instanceSettings.url}/daemon/...` reach the daemon. */
export const ROUTE = 'daemon';
