import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FromSchema } from 'json-schema-to-ts';
import { readJob } from '../../db/job-record';
import type { ApiContext } from '../context';
import { dataErrors, healthAnswer, readyAnswer } from '../schemas';

/** One check's verdict (a type, not an interface: the schema-derived answer type indexes it by string). */
type Check = { ok: boolean; message: string };

/** The /health answer, as its schema (which also serialises it) says. */
export type HealthBody = FromSchema<typeof healthAnswer>;
export type HealthStatus = HealthBody['status'];

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
  const status: HealthStatus = report.loading ? 'loading' : ok ? 'ok' : 'failing';
  if (options.detailed) return { status, checks: report.checks, dataUntil: report.dataUntil };
  return { status, failing: Object.keys(report.checks).filter((name) => !report.checks[name]?.ok) };
}

/**
 * 200 when MongoDB answers, the job has succeeded recently (or is making progress on its first run) and
 * its lease is not stuck; 503 otherwise, naming the failed checks.
 */
export const healthRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  const answers = {
    200: { ...healthAnswer, description: 'healthy' },
    503: {
      ...healthAnswer,
      description: 'a check fails, or the index is loading (status "loading", Retry-After)',
    },
    401: dataErrors[401],
    403: dataErrors[403],
  } as const;
  app.get(
    '/health',
    {
      schema: { tags: ['health'], response: answers },
      config: { access: ctx.api.openHealth ? 'open' : 'read' },
    },
    async (request, reply) => {
      const now = ctx.now().getTime();
      const progress = ctx.sync.progress();
      const checks: Record<'database' | 'job' | 'lease' | 'index', Check> = {
        index: progress.ready
          ? { ok: true, message: `${ctx.sync.index.loginCount} logins of ${ctx.sync.index.userCount} users` }
          : {
              ok: false,
              message: `loading: ${progress.loadedDays} of ${progress.totalDays ?? '?'} days`,
            },
        database: { ok: true, message: 'MongoDB answers' },
        job: { ok: true, message: '' },
        lease: { ok: true, message: 'free' },
      };
      let job = null;
      try {
        await ctx.ping();
        job = await readJob(ctx.cols.job);
      } catch (error) {
        checks.database = {
          ok: false,
          message: `database unreachable: ${(error as Error).message.split('\n')[0]}`,
        };
      }
      if (checks.database.ok) {
        const lastSuccess = job?.lastSuccessAt?.getTime();
        const progressAt = job?.progress?.at.getTime();
        const maxAge = ctx.api.healthMaxAgeMs;
        if (lastSuccess !== undefined && now - lastSuccess <= maxAge) {
          checks.job = {
            ok: true,
            message: `last successful run ${Math.round((now - lastSuccess) / 1000)} s ago`,
          };
        } else if (job?.state === 'running' && progressAt !== undefined && now - progressAt <= maxAge) {
          checks.job = { ok: true, message: 'first run in progress' };
        } else {
          checks.job = {
            ok: false,
            message:
              lastSuccess === undefined
                ? 'job stale: no successful run yet'
                : `job stale: last successful run ${Math.round((now - lastSuccess) / 1000)} s ago (limit ${Math.round(maxAge / 1000)} s)`,
          };
        }
        const lease = job?.lease;
        if (lease && lease.until.getTime() > now) {
          const idle = now - (progressAt ?? lease.acquiredAt.getTime());
          checks.lease =
            idle > 10 * ctx.leaseTtlMs
              ? {
                  ok: false,
                  message: `lease stuck: held by ${lease.owner} without progress for ${Math.round(idle / 1000)} s`,
                }
              : { ok: true, message: `held by ${lease.owner}` };
        }
      }
      const dataUntil = job?.dataUntil?.toISOString() ?? null;
      const body = healthBody(
        { checks, dataUntil, loading: !progress.ready },
        { detailed: request.caller !== 'anonymous' }
      );
      if (body.status === 'loading') reply.header('retry-after', '5');
      return reply.code(body.status === 'ok' ? 200 : 503).send(body);
    }
  );

  // Readiness for a load balancer: this process answers from memory once its index is loaded, also while
  // MongoDB elects a primary or the job is failing (those are /health's). Taking every replica out of
  // rotation because the database is briefly unreachable would turn an election into an outage.
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        response: {
          200: { ...readyAnswer, description: 'the index is loaded: this process answers queries' },
          503: { ...readyAnswer, description: 'the index is loading (Retry-After)' },
          401: dataErrors[401],
          403: dataErrors[403],
        },
      },
      config: { access: ctx.api.openHealth ? 'open' : 'read' },
    },
    async (_request, reply) => {
      if (ctx.sync.progress().ready) return reply.code(200).send({ status: 'ready' as const });
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ status: 'loading' as const });
    }
  );
};
