import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { withSlots } from '../../query/exact-count';
import { answerHeader } from '../../query/logins-query';
import { sendCsv, wantsCsv } from '../csv';
import type { RetentionAnswer } from '../../contract/types';
import { parseRetentionQuery, retentionCsv, retentionMatrix, retentionPoints } from '../../query/retention';
import type { ApiContext } from '../context';
import { peopleMask } from '../../query/people';
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
      const query = parseRetentionQuery(request.query, ctx.now().getTime(), ctx.sync.membership());
      const { index } = ctx.sync;
      const mask = peopleMask(index, query);
      const cohorts = await withSlots(
        ctx.sync,
        () => index.missingSlotsAt(retentionPoints(query)),
        (raw) => retentionMatrix(index, query, mask, raw)
      );
      const answer: RetentionAnswer = {
        ...answerHeader(query, ctx.sync.dataUntil()),
        cohort: query.cohort,
        mode: query.mode,
        periods: query.periods,
        cohorts,
      };
      if (!wantsCsv(request.query.format, request.headers.accept)) return answer;
      return sendCsv(reply, retentionCsv(answer));
    }
  );
};
