import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context';

/** Prometheus text format. */
export const metricsRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { access: ctx.api.openMetrics ? 'open' : 'read' } },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    }
  );
};
