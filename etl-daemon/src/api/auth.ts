import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/config';

/** What a route needs: `read` (read or admin token), `admin`, or `open`. */
export type Access = 'read' | 'admin' | 'open';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Bearer tokens from configuration: 401 without a token, 403 with one that does not grant the route.
 * With no token configured the API is open. Tokens are compared in constant time and never logged
 * (the logger redacts the Authorization header).
 */
export function installAuth(app: FastifyInstance, api: ApiConfig): void {
  const enabled = authEnabled(api);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Swagger UI's own routes cannot carry config; the interactive docs are as open as /openapi.json.
    const access = request.routeOptions.config.access ?? (request.url.startsWith('/docs') ? 'open' : 'read');
    if (!enabled || access === 'open') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/i.exec(header);
    if (!match?.[1]) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'a bearer token is required (Authorization: Bearer <token>)',
      });
    }
    const token = match[1];
    const admin = api.adminToken !== undefined && same(token, api.adminToken);
    const read = admin || (api.readToken !== undefined && same(token, api.readToken));
    if (access === 'admin' ? !admin : !read) {
      return reply
        .code(403)
        .send({ statusCode: 403, error: 'Forbidden', message: `this token does not grant ${access} access` });
    }
  });
}

export function authEnabled(api: ApiConfig): boolean {
  return api.readToken !== undefined || api.adminToken !== undefined;
}
