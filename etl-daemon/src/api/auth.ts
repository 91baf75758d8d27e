import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/config';

/** What a route needs: `read` (read or admin token), `admin`, or `open`. */
export type Access = 'read' | 'admin' | 'open';

/** Who is calling: a valid admin or read token, or nobody (no token, or one that is not valid). */
export type Caller = 'admin' | 'read' | 'anonymous';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    caller: Caller;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The token of an `Authorization: Bearer <token>` header, if the header is one. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
}

/** The caller a request's Authorization header names, decided in constant time per configured token. */
function callerOf(authorization: string | undefined, api: ApiConfig): Caller {
  const token = bearerToken(authorization);
  if (!token) return 'anonymous';
  if (api.adminToken !== undefined && same(token, api.adminToken)) return 'admin';
  if (api.readToken !== undefined && same(token, api.readToken)) return 'read';
  return 'anonymous';
}

/**
 * Bearer tokens from configuration: 401 without a token, 403 with one that does not grant the route.
 * With no token configured the API is open. Tokens are compared in constant time and never logged
 * (the logger redacts the Authorization header).
 */
export function installAuth(app: FastifyInstance, api: ApiConfig): void {
  const enabled = authEnabled(api);
  app.decorateRequest('caller', 'anonymous');
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Swagger UI's own routes cannot carry config; the interactive docs are as open as /openapi.json.
    const access = request.routeOptions.config.access ?? (request.url.startsWith('/docs') ? 'open' : 'read');
    // Without tokens configured everybody may read everything; open routes still say less to anonymous callers.
    request.caller = enabled ? callerOf(request.headers.authorization, api) : 'admin';
    if (!enabled || access === 'open') return;
    if (!bearerToken(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'a bearer token is required (Authorization: Bearer <token>)',
      });
    }
    const admin = request.caller === 'admin';
    const read = admin || request.caller === 'read';
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
