import type { DataFrame, DataQueryRequest, SelectableValue } from '@grafana/data';
import type { ComponentType } from 'react';
import type { UserFilter } from '../app/user-filter';
import { type Replace, templatedChoice } from '../app/templating';
import { type UsageQuery, type UsageQueryType, type WeekStart, WEEK_STARTS } from '../types';
import type { DaemonLimits } from '../app/daemon-limits';

/** The daemon's query string. */
export type Params = Record<string, string | string[]>;

/** What every query type builds its request from: the panel's request, resolved once by the data source. */
export interface QueryContext {
  request: DataQueryRequest<UsageQuery>;
  /**
   * Replaces dashboard variables (the panel's scoped variables included); `csv` joins a multi-value
   * variable's values with commas.
   */
  replace: Replace;
  range: { from: number; to: number };
  /** The IANA zone of the request (dashboard, browser, or the data source's default). */
  tz: string;
  /** The users the query's `users` field names after interpolation; undefined for everybody. */
  users: UserFilter;
  /** The groups the query's `roles` field names after interpolation; undefined for everybody. */
  roles: UserFilter;
  /** The handlers, projects and hosts the query's fields name after interpolation; undefined for every request. */
  handlers: UserFilter;
  projects: UserFilter;
  hosts: UserFilter;
  /** The interpolated alias, when the query has one. */
  alias: string | undefined;
  /** The daemon's source the query names (interpolated); undefined: the daemon's first. */
  source: string | undefined;
  limits: DaemonLimits;
}

/** The range and zone every daemon route takes, and the source when the query names one. */
export function commonParams(ctx: Pick<QueryContext, 'range' | 'tz' | 'source'>): Params {
  const params: Params = { start: String(ctx.range.from), end: String(ctx.range.to), tz: ctx.tz };
  return ctx.source ? { ...params, source: ctx.source } : params;
}

/**
 * What a query counts: named users and members of core4's groups (people), and requests of handlers,
 * projects and hosts; the daemon AND-s them all.
 */
export type PeopleFilter = 'users' | 'roles' | 'handlers' | 'projects' | 'hosts';

/** Every filter, for the query types that take them all (the daemon's logins, retention, stickiness). */
export const ALL_FILTERS: readonly PeopleFilter[] = ['users', 'roles', 'handlers', 'projects', 'hosts'];

/** The daemon's parameter of each filter. */
const FILTER_PARAMS: Record<PeopleFilter, string> = {
  users: 'user',
  roles: 'role',
  handlers: 'handler',
  projects: 'project',
  hosts: 'host',
};

/** The parameters (repeated) of the filters a route takes, for those the query sets. */
export function peopleParams(
  ctx: Pick<QueryContext, PeopleFilter>,
  filters: readonly PeopleFilter[] = ALL_FILTERS
): Params {
  const params: Params = {};
  for (const filter of filters) {
    const values = ctx[filter];
    if (values) {
      params[FILTER_PARAMS[filter]] = values;
    }
  }
  return params;
}

/** The query's week start after interpolation (undefined: the daemon's default, Monday). */
export function weekStartOf(
  query: Pick<UsageQuery, 'weekStart'>,
  ctx: Pick<QueryContext, 'replace'>
): WeekStart | undefined {
  if (!query.weekStart) {
    return undefined;
  }
  return templatedChoice<WeekStart>('weekStart', query.weekStart, {
    replace: ctx.replace,
    accepted: WEEK_STARTS,
    fallback: 'monday',
  });
}

/** What a query editor section gets: the query with defaults, and how to change it. */
export interface SectionProps {
  query: UsageQuery;
  /** Changes the query and runs it. */
  update(patch: Partial<UsageQuery>): void;
  /** Changes the query without running it (text being typed). */
  change(patch: Partial<UsageQuery>): void;
  onRunQuery(): void;
  /** What the daemon answered last for this query (what `auto` resolved to). */
  resolvedAggregate: string | undefined;
  /** The daemon's limits, once read (undefined until then: the daemon's 400 names a value past them). */
  limits: DaemonLimits | undefined;
  /** The dashboard's variables as `$name`, offered beside the fixed choices of a field. */
  variables: string[];
}

/**
 * One query type: its daemon route, its parameters, the frame of its answer, its words, and its section of
 * the query editor. The data source dispatches on the registry (queries/registry.ts); it knows no type.
 */
export interface QueryKind<Answer = unknown> {
  type: UsageQueryType;
  /** In the editor's "Query" choice; undefined for types only Grafana asks for (annotations). */
  option?: SelectableValue<UsageQueryType>;
  /** The daemon's route, or the route of a query (from validated values only). */
  path: string | ((query: UsageQuery, ctx: QueryContext) => string);
  /** The people filters the editor offers and the daemon's route takes (`user=`, `role=`). */
  filters: readonly PeopleFilter[];
  params(query: UsageQuery, ctx: QueryContext): Params;
  /** The answer's frame, or one per metric of a multi-value `$metric`. */
  frame(answer: Answer, query: UsageQuery, ctx: QueryContext): DataFrame | DataFrame[];
  /** Query history and the inspector's title: what the query asks, in words. */
  displayText(query: UsageQuery): string;
  Editor?: ComponentType<SectionProps>;
}
