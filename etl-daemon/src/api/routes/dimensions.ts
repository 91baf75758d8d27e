import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { parseOrderedRange } from '../../contract/params';
import { REQUEST_LIMITS } from '../../core/limits';
import { dataErrors, dimensionsAnswer, dimensionsParams, dimensionsPath } from '../../contract/schemas';
import { isRequestDimension, parseBreakdown } from '../../query/breakdown';
import { rankedRequestSeries } from '../../query/request-breakdown';
import { requestScoped } from '../../query/requests';
import type { People } from '../../query/people';
import { rankedSeries } from '../../query/logins-breakdown';
import { parsePeople } from '../../query/people';
import type { ApiContext, ApiSource } from '../context';
import { sourceOf } from '../source';

/** The groups with members active in the range, and their active members (none before a membership is stored). */
async function roleValues(
  sync: ApiSource['sync'],
  range: { start: number; end: number },
  people: People
): Promise<{ key: string; users: number }[]> {
  const membership = sync.membership();
  // Before any membership is stored there are no groups to list (GET /api/v1/roles says why).
  const breakdown = membership ? parseBreakdown({ breakdown: 'role' }, people, membership) : undefined;
  return breakdown ? rankedSeries(sync, range, { ...breakdown, limit: breakdown.values.length }) : [];
}

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
      const { start, end } = parseOrderedRange(
        request.query,
        ctx.now().getTime(),
        REQUEST_LIMITS.rangeDays.dimensions
      );
      const source = sourceOf(ctx, request.query.source);
      const titles = source.sync.handlerTitles();
      // A handler's title as core4 registered it (sys.handler), where it did.
      const titleOf = (d: string, key: string) => {
        const title = d === 'handler' ? titles.get(key) : undefined;
        return title === undefined ? {} : { title };
      };
      const membership = source.sync.membership();
      const people = parsePeople(request.query, membership);
      const values = isRequestDimension(dimension)
        ? await rankedRequestSeries(source.sync, { start, end, ...people }, { dimension, limit: Infinity })
        : await roleValues(requestScoped(source.sync, people.requests), { start, end }, people);
      return {
        dimension,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        ...(membership ? { membershipAsOf: membership.checkedAt.toISOString() } : {}),
        values: values.map((v) => ({
          key: v.key,
          users: v.users,
          ...('logins' in v && typeof v.logins === 'number' ? { logins: v.logins } : {}),
          ...titleOf(dimension, v.key),
        })),
      };
    }
  );
};
