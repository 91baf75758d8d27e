import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
  DataSourceApi,
  FieldType,
  createDataFrame,
} from '@grafana/data';
import {
  type BackendSrv,
  type FetchError,
  type TemplateSrv,
  getBackendSrv,
  getTemplateSrv,
  isFetchError,
} from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';
import { type JobRun, frameToRunEvents, runsToFrame } from './app/annotations';
import { answerToFrame } from './app/frames';
import { healthResult } from './app/health';
import { browserTimezone, effectiveInterval, resolveAggregate, resolveTimezone } from './app/query-mapping';
import {
  type LoginsAnswer,
  type UsageOptions,
  type UsageQuery,
  type UsageVariableQuery,
  AGGREGATES,
  DEFAULT_QUERY,
  ROUTE,
} from './types';
import { UsageVariableSupport } from './variables';

/** The most user names a table or a variable lists: the daemon's own maximum for /api/v1/users. */
const USER_LIMIT = 10_000;

function daemonMessage(error: unknown): string {
  if (isFetchError(error)) {
    const data = (error as FetchError<{ message?: string }>).data;
    if (data && typeof data.message === 'string') {
      return data.message;
    }
    return `HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * core4 usage as a Grafana data source. Every request goes through Grafana's data-source proxy route
 * (`${url}/daemon/...`), which adds the API token server-side: the browser never holds it.
 */
export class DataSource extends DataSourceApi<UsageQuery, UsageOptions> {
  private readonly baseUrl: string;
  private readonly defaultTimezone?: string;

  constructor(
    instanceSettings: DataSourceInstanceSettings<UsageOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv(),
    private readonly backend: () => BackendSrv = getBackendSrv,
    private readonly browserZone: () => string = browserTimezone
  ) {
    super(instanceSettings);
    this.baseUrl = `${instanceSettings.url ?? ''}/${ROUTE}`;
    this.defaultTimezone = instanceSettings.jsonData.defaultTimezone;
    // Annotations: the job's runs, through the standard annotation support (a `runs` query, then events).
    this.annotations = {
      prepareQuery: (anno) => ({
        ...(DEFAULT_QUERY as UsageQuery),
        refId: anno.target?.refId ?? 'Anno',
        queryType: 'runs',
      }),
      processEvents: (_anno, frames) => of(frameToRunEvents(frames)),
    };
    this.variables = new UsageVariableSupport(this);
  }

  getDefaultQuery(): Partial<UsageQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: UsageQuery): boolean {
    return !query.hide;
  }

  private async get<T>(path: string, params: Record<string, string | string[]>): Promise<T> {
    const response = await lastValueFrom(
      this.backend().fetch<T>({ url: `${this.baseUrl}${path}`, method: 'GET', params, showErrorAlert: false })
    );
    return response.data;
  }

  /** The panel's range as the daemon's start/end (epoch ms). */
  private rangeParams(request: Pick<DataQueryRequest, 'range'>): { start: string; end: string } {
    return { start: String(request.range.from.valueOf()), end: String(request.range.to.valueOf()) };
  }

  /** The daemon's parameters for one query: range, calendar aggregate, IANA zone, metric, users. */
  buildParams(query: UsageQuery, request: DataQueryRequest<UsageQuery>): Record<string, string | string[]> {
    const scoped: ScopedVars = request.scopedVars;
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    const interval = effectiveInterval(request.intervalMs, from, to, request.maxDataPoints);
    const aggregate = resolveAggregate(this.templateSrv.replace(query.aggregate ?? 'auto', scoped), interval);
    const users = (query.users ?? [])
      .flatMap((u) => this.templateSrv.replace(u, scoped, 'csv').split(','))
      .map((u) => u.trim())
      .filter((u) => u !== '' && u !== '$__all');
    const params: Record<string, string | string[]> = {
      ...this.rangeParams(request),
      aggregate,
      tz: resolveTimezone(request.timezone, this.browserZone, this.defaultTimezone),
      metric: query.metric ?? 'users',
    };
    if (users.length > 0) {
      params.user = users;
    }
    return params;
  }

  async query(request: DataQueryRequest<UsageQuery>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => this.filterQuery(t));
    const data: DataFrame[] = [];
    const errors: DataQueryError[] = [];
    await Promise.all(
      targets.map(async (target) => {
        const query = { ...DEFAULT_QUERY, ...target } as UsageQuery;
        const alias = query.alias ? this.templateSrv.replace(query.alias, request.scopedVars) : undefined;
        try {
          if (query.queryType === 'users') {
            data.push(await this.userListFrame(query.refId, alias ?? 'user', request));
            return;
          }
          if (query.queryType === 'runs') {
            const answer = await this.get<{ runs: JobRun[] }>('/api/v1/job/runs', this.rangeParams(request));
            data.push(runsToFrame(query.refId, answer.runs));
            return;
          }
          const answer = await this.get<LoginsAnswer>('/api/v1/logins', this.buildParams(query, request));
          data.push(
            answerToFrame(answer, {
              refId: query.refId,
              metric: query.metric,
              alias,
              hideIncomplete: query.hideIncomplete,
            })
          );
        } catch (error) {
          errors.push({ refId: query.refId, message: daemonMessage(error) });
        }
      })
    );
    // Frames in the order of the panel's queries, whatever order the answers came in.
    data.sort((a, b) => targets.findIndex((t) => t.refId === a.refId) - targets.findIndex((t) => t.refId === b.refId));
    return errors.length > 0 ? { data, errors } : { data };
  }

  /** The users seen in the panel's range, as a one-column table. */
  private async userListFrame(refId: string, name: string, request: DataQueryRequest<UsageQuery>): Promise<DataFrame> {
    return createDataFrame({
      refId,
      name,
      fields: [
        {
          name: 'user',
          type: FieldType.string,
          values: await this.usersInRange(request),
          config: { displayName: name },
        },
      ],
    });
  }

  /** User names for the query editor (the daemon's default range). */
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
    return this.usersInRange(request, this.templateSrv.replace(q.search ?? '', request.scopedVars));
  }

  /** The users seen in a request's range whose name contains `search` (all when empty), sorted. */
  private async usersInRange(request: Pick<DataQueryRequest, 'range'>, search = ''): Promise<string[]> {
    const answer = await this.get<{ users: string[] }>('/api/v1/users', {
      ...this.rangeParams(request),
      search,
      limit: String(USER_LIMIT),
    });
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
        return { status: 'error', message: `Daemon unreachable: ${daemonMessage(error)}` };
      }
      status = error.status ?? 0;
      body = error.data;
    }
    const health = healthResult(status, body);
    if (health.status !== 'success') {
      return health;
    }
    // /health may be open; a query proves the token.
    try {
      await this.users('', 1);
    } catch (error) {
      if (isFetchError(error) && (error.status === 401 || error.status === 403)) {
        return healthResult(error.status, error.data);
      }
      return { status: 'error', message: `Daemon answered /health but not a query: ${daemonMessage(error)}` };
    }
    return health;
  }
}
