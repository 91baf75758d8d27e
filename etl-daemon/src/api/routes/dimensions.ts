import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { parseOrderedRange } from '../../contract/params';
import { dataErrors, dimensionsAnswer, dimensionsParams, dimensionsPath } from '../../contract/schemas';
import { parseBreakdown } from '../../query/breakdown';
import { rankedSeries } from '../../query/logins-breakdown';
import { parsePeople } from '../../query/people';
import type { ApiContext } from '../context';
import { sourceOf } from '../source';

/** The values of a dimension seen in a range with their distinct users: what a Grafana variable lists. */
export const dimensionsRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (
  app,
  ctx
) => {
  app.get(
    '/api/v1/dimensions/:dimension',
    {
      schema: {
        tags: ['users'],
        params: dimensionsPath,
        querystring: dimensionsParams,
        response: { 200: dimensionsAnswer, ...dataErrors },
      },
    },
    async (request) => {
      const { dimension } = request.params;
      const { start, end } = parseOrderedRange(request.query, ctx.now().getTime(), 90);
      const { sync } = sourceOf(ctx, request.query.source);
      const membership = sync.membership();
      const people = parsePeople(request.query, membership);
      // Before any membership is stored there are no groups to list (GET /api/v1/roles says why).
      const breakdown = membership ? parseBreakdown({ breakdown: dimension }, people, membership) : undefined;
      const values = breakdown
        ? await rankedSeries(sync, { start, end }, { ...breakdown, limit: breakdown.values.length })
        : [];
      return {
        dimension,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        ...(membership ? { membershipAsOf: membership.checkedAt.toISOString() } : {}),
        values: values.map((v) => ({ key: v.key, users: v.users })),
      };
    }
  );
};
