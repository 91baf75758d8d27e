import type { FastifyPluginAsync } from 'fastify';
import { parseRange } from '../../query/logins-query';
import { usersBetweenExact } from '../../query/exact-count';
import type { ApiContext } from '../context';
import { usersParams } from '../schemas';

interface Query {
  start?: string;
  end?: string;
  search?: string;
  limit: number;
}

/** User names seen in a range (default the last 90 days), sorted: for Grafana variables. */
export const usersRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: Query }>(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        querystring: usersParams,
        response: {
          200: {
            type: 'object',
            properties: {
              users: { type: 'array', items: { type: 'string' } },
              truncated: { type: 'boolean' },
            },
          },
        },
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
