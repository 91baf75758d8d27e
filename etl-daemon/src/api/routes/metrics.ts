import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context';
import { dataErrors } from '../../contract/schemas';

/** Prometheus text format. */
export const metricsRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        description:
          'Prometheus text format; needs the read token when tokens are set, unless USAGE_OPEN_METRICS=true',
        response: {
          200: { description: 'Prometheus exposition format', type: 'string' },
          401: dataErrors[401],
          403: dataErrors[403],
        },
      },
      config: { access: ctx.api.openMetrics ? 'open' : 'read' },
    },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    }
  );
};
