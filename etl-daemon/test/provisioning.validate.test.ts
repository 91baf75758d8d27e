/**
 * Docker cannot run here, so the demo stack is checked file by file: YAML parses, every data source uid that
 * a dashboard or rule names exists, every panel query is one the plugin and the daemon accept, every metric
 * the dashboard and the rules use is exported, and docker-compose.yml fits the files it mounts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { FastifyInstance } from 'fastify';
import {
  BREAKDOWN_DIMENSIONS,
  REQUEST_DIMENSIONS,
  SERIES_METRICS,
  USER_STATUSES,
} from '../src/contract/metrics';
import { REQUEST_LIMITS } from '../src/core/limits';
import { SOURCE_NAMES } from '../src/etl/login-sources';
import { toUnit } from '../src/time/aggregate';
import { parseRange } from '../src/contract/params';
import { parseLoginsQuery } from '../src/query/logins-query';
import { parseRetentionQuery } from '../src/query/retention';
import { parseStickinessQuery } from '../src/query/stickiness';
import { buildTestApp } from './api-helpers';
import type { TestDb } from './helpers';
import { openTestDb } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const yamlOf = (file: string): any => parse(read(file)); // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML is checked field by field below

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  [key: string]: unknown;
}
/** A panel; rows (`type: row`) have neither data source nor targets. */
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Target[];
}

const dashboard = JSON.parse(read('provisioning/dashboards/json/core4-usage.json')) as {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: {
    list: Array<{
      name: string;
      type: string;
      datasource?: { uid: string };
      query: Record<string, unknown> | string;
    }>;
  };
  annotations: { list: Array<{ datasource: { uid: string; type?: string } }> };
};
const datasources = yamlOf('provisioning/datasources/datasources.yaml');
const alerting = yamlOf('provisioning/alerting/core4-usage.yaml');
const compose = yamlOf('docker-compose.yml');
const uids = new Set<string>(datasources.datasources.map((d: { uid: string }) => d.uid));
const PLUGIN_KEYS = new Set([
  'refId',
  'datasource',
  'queryType',
  'metric',
  'aggregate',
  'users',
  'roles',
  'handlers',
  'projects',
  'hosts',
  'dimension',
  'breakdown',
  'breakdownLimit',
  'source',
  'alias',
  'hideIncomplete',
  'hide',
  'cohort',
  'periods',
  'retentionFormat',
  'retentionMode',
  'period',
  'weekStart',
  'status',
  'bucket',
  'interval',
  'cumulative',
]);
const AGGREGATES = ['auto', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

function yamlFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(rel);
    return /\.ya?ml$/.test(entry.name) ? [rel] : [];
  });
}

describe('provisioning files', () => {
  it.each([...yamlFiles('provisioning'), 'docker-compose.yml'])('should parse %s', (file) => {
    let parsed: unknown;
    expect(() => {
      parsed = parse(read(file)) as unknown;
    }).not.toThrow();
    expect(parsed).toBeInstanceOf(Object);
  });

  it('should give every data source a fixed uid, the plugin one proxied with its token in secureJsonData', () => {
    expect([...uids].sort()).toEqual(['core4-usage', 'prometheus']);
    const core4 = datasources.datasources.find((d: { uid: string }) => d.uid === 'core4-usage');
    expect(core4).toMatchObject({
      type: 'core4-usage-datasource',
      access: 'proxy',
      secureJsonData: { token: '$USAGE_READ_TOKEN' },
    });
    expect(JSON.stringify(core4.jsonData)).not.toContain('TOKEN');
  });

  it('should give the dashboard a fixed uid and schema version, unique panel ids, and only known data sources', () => {
    expect(dashboard.uid).toBe('core4-usage');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const used = [
      ...dashboard.panels.flatMap((p) =>
        p.type === 'row' ? [] : [p.datasource?.uid ?? '', ...(p.targets ?? []).map((t) => t.datasource.uid)]
      ),
      ...dashboard.templating.list.flatMap((v) => (v.type === 'custom' ? [] : [v.datasource?.uid ?? ''])),
      ...dashboard.annotations.list
        .filter((a) => a.datasource.type !== 'grafana')
        .map((a) => a.datasource.uid),
    ];
    for (const uid of used) expect(uids).toContain(uid);
  });

  it('should have the panels the issue asks for', () => {
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Unique users per week (the original chart)',
        'Daily active users, last 7 days',
        'Logins per day',
        'New users per month',
        'Who uses it: users in the selected range, last seen first',
        'Job state',
        'Data horizon lag',
        'Engagement',
        'Daily, weekly and monthly actives (DAU, WAU, MAU)',
        'DAU / MAU (the stickiness ratio)',
        'Stickiness: users by the number of days they were active in the range',
        'Weekly cohorts: share back in the week after their first (period 1, on or after)',
        '$metric per $aggregate',
        'Lifecycle per week: new, returning, resurrecting, dormant (below zero)',
        'Weekly retention: cohorts by first login, users back in each later week',
        'Distinct users per week by project (the eight largest, the rest as other)',
        'Top handlers: distinct users per week (the eight most used)',
        'Handlers in the range: their title in core4, distinct users and requests',
      ])
    );
    expect(dashboard.templating.list.map((v) => v.name)).toEqual([
      'aggregate',
      'user',
      'role',
      'project',
      'metric',
    ]);
    // $project lists the projects of the requests source (the plugin's `project` variable query).
    expect(dashboard.templating.list.find((v) => v.name === 'project')).toMatchObject({
      query: { kind: 'project', source: 'core4-requests' },
      includeAll: true,
      allValue: '',
    });
    // $role lists core4's groups (the plugin's `roles` variable query) and at All filters nobody out.
    expect(dashboard.templating.list.find((v) => v.name === 'role')).toMatchObject({
      query: { kind: 'roles' },
      includeAll: true,
      allValue: '',
      multi: true,
    });
    // The custom $metric variable offers metrics the daemon knows; the panel repeated by it asks for each.
    const metric = dashboard.templating.list.find((v) => v.name === 'metric');
    const values = typeof metric?.query === 'string' ? metric.query.split(',') : [];
    expect(values.length).toBeGreaterThan(1);
    for (const name of values) expect(SERIES_METRICS).toContain(name);
    const repeated = dashboard.panels.find((p) => p.title === '$metric per $aggregate') as {
      repeat?: string;
    };
    expect(repeated.repeat).toBe('metric');
  });

  it('should only send plugin queries that the plugin type and the daemon accept', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const targets = dashboard.panels
      .flatMap((p) => p.targets ?? [])
      .filter((t) => t.datasource.type === 'core4-usage-datasource');
    expect(targets.length).toBeGreaterThanOrEqual(6);
    for (const target of targets) {
      for (const key of Object.keys(target)) expect(PLUGIN_KEYS).toContain(key);
      if (target.retentionFormat !== undefined)
        expect(['table', 'heatmap', 'period']).toContain(target.retentionFormat);
      if (target.queryType === 'retention') {
        const query = parseRetentionQuery(
          {
            start: String(now - 90 * 86_400_000),
            end: String(now),
            cohort: String(target.cohort),
            ...(target.periods === undefined ? {} : { periods: Number(target.periods) }),
            ...(target.retentionMode === undefined
              ? {}
              : { mode: target.retentionMode as 'on' | 'on_or_after' }),
          },
          now
        );
        expect(query.cohort).toBe('week');
        continue;
      }
      if (target.queryType === 'stickiness') {
        const query = parseStickinessQuery(
          { start: String(now - 90 * 86_400_000), end: String(now), interval: target.interval as 'day' },
          now,
          10_000
        );
        expect(query.interval).toBe('day');
        continue;
      }
      // A repeated panel's $metric is one of the variable's values in each copy.
      const variable = dashboard.templating.list.find((v) => v.name === 'metric')?.query;
      const metrics =
        target.metric === '$metric' && typeof variable === 'string'
          ? variable.split(',')
          : [String(target.metric)];
      if (target.queryType === 'people') {
        // What the plugin sends (plugin/src/queries/people.tsx): the status, the week holding the range's end.
        expect(USER_STATUSES).toContain(target.status);
        expect(toUnit(String(target.aggregate))).toBe('week');
        continue;
      }
      if (target.queryType === 'apps') {
        // What the plugin asks (plugin/src/queries/apps.tsx): /api/v1/dimensions/<dimension> of the range.
        expect(REQUEST_DIMENSIONS).toContain(target.dimension);
        expect(target.source).toBe('core4-requests');
        continue;
      }
      if (target.queryType === 'users') {
        expect(() =>
          parseRange({ start: String(now - 90 * 86_400_000), end: String(now) }, now, 90)
        ).not.toThrow();
        continue;
      }
      for (const metric of metrics) expect(SERIES_METRICS).toContain(metric);
      const aggregates = target.aggregate === '$aggregate' ? AGGREGATES.slice(1) : [String(target.aggregate)];
      for (const [aggregate, metric] of aggregates.flatMap((a) => metrics.map((m) => [a, m] as const))) {
        expect(AGGREGATES).toContain(aggregate);
        const query = parseLoginsQuery(
          {
            start: String(now - 90 * 86_400_000),
            end: String(now),
            aggregate: aggregate === 'auto' ? 'day' : aggregate,
            tz: 'UTC',
            metric,
          },
          now,
          10_000
        );
        expect(query.metrics).toEqual([metric]);
      }
      // A source the demo stack materialises (docker-compose.yml's USAGE_SOURCE).
      if (target.source !== undefined) {
        expect(SOURCE_NAMES).toContain(target.source);
        const env = (compose as { 'x-daemon-env': Record<string, string> })['x-daemon-env'];
        const materialised =
          /^\$\{USAGE_SOURCE:-([^}]+)\}$/.exec(env.USAGE_SOURCE ?? '')?.[1]?.split(',') ?? [];
        expect(materialised).toContain(target.source);
      }
      // A breakdown the daemon offers, and a number of series it accepts (REQUEST_LIMITS.series).
      if (target.breakdown !== undefined) {
        expect(BREAKDOWN_DIMENSIONS).toContain(target.breakdown);
        const limit = Number(target.breakdownLimit);
        expect(limit).toBeGreaterThanOrEqual(REQUEST_LIMITS.series.min);
        expect(limit).toBeLessThanOrEqual(REQUEST_LIMITS.series.max);
      }
    }
  });

  it('should name only known data sources in the Grafana-managed alert rules, with a contact point and policy', () => {
    const rules = alerting.groups.flatMap((g: { rules: unknown[] }) => g.rules) as Array<{
      uid: string;
      data: Array<{ datasourceUid: string }>;
    }>;
    expect(rules.map((r) => r.uid).sort()).toEqual([
      'core4-usage-daemon-down',
      'core4-usage-job-stale',
      'core4-usage-login-drop',
      'core4-usage-nobody-logged-in',
    ]);
    for (const rule of rules)
      for (const d of rule.data) expect([...uids, '__expr__']).toContain(d.datasourceUid);
    expect(alerting.contactPoints[0].receivers[0]).toMatchObject({
      type: 'webhook',
      settings: { url: 'http://alert-receiver:8080/grafana' },
    });
    expect(alerting.policies[0].receiver).toBe(alerting.contactPoints[0].name);
  });
});

describe('Grafana-managed and Prometheus alert rules', () => {
  type GrafanaRule = { uid: string; for: string; noDataState: string; annotations: { summary: string } };
  type PromRule = { alert: string; for: string; annotations: { summary: string } };

  it('should be the same set: each Grafana rule has the summary and pending period of one Prometheus rule', () => {
    const grafana = alerting.groups.flatMap((g: { rules: GrafanaRule[] }) => g.rules) as GrafanaRule[];
    const prometheus = (
      parse(read('provisioning/prometheus/rules/core4-usage.rules.yml')) as {
        groups: Array<{ rules: PromRule[] }>;
      }
    ).groups.flatMap((g) => g.rules);
    const pairs = (rules: Array<{ for: string; annotations: { summary: string } }>) =>
      rules.map((r) => `${r.annotations.summary} / ${r.for}`).sort();
    expect(pairs(grafana)).toEqual(pairs(prometheus));
    expect(prometheus.map((r) => r.alert)).toContain('Core4UsageDaemonDown');
  });

  it('should keep the login-drop rule quiet while there is no four-week history (no data is OK)', () => {
    const rules = alerting.groups.flatMap((g: { rules: GrafanaRule[] }) => g.rules) as GrafanaRule[];
    expect(rules.find((r) => r.uid === 'core4-usage-login-drop')?.noDataState).toBe('OK');
  });
});

describe('metrics the dashboard and the rules use', () => {
  let db: TestDb;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDb();
    app = await buildTestApp(db, new Date('2026-11-27T12:00:00Z'));
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('should all be exported on /metrics', async () => {
    const exported = new Set(
      (await app.inject({ method: 'GET', url: '/metrics' })).body
        .split('\n')
        .filter((line) => line.startsWith('# TYPE '))
        .map((line) => line.split(' ')[2])
    );
    const sources = [
      read('provisioning/dashboards/json/core4-usage.json'),
      read('provisioning/alerting/core4-usage.yaml'),
      read('provisioning/prometheus/rules/core4-usage.rules.yml'),
    ].join('\n');
    const used = new Set(sources.match(/core4_usage_[a-z_0-9]+/g) ?? []);
    expect([...used].sort()).toEqual([
      'core4_usage_data_lag_seconds',
      'core4_usage_distinct_users',
      'core4_usage_job_failed',
      'core4_usage_job_last_success_timestamp_seconds',
    ]);
    for (const name of used) expect(exported).toContain(name);
  });
});

describe('docker-compose.yml', () => {
  it('should run the services, build the daemon from its Dockerfile and mount what exists', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alert-receiver',
      'demo-data',
      'etl-daemon',
      'etl-daemon-a',
      'etl-daemon-b',
      'grafana',
      'mongo',
      'prometheus',
    ]);
    expect(existsSync(path.join(ROOT, compose.services['demo-data'].build.dockerfile))).toBe(true);
    const services: Array<{ volumes?: string[] }> = Object.values(compose.services);
    for (const service of services) {
      for (const volume of service.volumes ?? []) {
        const host = volume.split(':')[0] ?? '';
        if (!host.startsWith('./')) continue;
        // plugin/dist is the plugin's build output (`npm run build -w plugin`).
        expect(existsSync(path.join(ROOT, host === './plugin/dist' ? 'plugin/src/plugin.json' : host))).toBe(
          true
        );
      }
    }
  });

  it('should allow exactly the plugin id unsigned and point Grafana and Prometheus at compose services', () => {
    const pluginId = (JSON.parse(read('plugin/src/plugin.json')) as { id: string }).id;
    expect(compose.services.grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(pluginId);
    expect(compose.services.grafana.environment.CORE4_USAGE_URL).toBe('http://etl-daemon:8080');
    const prometheus = yamlOf('provisioning/prometheus/prometheus.yml');
    // Prometheus scrapes every replica; the rules aggregate across instances.
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual([
      'etl-daemon-a:8080',
      'etl-daemon-b:8080',
    ]);
    expect(compose.services['demo-data'].command).toContain('--if-empty');
  });

  it('should deploy as production would: a replica set, two identical replicas behind the load balancer', () => {
    const mongo = compose.services.mongo;
    expect(mongo.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    expect(mongo.healthcheck.test.join(' ')).toContain("rs.initiate({ _id: 'rs0'");
    const a = compose.services['etl-daemon-a'];
    const b = compose.services['etl-daemon-b'];
    // The YAML anchor makes them one definition: the same image, command and environment.
    expect(b).toEqual(a);
    expect(a.environment.MONGODB_URI).toBe('mongodb://mongo:27017/?replicaSet=rs0');
    expect(a.stop_grace_period).toBe('30s');
    // The load balancer (named etl-daemon, what Grafana calls) sends to both replicas.
    const lb = read('provisioning/nginx/core4-usage.conf');
    expect([...lb.matchAll(/server (etl-daemon-[ab]):8080/g)].map((m) => m[1])).toEqual([
      'etl-daemon-a',
      'etl-daemon-b',
    ]);
    expect(compose.services['etl-daemon'].volumes).toContain(
      './provisioning/nginx/core4-usage.conf:/etc/nginx/conf.d/default.conf:ro'
    );
    // The image's health check is readiness (/ready), which stays up through a MongoDB election.
    expect(read('etl-daemon/Dockerfile')).toMatch(/HEALTHCHECK[\s\S]*\/ready/);
  });

  it('should aggregate every rule across replicas, in Prometheus and in Grafana', () => {
    const prometheus = read('provisioning/prometheus/rules/core4-usage.rules.yml');
    const grafana = read('provisioning/alerting/core4-usage.yaml');
    for (const text of [prometheus, grafana]) {
      const uses = [...text.matchAll(/core4_usage_[a-z_]+(\{[^}]*\})?( offset \d+w)?/g)].length;
      const aggregated = [...text.matchAll(/max without \(instance\) \(core4_usage_/g)].length;
      expect(aggregated).toBe(uses);
    }
  });

  it('should take every required secret from .env, with each one in .env.example', () => {
    const required = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThanOrEqual(3);
    const example = read('.env.example');
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(existsSync(path.join(ROOT, '.env'))).toBe(false);
  });
});
