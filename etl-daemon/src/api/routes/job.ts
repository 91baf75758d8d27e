import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { readJob } from '../../db/job-record';
import { coerceError } from '../../errors';
import { resolveRange } from '../../job/resolve-range';
import { parseRange } from '../../contract/params';
import { REQUEST_LIMITS } from '../../core/limits';
import { listRuns } from '../../db/run-history';
import type { ApiContext } from '../context';
import {
  dataErrors,
  jobAnswer,
  runAccepted,
  runBody,
  runConflict,
  runsAnswer,
  runsParams,
  sourceOnlyParams,
} from '../../contract/schemas';
import { sourceOf } from '../source';

/** The job document and its finished runs (for annotations). */
export const jobRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  const { 401: unauthorized, 403: forbidden, 400: invalid } = dataErrors;
  app.get(
    '/api/v1/job',
    {
      schema: {
        tags: ['job'],
        querystring: sourceOnlyParams,
        response: { 200: jobAnswer, 400: invalid, 401: unauthorized, 403: forbidden },
      },
    },
    async (request) => {
      const job = await readJob(sourceOf(ctx, request.query.source).cols.job);
      return job ? { ...job } : { state: 'idle' as const };
    }
  );

  app.get(
    '/api/v1/job/runs',
    {
      schema: {
        tags: ['job'],
        querystring: runsParams,
        response: { 200: runsAnswer, 400: invalid, 401: unauthorized, 403: forbidden },
      },
    },
    async (request) => {
      const { start, end } = parseRange(request.query, ctx.now().getTime(), REQUEST_LIMITS.rangeDays.runs);
      const { cols } = sourceOf(ctx, request.query.source);
      return { runs: await listRuns(cols.runs, new Date(start), new Date(end), request.query.limit) };
    }
  );
};

/** Starting a run (admin token): 202 with its id, or 409 while one runs here or elsewhere. */
export const runRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  const { 401: unauthorized, 403: forbidden, 400: invalid } = dataErrors;
  app.post(
    '/api/v1/job/run',
    {
      schema: {
        tags: ['job'],
        body: runBody,
        response: { 202: runAccepted, 400: invalid, 401: unauthorized, 403: forbidden, 409: runConflict },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const { source, ...args } = request.body ?? {};
      const { cols, runner } = sourceOf(ctx, source);
      const job = await readJob(cols.job);
      const now = ctx.now();
      if (runner.isBusy() || (job?.lease && job.lease.until > now)) {
        return reply.code(409).send({
          statusCode: 409,
          error: 'Conflict',
          message: 'a run is in progress',
          lease: job?.lease ? { ...job.lease } : null,
        });
      }
      // A RangeArgumentError names its argument: the error handler answers it with a 400.
      resolveRange(args, { checkpoint: job?.checkpoint, configStart: ctx.configStart, now });
      const runId = randomUUID();
      runner.run(args, { runId }).catch((err: unknown) => {
        request.log.error({ err: coerceError(err), runId }, 'run started over HTTP failed');
      });
      return reply.code(202).send({ accepted: true, runId });
    }
  );
};
