import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { withSlots } from '../../query/exact-count';
import { answerHeader } from '../../query/logins-query';
import {
  parseStickinessQuery,
  stickinessBounds,
  stickinessCounts,
  stickinessCsv,
} from '../../query/stickiness';
import type { StickinessAnswer } from '../../contract/types';
import { dataErrors, stickinessAnswer, stickinessParams } from '../../contract/schemas';
import type { ApiContext } from '../context';
import { sourceOf } from '../source';
import { requestScoped } from '../../query/requests';
import { peopleMask } from '../../query/people';
import { sendCsv, wantsCsv } from '../csv';

/** PostHog's stickiness: how many users were active on exactly (or at least) n days (weeks, …) of a range. */
export const stickinessRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (
  app,
  ctx
) => {
  app.get(
    '/api/v1/stickiness',
    {
      schema: {
        tags: ['logins'],
        querystring: stickinessParams,
        response: { 200: stickinessAnswer, ...dataErrors },
      },
    },
    async (request, reply) => {
      const source = sourceOf(ctx, request.query.source);
      const query = parseStickinessQuery(
        request.query,
        ctx.now().getTime(),
        ctx.api.maxBuckets,
        source.sync.membership()
      );
      const sync = requestScoped(source.sync, query.requests);
      const { index } = sync;
      const mask = peopleMask(index, query);
      const counts = await withSlots(
        sync,
        () => index.missingSlotsAt([query.start, query.end, ...stickinessBounds(query)]),
        (raw) => stickinessCounts(index, query, { mask, raw })
      );
      const answer: StickinessAnswer = {
        ...answerHeader(query, sync.dataUntil()),
        interval: query.interval,
        cumulative: query.cumulative,
        intervals: counts.length - 1,
        counts,
      };
      if (!wantsCsv(request.query.format, request.headers.accept)) return answer;
      return sendCsv(reply, stickinessCsv(answer));
    }
  );
};
