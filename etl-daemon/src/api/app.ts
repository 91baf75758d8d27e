import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import { authEnabled, installAuth } from './auth';
import type { ApiContext } from './context';
import { installErrorHandler } from './error-handler';
import { healthRoutes, readyRoutes } from './routes/health';
import { jobRoutes, runRoutes } from './routes/job';
import { loginsRoutes } from './routes/logins';
import { metricsRoutes } from './routes/metrics';
import { retentionRoutes } from './routes/retention';
import { rolesRoutes, sourcesRoutes } from './routes/roles';
import { dimensionsRoutes } from './routes/dimensions';
import { stickinessRoutes } from './routes/stickiness';
import { usersRoutes } from './routes/users';
import { widgetRoutes } from './routes/widget';

/**
 * The HTTP API as a Fastify instance, not listening: `serve` listens, tests use `inject`. OpenAPI is
 * generated from the same JSON schemas that validate requests.
 */
export async function buildApp(
  ctx: ApiContext,
  options: Pick<FastifyServerOptions, 'loggerInstance'> = {}
): Promise<FastifyInstance> {
  const app = Fastify({
    ...options,
    // Unknown parameters are errors, not silently dropped; a single `user=` becomes a list.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    routerOptions: {
      querystringParser: (text) => Object.fromEntries(groupParams(new URLSearchParams(text))),
    },
  });
  installErrorHandler(app);
  installAuth(app, ctx.api);
  if (ctx.api.rateLimitPerMinute > 0) {
    // Per client address (behind Grafana's proxy: per Grafana server); monitoring and the page stay unlimited.
    await app.register(rateLimit, {
      max: ctx.api.rateLimitPerMinute,
      timeWindow: 60_000,
      allowList: (request) => !request.url.startsWith('/api/'),
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  await registerDocs(app, ctx);
  await app.register(loginsRoutes, ctx);
  await app.register(usersRoutes, ctx);
  await app.register(rolesRoutes, ctx);
  await app.register(sourcesRoutes, ctx);
  await app.register(dimensionsRoutes, ctx);
  await app.register(retentionRoutes, ctx);
  await app.register(stickinessRoutes, ctx);
  await app.register(jobRoutes, ctx);
  await app.register(runRoutes, ctx);
  await app.register(healthRoutes, ctx);
  await app.register(readyRoutes, ctx);
  await app.register(metricsRoutes, ctx);
  await app.register(widgetRoutes);
  return app;
}

/** OpenAPI from the routes' schemas at /openapi.json, and Swagger UI at /docs. */
async function registerDocs(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'core4 usage',
        version: '0.1.0',
        description:
          'Unique users, logins, new users and engagement (rolling actives, DAU/MAU, lifecycle, retention, stickiness) per calendar interval',
      },
      components: authEnabled(ctx.api)
        ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }
        : {},
      security: authEnabled(ctx.api) ? [{ bearer: [] }] : [],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'open' } }, async () => app.swagger());
}

/** Repeated keys become arrays; `a[b]=c` stays a plain (and so unknown, rejected) key. */
function groupParams(search: URLSearchParams): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [key, value] of search) {
    const existing = out.get(key);
    out.set(
      key,
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
    );
  }
  return out;
}
