import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { parseRange } from '../../query/logins-query';
import { usersBetweenExact } from '../../query/exact-count';
import type { ApiContext } from '../context';
import { dataErrors, usersAnswer, usersParams } from '../schemas';

/** User names seen in a range (default the last 90 days), sorted: for Grafana variables. */
export const usersRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        querystring: usersParams,
        response: { 200: usersAnswer, ...dataErrors },
      },
    },
    async (request) => {
      const { search, limit } = request.query;
      const { start, end } = parseRange(request.query, ctx.now().getTime(), 90);
      const needle = search?.toLowerCase();
      const all = (await usersBetweenExact(ctx.sync, start, end)).filter(
        (u) => !needle || u.toLowerCase().includes(needle)
      );
      return { users: all.slice(0, limit), truncated: all.length > limit };
    }
  );
};
