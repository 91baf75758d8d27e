import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { LoginsParams } from '../../query/logins-query';
import { LoginsAnswers } from '../../query/logins-answers';
import { answerLogins, loginsCsv, parseLoginsQuery } from '../../query/logins-query';
import { parseBreakdown } from '../../query/breakdown';
import { answerLoginsBreakdown } from '../../query/logins-breakdown';
import { dataErrors, loginsAnswer, loginsParams } from '../../contract/schemas';
import type { ApiContext } from '../context';
import { sourceOf, sourcesOf } from '../source';
import { sendCsv, wantsCsv } from '../csv';
import { requestScoped } from '../../query/requests';

/** Unique users, logins and new users per calendar bucket: the original's LoginCountHandler, GET = POST. */
export const loginsRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  /**
   * JSON answers by query and index generation: a panel that several people watch, or a refresh before the
   * next job run, is answered without counting again. Bounded in bytes; a new generation misses.
   */
  const answers = new Map(
    sourcesOf(ctx).map((s) => [s.name, new LoginsAnswers(ctx.api.indexLimits.answerCacheBytes)])
  );

  /** Answers one query as JSON, or as CSV when asked by `format=csv` or `Accept: text/csv`. */
  const respond = async (params: LoginsParams, request: FastifyRequest, reply: FastifyReply) => {
    // Each source its index, and its kept answers (an index's generations say nothing of another's).
    const source = sourceOf(ctx, params.source);
    const membership = source.sync.membership();
    const query = parseLoginsQuery(params, ctx.now().getTime(), ctx.api.maxBuckets, membership);
    // handler=, project=, host=: counted as if sys.log held only those requests (query/requests.ts).
    const sync = requestScoped(source.sync, query.requests);
    const breakdown = parseBreakdown(params, query, membership);
    if (breakdown) {
      const answer = await answerLoginsBreakdown(sync, query, {
        breakdown,
        maxBuckets: ctx.api.maxBuckets,
        base: source.sync,
      });
      return wantsCsv(params.format, request.headers.accept) ? sendCsv(reply, loginsCsv(answer)) : answer;
    }
    if (!wantsCsv(params.format, request.headers.accept)) {
      const body = await (answers.get(source.name) as LoginsAnswers).json(sync, query);
      return reply
        .type('application/json; charset=utf-8')
        .serializer((x) => x as string)
        .send(body);
    }
    return sendCsv(reply, loginsCsv(await answerLogins(sync, query)));
  };
  const schema = { tags: ['logins'], response: { 200: loginsAnswer, ...dataErrors } } as const;

  app.get('/api/v1/logins', { schema: { ...schema, querystring: loginsParams } }, async (request, reply) =>
    respond(request.query, request, reply)
  );

  const bodySchema = {
    ...loginsParams,
    properties: {
      ...loginsParams.properties,
      start: { anyOf: [loginsParams.properties.start, { type: 'integer' }] },
      end: { anyOf: [loginsParams.properties.end, { type: 'integer' }] },
    },
  } as const;
  app.post('/api/v1/logins', { schema: { ...schema, body: bodySchema } }, async (request, reply) => {
    const body = request.body ?? {};
    const params: LoginsParams = {
      ...body,
      start: body.start === undefined ? undefined : String(body.start),
      end: body.end === undefined ? undefined : String(body.end),
    };
    return respond(params, request, reply);
  });
};
