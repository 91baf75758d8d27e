/**
 * The provisioned dashboard (provisioning/dashboards/json/core4-usage.json) run by @grafana/scenes, the
 * engine Grafana 11/12 dashboards run on, against the real daemon behind a stand-in of Grafana's
 * data-source proxy (grafana-proxy.ts) over HTTP. See scene-harness.ts for what is Grafana's own code here
 * and what is stood in for.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  type DataFrame,
  type DataSourceInstanceSettings,
  type FieldConfigSource,
  type PanelData,
  LoadingState,
  getFieldDisplayName,
} from '@grafana/data';
import type { MultiValueVariable, QueryVariable, SceneQueryRunner } from '@grafana/scenes';
import { config } from '@grafana/runtime';
import { DataSource } from '../datasource';
import type { RetentionAnswer, UsageOptions, UsageQuery } from '../types';
import { type HarnessBackendSrv, harnessBackendSrv } from './backend-srv';
import { READ_TOKEN, query, request, startDaemon, type Daemon } from './daemon';
import { type GrafanaProxy, PROXY_AUTH_FAILED_BODY, renderRouteTemplate, startGrafanaProxy } from './grafana-proxy';
import {
  type DashboardJson,
  GRAFANA_VERSION,
  buildDashboardScene,
  installGrafanaServices,
  registerDataSource,
} from './scene-harness';
import { heatmapCellsOf } from './grafana-heatmap';
import { processFieldConfig } from './field-config';

const DASHBOARD = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../../provisioning/dashboards/json/core4-usage.json'), 'utf8')
) as DashboardJson;
const UID = 'core4-usage';
const TYPE = 'core4-usage-datasource';
/** A full-HD screen: a half-width panel is 960 px wide, so scenes asks for 960 data points. */
const SCREEN_PX = 1920;

let daemon: Daemon;
const open: Array<{ close(): Promise<void> }> = [];

async function daemonAnswer(params: Record<string, unknown>) {
  const { data } = await request(`${daemon.url}/api/v1/logins${query(params)}`, {
    Authorization: `Bearer ${READ_TOKEN}`,
  });
  return data as { aggregate: string; buckets: Array<Record<string, number | string | boolean>> };
}

async function daemonRetention(params: Record<string, unknown>) {
  const { data } = await request(`${daemon.url}/api/v1/retention${query(params)}`, {
    Authorization: `Bearer ${READ_TOKEN}`,
  });
  return data as RetentionAnswer;
}

interface Stack {
  proxy: GrafanaProxy;
  backend: HarnessBackendSrv;
  ds: DataSource;
}

/** Proxy, BackendSrv and data source as Grafana wires them, with the token the data source stores. */
async function stack(token: string | undefined, daemonUrl = daemon.url): Promise<Stack> {
  const proxy = await startGrafanaProxy({ uid: UID, jsonData: { url: daemonUrl }, secureJsonData: { token } });
  open.push(proxy);
  const backend = harnessBackendSrv(proxy.origin);
  installGrafanaServices(backend);
  const settings = {
    id: 1,
    uid: UID,
    type: TYPE,
    name: 'core4 usage',
    url: proxy.path,
    access: 'proxy',
    jsonData: { url: daemonUrl },
    meta: { id: TYPE, type: 'datasource', name: 'core4 usage', info: {} },
  } as unknown as DataSourceInstanceSettings<UsageOptions>;
  const ds = new DataSource(settings, undefined, undefined, () => 'UTC');
  registerDataSource(ds as never, settings);
  return { proxy, backend, ds };
}

/** The first finished result of `runner` (Done or Error), waiting for it if needed. */
function settled(runner: SceneQueryRunner, after = 0): Promise<PanelData> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no result within 30 s')), 30_000);
    const done = (data?: PanelData) =>
      data !== undefined &&
      (data.state === LoadingState.Done || data.state === LoadingState.Error) &&
      (data.request?.startTime ?? 0) >= after;
    if (done(runner.state.data)) {
      clearTimeout(timer);
      resolve(runner.state.data!);
      return;
    }
    const sub = runner.subscribeToState((state) => {
      if (done(state.data)) {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(state.data!);
      }
    });
  });
}

function numbers(frame: DataFrame | undefined, name: string): unknown[] {
  return frame?.fields.find((f) => f.name === name)?.values ?? [];
}

function loginRequests(proxy: GrafanaProxy) {
  return proxy.requests.filter((r) => r.path === '/api/v1/logins');
}

beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  for (const o of open) {
    await o.close();
  }
  await daemon?.stop();
});

describe('the provisioned dashboard in scenes', () => {
  let s: Stack;
  let dash: ReturnType<typeof buildDashboardScene>;
  beforeAll(async () => {
    s = await stack(READ_TOKEN);
    dash = buildDashboardScene(DASHBOARD, { dsType: TYPE, screenPx: SCREEN_PX, timezone: 'utc' });
  });
  afterAll(() => dash.deactivate());

  const runner = (id: number) => {
    const r = dash.runners.get(id);
    if (!r) {
      throw new Error(`no panel ${id}`);
    }
    return r;
  };
  const userVariable = () => dash.variables.getByName('user') as QueryVariable;

  it('should send no user filter when the users variable is at All, however many users it lists', async () => {
    const data = await settled(runner(2));
    expect(data.errors).toBeUndefined();
    const options = userVariable().state.options;
    expect(options.length).toBeGreaterThan(500);
    expect(userVariable().state.value).toEqual(['$__all']);
    const requests = loginRequests(s.proxy);
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const r of requests) {
      expect(r.params.getAll('user')).toEqual([]);
    }
    // The panel shows the daemon's unfiltered counts.
    const sent = requests.find((r) => r.params.get('aggregate') === 'day' && r.params.get('metric') === 'users');
    expect(sent).toBeDefined();
    const direct = await daemonAnswer(Object.fromEntries(sent!.params));
    expect(numbers(data.series[0], 'users')).toEqual(direct.buckets.map((b) => b.users));
  });

  it('should choose days for auto on a 90-day panel, not the hours its pixel width asks for', async () => {
    const data = await settled(runner(2));
    // scenes' own choice: maxDataPoints from the panel's width, and an interval of a few hours.
    expect(data.request?.maxDataPoints).toBe(960);
    expect(data.request?.intervalMs).toBeLessThanOrEqual(3 * 3_600_000);
    const sent = data.series[0]?.meta?.executedQueryString ?? '';
    expect(sent).toMatch(/^GET \/api\/v1\/logins\?start=\d+&end=\d+&aggregate=day&tz=UTC&metric=users$/);
    expect(data.series[0]?.length).toBeGreaterThanOrEqual(90);
    expect(data.series[0]?.length).toBeLessThanOrEqual(91);
    expect(data.series[0]?.meta?.custom).toMatchObject({ aggregate: 'day', tz: 'UTC' });
  });

  it("should show the lifecycle panel's four series with the daemon's numbers, dormant below zero", async () => {
    const data = await settled(runner(23));
    expect(data.errors).toBeUndefined();
    const metrics = data.series.map((f) => f.fields[1]?.name);
    expect(metrics).toEqual(['new_users', 'returning', 'resurrecting', 'dormant']);
    for (const frame of data.series) {
      const metric = frame.fields[1]?.name ?? '';
      const sent = new URL(`http://x${(frame.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams;
      expect([metric, sent.get('aggregate'), sent.get('metric')]).toEqual([metric, 'week', metric]);
      const direct = await daemonAnswer(Object.fromEntries(sent));
      expect([metric, numbers(frame, metric)]).toEqual([metric, direct.buckets.map((b) => b[metric])]);
    }
    expect(numbers(data.series[3], 'dormant').some((n) => Number(n) < 0)).toBe(true);
    expect(numbers(data.series[1], 'returning').some((n) => Number(n) > 0)).toBe(true);
    // The engagement row's retention panel: the daemon's matrix, cohorts by week.
    const retention = await settled(runner(24));
    expect(retention.errors).toBeUndefined();
    const frame = retention.series[0];
    expect(frame?.fields.slice(0, 3).map((f) => f.name)).toEqual(['cohort', 'size', 'week 0']);
    expect(frame?.fields[1]?.values).toEqual(frame?.fields[2]?.values); // retained[0] is the cohort's size
    // The heatmap panel beside it: the same matrix as Grafana's heatmap prepares a heatmap-rows frame,
    // one row per later week, each cohort drawn over its own week (its start = its end - one week).
    const heatmap = await settled(runner(25));
    expect(heatmap.errors).toBeUndefined();
    const cells = heatmapCellsOf(heatmap.series[0]!);
    const sent = new URL(`http://x${(heatmap.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`);
    const matrix = await daemonRetention(Object.fromEntries(sent.searchParams));
    expect(cells?.yOrdinalDisplay.slice(0, 2)).toEqual(['week 0', 'week 1']);
    expect(cells?.yOrdinalDisplay).not.toContain('size');
    const rows = cells?.yOrdinalDisplay.length ?? 0;
    expect(cells?.xBucketSize).toBe(7 * 86_400_000);
    for (const [i, cohort] of matrix.cohorts.entries()) {
      expect(cells?.xMax[i * rows]).toBe(Date.parse(cohort.end));
      if (!cohort.partial) {
        expect((cells?.xMax[i * rows] ?? 0) - (cells?.xBucketSize ?? 0)).toBe(Date.parse(cohort.start));
      }
      expect(cells?.value.slice(i * rows, i * rows + cohort.retained.length)).toEqual(cohort.retained.slice(0, rows));
    }
  });

  it('should run as Grafana 12 does: the panel handed over as a SafeSerializableSceneObject, read by valueOf()', async () => {
    const data = await settled(runner(2));
    expect(config.buildInfo.version).toBe(GRAFANA_VERSION);
    const wrapped = data.request?.scopedVars.__sceneObject as unknown as { valueOf(): unknown; value: unknown };
    expect(wrapped.constructor.name).toBe('SafeSerializableSceneObject');
    expect(wrapped.valueOf()).toBe(runner(2));
  });

  it('should repeat the "$metric per $aggregate" panel once per chosen metric, each asking for its own', async () => {
    const copies = await new Promise<SceneQueryRunner[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no repeats within 30 s')), 30_000);
      const poll = setInterval(() => {
        const found = dash.repeats.get(28)?.() ?? [];
        if (found.length === 2) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(found);
        }
      }, 50);
    });
    const results = await Promise.all(copies.map((copy) => settled(copy)));
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined]);
    const sent = results.map(
      (r) => new URL(`http://x${(r.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams
    );
    expect(sent.map((p) => p.get('metric'))).toEqual(['users', 'logins']);
    for (const [i, metric] of ['users', 'logins'].entries()) {
      expect(results[i]?.series).toHaveLength(1);
      const direct = await daemonAnswer(Object.fromEntries(sent[i]!));
      expect([metric, numbers(results[i]?.series[0], metric)]).toEqual([metric, direct.buckets.map((b) => b[metric])]);
    }
    // Changing the variable repeats the panel again: three metrics, three copies.
    (dash.variables.getByName('metric') as MultiValueVariable).changeValueTo(['new_users', 'dau_mau', 'logins']);
    await new Promise((r) => setTimeout(r, 10)); // rendered after the change
    const three = dash.repeats.get(28)?.() ?? [];
    expect(three).toHaveLength(3);
    const again = await Promise.all(three.map((copy) => settled(copy)));
    expect(again.map((r) => r.series[0]?.fields[1]?.name)).toEqual(['new_users', 'dau_mau', 'logins']);
  });

  it('should draw stickiness as bars and a cohort trend, with the numbers the daemon counts', async () => {
    const bars = await settled(runner(26));
    expect(bars.errors).toBeUndefined();
    const sentBars = new URL(`http://x${(bars.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`);
    expect(sentBars.pathname).toBe('/api/v1/stickiness');
    const { data } = await request(`${daemon.url}/api/v1/stickiness?${sentBars.searchParams}`, {
      Authorization: `Bearer ${READ_TOKEN}`,
    });
    const histogram = data as { counts: number[] };
    expect(numbers(bars.series[0], 'days active').slice(0, 2)).toEqual(['1 day', '2 days']);
    expect(numbers(bars.series[0], 'users')).toEqual(histogram.counts.slice(1));
    const trend = await settled(runner(27));
    expect(trend.errors).toBeUndefined();
    const sentTrend = new URL(`http://x${(trend.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`);
    expect(sentTrend.searchParams.get('mode')).toBe('on_or_after');
    const matrix = await daemonRetention(Object.fromEntries(sentTrend.searchParams));
    expect(trend.series[0]?.fields[1]?.values).toEqual(
      matrix.cohorts.map((c) => (c.retained[1] === undefined || c.size === 0 ? null : c.retained[1] / c.size))
    );
    const panel = (
      DASHBOARD as unknown as { panels: Array<{ id: number; fieldConfig: FieldConfigSource }> }
    ).panels.find((p) => p.id === 27);
    const [shown] = processFieldConfig(trend.series, panel!.fieldConfig);
    expect([shown!.fields[1]!.config.unit, shown!.fields[1]!.config.max]).toEqual(['percentunit', 1]);
  });

  it("should list this week's dormant and new people, as many as the lifecycle panel counts for the week", async () => {
    for (const [id, status, metric] of [
      [32, 'dormant', 'dormant'],
      [33, 'new', 'new_users'],
    ] as const) {
      const data = await settled(runner(id));
      expect(data.errors).toBeUndefined();
      const frame = data.series[0];
      const sent = new URL(`http://x${(frame?.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams;
      expect([sent.get('status'), sent.get('aggregate')]).toEqual([status, 'week']);
      const week = frame?.meta?.custom?.bucket as { start: string; end: string };
      // The lifecycle's count for the same week (the range's last, cut at its end) is the number of rows.
      const direct = await daemonAnswer({
        start: String(Date.parse(week.start)),
        end: String(Date.parse(week.end)),
        aggregate: 'week',
        tz: sent.get('tz') ?? 'UTC',
        metric,
      });
      expect(Math.abs(Number(direct.buckets[0]?.[metric]))).toBe(numbers(frame, 'user').length);
      expect(numbers(frame, 'last seen').every((t) => Number(t) < Date.parse(week.end))).toBe(true);
      if (status === 'dormant') {
        expect(numbers(frame, 'user').length).toBeGreaterThan(0);
      }
    }
  });

  it("should list core4's active users never seen in the dashboard's range, as many as the daemon counts", async () => {
    const data = await settled(runner(34));
    expect(data.errors).toBeUndefined();
    const frame = data.series[0];
    const sent = new URL(`http://x${(frame?.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams;
    expect(sent.get('status')).toBe('never');
    const { data: answer } = await request(
      `${daemon.url}/api/v1/users${query({ status: 'never', start: sent.get('start'), end: sent.get('end'), limit: 10000 })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const count = (answer as { count: number }).count;
    expect(numbers(frame, 'user').length).toBe(count);
    expect(frame?.meta?.custom?.count).toBe(count);
    // The demo's roles who never log in at all are there, with their names from sys.role.
    expect(count).toBeGreaterThan(20);
    expect(numbers(frame, 'real name').every((n) => typeof n === 'string' && n !== '')).toBe(true);
  });

  it('should draw logins and requests side by side, each from its source', async () => {
    const data = await settled(runner(42));
    expect(data.errors).toBeUndefined();
    expect(data.series.map((f) => f.name)).toEqual(['logged in', 'active (requests)']);
    for (const frame of data.series) {
      const sent = new URL(`http://x${(frame.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams;
      const direct = await daemonAnswer(Object.fromEntries(sent));
      expect(numbers(frame, 'users')).toEqual(direct.buckets.map((b) => b.users));
    }
    const sources = data.series.map((f) =>
      new URL(`http://x${(f.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams.get('source')
    );
    expect(sources).toEqual(['core4-logins', 'core4-requests']);
  });

  it('should draw the teams panel as one line per group, the largest six and other, as the daemon breaks it down', async () => {
    const data = await settled(runner(41));
    expect(data.errors).toBeUndefined();
    const frame = data.series[0];
    const sent = new URL(`http://x${(frame?.meta?.executedQueryString ?? '').slice('GET '.length)}`).searchParams;
    expect([sent.get('breakdown'), sent.get('limit'), sent.getAll('role')]).toEqual(['role', '6', []]);
    const direct = (await daemonAnswer(Object.fromEntries(sent))) as unknown as {
      series: Array<{ key: string; buckets: Array<{ users: number }> }>;
    };
    expect(data.series.map((f) => f.name)).toEqual(direct.series.map((s) => s.key));
    expect(data.series).toHaveLength(7);
    for (const [i, series] of data.series.entries()) {
      expect(numbers(series, 'users')).toEqual(direct.series[i]?.buckets.map((b) => b.users));
    }
  });

  it('should draw the Apps row: a line per project and per top handler, as the daemon breaks requests down', async () => {
    for (const [id, breakdown, limit] of [
      [51, 'project', '8'],
      [52, 'handler', '8'],
    ] as const) {
      const data = await settled(runner(id));
      expect(data.errors).toBeUndefined();
      const sent = new URL(`http://x${(data.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`)
        .searchParams;
      // $project, $role and $user at All: no filter sent; the requests source.
      expect([sent.get('breakdown'), sent.get('limit'), sent.get('source'), sent.getAll('project')]).toEqual([
        breakdown,
        limit,
        'core4-requests',
        [],
      ]);
      const direct = (await daemonAnswer(Object.fromEntries(sent))) as unknown as {
        series: Array<{ key: string; buckets: Array<{ users: number }> }>;
      };
      expect(data.series.map((f) => f.name)).toEqual(direct.series.map((s) => s.key));
      expect(data.series.length).toBeGreaterThan(2);
      for (const [i, series] of data.series.entries()) {
        expect(numbers(series, 'users')).toEqual(direct.series[i]?.buckets.map((b) => b.users));
      }
    }
  });

  it("should list the handlers of the range in the Apps table, with core4's titles, users and requests", async () => {
    const data = await settled(runner(53));
    expect(data.errors).toBeUndefined();
    const [frame] = data.series;
    const sent = (frame?.meta?.executedQueryString ?? '').slice('GET '.length);
    expect(sent.startsWith('/api/v1/dimensions/handler?')).toBe(true);
    const { data: direct } = await request(`${daemon.url}${sent}`, { Authorization: `Bearer ${READ_TOKEN}` });
    const values = (direct as { values: Array<{ key: string; users: number; logins: number }> }).values;
    expect(numbers(frame, 'handler')).toEqual(values.map((v) => v.key));
    expect(numbers(frame, 'users')).toEqual(values.map((v) => v.users));
    expect(numbers(frame, 'requests')).toEqual(values.map((v) => v.logins));
    expect(numbers(frame, 'title')).toContain('Marketing reports');
  });

  it("should let the panel's own options win: Display name, Unit and Decimals set in the panel editor", async () => {
    const data = await settled(runner(2));
    const panel = (
      DASHBOARD as unknown as { panels: Array<{ id: number; fieldConfig: FieldConfigSource }> }
    ).panels.find((p) => p.id === 2);
    // As provisioned: the dashboard's unit and decimals, the series named by the data source.
    const [shown] = processFieldConfig(data.series, panel!.fieldConfig);
    const users = shown!.fields[1]!;
    expect([users.config.unit, users.config.decimals]).toEqual(['short', 0]);
    expect(getFieldDisplayName(users, shown)).toBe('unique users');
    // Changed in the panel editor: every one of them takes effect (a frame that set them would block them).
    const edited = {
      defaults: { ...panel!.fieldConfig.defaults, unit: 'percent', decimals: 3, displayName: 'people' },
      overrides: [],
    };
    const [after] = processFieldConfig(data.series, edited);
    const field = after!.fields[1]!;
    expect([field.config.unit, field.config.decimals, getFieldDisplayName(field, after)]).toEqual([
      'percent',
      3,
      'people',
    ]);
    // An override by name, as the panel editor writes it, applies to the data source's series name.
    const overridden = {
      defaults: panel!.fieldConfig.defaults,
      overrides: [
        {
          matcher: { id: 'byName', options: 'unique users' },
          properties: [{ id: 'displayName', value: 'distinct people' }],
        },
      ],
    };
    const [byName] = processFieldConfig(data.series, overridden);
    expect(getFieldDisplayName(byName!.fields[1]!, byName)).toBe('distinct people');
  });

  it('should send the chosen users, and their numbers, when the variable holds names', async () => {
    const started = Date.now();
    userVariable().changeValueTo(['user00001', 'user00002']);
    const data = await settled(runner(2), started);
    const sent = new URL(`http://x${(data.series[0]?.meta?.executedQueryString ?? '').slice('GET '.length)}`)
      .searchParams;
    expect(sent.getAll('user')).toEqual(['user00001', 'user00002']);
    expect(loginRequests(s.proxy).some((r) => r.params.toString() === sent.toString())).toBe(true);
    const params = Object.fromEntries([...sent.entries()].filter(([k]) => k !== 'user'));
    const filtered = await daemonAnswer({ ...params, user: ['user00001', 'user00002'] });
    const everybody = await daemonAnswer(params);
    expect(numbers(data.series[0], 'users')).toEqual(filtered.buckets.map((b) => b.users));
    expect(filtered.buckets.map((b) => b.users)).not.toEqual(everybody.buckets.map((b) => b.users));
  });

  it('should hand Explore queries with every variable resolved (Grafana calls interpolateVariablesInQueries)', () => {
    // Grafana's panel menu calls getExploreUrl with the panel as __sceneObject, which interpolates the queries.
    const targets = runner(2).state.queries as UsageQuery[];
    const scoped = { __sceneObject: { value: runner(2), text: '__sceneObject' } };
    const [picked] = s.ds.interpolateVariablesInQueries(targets, scoped);
    expect(picked).toMatchObject({ aggregate: 'auto', users: ['user00001', 'user00002'], datasource: { uid: UID } });
    userVariable().changeValueTo(['$__all']);
    const [all] = s.ds.interpolateVariablesInQueries(targets, scoped);
    expect(all).toMatchObject({ aggregate: 'auto', users: [] });
    expect(JSON.stringify(all)).not.toContain('$');
    expect(s.ds.getQueryDisplayText(picked!)).toBe('unique users per auto of user00001, user00002');
  });

  it("should draw the job's runs as annotation regions from the annotation layer", async () => {
    // A panel's runner merges the dashboard's annotation layers into what the panel draws.
    const layerData = await new Promise<PanelData>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no annotations: ${JSON.stringify(dash.annotations.state.layers[0]?.state.data?.errors ?? null)}`)
          ),
        30_000
      );
      const check = (data?: PanelData) => {
        if (data?.annotations?.length) {
          clearTimeout(timer);
          resolve(data);
          return true;
        }
        return false;
      };
      if (!check(runner(1).state.data)) {
        const sub = runner(1).subscribeToState((state) => check(state.data) && sub.unsubscribe());
        runner(1).runQueries();
      }
    });
    const frame = layerData.annotations![0]!;
    const { data } = await request(
      `${daemon.url}/api/v1/job/runs${query({ start: Date.now() - 91 * 86_400_000, end: Date.now() })}`,
      { Authorization: `Bearer ${READ_TOKEN}` }
    );
    const runs = (data as { runs: Array<{ startedAt: string; finishedAt: string; result: string }> }).runs;
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(numbers(frame, 'time')).toEqual(runs.map((r) => Date.parse(r.startedAt)));
    expect(numbers(frame, 'timeEnd')).toEqual(runs.map((r) => Date.parse(r.finishedAt)));
    expect(numbers(frame, 'title')).toEqual(runs.map((r) => `job run ${r.result}`));
    expect(numbers(frame, 'isRegion')).toEqual(runs.map(() => true));
  });

  it('should cancel a panel query that a newer one supersedes', async () => {
    // Let the re-queries of earlier tests (variable changes) finish first.
    await settled(runner(1));
    await new Promise((r) => setTimeout(r, 500));
    const cancelled = s.backend.cancelledUrls.length;
    const aborted = s.proxy.aborted;
    s.proxy.delayMs = 400;
    try {
      runner(1).runQueries();
      await new Promise((r) => setTimeout(r, 150)); // the first request is at the proxy now
      const started = Date.now();
      runner(1).runQueries();
      const data = await settled(runner(1), started);
      expect(data.state).toBe(LoadingState.Done);
      expect(data.series[0]?.meta?.custom).toMatchObject({ aggregate: 'week' });
    } finally {
      s.proxy.delayMs = 0;
    }
    // The first request of this panel (weekly unique users) was cancelled in flight and aborted at the proxy.
    const weekly = s.backend.cancelledUrls
      .slice(cancelled)
      .filter((u) => u.includes('/api/v1/logins') && u.includes('aggregate=week'));
    expect(weekly.length).toBeGreaterThanOrEqual(1);
    expect(s.proxy.aborted).toBeGreaterThan(aborted);
  });
});

describe("errors behind Grafana's proxy", () => {
  it('should render an unset secret as Go templates do, and not send it', () => {
    const data = { JsonData: {}, SecureJsonData: {} };
    expect(renderRouteTemplate('Bearer {{ .SecureJsonData.token }}', data)).toBe('Bearer <no value>');
    const route = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../plugin.json'), 'utf8')).routes[0];
    expect(renderRouteTemplate(route.headers[0].content, data)).toBe('');
    expect(renderRouteTemplate(route.headers[0].content, { ...data, SecureJsonData: { token: 'abc' } })).toBe(
      'Bearer abc'
    );
  });

  it('should say the token is missing, rejected, or the daemon unreachable, in Save & test and in panels', async () => {
    const missing = await stack(undefined);
    expect(await missing.ds.testDatasource()).toEqual({
      status: 'error',
      message: expect.stringMatching(/^Token missing: .*"Authentication to data source failed".*set the API token/),
    });
    // The proxy turned the daemon's 401 into its 400 with a plain body, as Grafana does.
    expect(missing.proxy.requests.at(-1)?.authorization).toBe('');
    const dash = buildDashboardScene(DASHBOARD, { dsType: TYPE, screenPx: SCREEN_PX, timezone: 'utc' });
    try {
      const data = await settled(dash.runners.get(1)!);
      expect(data.state).toBe(LoadingState.Error);
      expect(data.errors?.[0]?.message).toMatch(/^Token missing: /);
    } finally {
      dash.deactivate();
    }
    expect(PROXY_AUTH_FAILED_BODY).toBe('Authentication to data source failed');

    const wrong = await stack('wrong-token-0123456789');
    expect(await wrong.ds.testDatasource()).toEqual({
      status: 'error',
      message: "Token rejected: the daemon does not accept the data source's API token (HTTP 403); check the token",
    });
    const down = await stack(READ_TOKEN, 'http://127.0.0.1:9');
    expect(await down.ds.testDatasource()).toEqual({
      status: 'error',
      message:
        "Could not connect to the daemon (HTTP 502 from Grafana's proxy): check the URL, port and TLS/CA settings (Grafana's server log names which failed), and that core4-usage serve is running",
    });
    const ok = await stack(READ_TOKEN);
    expect(await ok.ds.testDatasource()).toEqual({ status: 'success', message: expect.stringMatching(/^OK: /) });
  });
});
