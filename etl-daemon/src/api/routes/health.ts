import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { readJob } from '../../db/job-record';
import { coerceError } from '../../errors';
import type { ApiContext } from '../context';
import { dataErrors, healthAnswer, readyAnswer } from '../../contract/schemas';
import type { Check } from '../health-checks';
import { healthBody, healthChecks } from '../health-checks';
import { sourcesOf } from '../source';

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
      const { checks, dataUntil, loading } = await sourceChecks(ctx);
      const body = healthBody({ checks, dataUntil, loading }, { detailed: request.caller !== 'anonymous' });
      if (body.status === 'loading') reply.header('retry-after', '5');
      return reply.code(body.status === 'ok' ? 200 : 503).send(body);
    }
  );
};

/**
 * Every source's checks: the default's keep their names, another's are prefixed with its own. MongoDB is
 * asked once whether it answers; each source's job document is read after that.
 */
async function sourceChecks(
  ctx: ApiContext
): Promise<{ checks: Record<string, Check>; dataUntil: string | null; loading: boolean }> {
  const checks: Record<string, Check> = {};
  let dataUntil: string | null = null;
  let loading = false;
  const unreachable = await ctx.ping().then(() => undefined, firstLine);
  for (const [i, source] of sourcesOf(ctx).entries()) {
    const progress = source.sync.progress();
    let job = null;
    let databaseError = unreachable;
    if (databaseError === undefined) {
      try {
        job = await readJob(source.cols.job);
      } catch (error) {
        databaseError = firstLine(error);
      }
    }
    const own = healthChecks({
      now: ctx.now().getTime(),
      progress,
      index: source.sync.index,
      databaseError,
      job,
      maxAgeMs: ctx.api.healthMaxAgeMs,
      leaseTtlMs: ctx.leaseTtlMs,
    });
    for (const [name, check] of Object.entries(own))
      checks[i === 0 ? name : `${source.name}:${name}`] = check;
    if (i === 0) dataUntil = job?.dataUntil?.toISOString() ?? null;
    loading ||= !progress.ready;
  }
  return { checks, dataUntil, loading };
}

/** A driver error's first line (its later lines name hosts and ports). */
function firstLine(error: unknown): string {
  return coerceError(error).message.split('\n')[0] ?? '';
}

/**
 * Readiness for a load balancer: this process answers from memory once its index is loaded, also while
 * MongoDB elects a primary or the job is failing (those are /health's). Taking every replica out of rotation
 * because the database is briefly unreachable would turn an election into an outage.
 */
export const readyRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
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
      if (sourcesOf(ctx).every((s) => s.sync.progress().ready))
        return reply.code(200).send({ status: 'ready' as const });
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ status: 'loading' as const });
    }
  );
};
