import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Collection } from 'mongodb';
import type { JobDoc } from '../db/collections';
import { readJob } from '../db/job-record';
import type { JobRunner } from '../job/job-runner';
import { RunAbortedError } from '../job/run-once';
import type { IndexSync } from '../query/index-loader';
import { countExact } from '../query/exact-count';
import { bucketBounds } from '../time/buckets';
import { DAY_MS, HOUR_MS } from '../core/units';

const WINDOWS = [
  ['1h', HOUR_MS],
  ['24h', DAY_MS],
  ['7d', 7 * DAY_MS],
  ['30d', 30 * DAY_MS],
] as const;

export interface UsageMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** Wraps a runner so every run it makes is counted and timed. */
  instrument(runner: JobRunner): JobRunner;
}

type MetricsDeps = {
  sync: Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'reloadDays'>;
  job: Collection<JobDoc>;
  reportTimezone: string;
  now: () => Date;
};

/**
 * Prometheus metrics. Login gauges are computed from the in-memory index when scraped, so alert rules see
 * the same numbers as the API: distinct users and logins over trailing windows, and distinct users of the
 * current and previous calendar day in the reporting zone.
 */
export function makeMetrics(deps: MetricsDeps): UsageMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'core4_usage_index_logins',
    help: 'logins held by the in-memory index',
    registers: [registry],
    collect() {
      this.set(deps.sync.index.loginCount);
    },
  });
  const httpRequests = new Counter({
    name: 'core4_usage_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'core4_usage_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  jobStateGauges(registry, deps);
  loginGauges(registry, deps);
  const runMetrics = jobRunMetrics(registry);
  return { registry, httpRequests, httpDuration, instrument: (runner) => instrumented(runner, runMetrics) };
}

/**
 * The last call's promise while it is younger than `ms`: prom-client collects all metrics concurrently, so
 * gauges that share a computation (one read of the job, one count of the logins) await one per scrape.
 */
function sharedFor<T>(ms: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const at = performance.now();
    if (!last || at - last.at > ms) last = { at, value: compute() };
    return last.value;
  };
}

/** Gauges read from the job document (any process's runs). */
function jobStateGauges(registry: Registry, deps: MetricsDeps): void {
  const readJobOnce = sharedFor(1000, () => readJob(deps.job));
  const jobGauge = (name: string, help: string, value: (job: JobDoc, now: number) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const job = await readJobOnce();
        const v = job ? value(job, deps.now().getTime()) : undefined;
        if (v !== undefined) this.set(v);
      },
    });
  jobGauge(
    'core4_usage_job_last_success_timestamp_seconds',
    'end of the last successful run (any process)',
    (job) => (job.lastSuccessAt ? job.lastSuccessAt.getTime() / 1000 : undefined)
  );
  jobGauge(
    'core4_usage_data_lag_seconds',
    'now minus the instant up to which home.login is complete',
    (job, now) => (job.dataUntil ? (now - job.dataUntil.getTime()) / 1000 : undefined)
  );
  jobGauge('core4_usage_job_failed', '1 when the job is in state failed', (job) =>
    job.state === 'failed' ? 1 : 0
  );
}

/** Distinct users and logins over trailing windows, and distinct users of today and yesterday in the zone. */
function loginGauges(registry: Registry, deps: MetricsDeps): void {
  // A range being rewritten (IndexBusyError) leaves the gauges at their last values for this scrape.
  const loginsOnce = sharedFor(1000, () => collectLogins().catch(() => undefined));
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry], collect: () => loginsOnce() });
  const windowUsers = gauge('core4_usage_distinct_users', 'distinct users over a trailing window', [
    'window',
  ]);
  const windowLogins = gauge('core4_usage_logins', 'logins over a trailing window', ['window']);
  const dayUsers = gauge(
    'core4_usage_distinct_users_day',
    'distinct users of the current and previous calendar day in the reporting zone',
    ['day', 'tz']
  );
  async function collectLogins(): Promise<void> {
    // While the index loads, the login gauges are left out rather than reported as zero.
    if (!deps.sync.progress().ready) return;
    const now = deps.now().getTime();
    for (const [label, ms] of WINDOWS) {
      const range = { bounds: [now - ms, now], start: now - ms, end: now };
      const counts = await countExact(deps.sync, { ...range, metrics: ['users', 'logins'] });
      windowUsers.set({ window: label }, counts.users[0] ?? 0);
      windowLogins.set({ window: label }, counts.logins[0] ?? 0);
    }
    const bounds = bucketBounds(now - DAY_MS, now, 'day', deps.reportTimezone).slice(-3);
    const days = await countExact(deps.sync, { bounds, start: bounds[0] ?? 0, end: now, metrics: ['users'] });
    const [yesterday, today] = days.users.length === 2 ? days.users : [0, days.users[0] ?? 0];
    dayUsers.set({ day: 'today', tz: deps.reportTimezone }, today ?? 0);
    dayUsers.set({ day: 'yesterday', tz: deps.reportTimezone }, yesterday ?? 0);
  }
}

interface RunMetrics {
  runs: Counter<'result'>;
  runDuration: Histogram;
  failures: Counter;
}

/** Runs this process makes: by result, their durations, and those that failed after all attempts. */
function jobRunMetrics(registry: Registry): RunMetrics {
  return {
    runs: new Counter({
      name: 'core4_usage_job_runs_total',
      help: 'job runs started by this process, by result (success, skipped, failed, aborted)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    runDuration: new Histogram({
      name: 'core4_usage_job_run_duration_seconds',
      help: 'duration of job runs made by this process',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'core4_usage_job_failures_total',
      help: 'job runs that failed after all attempts',
      registers: [registry],
    }),
  };
}

/** A runner whose every run is counted and timed. */
function instrumented(runner: JobRunner, metrics: RunMetrics): JobRunner {
  return {
    isBusy: () => runner.isBusy(),
    idle: () => runner.idle(),
    async run(args, options) {
      const end = metrics.runDuration.startTimer();
      try {
        const outcome = await runner.run(args, options);
        metrics.runs.inc({ result: outcome.status });
        return outcome;
      } catch (error) {
        const aborted = error instanceof RunAbortedError;
        metrics.runs.inc({ result: aborted ? 'aborted' : 'failed' });
        if (!aborted) metrics.failures.inc();
        throw error;
      } finally {
        end();
      }
    },
  };
}
