import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { parseBreakdown, refuseTooManySeries } from '../../query/breakdown';
import { retentionCohorts, retentionSeries } from '../../query/retention-breakdown';
import { answerHeader } from '../../query/logins-query';
import { sendCsv, wantsCsv } from '../csv';
import type { RetentionAnswer } from '../../contract/types';
import { parseRetentionQuery, retentionCsv } from '../../query/retention';
import type { ApiContext } from '../context';
import { sourceOf } from '../source';
import { dataErrors, retentionAnswer, retentionParams } from '../../contract/schemas';

/** Weekly (daily, monthly) cohorts by first login and how many of them came back in each later period. */
export const retentionRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (
  app,
  ctx
) => {
  app.get(
    '/api/v1/retention',
    {
      schema: {
        tags: ['logins'],
        querystring: retentionParams,
        response: { 200: retentionAnswer, ...dataErrors },
      },
    },
    async (request, reply) => {
      const { sync } = sourceOf(ctx, request.query.source);
      const membership = sync.membership();
      const query = parseRetentionQuery(request.query, ctx.now().getTime(), membership);
      const breakdown = parseBreakdown(request.query, query, membership);
      const cohorts = await retentionCohorts(sync, query);
      if (breakdown) refuseTooManySeries(cohorts.length, breakdown, ctx.api.maxBuckets);
      const answer: RetentionAnswer = {
        ...answerHeader(query, sync.dataUntil()),
        cohort: query.cohort,
        mode: query.mode,
        periods: query.periods,
        cohorts,
        ...(breakdown
          ? { breakdown: breakdown.dimension, series: await retentionSeries(sync, query, breakdown) }
          : {}),
      };
      if (!wantsCsv(request.query.format, request.headers.accept)) return answer;
      return sendCsv(reply, retentionCsv(answer));
    }
  );
};
