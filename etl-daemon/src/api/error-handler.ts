import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueryError } from '../query/logins-query';
import { IndexBusyError, IndexLoadingError } from '../query/index-loader';

/** Answers that say "not now": the status, how long to wait, and the message. */
export function unavailableAnswer(error: unknown): { retryAfterS: number; message: string } | undefined {
  if (error instanceof IndexLoadingError) return { retryAfterS: 5, message: error.message };
  if (error instanceof IndexBusyError) return { retryAfterS: 1, message: error.message };
  return undefined;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path.split('/').filter((k) => k !== '')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Turns the first schema violation into "parameter, value, what is accepted". */
function describeValidation(errors: AjvError[], data: unknown, schemaProperties: string[]): QueryError {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const name = String(unknown.params.additionalProperty);
    const names = schemaProperties.join(', ');
    return new QueryError(
      name,
      valueAt(data, name),
      `one of the parameters ${names}`,
      `unknown parameter '${name}'; accepted: ${names}`
    );
  }
  const error = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  const path = error?.instancePath ?? '';
  const name = path.split('/').filter((k) => k !== '')[0] ?? 'request';
  const accepted =
    error?.keyword === 'enum'
      ? `one of ${(error.params.allowedValues as string[]).join(', ')}`
      : (error?.message ?? 'a valid value');
  return new QueryError(name, valueAt(data, path), accepted);
}

/**
 * One error shape for the whole API: 400 names the parameter, the value and what is accepted; 4xx keep
 * Fastify's message; anything else is logged and answered as a masked 500.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let queryError: QueryError | undefined;
    if (error instanceof QueryError) queryError = error;
    else if (error.validation) {
      const data = error.validationContext === 'body' ? request.body : request.query;
      const schema = (
        error.validationContext === 'body'
          ? request.routeOptions.schema?.body
          : request.routeOptions.schema?.querystring
      ) as { properties?: Record<string, unknown> } | undefined;
      queryError = describeValidation(error.validation, data, Object.keys(schema?.properties ?? {}));
    }
    if (queryError) {
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: queryError.message,
        parameter: queryError.parameter,
        accepted: queryError.accepted,
      });
    }
    const unavailable = unavailableAnswer(error);
    if (unavailable) {
      return reply
        .code(503)
        .header('retry-after', String(unavailable.retryAfterS))
        .send({ statusCode: 503, error: 'Service Unavailable', message: unavailable.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ statusCode: status, error: error.name, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error; see the daemon log',
    });
  });
}
