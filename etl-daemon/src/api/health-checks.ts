import type { HealthBody } from '../contract/types';
import type { JobDoc } from '../db/collections';
import type { LoadProgress } from '../query/index-loader';

/** One check's verdict (a type, not an interface: the schema-derived answer type indexes it by string). */
export type Check = { ok: boolean; message: string };
export type CheckName = 'database' | 'job' | 'lease' | 'index';

/** What /health judges: the index's state, whether MongoDB answered, the job document, and the limits. */
export interface HealthInputs {
  now: number;
  progress: LoadProgress;
  index: { loginCount: number; userCount: number };
  /** undefined when MongoDB answered; else the first line of its error. */
  databaseError: string | undefined;
  job: JobDoc | null;
  maxAgeMs: number;
  leaseTtlMs: number;
}

/** The checks of /health, decided from its inputs (pure: the route reads, this judges). */
export function healthChecks(inputs: HealthInputs): Record<CheckName, Check> {
  const { progress, databaseError } = inputs;
  const index = progress.ready
    ? { ok: true, message: `${inputs.index.loginCount} logins of ${inputs.index.userCount} users` }
    : { ok: false, message: `loading: ${progress.loadedDays} of ${progress.totalDays ?? '?'} days` };
  if (databaseError !== undefined) {
    return {
      index,
      database: { ok: false, message: `database unreachable: ${databaseError}` },
      job: { ok: true, message: '' },
      lease: { ok: true, message: 'free' },
    };
  }
  return {
    index,
    database: { ok: true, message: 'MongoDB answers' },
    job: jobCheck(inputs),
    lease: leaseCheck(inputs),
  };
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** The job succeeded within maxAge, or its first run is making progress. */
function jobCheck({ job, now, maxAgeMs }: HealthInputs): Check {
  const lastSuccess = job?.lastSuccessAt?.getTime();
  const progressAt = job?.progress?.at.getTime();
  if (lastSuccess !== undefined && now - lastSuccess <= maxAgeMs)
    return { ok: true, message: `last successful run ${seconds(now - lastSuccess)} s ago` };
  if (job?.state === 'running' && progressAt !== undefined && now - progressAt <= maxAgeMs)
    return { ok: true, message: 'first run in progress' };
  return {
    ok: false,
    message:
      lastSuccess === undefined
        ? 'job stale: no successful run yet'
        : `job stale: last successful run ${seconds(now - lastSuccess)} s ago (limit ${seconds(maxAgeMs)} s)`,
  };
}

/** A held lease whose holder shows no progress for ten lease lifetimes is stuck. */
function leaseCheck({ job, now, leaseTtlMs }: HealthInputs): Check {
  const lease = job?.lease;
  if (!lease || lease.until.getTime() <= now) return { ok: true, message: 'free' };
  const idle = now - (job.progress?.at.getTime() ?? lease.acquiredAt.getTime());
  if (idle > 10 * leaseTtlMs)
    return {
      ok: false,
      message: `lease stuck: held by ${lease.owner} without progress for ${seconds(idle)} s`,
    };
  return { ok: true, message: `held by ${lease.owner}` };
}

/**
 * What /health tells a caller: everything to a caller with a valid token (or when no token is configured);
 * to anyone else only the verdict and the names of the failing checks, never their messages, which can carry
 * driver errors with hosts and ports.
 */
export function healthBody(
  report: { checks: Record<string, Check>; dataUntil: string | null; loading: boolean },
  options: { detailed: boolean }
): HealthBody {
  const ok = Object.values(report.checks).every((c) => c.ok);
  // Loading is its own verdict: nothing is broken, the index is not ready to answer yet.
  const status = report.loading ? 'loading' : ok ? 'ok' : 'failing';
  if (options.detailed) return { status, checks: report.checks, dataUntil: report.dataUntil };
  return { status, failing: Object.keys(report.checks).filter((name) => !report.checks[name]?.ok) };
}
