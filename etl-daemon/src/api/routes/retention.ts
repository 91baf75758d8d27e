import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { parseBreakdown, refuseTooManySeries } from '../../query/breakdown';
import { requestRetentionSeries, retentionCohorts, retentionSeries } from '../../query/retention-breakdown';
import { answerHeader } from '../../query/logins-query';
import { sendCsv, wantsCsv } from '../csv';
import type { RetentionAnswer } from '../../contract/types';
import { parseRetentionQuery, retentionCsv } from '../../query/retention';
import type { ApiContext } from '../context';
import { sourceOf } from '../source';
import { requestScoped } from '../../query/requests';
import type { Breakdown } from '../../query/breakdown';
import { isRequestDimension } from '../../query/breakdown';
import type { RetentionQuery } from '../../query/retention';
import type { ApiSource } from '../context';

/** A breakdown's cohorts: by request keys from the source's own sync, by people from the query's. */
function breakdownCohorts(
  syncs: { sync: ApiSource['sync']; base: ApiSource['sync'] },
  query: RetentionQuery,
  breakdown: Breakdown
): ReturnType<typeof retentionSeries> {
  const { dimension, limit } = breakdown;
  return isRequestDimension(dimension)
    ? requestRetentionSeries(syncs.base, query, { dimension, limit })
    : retentionSeries(syncs.sync, query, breakdown);
}
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
      const source = sourceOf(ctx, request.query.source);
      const membership = source.sync.membership();
      const query = parseRetentionQuery(request.query, ctx.now().getTime(), membership);
      const sync = requestScoped(source.sync, query.requests);
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
          ? {
              breakdown: breakdown.dimension,
              series: await breakdownCohorts({ sync, base: source.sync }, query, breakdown),
            }
          : {}),
      };
      if (!wantsCsv(request.query.format, request.headers.accept)) return answer;
      return sendCsv(reply, retentionCsv(answer));
    }
  );
};
