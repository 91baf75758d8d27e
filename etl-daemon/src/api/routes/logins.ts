import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginsParams } from '../../query/logins-query';
import { answerLogins, loginsCsv, parseLoginsQuery } from '../../query/logins-query';
import { errorAnswer, loginsAnswer, loginsParams } from '../schemas';
import type { ApiContext } from '../context';

type Body = Omit<LoginsParams, 'start' | 'end'> & { start?: string | number; end?: string | number };

/** Unique users, logins and new users per calendar bucket: the original's LoginCountHandler, GET = POST. */
export const loginsRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  /** Answers one query as JSON, or as CSV when asked by `format=csv` or `Accept: text/csv`. */
  const respond = async (params: LoginsParams, request: FastifyRequest, reply: FastifyReply) => {
    const query = parseLoginsQuery(params, ctx.now().getTime(), ctx.api.maxBuckets);
    const answer = await answerLogins(ctx.sync, query);
    const csv =
      params.format === 'csv' ||
      (params.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
    if (!csv) return answer;
    return reply
      .type('text/csv; charset=utf-8')
      .serializer((x) => x as string)
      .send(loginsCsv(answer));
  };
  const schema = { tags: ['logins'], response: { 200: loginsAnswer, 400: errorAnswer } };

  app.get<{ Querystring: LoginsParams }>(
    '/api/v1/logins',
    { schema: { ...schema, querystring: loginsParams } },
    async (request, reply) => respond(request.query, request, reply)
  );

  const bodySchema = {
    ...loginsParams,
    properties: {
      ...loginsParams.properties,
      start: { anyOf: [loginsParams.properties.start, { type: 'integer' }] },
      end: { anyOf: [loginsParams.properties.end, { type: 'integer' }] },
    },
  };
  app.post<{ Body: Body | undefined }>(
    '/api/v1/logins',
    { schema: { ...schema, body: bodySchema } },
    async (request, reply) => {
      const body = request.body ?? {};
      const params: LoginsParams = {
        ...body,
        start: body.start === undefined ? undefined : String(body.start),
        end: body.end === undefined ? undefined : String(body.end),
      };
      return respond(params, request, reply);
    }
  );
};
