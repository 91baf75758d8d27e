import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { readJob } from '../../db/job-record';
import { coerceError } from '../../errors';
import type { RunArgs } from '../../job/resolve-range';
import { RangeArgumentError, resolveRange } from '../../job/resolve-range';
import { QueryError, parseRange } from '../../query/logins-query';
import { listRuns } from '../../db/run-history';
import type { ApiContext } from '../context';
import { runBody, runsParams } from '../schemas';

/** The job document, its finished runs (for annotations), and starting a run (admin token): 202, or 409 while one runs. */
export const jobRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get('/api/v1/job', { schema: { tags: ['job'] } }, async () => {
    const job = await readJob(ctx.cols.job);
    return job ?? { state: 'idle' };
  });

  app.get<{ Querystring: { start?: string; end?: string; limit: number } }>(
    '/api/v1/job/runs',
    { schema: { tags: ['job'], querystring: runsParams } },
    async (request) => {
      const { start, end } = parseRange(request.query, ctx.now().getTime(), 30);
      return { runs: await listRuns(ctx.cols.runs, new Date(start), new Date(end), request.query.limit) };
    }
  );

  app.post<{ Body: RunArgs | undefined }>(
    '/api/v1/job/run',
    { schema: { tags: ['job'], body: runBody }, config: { access: 'admin' } },
    async (request, reply) => {
      const args = request.body ?? {};
      const job = await readJob(ctx.cols.job);
      const now = ctx.now();
      if (ctx.runner.isBusy() || (job?.lease && job.lease.until > now)) {
        return reply.code(409).send({
          statusCode: 409,
          error: 'Conflict',
          message: 'a run is in progress',
          lease: job?.lease ?? null,
        });
      }
      try {
        resolveRange(args, { checkpoint: job?.checkpoint, configStart: ctx.configStart, now });
      } catch (error) {
        if (error instanceof RangeArgumentError) {
          const [parameter] = error.message.split(':');
          throw new QueryError(
            parameter === 'start' || parameter === 'end' ? parameter : 'end',
            args.end ?? args.start,
            error.message
          );
        }
        throw error;
      }
      const runId = randomUUID();
      ctx.runner.run(args, undefined, undefined, runId).catch((err: unknown) => {
        request.log.error({ err: coerceError(err), runId }, 'run started over HTTP failed');
      });
      return reply.code(202).send({ accepted: true, runId });
    }
  );
};
