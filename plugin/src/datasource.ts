import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
  DataSourceApi,
} from '@grafana/data';
import { type BackendSrv, type TemplateSrv, getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
import { type Observable, catchError, defer, forkJoin, from, lastValueFrom, map, of, switchMap } from 'rxjs';
import { type DaemonLimits, limitsFromOpenApi } from './app/daemon-limits';
import { CLIENT_CLOSED_REQUEST, failureMessage } from './app/failures';
import { healthResult } from './app/health';
import { browserTimezone, resolveTimezone } from './app/query-mapping';
import { type UserFilter, allSelectedProbe, userFilter } from './app/user-filter';
import { RunsAnnotationEditor } from './components/RunsAnnotationEditor';
import type { Params, QueryContext } from './queries/kind';
import { kindOf } from './queries/registry';
import {
  type RolesAnswer,
  type DimensionsAnswer,
  type RequestDimension,
  type UsageOptions,
  type UsageQuery,
  type UsageVariableQuery,
  AGGREGATES,
  DEFAULT_QUERY,
  ROUTE,
  migrateQuery,
} from './types';
import { UsageVariableSupport } from './variables';

/** One panel query's result: its frames, or its error. */
type Outcome = { frames?: DataFrame[]; error?: DataQueryError };

function errorMessage(error: unknown, timeoutS?: number): string {
  if (isFetchError(error)) {
    return failureMessage(error.status ?? 0, error.data, { timeoutS });
  }
  return error instanceof Error ? error.message : String(error);
}

/** A request the proxy reports as closed by its client (499) is a cancelled query, not a failure. */
function wasCancelled(error: unknown): boolean {
  return isFetchError(error) && (error.status === CLIENT_CLOSED_REQUEST || error.cancelled === true);
}

/** The daemon request as the query inspector shows it: path and query string, no host, no token. */
export function requestText(path: string, params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, v);
    }
  }
  const text = search.toString();
  return `GET ${path}${text ? `?${text}` : ''}`;
}

/**
 * core4 usage as a Grafana data source. Every request goes through Grafana's data-source proxy route
 * (`${url}/daemon/...`), which adds the API token server-side: the browser never holds it.
 */
export class DataSource extends DataSourceApi<UsageQuery, UsageOptions> {
  private readonly baseUrl: string;
  private readonly defaultTimezone?: string;
  /** The proxy's timeout for this data source (jsonData.timeout), for the 504 message. */
  private readonly timeoutS?: number;
  private limitsRead: Promise<DaemonLimits> | undefined;

  constructor(
    instanceSettings: DataSourceInstanceSettings<UsageOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv(),
    private readonly backend: () => BackendSrv = getBackendSrv,
    private readonly browserZone: () => string = browserTimezone
  ) {
    super(instanceSettings);
    this.baseUrl = `${instanceSettings.url ?? ''}/${ROUTE}`;
    this.defaultTimezone = instanceSettings.jsonData.defaultTimezone;
    this.timeoutS = instanceSettings.jsonData.timeout;
    // Annotations: the job's runs. The frame has the fields Grafana's standard annotation support maps by
    // default (time, timeEnd, title, text, tags), so the editor's field mappings apply as shown.
    this.annotations = {
      QueryEditor: RunsAnnotationEditor,
      prepareQuery: (anno) => ({
        ...(DEFAULT_QUERY as UsageQuery),
        refId: anno.target?.refId ?? 'Anno',
        queryType: 'runs',
      }),
    };
    this.variables = new UsageVariableSupport(this);
  }

  getDefaultQuery(): Partial<UsageQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: UsageQuery): boolean {
    return !query.hide;
  }

  /**
   * One GET through the proxy. Unsubscribing cancels it (a panel that re-queries drops its previous
   * answer), and a `requestId` lets Grafana's BackendSrv cancel a superseded request of the same panel query.
   */
  private get$<T>(path: string, params: Params, requestId?: string): Observable<T> {
    return this.backend()
      .fetch<T>({
        url: `${this.baseUrl}${path}`,
        method: 'GET',
        params,
        showErrorAlert: false,
        ...(requestId ? { requestId } : {}),
      })
      .pipe(map((response) => response.data));
  }

  private get<T>(path: string, params: Params): Promise<T> {
    return lastValueFrom(this.get$<T>(path, params));
  }

  /** The daemon's limits (from its OpenAPI document), read once; a failed read is tried again next time. */
  limits(): Promise<DaemonLimits> {
    this.limitsRead ??= this.get<unknown>('/openapi.json', {}).then(limitsFromOpenApi, (error: unknown) => {
      this.limitsRead = undefined;
      throw error;
    });
    return this.limitsRead;
  }

  /** The names a query's `users` (or `roles`) field holds after interpolation; undefined means everybody. */
  private filterOf(entries: string[] | undefined, scoped: ScopedVars): UserFilter {
    return userFilter(entries, {
      interpolate: (text) => this.templateSrv.replace(text, scoped, 'csv'),
      isAllSelected: allSelectedProbe((text, format) => this.templateSrv.replace(text, scoped, format)),
    });
  }

  /** What every query type builds its request from (queries/kind.ts). */
  private context(query: UsageQuery, request: DataQueryRequest<UsageQuery>, limits: DaemonLimits): QueryContext {
    const scoped: ScopedVars = request.scopedVars;
    return {
      request,
      replace: (text, format) => this.templateSrv.replace(text, scoped, format),
      range: { from: request.range.from.valueOf(), to: request.range.to.valueOf() },
      tz: resolveTimezone(request.timezone, this.browserZone, this.defaultTimezone),
      users: this.filterOf(query.users, scoped),
      roles: this.filterOf(query.roles, scoped),
      handlers: this.filterOf(query.handlers, scoped),
      projects: this.filterOf(query.projects, scoped),
      hosts: this.filterOf(query.hosts, scoped),
      alias: query.alias ? this.templateSrv.replace(query.alias, scoped) : undefined,
      source: query.source ? this.templateSrv.replace(query.source, scoped) || undefined : undefined,
      limits,
    };
  }

  query(request: DataQueryRequest<UsageQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((t) => this.filterQuery(t));
    if (targets.length === 0) {
      return of({ data: [] });
    }
    return forkJoin(
      targets.map((target) =>
        // defer: a query that cannot be built (a bad aggregate) fails alone, as an error of its refId.
        defer(() => this.target$(migrateQuery({ ...DEFAULT_QUERY, ...target } as UsageQuery), request)).pipe(
          map((frames): Outcome => ({ frames })),
          catchError((error: unknown) =>
            of<Outcome>(
              wasCancelled(error) ? {} : { error: { refId: target.refId, message: errorMessage(error, this.timeoutS) } }
            )
          )
        )
      )
    ).pipe(
      map((results) => {
        // Frames in the order of the panel's queries (forkJoin keeps it).
        const data = results.flatMap((r) => r.frames ?? []);
        const errors = results.flatMap((r) => (r.error ? [r.error] : []));
        return errors.length > 0 ? { data, errors } : { data };
      })
    );
  }

  /** One query: its kind's parameters, the daemon's answer, the kind's frames (with the request it made). */
  private target$(query: UsageQuery, request: DataQueryRequest<UsageQuery>): Observable<DataFrame[]> {
    const kind = kindOf(query);
    const requestId = `${request.requestId}_${query.refId}`;
    return from(this.limits()).pipe(
      switchMap((limits) => {
        const ctx = this.context(query, request, limits);
        const params = kind.params(query, ctx);
        const path = typeof kind.path === 'string' ? kind.path : kind.path(query, ctx);
        return this.get$<unknown>(path, params, requestId).pipe(
          map((answer) => {
            const made = kind.frame(answer, query, ctx);
            const frames = Array.isArray(made) ? made : [made];
            for (const frame of frames) {
              frame.meta = { ...frame.meta, executedQueryString: requestText(path, params) };
            }
            return frames;
          })
        );
      })
    );
  }

  /**
   * Explore from a panel (and other places that take queries out of their dashboard) call this with the
   * panel's scoped variables: the queries leave with every variable resolved, and "All" as no user filter.
   */
  interpolateVariablesInQueries(queries: UsageQuery[], scopedVars: ScopedVars): UsageQuery[] {
    const replace = (text: string, format?: string) => this.templateSrv.replace(text, scopedVars, format);
    return queries.map((saved) => {
      const query = migrateQuery(saved);
      const text = (field: keyof UsageQuery, format?: string) => {
        const value = query[field];
        return typeof value === 'string' && value !== '' ? { [field]: replace(value, format) } : {};
      };
      return {
        ...query,
        datasource: this.getRef(),
        aggregate: replace(query.aggregate ?? 'auto'),
        users: this.filterOf(query.users, scopedVars) ?? [],
        roles: this.filterOf(query.roles, scopedVars) ?? [],
        handlers: this.filterOf(query.handlers, scopedVars) ?? [],
        projects: this.filterOf(query.projects, scopedVars) ?? [],
        hosts: this.filterOf(query.hosts, scopedVars) ?? [],
        // A multi-value $metric leaves as its metrics, comma-separated (the counts type asks for each).
        ...text('metric', 'csv'),
        ...text('alias'),
        ...text('cohort'),
        ...text('periods'),
        ...text('period'),
        ...text('retentionMode'),
        ...text('weekStart'),
        ...text('interval'),
        ...text('status'),
        ...text('bucket'),
        ...text('breakdown'),
        ...text('source'),
        ...text('dimension'),
      };
    });
  }

  /** The dashboard's variables as `$name`, for the editor's choices. */
  variableNames(): string[] {
    // Stand-ins for TemplateSrv may lack it; Grafana's has it.
    return (this.templateSrv.getVariables?.() ?? []).map((v) => `$${v.name}`);
  }

  /** Query history and the query inspector's title: what the query asks, in words. */
  getQueryDisplayText(query: UsageQuery): string {
    return kindOf(query).displayText(query);
  }

  /** User names for the query editor (the daemon's default range). */
  /** The daemon's sources (USAGE_SOURCE), its default first. */
  async sources(): Promise<string[]> {
    const answer = await this.get<{ sources: Array<{ name: string }> }>('/api/v1/sources', {});
    return answer.sources.map((s) => s.name);
  }

  /** The active groups of core4's sys.role, as the daemon last read it (none when it has no roles). */
  async roles(): Promise<string[]> {
    const answer = await this.get<RolesAnswer>('/api/v1/roles', {});
    return answer.groups.filter((g) => g.active).map((g) => g.name);
  }

  /**
   * The values of a request dimension seen in a range (the daemon's default, 90 days, without one), the most
   * used first; a handler with its core4 title (sys.handler) where it has one.
   */
  async dimensionValues(
    dimension: RequestDimension,
    options: { range?: { start: string; end: string }; source?: string } = {}
  ): Promise<Array<{ value: string; title?: string }>> {
    const params = { ...options.range, ...(options.source ? { source: options.source } : {}) };
    const answer = await this.get<DimensionsAnswer>(`/api/v1/dimensions/${dimension}`, params);
    return answer.values.map((v) => (v.title ? { value: v.key, title: v.title } : { value: v.key }));
  }

  async users(search = '', limit = 200): Promise<string[]> {
    const answer = await this.get<{ users: string[] }>('/api/v1/users', { search, limit: String(limit) });
    return answer.users;
  }

  /**
   * A query variable's values: the users seen in the request's range whose name contains the (interpolated)
   * search, or the aggregates. A stored string query, as older dashboards have, is a user search.
   */
  async variableValues(
    query: UsageVariableQuery | string | undefined,
    request: DataQueryRequest<UsageVariableQuery>
  ): Promise<string[]> {
    const q: Partial<UsageVariableQuery> = typeof query === 'string' ? { kind: 'users', search: query } : (query ?? {});
    if (q.kind === 'aggregates') {
      return ['auto', ...AGGREGATES];
    }
    if (q.kind === 'roles') {
      return this.roles();
    }
    if (q.kind === 'handler' || q.kind === 'project' || q.kind === 'host') {
      const range = { start: String(request.range.from.valueOf()), end: String(request.range.to.valueOf()) };
      const source = q.source ? this.templateSrv.replace(q.source, request.scopedVars) || undefined : undefined;
      return (await this.dimensionValues(q.kind, { range, source })).map((v) => v.value);
    }
    const search = this.templateSrv.replace(q.search ?? '', request.scopedVars);
    const range = { start: String(request.range.from.valueOf()), end: String(request.range.to.valueOf()) };
    const limit = String((await this.limits()).userRows.max);
    const answer = await this.get<{ users: string[] }>('/api/v1/users', { ...range, search, limit });
    return answer.users;
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    let status = 0;
    let body: unknown;
    try {
      const response = await lastValueFrom(
        this.backend().fetch({ url: `${this.baseUrl}/health`, method: 'GET', showErrorAlert: false })
      );
      status = response.status;
      body = response.data;
    } catch (error) {
      if (!isFetchError(error)) {
        return { status: 'error', message: `Daemon unreachable: ${errorMessage(error, this.timeoutS)}` };
      }
      status = error.status ?? 0;
      body = error.data;
    }
    const health = healthResult(status, body, { timeoutS: this.timeoutS });
    if (health.status !== 'success') {
      return health;
    }
    // /health may be open; a query proves the token.
    try {
      await this.users('', 1);
    } catch (error) {
      return { status: 'error', message: errorMessage(error, this.timeoutS) };
    }
    return health;
  }
}
